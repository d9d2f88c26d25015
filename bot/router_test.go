package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// recResponder records what the router sends.
type recResponder struct {
	mu        sync.Mutex
	responds  []*discordgo.InteractionResponse
	edits     []*discordgo.WebhookEdit
	followups []*discordgo.WebhookParams
	first     chan struct{}
}

func newRecResponder() *recResponder { return &recResponder{first: make(chan struct{})} }

func (r *recResponder) Respond(_ context.Context, resp *discordgo.InteractionResponse) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.responds = append(r.responds, resp)
	if len(r.responds) == 1 {
		close(r.first)
	}
	return nil
}

func (r *recResponder) Edit(_ context.Context, e *discordgo.WebhookEdit) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.edits = append(r.edits, e)
	return nil
}

func (r *recResponder) Followup(_ context.Context, p *discordgo.WebhookParams) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.followups = append(r.followups, p)
	return nil
}

// only returns the single initial response, failing on any other count.
func (r *recResponder) only(t *testing.T) *discordgo.InteractionResponse {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.responds) != 1 {
		t.Fatalf("%d initial responses, want 1", len(r.responds))
	}
	return r.responds[0]
}

// testRouter builds a router over f with a recording observer and log.
type testRouter struct {
	*Router
	logs *syncBuffer
	mu   sync.Mutex
	obs  []Interaction
}

func newTestRouter(t *testing.T, f *fakeSearcher, cfg Config) *testRouter {
	t.Helper()
	tr := &testRouter{logs: &syncBuffer{}}
	cfg.Logger = slog.New(slog.NewJSONHandler(tr.logs, nil))
	cfg.Observer = ObserverFunc(func(i Interaction) {
		tr.mu.Lock()
		tr.obs = append(tr.obs, i)
		tr.mu.Unlock()
	})
	if cfg.InlineBudget == 0 {
		cfg.InlineBudget = time.Hour // always inline unless a test wants deferral
	}
	tr.Router = NewRouter(f, cfg)
	return tr
}

func (tr *testRouter) lastObs(t *testing.T) Interaction {
	t.Helper()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.obs) == 0 {
		t.Fatal("observer not called")
	}
	return tr.obs[len(tr.obs)-1]
}

// interaction decodes a testdata interaction, optionally edited first.
func interaction(t *testing.T, file string, edit func(map[string]any)) *discordgo.Interaction {
	t.Helper()
	m := loadInteraction(t, file)
	if edit != nil {
		edit(m)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var i discordgo.Interaction
	if err := json.Unmarshal(raw, &i); err != nil {
		t.Fatal(err)
	}
	return &i
}

func TestRouterReplies(t *testing.T) {
	tests := []struct {
		name        string
		file        string
		edit        func(t *testing.T, m map[string]any)
		cfg         Config
		wantType    discordgo.InteractionResponseType
		wantPrivate bool
		wantText    string
		wantOutcome string
	}{
		{name: "ask inline", file: "gw_ask", wantType: 4, wantPrivate: true, wantText: "Kandahar", wantOutcome: "ok"},
		{name: "ask public by default", file: "gw_ask_dm", wantType: 4, wantText: "Kandahar", wantOutcome: "ok"},
		{name: "private default", file: "gw_ask_dm", cfg: Config{PrivateDefault: true}, wantType: 4, wantPrivate: true, wantText: "Kandahar", wantOutcome: "ok"},
		{name: "abstain", file: "gw_ask", edit: func(t *testing.T, m map[string]any) { setOption(t, m, "question", "hello") },
			wantType: 4, wantPrivate: true, wantText: "no passage that answers", wantOutcome: "abstained"},
		{name: "question of wrong type", file: "gw_ask", edit: func(t *testing.T, m map[string]any) { setOption(t, m, "question", 42) },
			wantType: 4, wantPrivate: true, wantText: "Please type a question", wantOutcome: "user_error"},
		{name: "results of wrong type", file: "gw_search", edit: func(t *testing.T, m map[string]any) { setOption(t, m, "results", "many") },
			wantType: 4, wantText: "", wantOutcome: "abstained"},
		{name: "unknown source", file: "gw_ask", edit: func(t *testing.T, m map[string]any) {
			opts := m["data"].(map[string]any)["options"].([]any)
			m["data"].(map[string]any)["options"] = append(opts, map[string]any{"name": "source", "type": 3, "value": "Daily Planet"})
		}, wantType: 4, wantPrivate: true, wantText: "don't know the source", wantOutcome: "user_error"},
		{name: "search error", file: "gw_ask", edit: func(t *testing.T, m map[string]any) { setOption(t, m, "question", "fail") },
			wantType: 4, wantPrivate: true, wantText: "something went wrong", wantOutcome: "error"},
		{name: "panic", file: "gw_ask", edit: func(t *testing.T, m map[string]any) { setOption(t, m, "question", "boom") },
			wantType: 4, wantPrivate: true, wantText: "something went wrong", wantOutcome: "error"},
		{name: "forbidden channel", file: "gw_ask", cfg: Config{AllowedChannels: []string{"chan-9"}},
			wantType: 4, wantPrivate: true, wantText: "Ask me in \\u003c#chan-9", wantOutcome: "forbidden_channel"},
		{name: "DM ignores the allowlist", file: "gw_ask_dm", cfg: Config{AllowedChannels: []string{"chan-9"}},
			wantType: 4, wantText: "Kandahar", wantOutcome: "ok"},
		{name: "a user install in another server ignores the allowlist", file: "gw_ask", cfg: Config{AllowedChannels: []string{"chan-9"}},
			edit: func(t *testing.T, m map[string]any) {
				m["authorizing_integration_owners"] = map[string]any{"1": "user-1"}
			}, wantType: 4, wantPrivate: true, wantText: "Kandahar", wantOutcome: "ok"},
		{name: "a user install where the server installed citebot too keeps the allowlist", file: "gw_ask", cfg: Config{AllowedChannels: []string{"chan-9"}},
			edit: func(t *testing.T, m map[string]any) {
				m["authorizing_integration_owners"] = map[string]any{"0": "guild-1", "1": "user-1"}
			}, wantType: 4, wantPrivate: true, wantText: "Ask me in", wantOutcome: "forbidden_channel"},
		{name: "unknown command", file: "gw_unknown", wantType: 4, wantPrivate: true, wantText: "don't know that command", wantOutcome: "user_error"},
		{name: "context menu without text", file: "gw_findsources", edit: func(t *testing.T, m map[string]any) {
			m["data"].(map[string]any)["target_id"] = "missing"
		}, wantType: 4, wantPrivate: true, wantText: "no text", wantOutcome: "user_error"},
		{name: "vote", file: "gw_component", edit: func(t *testing.T, m map[string]any) {
			m["data"].(map[string]any)["custom_id"] = "vote:up:nosuchstate"
		}, wantType: 4, wantPrivate: true, wantText: "expired", wantOutcome: "expired"},
		{name: "malformed more", file: "gw_component", edit: func(t *testing.T, m map[string]any) {
			m["data"].(map[string]any)["custom_id"] = "more"
		}, wantType: 4, wantPrivate: true, wantText: "expired", wantOutcome: "expired"},
		{name: "sources page", file: "gw_component", edit: func(t *testing.T, m map[string]any) {
			m["data"].(map[string]any)["custom_id"] = "src:7"
		}, wantType: 7, wantText: "Corpus: 3 articles", wantOutcome: "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeSearcher()
			f.panicOn = "boom"
			tr := newTestRouter(t, f, tt.cfg)
			i := interaction(t, tt.file, func(m map[string]any) {
				if tt.edit != nil {
					tt.edit(t, m)
				}
			})
			rec := newRecResponder()
			tr.Handle(t.Context(), i, rec)
			resp := rec.only(t)
			if resp.Type != tt.wantType {
				t.Errorf("type %d, want %d", resp.Type, tt.wantType)
			}
			if got := resp.Data.Flags&discordgo.MessageFlagsEphemeral != 0; got != tt.wantPrivate {
				t.Errorf("ephemeral %v, want %v", got, tt.wantPrivate)
			}
			checkLimits(t, resp.Data)
			raw, _ := json.Marshal(resp.Data)
			if !bytes.Contains(raw, []byte(tt.wantText)) {
				t.Errorf("reply lacks %q: %s", tt.wantText, raw)
			}
			if o := tr.lastObs(t); o.Outcome != tt.wantOutcome {
				t.Errorf("outcome %q, want %q", o.Outcome, tt.wantOutcome)
			}
			if n := strings.Count(tr.logs.String(), `"msg":"interaction"`); n != 1 {
				t.Errorf("%d log lines, want 1", n)
			}
			if tt.name == "panic" && !strings.Contains(tr.logs.String(), "panic") {
				t.Error("panic not logged")
			}
		})
	}
}

func TestRouterDefersSlowHandlers(t *testing.T) {
	for _, fail := range []bool{false, true} {
		f := newFakeSearcher()
		f.block = make(chan struct{})
		tr := newTestRouter(t, f, Config{InlineBudget: time.Nanosecond})
		i := interaction(t, "gw_ask", func(m map[string]any) {
			if fail {
				setOption(t, m, "question", "fail")
			}
		})
		rec := newRecResponder()
		done := make(chan struct{})
		go func() {
			tr.Handle(t.Context(), i, rec)
			close(done)
		}()
		<-rec.first
		first := rec.only(t)
		if first.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || first.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Fatalf("deferral %+v, want type 5 ephemeral", first)
		}
		close(f.block)
		<-done
		rec.only(t)
		if len(rec.edits) != 1 {
			t.Fatalf("%d edits, want 1", len(rec.edits))
		}
		e := rec.edits[0]
		if e.AllowedMentions == nil || e.AllowedMentions.Parse == nil {
			t.Error("edit without allowed mentions none")
		}
		got := *e.Content + embedsText(*e.Embeds)
		want := "Kandahar"
		if fail {
			want = "something went wrong"
		}
		if !strings.Contains(got, want) {
			t.Errorf("edit %q lacks %q", got, want)
		}
		if o := tr.lastObs(t); (o.Outcome == "error") != fail {
			t.Errorf("outcome %q", o.Outcome)
		}
	}
}

func embedsText(es []*discordgo.MessageEmbed) string {
	var b strings.Builder
	for _, e := range es {
		b.WriteString(e.Title + "\n" + e.Description + "\n")
	}
	return b.String()
}

func TestRouterRateLimit(t *testing.T) {
	now := time.Date(2024, 5, 20, 10, 0, 0, 0, time.UTC)
	tr := newTestRouter(t, newFakeSearcher(), Config{RateLimit: RateLimit{Events: 2, Window: time.Minute}, Now: func() time.Time { return now }})
	var last *discordgo.InteractionResponse
	for range 3 {
		rec := newRecResponder()
		tr.Handle(t.Context(), interaction(t, "gw_ask", nil), rec)
		last = rec.only(t)
	}
	if !strings.Contains(last.Data.Content, "try again in 30 s") || last.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("third ask: %q", last.Data.Content)
	}
	if o := tr.lastObs(t); o.Outcome != "rate_limited" {
		t.Errorf("outcome %q", o.Outcome)
	}
	// Another user is not affected; autocomplete is never limited.
	rec := newRecResponder()
	tr.Handle(t.Context(), interaction(t, "gw_ask_dm", nil), rec)
	if c := rec.only(t).Data.Content; strings.Contains(c, "Slow down") {
		t.Errorf("other user limited: %q", c)
	}
	rec = newRecResponder()
	tr.Handle(t.Context(), interaction(t, "gw_quote_autocomplete", nil), rec)
	if rec.only(t).Type != discordgo.InteractionApplicationCommandAutocompleteResult {
		t.Error("autocomplete was limited")
	}
}

func TestRouterDrainAndWait(t *testing.T) {
	f := newFakeSearcher()
	f.block = make(chan struct{})
	tr := newTestRouter(t, f, Config{InlineBudget: time.Nanosecond})
	if err := tr.Wait(t.Context()); err != nil {
		t.Fatalf("idle Wait: %v", err)
	}
	rec := newRecResponder()
	done := make(chan struct{})
	go func() {
		tr.Handle(t.Context(), interaction(t, "gw_ask", nil), rec)
		close(done)
	}()
	<-rec.first
	tr.Drain()
	late := newRecResponder()
	tr.Handle(t.Context(), interaction(t, "gw_ask_dm", nil), late)
	if r := late.only(t); !strings.Contains(r.Data.Content, "restarting") || r.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("during drain: %+v", r.Data)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := tr.Wait(ctx); err == nil {
		t.Error("Wait returned nil with an interaction in flight and a cancelled ctx")
	}
	close(f.block)
	if err := tr.Wait(t.Context()); err != nil {
		t.Errorf("Wait: %v", err)
	}
	<-done
	if len(rec.edits) != 1 {
		t.Errorf("in-flight interaction got %d edits, want 1", len(rec.edits))
	}
}

func TestRouterButtons(t *testing.T) {
	f := newFakeSearcher()
	tr := newTestRouter(t, f, Config{LogQueries: true})
	rec := newRecResponder()
	tr.Handle(t.Context(), interaction(t, "gw_ask", nil), rec)
	ask := rec.only(t).Data
	var ids []string
	for _, c := range ask.Components[0].(discordgo.ActionsRow).Components {
		ids = append(ids, c.(discordgo.Button).CustomID)
	}
	click := func(id string) *recResponder {
		rec := newRecResponder()
		tr.Handle(t.Context(), interaction(t, "gw_component", func(m map[string]any) {
			m["data"].(map[string]any)["custom_id"] = id
			raw, _ := json.Marshal(ask.Embeds)
			var embeds []any
			json.Unmarshal(raw, &embeds)
			m["message"].(map[string]any)["embeds"] = embeds
			m["message"].(map[string]any)["content"] = ask.Content
		}), rec)
		return rec
	}
	if len(ids) != 4 || ids[0] != "share" || !strings.HasPrefix(ids[1], "more:") || !strings.HasPrefix(ids[2], "vote:up:") {
		t.Fatalf("buttons %v", ids)
	}
	share := click("share")
	if r := share.only(t); r.Type != discordgo.InteractionResponseDeferredMessageUpdate {
		t.Errorf("share ack type %d", r.Type)
	}
	if len(share.followups) != 1 || !strings.HasPrefix(share.followups[0].Content, "Shared by Ada") ||
		share.followups[0].Flags != 0 || share.followups[0].AllowedMentions == nil {
		t.Errorf("share followup %+v", share.followups)
	}
	more := click(ids[1]).only(t)
	if more.Type != discordgo.InteractionResponseUpdateMessage || !strings.Contains(more.Data.Content, "Results 4–4 of 4") {
		t.Errorf("more: type %d %q", more.Type, more.Data.Content)
	}
	vote := click(ids[2]).only(t)
	if !strings.Contains(vote.Data.Content, "Thanks") || vote.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Errorf("vote reply %+v", vote.Data)
	}
	logs := tr.logs.String()
	for _, want := range []string{`"vote":"up"`, `"passages":"cnn-qatar:p2.1`, `"query":"Where did Qatar`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s", want)
		}
	}
}

func TestRouterAutocomplete(t *testing.T) {
	tr := newTestRouter(t, newFakeSearcher(), Config{})
	rec := newRecResponder()
	tr.Handle(t.Context(), interaction(t, "gw_ask", func(m map[string]any) {
		m["type"] = 4
		m["data"].(map[string]any)["options"] = []any{map[string]any{"name": "source", "type": 3, "value": "reu", "focused": true}}
	}), rec)
	r := rec.only(t)
	if r.Type != discordgo.InteractionApplicationCommandAutocompleteResult || len(r.Data.Choices) != 1 || r.Data.Choices[0].Value != "Reuters" {
		t.Errorf("source autocomplete: %+v", r.Data)
	}
}

func TestRouterPing(t *testing.T) {
	tr := newTestRouter(t, newFakeSearcher(), Config{})
	rec := newRecResponder()
	tr.Handle(t.Context(), &discordgo.Interaction{Type: discordgo.InteractionPing}, rec)
	if rec.only(t).Type != discordgo.InteractionResponsePong {
		t.Error("ping not answered with pong")
	}
}
