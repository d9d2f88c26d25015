package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"citebot/retrieval"
)

var fakeBotUser = map[string]any{"id": "900", "username": "citebot", "discriminator": "0", "bot": true}

// chatMessage is a MESSAGE_CREATE payload as Discord sends it.
func chatMessage(id, guild, channel, content string, mentions ...map[string]any) map[string]any {
	m := map[string]any{
		"id": id, "channel_id": channel, "type": 0, "content": content,
		"timestamp":        "2026-12-01T08:00:00.000000+00:00",
		"author":           map[string]any{"id": "user-1", "username": "ada", "global_name": "Ada", "discriminator": "0"},
		"mentions":         append([]map[string]any{}, mentions...),
		"mention_roles":    []any{},
		"mention_everyone": false,
		"attachments":      []any{},
		"embeds":           []any{},
		"tts":              false,
		"pinned":           false,
	}
	if guild != "" {
		m["guild_id"] = guild
		m["member"] = map[string]any{"roles": []any{}, "joined_at": "2025-01-01T00:00:00.000000+00:00"}
	}
	return m
}

// messageCase is one message sent over the gateway and the REST calls it
// caused.
type messageCase struct {
	calls []restCall
}

func (mc messageCase) posts() []restCall {
	var out []restCall
	for _, c := range mc.calls {
		if c.Method == "POST" && strings.HasSuffix(c.Path, "/messages") {
			out = append(out, c)
		}
	}
	return out
}

func (mc messageCase) threads() []restCall {
	var out []restCall
	for _, c := range mc.calls {
		if c.Method == "POST" && strings.HasSuffix(c.Path, "/threads") {
			out = append(out, c)
		}
	}
	return out
}

func referenceOf(c restCall) string {
	ref, _ := c.Body["message_reference"].(map[string]any)
	id, _ := ref["message_id"].(string)
	return id
}

func TestGatewayMessages(t *testing.T) {
	ix := gatewayIndex(t)
	fd := newFakeDiscord(t)
	fc := fd.withChannels()
	fc.noThreads["300"] = 50013 // no Create Public Threads permission
	for _, id := range []string{"100", "300", "400"} {
		fc.channels[id] = map[string]any{"id": id, "type": 0}
	}
	fc.channels["500"] = map[string]any{"id": "500", "type": 11, "parent_id": "100"}

	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var obsMu sync.Mutex
	var observed []Interaction
	r := NewRouter(ix, Config{
		Logger:          logger,
		AllowedChannels: []string{"100", "300"},
		RateLimit:       RateLimit{Events: 100, Window: time.Minute},
		Observer: ObserverFunc(func(i Interaction) {
			obsMu.Lock()
			observed = append(observed, i)
			obsMu.Unlock()
		}),
	})
	done := make(chan struct{}, 64)
	const token = "secret-token-value"
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	gwDone := make(chan error, 1)
	go func() {
		gwDone <- RunGateway(ctx, GatewayConfig{
			Token: token, AppID: "app-1", GuildID: "guild-1", APIURL: fd.srv.URL, Register: true, Logger: logger,
			Mentions: true, messageDone: func() { done <- struct{}{} },
		}, r)
	}()
	// send dispatches one message and waits until the router is done with
	// it, so the calls in between are that message's.
	send := func(m map[string]any) messageCase {
		t.Helper()
		before := len(fd.allCalls())
		fd.dispatchMessage(t, m)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Fatalf("message %v was never handled", m["id"])
		}
		return messageCase{calls: fd.allCalls()[before:]}
	}

	const first = "who met Baradar in Kabul?"
	t.Run("mention in a channel opens a thread", func(t *testing.T) {
		mc := send(chatMessage("1001", "guild-1", "100", "<@900> "+first, fakeBotUser))
		th := mc.threads()
		if len(th) != 1 || th[0].Path != "/api/v10/channels/100/messages/1001/threads" {
			t.Fatalf("thread calls %+v", th)
		}
		if name := th[0].Body["name"]; name != first {
			t.Errorf("thread name %q, want the question without the mention", name)
		}
		posts := mc.posts()
		if len(posts) != 1 || posts[0].Path != "/api/v10/channels/1001/messages" {
			t.Fatalf("posts %+v, want one in the new thread", posts)
		}
		checkWireMessage(t, posts[0].Body)
		if c, _ := posts[0].Body["content"].(string); !strings.Contains(c, "**Q:** "+first) {
			t.Errorf("answer content %q", c)
		}
		if txt := embedTexts(posts[0].Body); !strings.Contains(txt, "Burns") || !strings.Contains(txt, "> **") {
			t.Errorf("the answer does not quote the gold passage in bold:\n%s", txt)
		}
	})

	t.Run("buttons in the thread work under the allowlist", func(t *testing.T) {
		posts := fd.waitCalls("thread answer", func(cs []restCall) bool { return len(cs) > 0 })
		var answer map[string]any
		for _, c := range posts {
			if c.Method == "POST" && c.Path == "/api/v10/channels/1001/messages" {
				answer = c.Body
			}
		}
		var moreID string
		for _, id := range customIDs(answer) {
			if strings.HasPrefix(id, "more:") {
				moreID = id
			}
		}
		if moreID == "" {
			t.Fatalf("no More button on the thread answer: %v", customIDs(answer))
		}
		click := withToken(loadInteraction(t, "gw_component"), "tok-thread-more")
		click["channel_id"] = "1001"
		click["data"].(map[string]any)["custom_id"] = moreID
		msg := click["message"].(map[string]any)
		msg["channel_id"], msg["flags"] = "1001", 0
		msg["embeds"], msg["components"] = answer["embeds"], answer["components"]
		fd.dispatchInteraction(click)
		res := awaitResult(t, fd, "tok-thread-more", 0)
		if res.Type != 7 && res.Type != 6 {
			t.Fatalf("More in the thread answered with type %d: %v", res.Type, res.Message)
		}
		checkWireMessage(t, res.Message)
	})

	t.Run("follow-up in the thread", func(t *testing.T) {
		// Alone, "when was that?" is about something else entirely.
		alone, err := ix.Search(t.Context(), retrieval.Query{Text: "when was that?"})
		if err != nil {
			t.Fatal(err)
		}
		if len(alone.Results) > 0 && strings.Contains(alone.Results[0].Passage.Text, "Baradar in Kabul on Monday") {
			t.Fatal("the follow-up is answerable without its context; the test proves nothing")
		}
		mc := send(chatMessage("1002", "guild-1", "1001", "<@900> when was that?", fakeBotUser))
		if len(mc.threads()) != 0 {
			t.Error("a follow-up in a thread started another thread")
		}
		posts := mc.posts()
		if len(posts) != 1 || posts[0].Path != "/api/v10/channels/1001/messages" || referenceOf(posts[0]) != "1002" {
			t.Fatalf("posts %+v, want one reply in the thread", posts)
		}
		checkWireMessage(t, posts[0].Body)
		if !strings.Contains(embedTexts(posts[0].Body), "Baradar in Kabul on Monday") {
			t.Errorf("follow-up answer lacks the gold passage:\n%s", embedTexts(posts[0].Body))
		}
		if c, _ := posts[0].Body["content"].(string); !strings.Contains(c, "Read with the earlier question: “"+first+"”") {
			t.Errorf("follow-up does not say what it was read with: %q", c)
		}
	})

	t.Run("follow-up after a restart", func(t *testing.T) {
		// A new process (or another replica) remembers no thread: it
		// recovers the thread's questions from its own answers there.
		r.threads = newThreadMemory(10)
		mc := send(chatMessage("1014", "guild-1", "1001", "<@900> and where was he held before?", fakeBotUser))
		var looked, read bool
		for _, c := range mc.calls {
			looked = looked || c.Method == "GET" && c.Path == "/api/v10/channels/1001"
			read = read || c.Method == "GET" && c.Path == "/api/v10/channels/1001/messages"
		}
		if !looked || !read {
			t.Fatalf("the thread was not recovered: %+v", mc.calls)
		}
		posts := mc.posts()
		if len(mc.threads()) != 0 || len(posts) != 1 || posts[0].Path != "/api/v10/channels/1001/messages" || referenceOf(posts[0]) != "1014" {
			t.Fatalf("posts %+v", mc.calls)
		}
		st, ok := r.threads.get("1001")
		if !ok || st.parent != "100" || len(st.questions) != 3 || st.questions[0] != first || st.questions[1] != "when was that?" {
			t.Errorf("recovered thread %+v", st)
		}
	})

	t.Run("mention replying to a claim", func(t *testing.T) {
		m := chatMessage("1003", "guild-1", "100", "<@900> source?", fakeBotUser)
		m["type"] = 19
		m["message_reference"] = map[string]any{"message_id": "990", "channel_id": "100", "guild_id": "guild-1"}
		claim := chatMessage("990", "guild-1", "100", "the CIA director secretly met Baradar in Kabul")
		claim["author"] = map[string]any{"id": "user-2", "username": "bob", "global_name": "Bob <@&1> *", "discriminator": "0"}
		m["referenced_message"] = claim
		mc := send(m)
		th := mc.threads()
		if len(th) != 1 || !strings.HasPrefix(th[0].Body["name"].(string), "Sources: the CIA director") {
			t.Fatalf("thread calls %+v", th)
		}
		posts := mc.posts()
		if len(posts) != 1 || posts[0].Path != "/api/v10/channels/1003/messages" {
			t.Fatalf("posts %+v", posts)
		}
		checkWireMessage(t, posts[0].Body)
		c, _ := posts[0].Body["content"].(string)
		if !strings.Contains(c, "Checked [this message](https://discord.com/channels/guild-1/100/990) by **Bob \\<@&1> \\***") || !strings.Contains(c, "**Sources for:**") {
			t.Errorf("claim check does not say which message it checked: %q", c)
		}
		if !strings.Contains(embedTexts(posts[0].Body), "Baradar") {
			t.Error("claim check lacks the supporting passage")
		}
	})

	ignored := map[string]map[string]any{}
	ignored["from a bot"] = chatMessage("1004", "guild-1", "100", "<@900> "+first, fakeBotUser)
	ignored["from a bot"]["author"] = map[string]any{"id": "777", "username": "otherbot", "bot": true}
	ignored["from a webhook"] = chatMessage("1005", "guild-1", "100", "<@900> "+first, fakeBotUser)
	ignored["from a webhook"]["webhook_id"] = "888"
	ignored["@everyone"] = chatMessage("1006", "guild-1", "100", "@everyone "+first)
	ignored["@everyone"]["mention_everyone"] = true
	ignored["reply ping only"] = chatMessage("1007", "guild-1", "100", "thanks!", fakeBotUser)
	ignored["no mention"] = chatMessage("1008", "guild-1", "100", first)
	for name, m := range ignored {
		t.Run("ignored "+name, func(t *testing.T) {
			if mc := send(m); len(mc.calls) != 0 {
				t.Errorf("calls %+v", mc.calls)
			}
		})
	}

	t.Run("outside the allowlist", func(t *testing.T) {
		mc := send(chatMessage("1009", "guild-1", "400", "<@900> "+first, fakeBotUser))
		if len(mc.posts()) != 0 || len(mc.threads()) != 0 {
			t.Errorf("posted outside the allowlist: %+v", mc.calls)
		}
	})

	t.Run("empty question gets the help", func(t *testing.T) {
		mc := send(chatMessage("1010", "guild-1", "100", " <@!900>  ", fakeBotUser))
		posts := mc.posts()
		if len(mc.threads()) != 0 || len(posts) != 1 || posts[0].Path != "/api/v10/channels/100/messages" || referenceOf(posts[0]) != "1010" {
			t.Fatalf("calls %+v", mc.calls)
		}
		checkWireMessage(t, posts[0].Body)
		if c, _ := posts[0].Body["content"].(string); c != mentionHelp {
			t.Errorf("help reply %q", c)
		}
	})

	t.Run("DM", func(t *testing.T) {
		mc := send(chatMessage("1011", "", "600", "Where did Qatar's prime minister meet the Taliban leader?"))
		posts := mc.posts()
		if len(mc.threads()) != 0 || len(posts) != 1 || posts[0].Path != "/api/v10/channels/600/messages" || referenceOf(posts[0]) != "1011" {
			t.Fatalf("calls %+v", mc.calls)
		}
		checkWireMessage(t, posts[0].Body)
		if !strings.Contains(embedTexts(posts[0].Body), "Kandahar on May 12") {
			t.Error("DM answer lacks the gold passage")
		}
	})

	t.Run("DM reply to an answer is a follow-up", func(t *testing.T) {
		first := send(chatMessage("1015", "", "601", "who met Baradar in Kabul?"))
		answer := first.posts()[0].Body
		m := chatMessage("1016", "", "601", "when was that?")
		m["type"] = 19
		m["message_reference"] = map[string]any{"message_id": "posted-x", "channel_id": "601"}
		m["referenced_message"] = map[string]any{"id": "posted-x", "channel_id": "601", "type": 0, "content": answer["content"],
			"author": fakeBotUser, "timestamp": "2026-12-01T08:00:00.000000+00:00"}
		mc := send(m)
		posts := mc.posts()
		if len(posts) != 1 || referenceOf(posts[0]) != "1016" {
			t.Fatalf("calls %+v", mc.calls)
		}
		if c, _ := posts[0].Body["content"].(string); !strings.Contains(c, "Read with the earlier question: “who met Baradar in Kabul?”") ||
			!strings.Contains(embedTexts(posts[0].Body), "Baradar in Kabul on Monday") {
			t.Errorf("DM follow-up: %q\n%s", c, embedTexts(posts[0].Body))
		}
	})

	t.Run("no thread permission: inline reply", func(t *testing.T) {
		mc := send(chatMessage("1012", "guild-1", "300", "<@900> "+first, fakeBotUser))
		posts := mc.posts()
		if len(mc.threads()) != 1 || len(posts) != 1 || posts[0].Path != "/api/v10/channels/300/messages" || referenceOf(posts[0]) != "1012" {
			t.Fatalf("calls %+v", mc.calls)
		}
		checkWireMessage(t, posts[0].Body)
		if !strings.Contains(embedTexts(posts[0].Body), "Burns") {
			t.Error("inline answer lacks the gold passage")
		}
	})

	t.Run("someone else's thread: inline reply", func(t *testing.T) {
		mc := send(chatMessage("1013", "guild-1", "500", "<@900> "+first, fakeBotUser))
		posts := mc.posts()
		if len(mc.threads()) != 0 || len(posts) != 1 || posts[0].Path != "/api/v10/channels/500/messages" || referenceOf(posts[0]) != "1013" {
			t.Fatalf("calls %+v", mc.calls)
		}
		if c, _ := posts[0].Body["content"].(string); strings.Contains(c, "Read with") {
			t.Errorf("a thread citebot did not start gave context: %q", c)
		}
	})

	cancel()
	select {
	case err := <-gwDone:
		if err != nil {
			t.Fatalf("RunGateway: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("RunGateway did not return after cancel")
	}

	if intents, _ := fd.identifyPayload()["intents"].(float64); int(intents) != 1<<9|1<<12 {
		t.Errorf("IDENTIFY intents %v, want GUILD_MESSAGES|DIRECT_MESSAGES (4608) and nothing privileged", intents)
	}
	out := logs.String()
	if strings.Contains(out, token) {
		t.Error("the token appears in the logs")
	}
	if !strings.Contains(out, `"thread_error"`) {
		t.Error("the refused thread is not logged")
	}
	obsMu.Lock()
	defer obsMu.Unlock()
	outcomes := map[string]int{}
	for _, o := range observed {
		switch o.Kind {
		case "message":
			outcomes[o.Command+"/"+o.Outcome]++
		case "component":
			outcomes["command/"+o.Outcome]++
		default:
			t.Errorf("observed %+v", o)
		}
	}
	want := map[string]int{"command/ok": 1, "mention/ok": 3, "followup/ok": 3, "claim/ok": 1, "mention/forbidden_channel": 1, "mention/help": 1, "dm/ok": 2}
	for k, n := range want {
		if outcomes[k] != n {
			t.Errorf("observed %v, want %v", outcomes, want)
			break
		}
	}
	// Every channel call carries the bot token and goes through citebot's
	// bounded REST client, not discordgo's Session, whose rate limiter would
	// keep a bucket per thread forever.
	for _, c := range fd.channelCalls() {
		if c.Auth != "Bot "+token || strings.Contains(c.Agent, "discordgo") {
			t.Errorf("%s %s sent with a bot token: %t, User-Agent %q: want the bot token through citebot's REST client", c.Method, c.Path, c.Auth != "", c.Agent)
		}
	}
	if n := strings.Count(out, `"msg":"message"`); n != len(observed)-1 {
		t.Errorf("%d message log lines for %d observed messages", n, len(observed))
	}
}

// TestRegisteredForUserInstalls checks the registration payload: every
// command can be installed to a server or a user account and used in
// servers, DMs with the bot and private channels.
func TestRegisteredForUserInstalls(t *testing.T) {
	fd := newFakeDiscord(t)
	r := NewRouter(newFakeSearcher(), Config{})
	if err := RegisterCommands(t.Context(), GatewayConfig{Token: "tok", AppID: "app-9", APIURL: fd.srv.URL}, r.Commands()); err != nil {
		t.Fatal(err)
	}
	calls := fd.allCalls()
	if len(calls) != 1 {
		t.Fatalf("%d calls", len(calls))
	}
	var cmds []struct {
		Name             string `json:"name"`
		IntegrationTypes []int  `json:"integration_types"`
		Contexts         []int  `json:"contexts"`
	}
	if err := json.Unmarshal(calls[0].Raw, &cmds); err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 6 {
		t.Fatalf("%d commands", len(cmds))
	}
	for _, c := range cmds {
		if !equalInts(c.IntegrationTypes, []int{0, 1}) || !equalInts(c.Contexts, []int{0, 1, 2}) {
			t.Errorf("%s: integration_types %v contexts %v, want [0 1] and [0 1 2]", c.Name, c.IntegrationTypes, c.Contexts)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestGatewayMessageContentRefused: with CITEBOT_MESSAGE_CONTENT the
// gateway asks for the privileged intent, and when the portal has not
// enabled it (close 4014) the error says what to do.
func TestGatewayMessageContentRefused(t *testing.T) {
	fd := newFakeDiscord(t)
	fd.disallowed = 1 << 15
	r := NewRouter(newFakeSearcher(), Config{MessageContent: true})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	err := RunGateway(ctx, GatewayConfig{Token: "tok", AppID: "app-1", APIURL: fd.srv.URL, Mentions: true}, r)
	if err == nil || !strings.Contains(err.Error(), "CITEBOT_MESSAGE_CONTENT") || !strings.Contains(err.Error(), "Privileged Gateway Intents") {
		t.Fatalf("RunGateway = %v, want the Message Content hint", err)
	}
	if intents, _ := fd.identifyPayload()["intents"].(float64); int(intents) != 1<<9|1<<12|1<<15 {
		t.Errorf("IDENTIFY intents %v, want GUILD_MESSAGES|DIRECT_MESSAGES|MESSAGE_CONTENT", intents)
	}
}
