package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Handle answers one interaction through resp: exactly one initial response,
// then edits or follow-ups. It recovers panics, enforces the channel
// allowlist and rate limit, decides ephemerality before any work, answers
// inline when the handler finishes within Config.InlineBudget and otherwise
// defers and edits, turns errors into short ephemeral messages, logs one
// line and calls the Observer once. Work after the initial response is
// detached from ctx's cancellation (it keeps ctx's values), so a finished
// HTTP request or a shutting-down gateway does not abort it; it is bounded
// by Config.HandlerTimeout instead.
func (r *Router) Handle(ctx context.Context, i *discordgo.Interaction, resp Responder) {
	if i == nil || resp == nil {
		return
	}
	x := &exchange{r: r, i: i, resp: resp, ctx: ctx, start: r.cfg.Now()}
	x.obs.Kind = kindOf(i.Type)
	if !r.enter(x) {
		x.obs.Outcome = "draining"
		x.fail(&userError{msg: msgDraining, outcome: "draining"})
		x.finish()
		return
	}
	defer r.leave(x)
	defer x.finish()
	defer func() {
		if p := recover(); p != nil {
			x.fail(fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
		}
	}()
	x.dispatch()
}

// exchange is the state of one interaction being answered.
type exchange struct {
	r    *Router
	i    *discordgo.Interaction
	resp Responder
	ctx  context.Context

	start  time.Time
	update bool // the route acknowledges/updates the clicked message
	obs    Interaction
	err    error
	attrs  []slog.Attr

	// mu guards the response state, which Router.Shutdown reads and claims
	// from another goroutine.
	mu        sync.Mutex
	responded bool // the initial response was sent (or is being sent)
	deferred  bool // the initial response was a successful deferral
	settled   bool // the last word is claimed: the answer, an error or the restart notice
	abandoned bool // shutdown gave up on this interaction
	// landed is closed when a deferral on its way has been sent, together
	// with the restart notice it may owe (nil when none was started).
	landed chan struct{}
}

func kindOf(t discordgo.InteractionType) string {
	switch t {
	case discordgo.InteractionPing:
		return "ping"
	case discordgo.InteractionApplicationCommandAutocomplete:
		return "autocomplete"
	case discordgo.InteractionMessageComponent:
		return "component"
	case discordgo.InteractionApplicationCommand:
		return "command"
	}
	return "other"
}

func (x *exchange) dispatch() {
	i := x.i
	if i.Type == discordgo.InteractionPing {
		x.obs.Outcome = "ok"
		x.respond(&discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}, true)
		return
	}
	rt, rq, found := x.r.lookup(i)
	x.obs.Command = rq.route
	if !found || (i.Type == discordgo.InteractionApplicationCommandAutocomplete && rt.complete == nil) {
		x.fail(&userError{msg: msgUnknown, outcome: "user_error"})
		return
	}
	if i.GuildID != "" && guildInstalled(i) && !x.r.channelAllowed(i.ChannelID) {
		x.fail(&userError{msg: x.r.forbiddenMessage(), outcome: "forbidden_channel"})
		return
	}
	if av := x.r.cfg.Available; av != nil && !rt.noIndex {
		if err := av(); err != nil {
			x.fail(errUnavailable())
			return
		}
	}
	if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		x.autocomplete(rt, rq)
		return
	}
	if ok, wait := x.r.limiter.allow(rq.userID); !ok {
		x.fail(&userError{msg: fmt.Sprintf("Slow down a little: try again in %d s.", waitSeconds(wait)), outcome: "rate_limited"})
		return
	}
	x.mu.Lock()
	x.update = rt.update
	x.mu.Unlock()
	rq.private = x.r.isPrivate(rt, rq)
	x.run(rt, rq)
}

// guildInstalled reports whether i comes through the server's install of
// citebot rather than only a member's user install: the operator's channel
// allowlist is about their servers' channels, and a user-installed citebot
// used in some other server has none listed. Payloads without
// authorizing_integration_owners count as guild installs.
func guildInstalled(i *discordgo.Interaction) bool {
	if len(i.AuthorizingIntegrationOwners) == 0 {
		return true
	}
	_, ok := i.AuthorizingIntegrationOwners[discordgo.ApplicationIntegrationGuildInstall]
	return ok
}

// lookup finds i's route and builds its request; rq.route is the command
// or component name ("unknown" when there is none).
func (r *Router) lookup(i *discordgo.Interaction) (rt route, rq *request, found bool) {
	rq = &request{i: i}
	rq.userID, rq.userName = invoker(i)
	switch d := i.Data.(type) {
	case discordgo.ApplicationCommandInteractionData:
		rq.cmd = d
		rq.route = d.Name
		rt, found = r.commands[d.Name]
	case discordgo.MessageComponentInteractionData:
		rq.comp = d
		rq.route, rq.args = parseCustomID(d.CustomID)
		rt, found = r.components[rq.route]
	}
	if rq.route == "" {
		rq.route = "unknown"
	}
	return rt, rq, found
}

// Deferral implements Deferrer: how the router would acknowledge i if it
// deferred — a silent acknowledgement (type 6) for a click on a message the
// route updates, else "thinking…" (type 5), ephemeral when the answer will
// be (the same decision as Handle's) or when the reply will be an error.
// Autocomplete, which cannot be deferred, gets no choices.
func (r *Router) Deferral(i *discordgo.Interaction) *discordgo.InteractionResponse {
	if i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		return &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
			Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{}}}
	}
	rt, rq, found := r.lookup(i)
	if found && rt.update && i.Type == discordgo.InteractionMessageComponent {
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	}
	forbidden := i.GuildID != "" && guildInstalled(i) && !r.channelAllowed(i.ChannelID)
	unavailable := r.cfg.Available != nil && !rt.noIndex && r.cfg.Available() != nil
	private := !found || forbidden || unavailable || r.isPrivate(rt, rq)
	d := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	if private {
		d.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
	}
	return d
}

var _ Deferrer = (*Router)(nil)

// invoker is the user behind i: Member.User in guilds, User in DMs.
func invoker(i *discordgo.Interaction) (id, name string) {
	u := i.User
	if i.Member != nil && i.Member.User != nil {
		u = i.Member.User
	}
	if u == nil {
		return "", "someone"
	}
	name = u.GlobalName
	if name == "" {
		name = u.Username
	}
	if i.Member != nil && i.Member.Nick != "" {
		name = i.Member.Nick
	}
	return u.ID, name
}

func (r *Router) isPrivate(rt route, rq *request) bool {
	if rt.private != nil {
		return rt.private(rq)
	}
	if rq.i.Type == discordgo.InteractionMessageComponent {
		return rq.i.Message != nil && rq.i.Message.Flags&discordgo.MessageFlagsEphemeral != 0
	}
	if v, ok := boolOption(rq.cmd.Options, "private"); ok {
		return v
	}
	return r.cfg.PrivateDefault
}

func (r *Router) forbiddenMessage() string {
	if len(r.cfg.AllowedChannels) == 0 || len(r.cfg.AllowedChannels) > 5 {
		return msgForbidden
	}
	chans := make([]string, len(r.cfg.AllowedChannels))
	for k, c := range r.cfg.AllowedChannels {
		chans[k] = "<#" + c + ">"
	}
	return msgForbidden + " Ask me in " + strings.Join(chans, ", ") + "."
}

// autocomplete answers inline: Discord allows no deferral here.
func (x *exchange) autocomplete(rt route, rq *request) {
	choices := rt.complete(rq)
	if choices == nil {
		choices = []*discordgo.ApplicationCommandOptionChoice{}
	}
	x.obs.Outcome, x.obs.Results = "ok", len(choices)
	_, x.obs.Query = focusedOption(rq.cmd.Options)
	data := &discordgo.InteractionResponseData{Choices: choices}
	clampMessage(data)
	x.respond(&discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: data}, true)
}

type outcome struct {
	rep reply
	err error
}

// run executes the handler, answering inline if it is done within the
// budget and deferring otherwise.
func (x *exchange) run(rt route, rq *request) {
	hctx, cancel := context.WithTimeout(context.WithoutCancel(x.ctx), x.r.cfg.HandlerTimeout)
	defer cancel()
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{err: fmt.Errorf("panic in %s handler: %v\n%s", x.obs.Command, p, debug.Stack())}
			}
		}()
		rep, err := rt.handle(hctx, rq)
		done <- outcome{rep, err}
	}()
	budget := time.NewTimer(x.r.cfg.InlineBudget)
	defer budget.Stop()
	var res outcome
	select {
	case res = <-done:
	case <-budget.C:
		x.deferResponse(rq.private)
		res = <-done
	}
	if res.err != nil {
		x.fail(res.err)
		return
	}
	x.deliver(hctx, res.rep, rq.private)
}

// deferResponse acknowledges before the work is done: "thinking…" (type 5)
// for a new message, a silent ack (type 6) for a clicked message.
func (x *exchange) deferResponse(private bool) {
	landed := make(chan struct{})
	defer close(landed)
	x.mu.Lock()
	x.landed = landed
	x.mu.Unlock()
	ir := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	if x.update {
		ir.Type = discordgo.InteractionResponseDeferredMessageUpdate
	} else if private {
		ir.Data = &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}
	}
	if !x.respond(ir, false) {
		return
	}
	x.mu.Lock()
	x.deferred = true
	notice := x.abandoned && !x.settled
	if notice {
		x.settled = true // shutdown came while the deferral was on its way
	}
	x.mu.Unlock()
	if notice {
		x.sendRestartNotice()
	}
}

// deliver sends a handler's reply as the initial response or as an edit.
func (x *exchange) deliver(ctx context.Context, rep reply, private bool) {
	x.obs.Outcome, x.obs.Results, x.obs.Query = rep.outcome, rep.results, rep.query
	if x.obs.Outcome == "" {
		x.obs.Outcome = "ok"
	}
	x.attrs = append(x.attrs, rep.attrs...)
	if rep.data != nil {
		clampMessage(rep.data)
	}
	responded, deferred := x.state()
	switch {
	case responded && !deferred:
		return // the deferral itself failed; nothing more can be sent
	case deferred && rep.data != nil:
		if !x.claim() {
			return // shutdown already told the user
		}
		if err := x.resp.Edit(ctx, editOf(rep.data)); err != nil {
			x.noteErr(fmt.Errorf("edit response: %w", err))
			return
		}
	case deferred:
		// an acknowledged click that changes nothing
		if !x.claim() {
			return
		}
	case rep.data == nil:
		x.respond(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}, true)
	default:
		t := discordgo.InteractionResponseChannelMessageWithSource
		if x.update {
			t = discordgo.InteractionResponseUpdateMessage
		} else if private {
			rep.data.Flags |= discordgo.MessageFlagsEphemeral
		}
		if !x.respond(&discordgo.InteractionResponse{Type: t, Data: rep.data}, true) {
			return
		}
	}
	if rep.followup != nil {
		rep.followup.AllowedMentions = noMentions()
		rep.followup.Content = clampText(rep.followup.Content, maxContent)
		rep.followup.Embeds = clampEmbeds(rep.followup.Embeds)
		if err := x.resp.Followup(ctx, rep.followup); err != nil {
			x.noteErr(fmt.Errorf("followup: %w", err))
		}
	}
}

// editOf turns message data into an edit that replaces every part of the
// deferred message ("thinking…" included).
func editOf(d *discordgo.InteractionResponseData) *discordgo.WebhookEdit {
	content := d.Content
	embeds := d.Embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	comps := d.Components
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	return &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, Components: &comps, AllowedMentions: noMentions()}
}

// respond sends the initial response once; false when it failed or was
// not sent (already responded, or shutdown said the last word). final marks
// a response that is the whole answer, not a deferral.
func (x *exchange) respond(ir *discordgo.InteractionResponse, final bool) bool {
	x.mu.Lock()
	if x.responded || x.settled {
		x.mu.Unlock()
		return false
	}
	x.responded = true
	x.settled = final
	x.mu.Unlock()
	err := x.resp.Respond(x.ctx, ir)
	x.obs.Ack = x.r.cfg.Now().Sub(x.start)
	if err != nil {
		x.noteErr(fmt.Errorf("initial response: %w", err))
		return false
	}
	return true
}

// state reports whether the initial response was sent and whether it was a
// deferral.
func (x *exchange) state() (responded, deferred bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.responded, x.deferred
}

// claim takes the last word after a deferral; false when shutdown already
// took it.
func (x *exchange) claim() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.settled {
		return false
	}
	x.settled = true
	return true
}
