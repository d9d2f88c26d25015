package bot

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// testClock is a settable clock shared by the routers of one test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// replica is one router with its own searcher and empty MemoryStore, as an
// HTTP replica behind a load balancer would be.
type replica struct {
	*testRouter
	f     *fakeSearcher
	store *MemoryStore
}

// replicas builds n replicas over the same corpus and clock.
func replicas(t *testing.T, n int, clock *testClock) []replica {
	t.Helper()
	out := make([]replica, n)
	for i := range out {
		out[i].f = newFakeSearcher()
		out[i].store = NewMemoryStore(15*time.Minute, 100, clock.now)
		out[i].testRouter = newTestRouter(t, out[i].f, Config{Now: clock.now, State: out[i].store, RateLimit: RateLimit{Events: -1}})
	}
	return out
}

// askWith sends /ask with question q to tr and returns the answer's
// custom_ids by label ("More", "👍", …).
func askWith(t *testing.T, tr replica, q string) map[string]string {
	t.Helper()
	rec := newRecResponder()
	tr.Handle(t.Context(), interaction(t, "gw_ask", func(m map[string]any) { setOption(t, m, "question", q) }), rec)
	ids := map[string]string{}
	for _, row := range rec.only(t).Data.Components {
		for _, c := range row.(discordgo.ActionsRow).Components {
			b := c.(discordgo.Button)
			label := b.Label
			if b.Emoji != nil {
				label = b.Emoji.Name
			}
			ids[label] = b.CustomID
		}
	}
	return ids
}

// clickOn sends a click on custom_id id to tr.
func clickOn(t *testing.T, tr replica, id string) *discordgo.InteractionResponse {
	t.Helper()
	rec := newRecResponder()
	tr.Handle(t.Context(), interaction(t, "gw_component", func(m map[string]any) {
		m["data"].(map[string]any)["custom_id"] = id
	}), rec)
	return rec.only(t)
}

const knownQuestion = "Where did Qatar's prime minister meet the Taliban leader?"

// The key property: a More click reaching a replica that never saw the
// answer still gets page 2, and a vote there still logs its passages.
func TestButtonsOnAnotherReplica(t *testing.T) {
	clock := &testClock{t: testIssued}
	rs := replicas(t, 2, clock)
	ids := askWith(t, rs[0], knownQuestion)
	more, up := ids["More"], ids["👍"]
	if !strings.HasPrefix(more, "more:~") || !strings.HasPrefix(up, "vote:up:~") || len(more) > maxCustomID || len(up) > maxCustomID {
		t.Fatalf("want inline custom_ids, got %v", ids)
	}
	clock.set(testIssued.Add(10 * time.Minute))
	page2 := clickOn(t, rs[1], more)
	if page2.Type != discordgo.InteractionResponseUpdateMessage || !strings.Contains(page2.Data.Content, "Results 4–4 of 4") {
		t.Errorf("More on replica 2: type %d %q", page2.Type, page2.Data.Content)
	}
	if o := rs[1].lastObs(t); o.Outcome != "ok" {
		t.Errorf("More on replica 2: outcome %q", o.Outcome)
	}
	vote := clickOn(t, rs[1], up)
	if !strings.Contains(vote.Data.Content, "Thanks") || vote.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("vote on replica 2: %+v", vote.Data)
	}
	logs := rs[1].logs.String()
	for _, want := range []string{`"vote":"up"`, `"answer_command":"ask"`, `"passages":"cnn-qatar:p2.1,ap-other:p2.1,ap-other:p3.1"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("replica 2 log lacks %s:\n%s", want, logs)
		}
	}
	for i, tr := range rs {
		if n := tr.store.Len(); n != 0 {
			t.Errorf("replica %d stored %d states for an inline answer", i+1, n)
		}
	}
}

// A More page carries the original issue time, so paging does not extend a
// button's life, and an old button says it expired on every replica.
func TestInlineButtonsExpire(t *testing.T) {
	clock := &testClock{t: testIssued}
	rs := replicas(t, 2, clock)
	ids := askWith(t, rs[0], knownQuestion)
	clock.set(testIssued.Add(14 * time.Minute))
	page2 := clickOn(t, rs[1], ids["More"])
	if page2.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("More within the TTL: type %d %q", page2.Type, page2.Data.Content)
	}
	var voteOnPage2 string
	for _, c := range page2.Data.Components[0].(discordgo.ActionsRow).Components {
		if id := c.(discordgo.Button).CustomID; strings.HasPrefix(id, "vote:up:") {
			voteOnPage2 = id
		}
	}
	clock.set(testIssued.Add(17 * time.Minute))
	for _, id := range []string{ids["More"], ids["👎"], voteOnPage2} {
		for i, tr := range rs {
			r := clickOn(t, tr, id)
			if r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Data.Flags&discordgo.MessageFlagsEphemeral == 0 ||
				r.Data.Content != errExpired().Error() {
				t.Errorf("replica %d, %q after the TTL: type %d %q", i+1, id, r.Type, r.Data.Content)
			}
			if o := tr.lastObs(t); o.Outcome != "expired" {
				t.Errorf("replica %d: outcome %q", i+1, o.Outcome)
			}
		}
	}
}

// A query too long for a custom_id falls back to the StateStore: it works on
// the replica that stored it and says "expired" elsewhere (the limit a
// shared StateStore lifts).
func TestLongQueryUsesTheStore(t *testing.T) {
	clock := &testClock{t: testIssued}
	rs := replicas(t, 2, clock)
	long := knownQuestion + strings.Repeat(" and what did they discuss", 4)
	for _, tr := range rs {
		tr.f.answers[long] = tr.f.answers[knownQuestion]
	}
	ids := askWith(t, rs[0], long)
	more := ids["More"]
	if !strings.HasPrefix(more, "more:") || strings.HasPrefix(more, "more:~") || len(more) > maxCustomID {
		t.Fatalf("want a store custom_id, got %v", ids)
	}
	if n := rs[0].store.Len(); n != 1 {
		t.Errorf("store holds %d states, want 1", n)
	}
	if r := clickOn(t, rs[0], more); !strings.Contains(r.Data.Content, "Results 4–4 of 4") {
		t.Errorf("More on the storing replica: %q", r.Data.Content)
	}
	if r := clickOn(t, rs[1], more); r.Data.Content != errExpired().Error() {
		t.Errorf("More on another replica: %q", r.Data.Content)
	}
}

// Whatever a custom_id says, a click gets a private reply, never a panic
// and never an answer from a field out of range.
func TestForgedButtons(t *testing.T) {
	clock := &testClock{t: testIssued}
	rs := replicas(t, 1, clock)
	ids := askWith(t, rs[0], knownQuestion)
	ref := strings.TrimPrefix(ids["👍"], "vote:up:")
	forged := []string{
		"more", "more:", "more:~", "more:~:3", "more:~~~:3", "more:" + ref, "more:" + ref + ":-1", "more:" + ref + ":1e3",
		"more:" + ref + ":1001", "more:" + ref + ":3:extra",
		"more:" + rawRef(append(header(0, 200, 0, testIssued), "q"...)...) + ":3",
		"more:" + rawRef(append(header(0, 3, 0, testIssued.Add(time.Hour)), "q"...)...) + ":3",
		"vote", "vote:up", "vote:sideways:" + ref, "vote:up:~", "vote:up:" + ref + "x", "vote:down:" + strings.Repeat("~", 90),
	}
	for _, id := range forged {
		t.Run(id, func(t *testing.T) {
			r := clickOn(t, rs[0], id)
			if r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Data.Flags&discordgo.MessageFlagsEphemeral == 0 ||
				!strings.Contains(r.Data.Content, "expired") {
				t.Errorf("type %d flags %d %q", r.Type, r.Data.Flags, r.Data.Content)
			}
			if o := rs[0].lastObs(t); o.Outcome != "expired" {
				t.Errorf("outcome %q", o.Outcome)
			}
		})
	}
	// Only the /ask itself reached the searcher.
	if n := len(rs[0].f.queries); n != 1 {
		t.Errorf("forged clicks ran %d searches", n-1)
	}
}
