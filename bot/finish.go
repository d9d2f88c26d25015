package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/bwmarrin/discordgo"
)

// fail shows err to the user as a short message in whatever way is still
// possible, and records it.
func (x *exchange) fail(err error) {
	msg, oc := userMessage(err)
	x.obs.Outcome = oc
	if oc == "error" {
		x.noteErr(err)
	}
	data := &discordgo.InteractionResponseData{Content: msg, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()}
	ctx := context.WithoutCancel(x.ctx)
	responded, deferred := x.state()
	switch {
	case !responded && x.i.Type == discordgo.InteractionApplicationCommandAutocomplete:
		x.respond(&discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
			Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{}}}, true)
	case !responded:
		x.respond(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data}, true)
	case deferred && !x.claim():
		// shutdown already told the user
	case deferred && !x.update:
		if e := x.resp.Edit(ctx, editOf(data)); e != nil {
			x.noteErr(fmt.Errorf("edit error reply: %w", e))
		}
	case deferred:
		p := &discordgo.WebhookParams{Content: msg, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()}
		if e := x.resp.Followup(ctx, p); e != nil {
			x.noteErr(fmt.Errorf("followup error reply: %w", e))
		}
	}
}

// noteErr keeps the first error for the log and marks the outcome.
func (x *exchange) noteErr(err error) {
	if x.err == nil {
		x.err = err
	} else {
		x.err = errors.Join(x.err, err)
	}
	x.obs.Outcome = "error"
}

// finish logs the interaction's one line and tells the Observer.
func (x *exchange) finish() {
	x.obs.Total = x.r.cfg.Now().Sub(x.start)
	responded, deferred := x.state()
	if !responded {
		x.obs.Ack = x.obs.Total
	}
	if x.obs.Outcome == "" {
		x.obs.Outcome = "ok"
	}
	attrs := []slog.Attr{
		slog.String("kind", x.obs.Kind),
		slog.String("command", x.obs.Command),
		slog.String("outcome", x.obs.Outcome),
		slog.Duration("ack", x.obs.Ack),
		slog.Duration("latency", x.obs.Total),
		slog.Int("results", x.obs.Results),
		slog.Bool("deferred", deferred),
	}
	if x.r.cfg.LogQueries && x.obs.Query != "" {
		attrs = append(attrs, slog.String("query", x.obs.Query))
	}
	attrs = append(attrs, x.attrs...)
	level := slog.LevelInfo
	if x.err != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("error", x.err.Error()))
	}
	x.r.cfg.Logger.LogAttrs(context.WithoutCancel(x.ctx), level, "interaction", attrs...)
	x.r.cfg.Observer.Observe(x.obs)
}
