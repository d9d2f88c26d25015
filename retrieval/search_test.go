package retrieval

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestSearchValidation(t *testing.T) {
	ix := newTestIndex(t, testCorpus(t), nil)
	tests := []struct {
		name string
		q    Query
		want error
	}{
		{"empty", Query{Text: ""}, ErrEmptyQuery},
		{"whitespace", Query{Text: " \t\n"}, ErrEmptyQuery},
		{"too long", Query{Text: strings.Repeat("é", MaxQueryRunes+1)}, ErrQueryTooLong},
		{"negative K", Query{Text: "kandahar", K: -1}, ErrBadPaging},
		{"negative offset", Query{Text: "kandahar", Offset: -2}, ErrBadPaging},
		{"ok at limit", Query{Text: strings.Repeat("é", MaxQueryRunes)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ix.Search(context.Background(), tt.q)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSearchAnswersAndExcerpt(t *testing.T) {
	ix := newTestIndex(t, testCorpus(t), nil)
	ans, err := ix.Search(context.Background(), Query{Text: "where did qatar's pm meet akhunzada"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Abstained || len(ans.Results) == 0 {
		t.Fatalf("abstained %v with %d results; want an answer", ans.Abstained, len(ans.Results))
	}
	top := ans.Results[0]
	if top.Passage.DocID != "cnn" || top.Rank != 1 || top.Weak {
		t.Errorf("top = %s rank %d weak %v, want cnn:p1.1 rank 1 not weak", top.Passage.ID, top.Rank, top.Weak)
	}
	var marked []string
	for _, s := range top.Excerpt.Sentences {
		if s.Answer {
			marked = append(marked, s.Text)
		}
	}
	if len(marked) != 1 || !strings.Contains(marked[0], "Kandahar") {
		t.Errorf("answer sentences %q, want the Kandahar sentence", marked)
	}
	if n := len(top.Excerpt.Sentences); n < 1 || n > 3 {
		t.Errorf("excerpt has %d sentences, want 1–3", n)
	}
}

func TestSearchAbstains(t *testing.T) {
	ix := newTestIndex(t, testCorpus(t), nil)
	for _, q := range []string{"hello", "what is the weather in Paris", "Who won the 2022 World Cup?", "What did the Taliban say about climate change?"} {
		ans, err := ix.Search(context.Background(), Query{Text: q, K: 5})
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Abstained || len(ans.Results) > maxWeak {
			t.Errorf("%q: abstained %v with %d results, want abstention with ≤ %d", q, ans.Abstained, len(ans.Results), maxWeak)
		}
		for _, r := range ans.Results {
			if !r.Weak {
				t.Errorf("%q: result %s not marked weak", q, r.Passage.ID)
			}
		}
	}
}

func TestSearchFiltersAndPaging(t *testing.T) {
	ix := newTestIndex(t, testCorpus(t), nil)
	ctx := context.Background()
	for _, mode := range []Mode{Hybrid, DenseOnly, LexicalOnly} {
		ans, err := ix.Search(ctx, Query{Text: "taliban kandahar akhundzada", Source: "the NATIONAL", K: 5, Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ans.Results {
			if r.Article.Source != "The National" {
				t.Errorf("%s: source filter let %s (%s) through", mode, r.Passage.ID, r.Article.Source)
			}
		}
		ans, _ = ix.Search(ctx, Query{Text: "taliban kandahar akhundzada", DocID: "cnn", K: 5, Mode: mode})
		for _, r := range ans.Results {
			if r.Passage.DocID != "cnn" {
				t.Errorf("%s: doc filter let %s through", mode, r.Passage.ID)
			}
		}
	}
	if ans, _ := ix.Search(ctx, Query{Text: "kandahar", Source: "nobody"}); !ans.Abstained || len(ans.Results) != 0 {
		t.Errorf("unknown source: %+v, want abstention with no results", ans)
	}
	all, _ := ix.Search(ctx, Query{Text: "taliban qatar kandahar rain harvest", K: MaxK})
	if all.Abstained {
		t.Skip("paging needs a non-abstaining query")
	}
	p2, _ := ix.Search(ctx, Query{Text: "taliban qatar kandahar rain harvest", K: 1, Offset: 1})
	if p2.Total != all.Total || len(p2.Results) != 1 || p2.Results[0].Passage.ID != all.Results[1].Passage.ID || p2.Results[0].Rank != 2 {
		t.Errorf("page 2 = total %d %v, want total %d and rank 2 = %s", p2.Total, p2.Results, all.Total, all.Results[1].Passage.ID)
	}
	past, _ := ix.Search(ctx, Query{Text: "taliban qatar kandahar rain harvest", Offset: 100})
	if len(past.Results) != 0 || past.Total != all.Total {
		t.Errorf("offset past end: %d results, total %d", len(past.Results), past.Total)
	}
}

func TestSearchDegradedWhenEmbedderFails(t *testing.T) {
	emb := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
	ix := newTestIndex(t, testCorpus(t), emb)
	emb.fail.Store(true)
	ans, err := ix.Search(context.Background(), Query{Text: "iranian border guards gunfire"})
	if err != nil {
		t.Fatalf("hybrid with failing embedder: %v, want a degraded answer", err)
	}
	if !ans.Degraded || len(ans.Results) == 0 || ans.Results[0].Passage.ID != "nat:p2.1" {
		t.Errorf("degraded %v, results %v; want Degraded with nat:p2.1 first", ans.Degraded, ans.Results)
	}
	if _, err := ix.Search(context.Background(), Query{Text: "iranian", Mode: DenseOnly}); !errors.Is(err, errEmbedDown) {
		t.Errorf("DenseOnly with failing embedder: %v, want the embedder error", err)
	}
}

func TestFuseRRF(t *testing.T) {
	s := &snapshot{vecs: [][]float32{{1, 0}, {0, 1}, {0.6, 0.8}}}
	dense := []scored{{0, 0.9}, {2, 0.5}}
	lex := []scored{{2, 7}, {1, 3}}
	got := fuse(s, dense, lex, []float32{1, 0})
	// doc 2: 1/62 + 1/61; doc 0: 1/61; doc 1: 1/62.
	wantOrder := []int{2, 0, 1}
	for i, c := range got {
		if c.doc != wantOrder[i] {
			t.Fatalf("order = %v, want %v", got, wantOrder)
		}
	}
	if got[0].dense != 0.5 || got[0].lexical != 7 || got[2].dense != 0 {
		t.Errorf("raw scores lost: %+v", got)
	}
	if d := got[2].dense; d != 0 {
		t.Errorf("lexical-only doc 1 dense = %v, want its cosine 0", d)
	}
}

func TestPassageAndSuggest(t *testing.T) {
	ix := newTestIndex(t, testCorpus(t), nil)
	r, ok := ix.Passage("cnn:p1.1")
	if !ok || r.Article.Source != "CNN" || len(r.Excerpt.Sentences) == 0 || !strings.HasPrefix(r.Excerpt.Text(), "The meeting happened") {
		t.Errorf("Passage(cnn:p1.1) = %+v, %v", r, ok)
	}
	if _, ok := ix.Passage("nope"); ok {
		t.Errorf("Passage(nope) found")
	}
	if got := ix.Suggest("", 2); len(got) != 2 || got[0].Passage.ID != "cnn:p1.1" {
		t.Errorf("Suggest(\"\", 2) = %v, want the first two passages", got)
	}
	if got := ix.Suggest("iranian bor", 3); len(got) == 0 || got[0].Passage.ID != "nat:p2.1" {
		t.Errorf("Suggest(iranian bor) = %v, want nat:p2.1 first", got)
	}
	if got := ix.Suggest("harv", 3); len(got) == 0 || got[0].Passage.ID != "wx:p2.1" {
		t.Errorf("Suggest(harv) = %v, want the harvest passage by prefix", got)
	}
	if got := ix.Suggest("x", 0); got != nil {
		t.Errorf("Suggest n=0 = %v", got)
	}
	if ix.Len() != 16 || len(ix.Articles()) != 4 || len(ix.Sources()) != 4 {
		t.Errorf("Len %d Articles %d Sources %v", ix.Len(), len(ix.Articles()), ix.Sources())
	}
	if a, ok := ix.Article("wx"); !ok || a.Source != "Daily Sky" {
		t.Errorf("Article(wx) = %v, %v", a, ok)
	}
}

func BenchmarkLongQuery(b *testing.B) {
	ix, err := NewIndex(context.Background(), SyntheticCorpus(1000, 1), Options{})
	if err != nil {
		b.Fatal(err)
	}
	words := strings.Fields(SyntheticCorpus(20, 9).Passages[0].Text)
	q := strings.Repeat(strings.Join(words, " ")+" ", 40)
	q = string([]rune(q)[:MaxQueryRunes])
	for b.Loop() {
		if _, err := ix.Search(context.Background(), Query{Text: q}); err != nil {
			b.Fatal(err)
		}
	}
}
