package bot

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Limits of POST /interactions.
const (
	// MaxInteractionBody is the largest request body accepted (413 above).
	MaxInteractionBody = 1 << 20
	// MaxSignatureSkew is how far X-Signature-Timestamp may be from now, in
	// either direction, before the request is refused as a replay.
	MaxSignatureSkew = 5 * time.Minute
	// interactionLifetime is how long an interaction token allows edits.
	interactionLifetime = 15 * time.Minute
)

// Rejection reasons: the metric label and the log line of a refused request.
const (
	rejectNotConfigured = "not_configured"
	rejectTooLarge      = "too_large"
	rejectReadError     = "read_error"
	rejectNoSignature   = "missing_signature"
	rejectBadSignature  = "bad_signature"
	rejectBadTimestamp  = "bad_timestamp"
	rejectStale         = "stale_timestamp"
	rejectBadJSON       = "bad_json"
	rejectBadType       = "bad_type"
	rejectReplay        = "replay"
)

// handleInteractions serves POST /interactions.
func handleInteractions(cfg HTTPConfig) http.Handler {
	rest := newRESTClient(cfg.APIURL, cfg.Token, cfg.HTTPClient)
	replays := newReplayGuard(cfg.MaxRemembered)
	reject := func(w http.ResponseWriter, r *http.Request, status int, reason, msg string) {
		cfg.Metrics.rejectedRequest(reason)
		cfg.Logger.Warn("interaction request refused", "reason", reason, "status", status, "remote", r.RemoteAddr)
		http.Error(w, msg, status)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(cfg.PublicKey) != ed25519.PublicKeySize || cfg.Handler == nil {
			reject(w, r, http.StatusServiceUnavailable, rejectNotConfigured, "interactions endpoint not configured")
			return
		}
		if r.ContentLength > MaxInteractionBody {
			reject(w, r, http.StatusRequestEntityTooLarge, rejectTooLarge, "request body too large")
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxInteractionBody+1))
		if err != nil {
			reject(w, r, http.StatusBadRequest, rejectReadError, "cannot read request body")
			return
		}
		if len(body) > MaxInteractionBody {
			reject(w, r, http.StatusRequestEntityTooLarge, rejectTooLarge, "request body too large")
			return
		}
		now := cfg.Now()
		signed, reason := verifySignature(cfg.PublicKey, r.Header, body, now)
		if reason != "" {
			reject(w, r, http.StatusUnauthorized, reason, "invalid request signature")
			return
		}
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			reject(w, r, http.StatusBadRequest, rejectBadJSON, "invalid interaction JSON")
			return
		}
		switch i.Type {
		case discordgo.InteractionPing:
			writeInteractionJSON(w, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong})
			return
		case discordgo.InteractionApplicationCommand, discordgo.InteractionApplicationCommandAutocomplete,
			discordgo.InteractionMessageComponent, discordgo.InteractionModalSubmit:
		default:
			reject(w, r, http.StatusBadRequest, rejectBadType, "unknown interaction type")
			return
		}
		if !replays.first(i.ID, signed, now) {
			// A signed request seen before: answered once already, so
			// 200 with nothing done (a replay must not post twice).
			cfg.Metrics.rejectedRequest(rejectReplay)
			cfg.Logger.Warn("replayed interaction ignored", "interaction_id", i.ID, "remote", r.RemoteAddr)
			w.WriteHeader(http.StatusOK)
			return
		}
		if i.AppID == "" {
			i.AppID = cfg.AppID
		}
		dispatchInteraction(w, r, cfg, rest, &i)
	})
}

// verifySignature checks X-Signature-Ed25519 over X-Signature-Timestamp+body
// and the timestamp's age. It returns the signed time and "" when valid,
// else the reason.
func verifySignature(key ed25519.PublicKey, h http.Header, body []byte, now time.Time) (time.Time, string) {
	sigHex, ts := h.Get("X-Signature-Ed25519"), h.Get("X-Signature-Timestamp")
	if sigHex == "" || ts == "" {
		return time.Time{}, rejectNoSignature
	}
	sig, err := hex.DecodeString(sigHex)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return time.Time{}, rejectBadSignature
	}
	msg := make([]byte, 0, len(ts)+len(body))
	msg = append(append(msg, ts...), body...)
	if !ed25519.Verify(key, msg, sig) {
		return time.Time{}, rejectBadSignature
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, rejectBadTimestamp
	}
	signed := time.Unix(secs, 0)
	if d := now.Sub(signed); d > MaxSignatureSkew || d < -MaxSignatureSkew {
		return time.Time{}, rejectStale
	}
	return signed, ""
}

// dispatch runs the Handler in its own goroutine (it may keep working after
// its first response) and writes whichever comes first: the Handler's first
// response, or, at the deadline, the endpoint's own deferral — so no
// interaction goes unanswered.
func dispatchInteraction(w http.ResponseWriter, r *http.Request, cfg HTTPConfig, rest *restClient, i *discordgo.Interaction) {
	resp := newHTTPResponder(rest, i.AppID, i.Token)
	// The Handler outlives this request (edits come later); it keeps the
	// request's values but not its cancellation, bounded by the token's life.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), interactionLifetime)
	log := cfg.Logger.With("interaction_id", i.ID, "type", int(i.Type))
	go func() {
		defer cancel()
		defer finishUnanswered(ctx, resp, i, log)
		cfg.Handler.Handle(ctx, i, resp)
	}()

	timer := time.NewTimer(cfg.AckDeadline)
	defer timer.Stop()
	select {
	case fr := <-resp.first:
		fr.done <- writeInteractionJSON(w, fr.resp)
	case <-timer.C:
		d := deferralOf(cfg.Handler, i)
		if !resp.takeDeadline(d) {
			fr := <-resp.first
			fr.done <- writeInteractionJSON(w, fr.resp)
			return
		}
		log.Warn("handler missed the acknowledgement deadline; deferred on its behalf", "deadline", cfg.AckDeadline, "response_type", int(d.Type))
		_ = writeInteractionJSON(w, d)
	case <-r.Context().Done():
		if resp.abandon() {
			fr := <-resp.first
			fr.done <- writeInteractionJSON(w, fr.resp)
			return
		}
		log.Warn("interaction request closed before any response")
	}
}

// Deferrer is implemented by an InteractionHandler that knows, from the
// interaction alone, how it would acknowledge it: the endpoint's own
// deferral at the deadline is then what the handler would have sent —
// ephemeral when the answer will be, a silent acknowledgement (type 6) for a
// click on a message it updates. Deferral must be fast and must not block.
// *Router implements it.
type Deferrer interface {
	Deferral(i *discordgo.Interaction) *discordgo.InteractionResponse
}

// deferralOf is the endpoint's acknowledgement on h's behalf: h's own
// Deferral when it has one, else deferralFor.
func deferralOf(h InteractionHandler, i *discordgo.Interaction) (d *discordgo.InteractionResponse) {
	if dh, ok := h.(Deferrer); ok {
		defer func() {
			if recover() != nil || d == nil {
				d = deferralFor(i)
			}
		}()
		return dh.Deferral(i)
	}
	return deferralFor(i)
}

// deferralFor is the acknowledgement of a handler that does not say: for
// autocomplete, which cannot be deferred, no choices; for a click, a silent
// acknowledgement (type 6) that leaves the message as it is; for a command,
// an ephemeral "thinking…", since a private answer must never be edited into
// a public message (a public answer then arrives privately, see
// httpResponder).
func deferralFor(i *discordgo.Interaction) *discordgo.InteractionResponse {
	switch i.Type {
	case discordgo.InteractionApplicationCommandAutocomplete:
		return &discordgo.InteractionResponse{
			Type: discordgo.InteractionApplicationCommandAutocompleteResult,
			Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{}},
		}
	case discordgo.InteractionMessageComponent:
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	}
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}
}

// httpFallbackMessage is shown when the Handler failed to answer at all.
const httpFallbackMessage = "Sorry, something went wrong while answering. Please try again."

// finishUnanswered runs when the Handler returns (or panics): a panic is
// logged and contained, and an interaction the Handler never answered gets
// the fallback message instead of silence.
func finishUnanswered(ctx context.Context, resp *httpResponder, i *discordgo.Interaction, log *slog.Logger) {
	if p := recover(); p != nil {
		log.Error("interaction handler panicked", "panic", fmt.Sprint(p))
	}
	never, deferred := resp.unanswered()
	if !never {
		return
	}
	if deferred && i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		return // the endpoint already answered with no choices
	}
	if !deferred {
		log.Error("interaction handler returned without responding")
	}
	fallback := &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content:         httpFallbackMessage,
			Flags:           discordgo.MessageFlagsEphemeral,
			AllowedMentions: httpNoMentions(),
		},
	}
	if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		fallback = deferralFor(i)
	}
	// After the endpoint's deferral this is delivered as a late response:
	// an edit, or a follow-up that leaves a clicked message alone.
	if err := resp.Respond(ctx, fallback); err != nil {
		log.Error("fallback response failed", "err", err)
	}
}

// writeInteractionJSON writes v as an application/json 200 response.
func writeInteractionJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "cannot encode response", http.StatusInternalServerError)
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write response: %w", err)
	}
	return nil
}
