package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/bwmarrin/discordgo"
)

// Errors from the HTTP Responder.
var (
	// ErrAlreadyResponded is returned by a second Respond.
	ErrAlreadyResponded = errors.New("interaction already responded to")
	// ErrTooLate is returned when a response that cannot be deferred
	// (autocomplete, modal) arrives after the endpoint answered for it.
	ErrTooLate = errors.New("response arrived after the acknowledgement deadline")
	// ErrClientGone is returned when Discord closed the request before the
	// first response was written.
	ErrClientGone = errors.New("interaction request closed before the response")
)

// responder states.
const (
	respPending  = iota // nothing sent yet
	respInline          // the Handler's first response is (being) written
	respDeferred        // the endpoint deferred on the Handler's behalf
	respGone            // the HTTP request ended without a response
)

// firstResponse carries the Handler's first response to the HTTP request
// goroutine, which reports the write's outcome on done.
type firstResponse struct {
	resp *discordgo.InteractionResponse
	done chan error
}

// httpResponder is the Responder of one interaction delivered over HTTP: the
// first response becomes the HTTP response body; edits and follow-ups go to
// Discord's webhook endpoints, authorized by the interaction token.
type httpResponder struct {
	rest         *restClient
	appID, token string

	mu        sync.Mutex
	state     int
	responded bool // the Handler called Respond (in any state)
	first     chan firstResponse
	// deferral is what the endpoint sent on the Handler's behalf (state
	// respDeferred).
	deferral *discordgo.InteractionResponse
	// divert is set when the Handler deferred ephemerally after the
	// endpoint's public deferral: its edits must not land in the public
	// message, so they become ephemeral follow-ups.
	divert   bool
	diverted bool // the public message already says the answer went privately
}

func newHTTPResponder(rest *restClient, appID, token string) *httpResponder {
	return &httpResponder{rest: rest, appID: appID, token: token, first: make(chan firstResponse, 1)}
}

// Respond writes resp as the HTTP response when the request is still
// waiting. If the endpoint already deferred, the response is delivered so
// that a private answer never lands in a public message and a clicked
// message is never replaced by a new one: see lateRespond.
func (h *httpResponder) Respond(ctx context.Context, resp *discordgo.InteractionResponse) error {
	if resp == nil {
		return errors.New("respond: nil response")
	}
	h.mu.Lock()
	if h.responded {
		h.mu.Unlock()
		return ErrAlreadyResponded
	}
	h.responded = true
	switch h.state {
	case respPending:
		h.state = respInline
		fr := firstResponse{resp: resp, done: make(chan error, 1)}
		h.first <- fr // buffered: never blocks, read by the request goroutine
		h.mu.Unlock()
		select {
		case err := <-fr.done:
			return err
		case <-ctx.Done():
			return fmt.Errorf("respond: %w", ctx.Err())
		}
	case respGone:
		h.mu.Unlock()
		return ErrClientGone
	}
	h.mu.Unlock()
	return h.lateRespond(ctx, resp)
}

// ephemeral reports whether an initial response is ephemeral.
func ephemeral(r *discordgo.InteractionResponse) bool {
	return r.Data != nil && r.Data.Flags&discordgo.MessageFlagsEphemeral != 0
}

// lateRespond delivers a first response after the endpoint's own deferral
// (h.deferral: a public or ephemeral type 5, or a type 6 for a click).
//   - A late deferral is already done, but a late ephemeral one after a
//     public type 5 diverts the edits that follow (see Edit).
//   - A late message (type 4) after a type 6 is a follow-up: the clicked
//     message stays. After a type 5 it is an edit, unless it is ephemeral
//     and the deferral was public: then the public message says the answer
//     went privately and the answer is an ephemeral follow-up.
//   - A late update (type 7) edits the original.
//   - Anything else (autocomplete, modal) cannot be late.
func (h *httpResponder) lateRespond(ctx context.Context, resp *discordgo.InteractionResponse) error {
	h.mu.Lock()
	d := h.deferral
	h.mu.Unlock()
	clickAck := d.Type == discordgo.InteractionResponseDeferredMessageUpdate
	publicDeferral := d.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource && !ephemeral(d)
	switch resp.Type {
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		if publicDeferral && ephemeral(resp) {
			h.mu.Lock()
			h.divert = true
			h.mu.Unlock()
		}
		return nil // the Handler's Edit follows
	case discordgo.InteractionResponseDeferredMessageUpdate:
		return nil
	case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseUpdateMessage:
	default:
		return fmt.Errorf("respond type %d: %w", resp.Type, ErrTooLate)
	}
	data := resp.Data
	if data == nil {
		data = &discordgo.InteractionResponseData{}
	}
	private := data.Flags&discordgo.MessageFlagsEphemeral != 0
	switch {
	case resp.Type == discordgo.InteractionResponseChannelMessageWithSource && clickAck:
		return h.Followup(ctx, paramsFromData(data, private))
	case resp.Type == discordgo.InteractionResponseChannelMessageWithSource && publicDeferral && private:
		return h.sendPrivately(ctx, paramsFromData(data, true))
	}
	return h.Edit(ctx, editFromData(data))
}

// sendPrivately replaces the public "thinking…" message with a short notice
// (once) and posts p as an ephemeral follow-up.
func (h *httpResponder) sendPrivately(ctx context.Context, p *discordgo.WebhookParams) error {
	h.mu.Lock()
	notice := !h.diverted
	h.diverted = true
	h.mu.Unlock()
	if notice {
		msg := "The answer was sent privately."
		if err := h.patchOriginal(ctx, &discordgo.WebhookEdit{Content: &msg, AllowedMentions: httpNoMentions()}); err != nil {
			return err
		}
	}
	p.Flags |= discordgo.MessageFlagsEphemeral
	return h.Followup(ctx, p)
}

// paramsFromData turns message data into a follow-up.
func paramsFromData(d *discordgo.InteractionResponseData, private bool) *discordgo.WebhookParams {
	p := &discordgo.WebhookParams{
		Content:         d.Content,
		Embeds:          d.Embeds,
		Components:      d.Components,
		AllowedMentions: d.AllowedMentions,
	}
	if p.AllowedMentions == nil {
		p.AllowedMentions = httpNoMentions()
	}
	if private {
		p.Flags = discordgo.MessageFlagsEphemeral
	}
	return p
}

// paramsFromEdit turns an edit of the original into a follow-up.
func paramsFromEdit(e *discordgo.WebhookEdit) *discordgo.WebhookParams {
	p := &discordgo.WebhookParams{AllowedMentions: e.AllowedMentions}
	if e.Content != nil {
		p.Content = *e.Content
	}
	if e.Embeds != nil {
		p.Embeds = *e.Embeds
	}
	if e.Components != nil {
		p.Components = *e.Components
	}
	if p.AllowedMentions == nil {
		p.AllowedMentions = httpNoMentions()
	}
	return p
}

// Edit replaces the original response:
// PATCH /api/v10/webhooks/{application_id}/{token}/messages/@original.
// After a late ephemeral deferral over the endpoint's public one, the edit
// is delivered privately instead (sendPrivately).
func (h *httpResponder) Edit(ctx context.Context, edit *discordgo.WebhookEdit) error {
	if edit == nil {
		return errors.New("edit: nil edit")
	}
	if len(edit.Files) > 0 {
		return errors.New("edit: file attachments are not supported over HTTP")
	}
	h.mu.Lock()
	divert := h.divert
	h.mu.Unlock()
	if divert {
		return h.sendPrivately(ctx, paramsFromEdit(edit))
	}
	return h.patchOriginal(ctx, edit)
}

func (h *httpResponder) patchOriginal(ctx context.Context, edit *discordgo.WebhookEdit) error {
	return h.rest.webhook(ctx, "PATCH", h.appID, h.token, "/messages/@original", edit)
}

// Followup posts a further message:
// POST /api/v10/webhooks/{application_id}/{token}.
func (h *httpResponder) Followup(ctx context.Context, params *discordgo.WebhookParams) error {
	if params == nil {
		return errors.New("followup: nil params")
	}
	if len(params.Files) > 0 {
		return errors.New("followup: file attachments are not supported over HTTP")
	}
	return h.rest.webhook(ctx, "POST", h.appID, h.token, "", params)
}

// takeDeadline is called by the request goroutine when the deadline passes:
// it returns true when the endpoint must send its own deferral d, false when
// the Handler's first response is already queued on h.first.
func (h *httpResponder) takeDeadline(d *discordgo.InteractionResponse) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.state != respPending {
		return false
	}
	h.state = respDeferred
	h.deferral = d
	return true
}

// abandon marks the request as gone (Discord hung up) unless a response is
// already queued; it reports whether one is.
func (h *httpResponder) abandon() (queued bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.state == respPending {
		h.state = respGone
		return false
	}
	return h.state == respInline
}

// unanswered reports whether the Handler never called Respond, and whether
// the endpoint had deferred for it.
func (h *httpResponder) unanswered() (never, deferred bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.responded, h.state == respDeferred
}

// editFromData turns a message response into an edit of the original.
func editFromData(d *discordgo.InteractionResponseData) *discordgo.WebhookEdit {
	content := d.Content
	embeds := d.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	components := d.Components
	if components == nil {
		components = []discordgo.MessageComponent{}
	}
	am := d.AllowedMentions
	if am == nil {
		am = httpNoMentions()
	}
	return &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, Components: &components, AllowedMentions: am}
}

// httpNoMentions allows no mention to ping anyone ("parse": []).
func httpNoMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

var _ Responder = (*httpResponder)(nil)
