package retrieval

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"citebot/corpus"
)

// fuzzIndex builds one index over the bundled corpus for a fuzz target; the
// fuzz function itself only queries it.
func fuzzIndex(f *testing.F) (*Index, *corpus.Corpus) {
	f.Helper()
	c, _, err := corpus.Bundled()
	if err != nil {
		f.Fatalf("Bundled: %v", err)
	}
	ix, err := NewIndex(context.Background(), c, Options{})
	if err != nil {
		f.Fatalf("NewIndex: %v", err)
	}
	return ix, c
}

// FuzzSearch sends arbitrary text, filters and paging to Search, Suggest
// and Passage: each answers, or Search fails with one of its documented
// errors, and results respect K, Offset, Total and 1-based ranks.
func FuzzSearch(f *testing.F) {
	ix, c := fuzzIndex(f)
	firstDoc, firstPassage := "", ""
	if len(c.Passages) > 0 {
		firstDoc, firstPassage = c.Passages[0].DocID, c.Passages[0].ID
	}
	src := ""
	if ss := c.Sources(); len(ss) > 0 {
		src = ss[0]
	}
	seeds := []struct {
		text, source, doc string
		k, offset         int
	}{
		{"Where did Qatar's prime minister meet the Taliban leader?", "", "", 0, 0},
		{"Kandahar", src, "", 3, 0},
		{"who met", "", firstDoc, 25, 2},
		{"Taliban", "", "", 1000, 1 << 30},
		{"", "", "", 0, 0},
		{"   \t\n", "", "", 0, 0},
		{"x", "", "", -1, 0},
		{"x", "", "", 0, -5},
		{strings.Repeat("a", MaxQueryRunes+1), "", "", 0, 0},
		{strings.Repeat("é", MaxQueryRunes), "", "", 0, 0},
		{strings.Repeat("word ", 800), "", "", 5, 3},
		{"\xff\xfe invalid \xc3 utf8", "\xff", "\x00", 2, 1},
		{"@everyone <@&123> **bold** `code`", "CNN", "nosuchdoc", 3, 0},
		{"zero\u200bwidth\u200djoin\ufeff", "", firstPassage, 3, 0},
		{"how many how much when who where", "", "", 25, 24},
		{"'s ' - -- ... ¶ 1", "", "", 0, 0},
	}
	for _, s := range seeds {
		f.Add(s.text, s.source, s.doc, s.k, s.offset)
	}
	f.Fuzz(func(t *testing.T, text, source, doc string, k, offset int) {
		// Paging far beyond any corpus only widens candidate depth, which is
		// capped; keep the fuzzer from spending its time on int overflow
		// sums it cannot reach through the bot (Offset+K is bounded there).
		k %= 1 << 20
		offset %= 1 << 20
		q := Query{Text: text, K: k, Offset: offset, Source: source, DocID: doc, Mode: LexicalOnly}
		if len(text)%2 == 0 {
			q.Mode = Hybrid
		}
		ans, err := ix.Search(context.Background(), q)
		trimmed := strings.TrimSpace(text)
		switch {
		case trimmed == "":
			if !errors.Is(err, ErrEmptyQuery) {
				t.Fatalf("empty query %q: err %v, want ErrEmptyQuery", text, err)
			}
		case utf8.RuneCountInString(trimmed) > MaxQueryRunes:
			if !errors.Is(err, ErrQueryTooLong) {
				t.Fatalf("long query: err %v, want ErrQueryTooLong", err)
			}
		case k < 0 || offset < 0:
			if !errors.Is(err, ErrBadPaging) {
				t.Fatalf("K=%d Offset=%d: err %v, want ErrBadPaging", k, offset, err)
			}
		case err != nil:
			t.Fatalf("Search(%+v): unexpected error %v", q, err)
		default:
			checkAnswer(t, q, ans)
		}
		checkSuggest(t, ix, text, k)
		if r, ok := ix.Passage(doc); ok {
			if r.Passage.ID != doc || r.Article == nil {
				t.Fatalf("Passage(%q) = %q, article %v", doc, r.Passage.ID, r.Article)
			}
		}
	})
}

// checkAnswer verifies the paging contract of one successful Search.
func checkAnswer(t *testing.T, q Query, ans Answer) {
	t.Helper()
	k := q.K
	if k == 0 {
		k = DefaultK
	}
	k = min(k, MaxK)
	if ans.Query != q.Text {
		t.Fatalf("Answer.Query %q, want %q", ans.Query, q.Text)
	}
	if ans.Abstained {
		if len(ans.Results) > maxWeak {
			t.Fatalf("abstention with %d results", len(ans.Results))
		}
	} else if len(ans.Results) > k {
		t.Fatalf("%d results for K=%d", len(ans.Results), k)
	}
	if ans.Total < 0 || (!ans.Abstained && len(ans.Results) > 0 && ans.Total < q.Offset+len(ans.Results)) {
		t.Fatalf("Total %d with Offset %d and %d results", ans.Total, q.Offset, len(ans.Results))
	}
	seen := map[string]bool{}
	for i, r := range ans.Results {
		want := i + 1
		if !ans.Abstained {
			want += q.Offset
		}
		if r.Rank != want {
			t.Fatalf("result %d has rank %d, want %d", i, r.Rank, want)
		}
		if r.Article == nil || r.Passage.ID == "" {
			t.Fatalf("result %d lacks passage or article", i)
		}
		if seen[r.Passage.ID] {
			t.Fatalf("passage %s returned twice", r.Passage.ID)
		}
		seen[r.Passage.ID] = true
		if ans.Abstained && !r.Weak {
			t.Fatalf("abstention result %d not marked weak", i)
		}
		if d := strings.TrimSpace(q.DocID); d != "" && r.Passage.DocID != d {
			t.Fatalf("result from %q despite DocID %q", r.Passage.DocID, d)
		}
		if s := strings.TrimSpace(q.Source); s != "" && !strings.EqualFold(r.Article.Source, s) {
			t.Fatalf("result from source %q despite Source %q", r.Article.Source, s)
		}
	}
}

// checkSuggest verifies Suggest's count and ranks.
func checkSuggest(t *testing.T, ix *Index, text string, n int) {
	t.Helper()
	rs := ix.Suggest(text, n)
	if n <= 0 {
		if len(rs) != 0 {
			t.Fatalf("Suggest(n=%d) returned %d", n, len(rs))
		}
		return
	}
	if len(rs) > min(n, MaxK) {
		t.Fatalf("Suggest(n=%d) returned %d", n, len(rs))
	}
	for i, r := range rs {
		if r.Article == nil {
			t.Fatalf("suggestion %d lacks its article", i)
		}
		if strings.TrimSpace(text) != "" && r.Rank != i+1 {
			t.Fatalf("suggestion %d has rank %d", i, r.Rank)
		}
	}
}
