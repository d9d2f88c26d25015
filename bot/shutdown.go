package bot

import (
	"context"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// msgRestarted replaces an answer still being worked on when the process
// stops, so that no one is left on "thinking…".
const msgRestarted = "citebot restarted before answering — please ask again."

// NoticeTimeout bounds the restart notices Shutdown sends once its grace
// period is over.
const NoticeTimeout = 5 * time.Second

// Shutdown stops the router: new interactions get a short "restarting"
// reply (Drain), those in flight may finish until ctx ends, and then every
// one still open gets its last word at once — a deferred answer is edited to
// "citebot restarted before answering — please ask again", one not yet
// acknowledged gets that as an ephemeral reply, a clicked message keeps its
// content and the notice comes as an ephemeral follow-up. The notices are
// sent in parallel and take at most NoticeTimeout, so Shutdown returns at
// most NoticeTimeout after ctx ends. It returns how many interactions were
// abandoned; their handlers keep running until they return, and whatever
// they produce is dropped.
func (r *Router) Shutdown(ctx context.Context) (abandoned int) {
	r.Drain()
	if r.Wait(ctx) == nil {
		return 0
	}
	r.mu.Lock()
	open := make([]*exchange, 0, len(r.open))
	for x := range r.open {
		open = append(open, x)
	}
	r.mu.Unlock()
	var wg sync.WaitGroup
	for _, x := range open {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x.abandon()
		}()
	}
	wg.Wait()
	if len(open) > 0 {
		r.cfg.Logger.Warn("shutdown: interactions still running were told to ask again", "count", len(open))
	}
	return len(open)
}

// abandon gives the interaction the restart notice unless its answer (or an
// error reply) was already claimed. A deferral still on its way sends the
// notice itself when it lands (deferResponse); abandon waits for that, at
// most NoticeTimeout, so the notice is not lost to the process exiting.
func (x *exchange) abandon() {
	x.mu.Lock()
	x.abandoned = true
	if landed := x.landed; x.responded && !x.deferred && !x.settled && landed != nil {
		// The deferral is on its way and deferResponse sends the notice when
		// it lands: wait for that, so the process does not exit first.
		x.mu.Unlock()
		t := time.NewTimer(NoticeTimeout)
		defer t.Stop()
		select {
		case <-landed:
		case <-t.C:
		}
		return
	}
	if x.settled || (x.responded && !x.deferred) {
		x.mu.Unlock()
		return
	}
	x.settled = true
	if !x.responded {
		x.responded = true
		x.mu.Unlock()
		x.sendRestartReply()
		return
	}
	x.mu.Unlock()
	x.sendRestartNotice()
}

// sendRestartReply is the notice as the initial response.
func (x *exchange) sendRestartReply() {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(x.ctx), NoticeTimeout)
	defer cancel()
	ir := &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: msgRestarted, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()},
	}
	if x.i.Type == discordgo.InteractionApplicationCommandAutocomplete {
		ir = &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
			Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{}}}
	}
	if err := x.resp.Respond(ctx, ir); err != nil {
		x.r.cfg.Logger.Warn("shutdown: restart reply failed", "interaction_id", x.i.ID, "error", err)
	}
}

// sendRestartNotice is the notice after a deferral: an edit of the
// "thinking…" message, or for a clicked message (whose content must stay) an
// ephemeral follow-up.
func (x *exchange) sendRestartNotice() {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(x.ctx), NoticeTimeout)
	defer cancel()
	x.mu.Lock()
	update := x.update
	x.mu.Unlock()
	var err error
	if update {
		err = x.resp.Followup(ctx, &discordgo.WebhookParams{Content: msgRestarted, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()})
	} else {
		err = x.resp.Edit(ctx, editOf(&discordgo.InteractionResponseData{Content: msgRestarted}))
	}
	if err != nil {
		x.r.cfg.Logger.Warn("shutdown: restart notice failed", "interaction_id", x.i.ID, "error", err)
	}
}
