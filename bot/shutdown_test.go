package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// waitCount polls n() until it reaches want; the bound only turns a hang
// into a failure.
func waitCount(t *testing.T, what string, want int, n func() int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for n() < want {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d, want %d", what, n(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

func (r *recResponder) counts() (responds, edits, followups int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.responds), len(r.edits), len(r.followups)
}

// shutdownAfter calls Shutdown with a grace period that is already over.
func shutdownAfter(tr *testRouter) int {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return tr.Shutdown(ctx)
}

func TestShutdownEditsDeferredAnswer(t *testing.T) {
	f := newFakeSearcher()
	f.block = make(chan struct{})
	tr := newTestRouter(t, f, Config{InlineBudget: time.Nanosecond})
	rec := newRecResponder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		tr.Handle(t.Context(), interaction(t, "gw_ask", nil), rec)
	}()
	<-rec.first
	if r := rec.only(t); r.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Fatalf("initial response type %d, want a deferral", r.Type)
	}
	if n := shutdownAfter(tr); n != 1 {
		t.Errorf("Shutdown abandoned %d interactions, want 1", n)
	}
	_, edits, _ := rec.counts()
	if edits != 1 || *rec.edits[0].Content != msgRestarted {
		t.Fatalf("edits after shutdown: %d, want the restart notice", edits)
	}
	if rec.edits[0].AllowedMentions == nil || rec.edits[0].Embeds == nil || len(*rec.edits[0].Embeds) != 0 {
		t.Errorf("restart notice must clear the message and mention no one: %+v", rec.edits[0])
	}
	// The answer that comes afterwards is dropped: the notice is the last word.
	close(f.block)
	<-done
	if _, edits, followups := rec.counts(); edits != 1 || followups != 0 {
		t.Errorf("after the handler finished: %d edits, %d followups; want the notice only", edits, followups)
	}
}

func TestShutdownLetsAnswerFinishWithinGrace(t *testing.T) {
	f := newFakeSearcher()
	f.block = make(chan struct{})
	tr := newTestRouter(t, f, Config{InlineBudget: time.Nanosecond})
	rec := newRecResponder()
	go tr.Handle(t.Context(), interaction(t, "gw_ask", nil), rec)
	<-rec.first
	go func() {
		time.Sleep(20 * time.Millisecond)
		close(f.block)
	}()
	if n := tr.Shutdown(t.Context()); n != 0 {
		t.Errorf("Shutdown abandoned %d, want 0", n)
	}
	_, edits, _ := rec.counts()
	if edits != 1 || *rec.edits[0].Content == msgRestarted {
		t.Fatalf("want the real answer as the one edit, got %d edits", edits)
	}
}

func TestShutdownBeforeAcknowledgement(t *testing.T) {
	f := newFakeSearcher()
	f.block = make(chan struct{})
	defer close(f.block)
	tr := newTestRouter(t, f, Config{}) // inline budget of an hour: never deferred
	rec := newRecResponder()
	started := make(chan struct{})
	go func() {
		close(started)
		tr.Handle(t.Context(), interaction(t, "gw_ask", nil), rec)
	}()
	<-started
	waitCount(t, "searches", 1, func() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.queries) })
	shutdownAfter(tr)
	r := rec.only(t)
	if r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Data.Content != msgRestarted ||
		r.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("unacknowledged interaction at shutdown got %+v", r.Data)
	}
}

func TestShutdownKeepsClickedMessage(t *testing.T) {
	f := newFakeSearcher()
	tr := newTestRouter(t, f, Config{})
	rec := newRecResponder()
	tr.Handle(t.Context(), interaction(t, "gw_ask", nil), rec)
	ask := rec.only(t).Data
	var more string
	for _, c := range ask.Components[0].(discordgo.ActionsRow).Components {
		if id := c.(discordgo.Button).CustomID; strings.HasPrefix(id, "more:") {
			more = id
		}
	}
	if more == "" {
		t.Fatal("no More button")
	}
	f.block = make(chan struct{}) // no search runs now
	defer close(f.block)
	slow := newTestRouter(t, f, Config{InlineBudget: time.Nanosecond})
	click := newRecResponder()
	go slow.Handle(t.Context(), interaction(t, "gw_component", func(m map[string]any) {
		m["data"].(map[string]any)["custom_id"] = more
		raw, _ := json.Marshal(ask.Embeds)
		var embeds []any
		_ = json.Unmarshal(raw, &embeds)
		m["message"].(map[string]any)["embeds"] = embeds
	}), click)
	<-click.first
	if r := click.only(t); r.Type != discordgo.InteractionResponseDeferredMessageUpdate {
		t.Fatalf("More click acknowledged with type %d, want 6", r.Type)
	}
	shutdownAfter(slow)
	_, edits, followups := click.counts()
	if edits != 0 || followups != 1 || click.followups[0].Content != msgRestarted ||
		click.followups[0].Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("clicked message at shutdown: %d edits, followups %+v; want the message kept and a private notice", edits, click.followups)
	}
}
