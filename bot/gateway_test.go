package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/retrieval"
)

// syncBuffer is a log sink safe for the session's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// loadInteraction reads testdata/name.json as a generic object.
func loadInteraction(t *testing.T, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// withToken gives an interaction a fresh id and token so that its calls can
// be told apart.
func withToken(m map[string]any, token string) map[string]any {
	m["token"] = token
	m["id"] = "id-" + token
	return m
}

// setOption sets the value of a command option.
func setOption(t *testing.T, m map[string]any, name string, v any) {
	t.Helper()
	data := m["data"].(map[string]any)
	for _, o := range data["options"].([]any) {
		if o := o.(map[string]any); o["name"] == name {
			o["value"] = v
			return
		}
	}
	t.Fatalf("no option %s", name)
}

// exchangeResult is what Discord received for one interaction.
type exchangeResult struct {
	// Type is the initial response type; Flags its flags.
	Type  int
	Flags int
	// Message is the final message: the initial response's data, or the
	// edit that followed a deferral.
	Message   map[string]any
	Followups []map[string]any
	Callbacks int
}

// awaitResult waits until the interaction with token has its final
// message (and want followups).
func awaitResult(t *testing.T, fd *fakeDiscord, token string, followups int) exchangeResult {
	t.Helper()
	cs := fd.waitFor(token, "initial response", func(cs []restCall) bool { return len(cs) > 0 })
	var res exchangeResult
	initial := cs[0]
	if !strings.HasSuffix(initial.Path, "/callback") {
		t.Fatalf("first call for %s is %s %s, want the interaction callback", token, initial.Method, initial.Path)
	}
	res.Type = int(initial.Body["type"].(float64))
	data, _ := initial.Body["data"].(map[string]any)
	if data != nil {
		if f, ok := data["flags"].(float64); ok {
			res.Flags = int(f)
		}
	}
	res.Message = data
	if res.Type == 5 || (res.Type == 6 && followups == 0) {
		cs = fd.waitFor(token, "edit", func(cs []restCall) bool { return len(cs) > 1 })
		if cs[1].Method != "PATCH" || !strings.HasSuffix(cs[1].Path, "/messages/@original") {
			t.Fatalf("after a deferral got %s %s, want PATCH …/messages/@original", cs[1].Method, cs[1].Path)
		}
		res.Message = cs[1].Body
	}
	if followups > 0 {
		cs = fd.waitFor(token, "followup", func(cs []restCall) bool {
			n := 0
			for _, c := range cs {
				if c.Method == "POST" && !strings.HasSuffix(c.Path, "/callback") {
					n++
				}
			}
			return n >= followups
		})
	}
	for _, c := range cs {
		switch {
		case strings.HasSuffix(c.Path, "/callback"):
			res.Callbacks++
		case c.Method == "POST":
			res.Followups = append(res.Followups, c.Body)
		}
	}
	if res.Callbacks != 1 {
		t.Errorf("%s got %d initial responses, want exactly 1", token, res.Callbacks)
	}
	return res
}

// checkWireMessage asserts Discord's limits and "parse": [] on a message as
// it went over the wire.
func checkWireMessage(t *testing.T, m map[string]any) {
	t.Helper()
	if m == nil {
		t.Fatal("no message")
	}
	am, ok := m["allowed_mentions"].(map[string]any)
	if !ok {
		t.Fatalf("no allowed_mentions in %v", m)
	}
	if p, ok := am["parse"].([]any); !ok || len(p) != 0 {
		t.Errorf(`allowed_mentions.parse = %#v, want []`, am["parse"])
	}
	str := func(v any) string { s, _ := v.(string); return s }
	if n := runeLen(str(m["content"])); n > maxContent {
		t.Errorf("content %d code points", n)
	}
	embeds, _ := m["embeds"].([]any)
	if len(embeds) > maxEmbeds {
		t.Errorf("%d embeds", len(embeds))
	}
	total := 0
	for _, e := range embeds {
		e := e.(map[string]any)
		title, desc := str(e["title"]), str(e["description"])
		if runeLen(title) > maxTitle || runeLen(desc) > maxDescription {
			t.Errorf("embed title %d / description %d code points", runeLen(title), runeLen(desc))
		}
		total += runeLen(title) + runeLen(desc)
		if f, ok := e["footer"].(map[string]any); ok {
			total += runeLen(str(f["text"]))
		}
		fields, _ := e["fields"].([]any)
		for _, f := range fields {
			f := f.(map[string]any)
			if runeLen(str(f["value"])) > maxFieldValue {
				t.Errorf("field value %d code points", runeLen(str(f["value"])))
			}
			total += runeLen(str(f["name"])) + runeLen(str(f["value"]))
		}
	}
	if total > maxEmbedTotal {
		t.Errorf("embeds total %d code points", total)
	}
	for _, id := range customIDs(m) {
		if runeLen(id) > maxCustomID {
			t.Errorf("custom_id %q is %d long", id, runeLen(id))
		}
	}
}

// customIDs lists the button ids of a wire message.
func customIDs(m map[string]any) []string {
	var ids []string
	rows, _ := m["components"].([]any)
	for _, row := range rows {
		comps, _ := row.(map[string]any)["components"].([]any)
		for _, c := range comps {
			if id, ok := c.(map[string]any)["custom_id"].(string); ok {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func embedTexts(m map[string]any) string {
	var b strings.Builder
	embeds, _ := m["embeds"].([]any)
	for _, e := range embeds {
		e := e.(map[string]any)
		for _, k := range []string{"title", "description"} {
			s, _ := e[k].(string)
			b.WriteString(s + "\n")
		}
	}
	return b.String()
}

// gatewayIndex indexes the bundled corpus with the default local embedder.
func gatewayIndex(t *testing.T) *retrieval.Index {
	t.Helper()
	c, _, err := corpus.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	ix, err := retrieval.NewIndex(t.Context(), c, retrieval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestGatewayEndToEnd(t *testing.T) {
	ix := gatewayIndex(t)
	fd := newFakeDiscord(t)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var obsMu sync.Mutex
	var observed []Interaction
	r := NewRouter(ix, Config{
		Logger:    logger,
		RateLimit: RateLimit{Events: 100, Window: time.Minute},
		Links:     Links{PublicURL: "https://citebot.example.org"},
		Observer: ObserverFunc(func(i Interaction) {
			obsMu.Lock()
			observed = append(observed, i)
			obsMu.Unlock()
		}),
	})
	const token = "secret-token-value"
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- RunGateway(ctx, GatewayConfig{Token: token, AppID: "app-1", GuildID: "guild-1", APIURL: fd.srv.URL, Register: true, Logger: logger}, r)
	}()
	dispatched := 0
	send := func(m map[string]any) {
		dispatched++
		fd.dispatchInteraction(m)
	}

	// /ask, private: the gold passage is quoted with the answer in bold.
	send(loadInteraction(t, "gw_ask"))
	ask := awaitResult(t, fd, "tok-ask", 0)
	checkWireMessage(t, ask.Message)
	if ask.Type != 4 && ask.Type != 5 {
		t.Fatalf("/ask response type %d", ask.Type)
	}
	if ask.Flags&64 == 0 {
		t.Errorf("private /ask is not ephemeral: flags %d", ask.Flags)
	}
	if txt := embedTexts(ask.Message); !strings.Contains(txt, "Kandahar on May 12") || !strings.Contains(txt, "> **") {
		t.Errorf("/ask does not quote the gold passage in bold:\n%s", txt)
	}
	ids := customIDs(ask.Message)
	if len(ids) == 0 || ids[0] != "share" {
		t.Fatalf("private /ask buttons %v, want share first", ids)
	}
	var moreID string
	for _, id := range ids {
		if strings.HasPrefix(id, "more:") {
			moreID = id
		}
	}
	if moreID == "" {
		t.Fatalf("no More button in %v", ids)
	}

	clicked := func(tok, id string) map[string]any {
		m := withToken(loadInteraction(t, "gw_component"), tok)
		m["data"].(map[string]any)["custom_id"] = id
		msg := m["message"].(map[string]any)
		msg["content"] = ask.Message["content"]
		msg["embeds"] = ask.Message["embeds"]
		msg["components"] = ask.Message["components"]
		return m
	}

	t.Run("share", func(t *testing.T) {
		send(clicked("tok-share", "share"))
		res := awaitResult(t, fd, "tok-share", 1)
		if res.Type != 6 && res.Type != 7 {
			t.Errorf("share click answered with type %d, want an update/ack", res.Type)
		}
		f := res.Followups[0]
		checkWireMessage(t, f)
		if c, _ := f["content"].(string); !strings.Contains(c, "Shared by Ada") {
			t.Errorf("followup content %q", c)
		}
		if fl, _ := f["flags"].(float64); int(fl)&64 != 0 {
			t.Error("shared followup is ephemeral")
		}
		if !strings.Contains(embedTexts(f), "Kandahar on May 12") {
			t.Error("shared followup lacks the answer")
		}
	})

	t.Run("more", func(t *testing.T) {
		send(clicked("tok-more", moreID))
		res := awaitResult(t, fd, "tok-more", 0)
		if res.Type != 7 && res.Type != 6 {
			t.Fatalf("more click answered with type %d", res.Type)
		}
		checkWireMessage(t, res.Message)
		if c, _ := res.Message["content"].(string); !strings.Contains(c, "Results 4–6") {
			t.Errorf("more page content %q", c)
		}
		if embedTexts(res.Message) == embedTexts(ask.Message) {
			t.Error("more shows the same page")
		}
	})

	t.Run("expired button", func(t *testing.T) {
		send(clicked("tok-expired", "more:0000000000000000:3"))
		res := awaitResult(t, fd, "tok-expired", 0)
		if res.Type != 4 || res.Flags&64 == 0 || !strings.Contains(res.Message["content"].(string), "expired") {
			t.Errorf("expired click: type %d flags %d %v", res.Type, res.Flags, res.Message)
		}
	})

	t.Run("dm", func(t *testing.T) {
		send(loadInteraction(t, "gw_ask_dm"))
		res := awaitResult(t, fd, "tok-dm", 0)
		checkWireMessage(t, res.Message)
		if res.Flags&64 != 0 {
			t.Error("DM /ask without private is ephemeral")
		}
		if !strings.Contains(embedTexts(res.Message), "Kandahar on May 12") {
			t.Error("DM /ask lacks the gold passage")
		}
	})

	t.Run("user install in a group DM", func(t *testing.T) {
		// A member who installed citebot to their account uses it where
		// the bot is no member: only the interaction webhook may be used.
		m := withToken(loadInteraction(t, "gw_ask_dm"), "tok-gdm")
		m["context"] = 2
		m["channel_id"] = "gdm-7"
		m["channel"] = map[string]any{"id": "gdm-7", "type": 3}
		send(m)
		res := awaitResult(t, fd, "tok-gdm", 0)
		checkWireMessage(t, res.Message)
		if !strings.Contains(embedTexts(res.Message), "Kandahar on May 12") {
			t.Error("user-install /ask lacks the gold passage")
		}
	})

	t.Run("search", func(t *testing.T) {
		send(loadInteraction(t, "gw_search"))
		res := awaitResult(t, fd, "tok-search", 0)
		checkWireMessage(t, res.Message)
		txt := embedTexts(res.Message)
		if !strings.Contains(txt, "**1.**") || !strings.Contains(txt, "**3.**") || strings.Contains(txt, "**4.**") {
			t.Errorf("search list with results:3 is\n%s", txt)
		}
	})

	var passageID string
	t.Run("quote autocomplete", func(t *testing.T) {
		send(loadInteraction(t, "gw_quote_autocomplete"))
		res := awaitResult(t, fd, "tok-quote-ac", 0)
		if res.Type != 8 {
			t.Fatalf("autocomplete type %d, want 8", res.Type)
		}
		choices, _ := res.Message["choices"].([]any)
		if len(choices) == 0 || len(choices) > maxChoices {
			t.Fatalf("%d choices", len(choices))
		}
		for _, c := range choices {
			c := c.(map[string]any)
			if name := c["name"].(string); runeLen(name) > maxChoiceName || !strings.Contains(name, " — ") {
				t.Errorf("choice name %q", name)
			}
		}
		passageID = choices[0].(map[string]any)["value"].(string)
	})

	t.Run("quote", func(t *testing.T) {
		m := loadInteraction(t, "gw_quote")
		setOption(t, m, "passage", passageID)
		send(m)
		res := awaitResult(t, fd, "tok-quote", 0)
		checkWireMessage(t, res.Message)
		if res.Type != 4 || res.Flags&64 != 0 {
			t.Errorf("quote: type %d flags %d, want a public message", res.Type, res.Flags)
		}
		if !strings.Contains(embedTexts(res.Message), "Kandahar") {
			t.Errorf("quote embed lacks the passage: %s", embedTexts(res.Message))
		}

		free := withToken(loadInteraction(t, "gw_quote"), "tok-quote-free")
		setOption(t, free, "passage", "words that are in no passage")
		send(free)
		res = awaitResult(t, fd, "tok-quote-free", 0)
		if res.Flags&64 == 0 || !strings.Contains(res.Message["content"].(string), "No passage matches") {
			t.Errorf("free-text quote: flags %d %v", res.Flags, res.Message)
		}
	})

	t.Run("sources and help", func(t *testing.T) {
		send(loadInteraction(t, "gw_sources"))
		res := awaitResult(t, fd, "tok-sources", 0)
		checkWireMessage(t, res.Message)
		if !strings.Contains(embedTexts(res.Message), "Corpus: 5 articles") {
			t.Errorf("sources: %s", embedTexts(res.Message))
		}
		send(loadInteraction(t, "gw_help"))
		res = awaitResult(t, fd, "tok-help", 0)
		checkWireMessage(t, res.Message)
		if res.Flags&64 == 0 || !strings.Contains(embedTexts(res.Message), "/ask") {
			t.Errorf("help: flags %d %s", res.Flags, embedTexts(res.Message))
		}
	})

	t.Run("find sources", func(t *testing.T) {
		send(loadInteraction(t, "gw_findsources"))
		res := awaitResult(t, fd, "tok-find", 0)
		checkWireMessage(t, res.Message)
		if res.Flags&64 == 0 {
			t.Error("Find sources is not ephemeral")
		}
		c, _ := res.Message["content"].(string)
		if strings.Contains(c, "@everyone") || !strings.Contains(c, "Sources for") {
			t.Errorf("find sources content %q", c)
		}
		if !strings.Contains(embedTexts(res.Message), "Kandahar") {
			t.Error("find sources lacks the supporting passage")
		}
	})

	t.Run("bad input", func(t *testing.T) {
		for _, tc := range []struct {
			token, file, question, want string
		}{
			{"tok-empty", "gw_ask", "   ", "Please type a question"},
			{"tok-long", "gw_ask", strings.Repeat("why ", 1250), "limit is 500"},
			{"tok-unknown", "gw_unknown", "", "don't know that command"},
		} {
			m := withToken(loadInteraction(t, tc.file), tc.token)
			if tc.question != "" {
				setOption(t, m, "question", tc.question)
			}
			send(m)
			res := awaitResult(t, fd, tc.token, 0)
			checkWireMessage(t, res.Message)
			if res.Type != 4 || res.Flags&64 == 0 || !strings.Contains(res.Message["content"].(string), tc.want) {
				t.Errorf("%s: type %d flags %d content %q", tc.token, res.Type, res.Flags, res.Message["content"])
			}
		}
	})

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("RunGateway: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("RunGateway did not return after cancel")
	}

	// Registration, handshake and logs.
	var bulk *restCall
	for _, c := range fd.allCalls() {
		if c.Method == "PUT" {
			bulk = &c
		}
	}
	if bulk == nil || bulk.Path != "/api/v10/applications/app-1/guilds/guild-1/commands" {
		t.Fatalf("no bulk overwrite to the guild: %+v", bulk)
	}
	if items, _ := bulk.Body["items"].([]any); len(items) != 6 {
		t.Errorf("registered %d commands, want 6", len(items))
	}
	if err := restPathsOK(fd.allCalls()); err != nil {
		t.Error(err)
	}
	if cs := fd.channelCalls(); len(cs) != 0 {
		t.Errorf("interactions made channel REST calls (impossible where the bot is not a member): %+v", cs)
	}
	id := fd.identifyPayload()
	if intents, _ := id["intents"].(float64); intents != 0 {
		t.Errorf("IDENTIFY intents %v, want 0", intents)
	}
	out := logs.String()
	if strings.Contains(out, token) {
		t.Error("the token appears in the logs")
	}
	if n := strings.Count(out, `"msg":"interaction"`); n != dispatched {
		t.Errorf("%d interaction log lines for %d interactions", n, dispatched)
	}
	obsMu.Lock()
	defer obsMu.Unlock()
	if len(observed) != dispatched {
		t.Errorf("observer saw %d interactions, want %d", len(observed), dispatched)
	}
}

func TestRegisterCommandsErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  GatewayConfig
		want string
	}{
		{"no token", GatewayConfig{AppID: "a"}, "DISCORD_TOKEN"},
		{"no app", GatewayConfig{Token: "t"}, "DISCORD_APP_ID"},
		{"bad url", GatewayConfig{Token: "t", AppID: "a", APIURL: "ftp://x"}, "DISCORD_API_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := RegisterCommands(t.Context(), tt.cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want mention of %s", err, tt.want)
			}
			if err := RunGateway(t.Context(), tt.cfg, NewRouter(newFakeSearcher(), Config{})); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("RunGateway err = %v, want mention of %s", err, tt.want)
			}
		})
	}
}

func TestRegisterCommandsGlobal(t *testing.T) {
	fd := newFakeDiscord(t)
	r := NewRouter(newFakeSearcher(), Config{})
	cfg := GatewayConfig{Token: "tok", AppID: "app-9", APIURL: fd.srv.URL + "/"}
	for range 2 { // idempotent: the same overwrite twice
		if err := RegisterCommands(t.Context(), cfg, r.Commands()); err != nil {
			t.Fatal(err)
		}
	}
	calls := fd.allCalls()
	if len(calls) != 2 {
		t.Fatalf("%d calls, want 2", len(calls))
	}
	for _, c := range calls {
		if c.Method != "PUT" || c.Path != "/api/v10/applications/app-9/commands" {
			t.Errorf("call %s %s", c.Method, c.Path)
		}
	}
	if !bytes.Equal(calls[0].Raw, calls[1].Raw) {
		t.Error("two registrations sent different definitions")
	}
}
