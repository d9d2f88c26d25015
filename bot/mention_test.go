package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

func TestMentionsBotAndQuestion(t *testing.T) {
	bob := &discordgo.User{ID: "42", Username: "bob", GlobalName: "Bob"}
	self := &discordgo.User{ID: "900", Username: "citebot", Bot: true}
	tests := []struct {
		content   string
		mentions  []*discordgo.User
		mentioned bool
		question  string
	}{
		{"<@900> who met Baradar?", []*discordgo.User{self}, true, "who met Baradar?"},
		{"<@!900>, who met Baradar?", []*discordgo.User{self}, true, "who met Baradar?"},
		{"hey <@900>: what did <@42> say?", []*discordgo.User{self, bob}, true, "hey what did Bob say?"},
		{"<@900> in <#123> <@&55> why <:kek:999> now <t:1700000000:R>", []*discordgo.User{self}, true, "in why now"},
		{"<@900>   ", []*discordgo.User{self}, true, ""},
		{"@everyone who met Baradar?", nil, false, "@everyone who met Baradar?"},
		{"<@&900> role with the bot's id", nil, false, "role with the bot's id"},
		{"thanks!", []*discordgo.User{self}, false, "thanks!"}, // a reply ping
		{"<@9000> someone else", nil, false, "someone else"},
	}
	for _, tt := range tests {
		m := &discordgo.Message{Content: tt.content, Mentions: tt.mentions}
		if got := mentionsBot(m, "900"); got != tt.mentioned {
			t.Errorf("mentionsBot(%q) = %v", tt.content, got)
		}
		if got := questionOf(m, "900"); got != tt.question {
			t.Errorf("questionOf(%q) = %q, want %q", tt.content, got, tt.question)
		}
	}
	if mentionsBot(&discordgo.Message{Content: "<@>"}, "") {
		t.Error("an unknown bot id matched")
	}
}

func TestThreadName(t *testing.T) {
	long := strings.Repeat("word ", 40)
	if n := runeLen(threadName("", long)); n > maxThreadName {
		t.Errorf("thread name of %d characters", n)
	}
	if got := threadName("Sources: ", "a\nb"); got != "Sources: a b" {
		t.Errorf("threadName = %q", got)
	}
	if got := threadName("", "   "); got != "citebot" {
		t.Errorf("empty threadName = %q", got)
	}
}

func TestThreadMemoryBounded(t *testing.T) {
	tm := newThreadMemory(3)
	for i := range 5 {
		tm.asked(fmt.Sprint(i), "chan", "q")
	}
	if tm.len() != 3 {
		t.Errorf("%d threads remembered, want 3", tm.len())
	}
	if _, ok := tm.get("0"); ok {
		t.Error("the oldest thread was kept")
	}
	tm.get("2") // used: now the most recent
	tm.asked("5", "chan", "q")
	if _, ok := tm.get("2"); !ok {
		t.Error("a recently used thread was evicted")
	}
	for i := range 5 {
		tm.asked("2", "chan", fmt.Sprint("q", i))
	}
	st, _ := tm.get("2")
	if len(st.questions) != maxThreadQuestions || st.questions[maxThreadQuestions-1] != "q4" || st.parent != "chan" {
		t.Errorf("thread state %+v", st)
	}
	st.questions[0] = "changed"
	if again, _ := tm.get("2"); again.questions[0] == "changed" {
		t.Error("get returned shared state")
	}
}

func TestSlowNoticesOncePerWait(t *testing.T) {
	var n slowNotices
	now := time.Unix(1000, 0)
	if !n.first("u", now, 10*time.Second) {
		t.Fatal("first notice suppressed")
	}
	if n.first("u", now.Add(5*time.Second), 10*time.Second) {
		t.Error("second notice within the wait")
	}
	if !n.first("v", now, time.Second) {
		t.Error("another user's notice suppressed")
	}
	if !n.first("u", now.Add(11*time.Second), time.Second) {
		t.Error("notice after the wait suppressed")
	}
}

// FuzzMessageText checks that reading a message's text never panics, never
// leaves the bot's mention in the question, and that a question quoted in
// an answer reads back unchanged (thread recovery depends on it).
func FuzzMessageText(f *testing.F) {
	for _, s := range []string{"<@900> who met Baradar?", "<@!900>, *bold* `code` <@&1> <#2>", "@everyone > [x](y) \\ _", "<@900><@900>", "\u200b", "<@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := &discordgo.Message{Content: s, Mentions: []*discordgo.User{{ID: "900"}, {ID: "42", Username: "bob"}}}
		mentionsBot(m, "900")
		if q := questionOf(m, "900"); strings.Contains(q, "<@900>") || strings.Contains(q, "<@!900>") {
			t.Errorf("questionOf(%q) = %q keeps the bot's mention", s, q)
		}
		if !utf8.ValidString(s) || strings.ContainsRune(s, '\u200b') {
			return
		}
		q := oneLine(s)
		if got := unescapeMarkdown(escapeMarkdown(q)); got != q {
			t.Errorf("unescape(escape(%q)) = %q", q, got)
		}
	})
}
