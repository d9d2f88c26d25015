package bot

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"citebot/corpus"
	"citebot/retrieval"
)

// fuzzAnswer builds an answer of n results whose passages, titles and
// publishers are the fuzzed text; "|" splits passage text into sentences,
// and a sentence starting with "!" answers.
func fuzzAnswer(query, title, passage, source, url string, n int, abstained bool) retrieval.Answer {
	a := retrieval.Answer{Query: query, Abstained: abstained, Total: n + 3}
	art := &corpus.Article{ID: "fuzz/" + title, Title: title, Source: source, Published: source, URL: url}
	for k := range n {
		var ss []retrieval.Sentence
		for _, s := range strings.Split(passage, "|") {
			ss = append(ss, retrieval.Sentence{Text: strings.TrimPrefix(s, "!"), Answer: strings.HasPrefix(s, "!")})
		}
		r := retrieval.Result{
			Rank:    k + 1,
			Passage: corpus.Passage{ID: corpus.PassageID(art.ID, k+1, 1), DocID: art.ID, Paragraph: k + 1, Part: 1, Text: passage},
			Article: art,
			Weak:    abstained || k%3 == 2,
			Excerpt: retrieval.Excerpt{Sentences: ss},
		}
		if k%2 == 0 {
			for range k + 1 {
				r.AlsoReportedBy = append(r.AlsoReportedBy, retrieval.Result{Article: art, Passage: r.Passage, Excerpt: r.Excerpt})
			}
		}
		a.Results = append(a.Results, r)
	}
	return a
}

// FuzzRender sends arbitrary query, title, passage and publisher text
// through every answer renderer: each payload obeys Discord's limits,
// parses no mentions, is valid UTF-8 and keeps its markdown intact.
func FuzzRender(f *testing.F) {
	long := strings.Repeat("x", 10000)
	seeds := [][5]string{
		{"Where did Qatar's prime minister meet the Taliban leader?", "Qatar PM meets Taliban leader",
			"!The meeting happened in Kandahar on May 12.|It was secret.", "CNN", "https://edition.cnn.com/a"},
		{"@everyone <@&123> <@456> @here", "**bold** _it_ `code` ~~s~~ ||spoiler||", "> quote\n# heading\n- list|!@everyone look", "@here", ""},
		{"zero\u200bwidth\u200d\ufeff", "\u202eRTL", "!" + long, long, "https://example.com/" + long},
		{"\xff\xfe\xc3", "\xff", "!\xff\xfe bad|\xc3(", "\xed\xa0\x80", "http://x/\xff"},
		{long, long, long + "|!" + long, "CNN", ""},
		{"a\\", "ends with \\", "!trailing \\\\\\|!\\", "\\", "https://x/(y) z"},
		{"[link](https://evil)", "[t](u)", "![x](y)|**unclosed", "", "javascript:alert(1)"},
		{"", "", "", "", ""},
		{"@EVERYONE @HeRe", "@@everyone", "!@\u200beveryone @ here|@everyonE", "", ""},
	}
	for i, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3], s[4], uint8(i), i%2 == 0)
	}
	f.Fuzz(func(t *testing.T, query, title, passage, source, url string, n uint8, abstained bool) {
		links := Links{PublicURL: "https://citebot.example.org"}
		if n&0x80 != 0 {
			links = Links{}
		}
		a := fuzzAnswer(query, title, passage, source, url, int(n%13), abstained)
		for _, kind := range []string{"ask", "findsources"} {
			d := renderAnswer(a, answerView{Kind: kind, Private: n&1 == 1, StateID: "s1", Offset: int(n % 7)}, links)
			clampMessage(d)
			checkMessage(t, kind, messageOfData(d), false)
			checkMarkdown(t, kind, d.Content)
			for _, e := range d.Embeds {
				checkMarkdown(t, kind+" description", e.Description)
				checkMarkdown(t, kind+" title", e.Title)
			}
		}
		d := renderSearch(a, answerView{Kind: "search", Offset: int(n % 5), StateID: "s2"}, links)
		clampMessage(d)
		checkMessage(t, "search", messageOfData(d), false)
		for _, e := range d.Embeds {
			checkMarkdown(t, "search description", e.Description)
		}
		if txt := FormatAnswerText(a, links); !utf8.ValidString(txt) && utf8.ValidString(query+title+passage+source+url) {
			t.Errorf("terminal text is not valid UTF-8")
		}
		for _, max := range []int{0, 1, 2, 100, 256} {
			if got := truncate(passage, max); runeLen(got) > max {
				t.Errorf("truncate(_, %d) has %d code points", max, runeLen(got))
			}
		}
		choices := sourceChoices([]string{source, title, query}, "")
		for _, c := range choices {
			if runeLen(c.Name) > maxChoiceName {
				t.Errorf("choice name of %d code points", runeLen(c.Name))
			}
		}
	})
}

// linkTarget is the "(url)" of a masked link; maskedLink encodes any ')'.
var linkTarget = regexp.MustCompile(`\]\([^)]*\)`)

// checkMarkdown fails t when fuzzed text broke a message's markdown: bold
// markers must pair up, and no code span or spoiler may be opened by
// corpus text (citebot writes none).
func checkMarkdown(t *testing.T, what, s string) {
	t.Helper()
	// Link targets are URLs, not markdown ("#:~:text=" holds a '~').
	s = linkTarget.ReplaceAllString(s, "]")
	if n := unescapedRuns(s, '*'); n%4 != 0 {
		t.Errorf("%s: %d unescaped '*' (bold markers unpaired): %q", what, n, s)
	}
	for _, r := range "`|~" {
		if n := unescapedRuns(s, r); n != 0 {
			t.Errorf("%s: %d unescaped %q: %q", what, n, r, s)
		}
	}
}

// FuzzEscape checks the text helpers directly: escaped text has no live
// mass mention or markdown marker and truncation never breaks an escape.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "@everyone", "**x**", "a\\", "\xff\xfe", strings.Repeat("w", 10000), "> # - + x\n  > y", "@\u200beveryone", "<@&123>"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		e := escapeMarkdown(s)
		if l := strings.ToLower(e); strings.Contains(l, "@everyone") || strings.Contains(l, "@here") {
			t.Errorf("escapeMarkdown(%q) = %q keeps a mass mention", s, e)
		}
		for _, r := range "*_`~|[]<" {
			if n := unescapedRuns(e, r); n != 0 {
				t.Errorf("escapeMarkdown(%q) = %q leaves %q unescaped", s, e, r)
			}
		}
		max %= 5000
		c := truncate(e, max)
		if runeLen(c) > max && max >= 0 {
			t.Errorf("truncate to %d gave %d code points", max, runeLen(c))
		}
		if strings.HasSuffix(c, ellipsis) {
			body := strings.TrimSuffix(c, ellipsis)
			if n := len(body) - len(strings.TrimRight(body, "\\")); n%2 == 1 {
				t.Errorf("truncate left a dangling escape: %q", c)
			}
		}
	})
}
