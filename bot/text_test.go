package bot

import (
	"strings"
	"testing"
	"time"

	"citebot/retrieval"
)

func TestEscapeMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"*bold* _it_ `code` ~~s~~ ||sp||", `\*bold\* \_it\_ \` + "`" + `code\` + "`" + ` \~\~s\~\~ \|\|sp\|\|`},
		{"> quote\n# head\n- item", "\\> quote\n\\# head\n\\- item"},
		{"a > b # c", "a > b # c"},
		{"[x](https://e.example)", `\[x\](https://e.example)`},
		{"@everyone and @HERE", "@\u200beveryone and @\u200bHERE"},
		{"<@123> <#9>", `\<@123> \<#9>`},
		{`back\slash`, `back\\slash`},
	}
	for _, tt := range tests {
		if got := escapeMarkdown(tt.in); got != tt.want {
			t.Errorf("escapeMarkdown(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"one two three four", 12, "one two…"},
		{"ééééé ééééé", 8, "ééééé…"},
		{"abcdefghij", 5, "abcd…"},
		{`word \*`, 7, `word \*`},
		{`abc\*def`, 5, `abc…`},
		{"x", 0, ""},
	}
	for _, tt := range tests {
		got := truncate(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if tt.max > 0 && runeLen(got) > tt.max {
			t.Errorf("truncate(%q, %d) has %d code points", tt.in, tt.max, runeLen(got))
		}
	}
}

func TestFormatExcerptBudget(t *testing.T) {
	ss := []retrieval.Sentence{
		{Text: strings.Repeat("context ", 50)},
		{Text: strings.Repeat("answer ", 50), Answer: true},
	}
	for _, budget := range []int{30, 100, 360, 1000} {
		got := formatExcerpt(ss, escapeLine, budget)
		if runeLen(got) > budget {
			t.Errorf("budget %d: got %d code points", budget, runeLen(got))
		}
		if strings.Count(got, "**")%2 != 0 {
			t.Errorf("budget %d: unpaired bold in %q", budget, got)
		}
		if !strings.Contains(got, "**answer") {
			t.Errorf("budget %d: answer sentence dropped: %q", budget, got)
		}
	}
}

func TestMemoryStore(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewMemoryStore(time.Minute, 2, func() time.Time { return now })
	ctx := t.Context()
	a, _ := m.Put(ctx, ButtonState{Query: "a"})
	b, _ := m.Put(ctx, ButtonState{Query: "b"})
	if len(a) > 24 || a == b {
		t.Fatalf("ids %q %q", a, b)
	}
	if st, ok, _ := m.Get(ctx, a); !ok || st.Query != "a" {
		t.Fatalf("Get(a) = %v %v", st, ok)
	}
	c, _ := m.Put(ctx, ButtonState{Query: "c"}) // evicts a: max 2
	if _, ok, _ := m.Get(ctx, a); ok {
		t.Error("oldest entry not evicted")
	}
	now = now.Add(time.Minute)
	if _, ok, _ := m.Get(ctx, c); ok {
		t.Error("entry alive after its TTL")
	}
	m.Put(ctx, ButtonState{Query: "d"})
	if n := m.Len(); n != 1 {
		t.Errorf("Len after expiry = %d, want 1", n)
	}
}

func TestCustomIDs(t *testing.T) {
	id := customID(routeMore, strings.Repeat("f", 16), "9999")
	if id != "more:ffffffffffffffff:9999" || runeLen(id) > maxCustomID {
		t.Errorf("customID = %q", id)
	}
	if got := customID(routeMore, strings.Repeat("x", 120)); got != routeMore {
		t.Errorf("over-long id kept: %q", got)
	}
	route, args := parseCustomID("vote:up:abc")
	if route != "vote" || len(args) != 2 || args[1] != "abc" {
		t.Errorf("parseCustomID = %q %q", route, args)
	}
}
