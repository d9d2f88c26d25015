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
}

func newHTTPResponder(rest *restClient, appID, token string) *httpResponder {
	return &httpResponder{rest: rest, appID: appID, token: token, first: make(chan firstResponse, 1)}
}

// Respond writes resp as the HTTP response when the request is still
// waiting; if the endpoint already deferred, a message response becomes an
// edit of the deferred message (or, for an ephemeral one, a short public
// notice plus an ephemeral follow-up, since the deferral was public).
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

// lateRespond delivers a first response after the endpoint's own deferral.
func (h *httpResponder) lateRespond(ctx context.Context, resp *discordgo.InteractionResponse) error {
	switch resp.Type {
	case discordgo.InteractionResponseDeferredChannelMessageWithSource,
		discordgo.InteractionResponseDeferredMessageUpdate:
		return nil // already deferred: the Handler's Edit follows
	case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseUpdateMessage:
	default:
		return fmt.Errorf("respond type %d: %w", resp.Type, ErrTooLate)
	}
	data := resp.Data
	if data == nil {
		data = &discordgo.InteractionResponseData{}
	}
	if data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		return h.Edit(ctx, editFromData(data))
	}
	notice := "The answer was sent privately."
	if err := h.Edit(ctx, &discordgo.WebhookEdit{Content: &notice, AllowedMentions: httpNoMentions()}); err != nil {
		return err
	}
	return h.Followup(ctx, &discordgo.WebhookParams{
		Content:         data.Content,
		Embeds:          data.Embeds,
		Components:      data.Components,
		AllowedMentions: data.AllowedMentions,
		Flags:           discordgo.MessageFlagsEphemeral,
	})
}

// Edit replaces the original response:
// PATCH /api/v10/webhooks/{application_id}/{token}/messages/@original.
func (h *httpResponder) Edit(ctx context.Context, edit *discordgo.WebhookEdit) error {
	if edit == nil {
		return errors.New("edit: nil edit")
	}
	if len(edit.Files) > 0 {
		return errors.New("edit: file attachments are not supported over HTTP")
	}
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
// it returns true when the endpoint must send its own deferral, false when
// the Handler's first response is already queued on h.first.
func (h *httpResponder) takeDeadline() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.state != respPending {
		return false
	}
	h.state = respDeferred
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
