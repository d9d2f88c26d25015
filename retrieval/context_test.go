package retrieval

import (
	"testing"

	"citebot/corpus"
)

// TestContextTerms checks that a passage's context is its article's title,
// lead paragraph and previous paragraph or part, and never itself.
func TestContextTerms(t *testing.T) {
	art := &corpus.Article{ID: "a", Title: "Burns meets Baradar", Source: "x", Paragraphs: []corpus.Paragraph{
		{N: 1, Text: "The CIA director flew to Kabul."},
		{N: 2, Text: "Officials confirmed the visit."},
		{N: 3, Text: "The two men discussed the deadline. More words follow here."},
	}}
	c := &corpus.Corpus{Articles: []*corpus.Article{art}}
	for _, p := range art.Paragraphs {
		c.Passages = append(c.Passages, corpus.Passage{ID: corpus.PassageID("a", p.N, 1), DocID: "a", Paragraph: p.N, Part: 1, Text: p.Text})
	}
	c.Passages = append(c.Passages, corpus.Passage{ID: corpus.PassageID("a", 3, 2), DocID: "a", Paragraph: 3, Part: 2, Text: "More words follow here."})
	ix := newTestIndex(t, c, nil)
	s := ix.snap.Load()
	pc := newPassCache(ix, s)
	tests := []struct {
		id       string
		has, not []string
	}{
		{"a:p1.1", []string{"burn", "baradar"}, []string{"kabul", "offici"}},
		{"a:p2.1", []string{"burn", "kabul"}, []string{"confirm", "deadlin"}},
		{"a:p3.1", []string{"burn", "kabul", "confirm"}, []string{"deadlin"}},
		{"a:p3.2", []string{"burn", "deadlin"}, []string{"confirm"}},
	}
	for _, tt := range tests {
		i, ok := s.byID[tt.id]
		if !ok {
			t.Fatalf("no passage %s", tt.id)
		}
		ctx := pc.contextTerms(i)
		for _, w := range tt.has {
			if !ctx.has(w) {
				t.Errorf("%s: context lacks %q: %v", tt.id, w, ctx)
			}
		}
		for _, w := range tt.not {
			if ctx.has(w) {
				t.Errorf("%s: context has %q: %v", tt.id, w, ctx)
			}
		}
	}
}
