package retrieval

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"citebot/corpus"
)

func TestUpdateReusesVectors(t *testing.T) {
	ctx := context.Background()
	emb := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
	c := testCorpus(t)
	ix := newTestIndex(t, c, emb)
	if got := emb.docs.Load(); got != 16 {
		t.Fatalf("first build embedded %d passages, want 16", got)
	}
	st, err := ix.Update(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if got := emb.docs.Load(); got != 16 || st.Embedded != 0 || st.Kept != 16 {
		t.Errorf("same corpus again: embedded %d (stats %+v), want 0 new", got-16, st)
	}
	// Edit one passage, remove one, add one.
	c2 := &corpus.Corpus{Articles: c.Articles, Passages: slices.Clone(c.Passages)}
	c2.Passages[0].Text += " Edited."
	c2.Passages = slices.Delete(c2.Passages, 5, 6)
	c2.Passages = append(c2.Passages, corpus.Passage{ID: "wx:p9.1", DocID: "wx", Paragraph: 9, Part: 1, Text: "Snow closed the mountain pass."})
	st, err = ix.Update(ctx, c2)
	if err != nil {
		t.Fatal(err)
	}
	want := UpdateStats{Added: 1, Changed: 1, Removed: 1, Kept: 14, Embedded: 2}
	st.Duration = 0
	if st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
	if _, ok := ix.Passage("wx:p2.1"); ok {
		t.Errorf("removed passage still served")
	}
	ans, err := ix.Search(ctx, Query{Text: "snow mountain pass"})
	if err != nil || ans.Abstained || ans.Results[0].Passage.ID != "wx:p9.1" {
		t.Errorf("new passage not found: %v %+v", err, ans)
	}
}

func TestUpdateFailureKeepsSnapshot(t *testing.T) {
	emb := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
	ix := newTestIndex(t, testCorpus(t), emb)
	emb.fail.Store(true)
	c := testCorpus(t)
	c.Passages[0].Text = "Completely new text."
	if _, err := ix.Update(context.Background(), c); err == nil {
		t.Fatal("update with failing embedder: no error")
	}
	if r, _ := ix.Passage("cnn:p1.1"); r.Passage.Text == "Completely new text." {
		t.Errorf("failed update was published")
	}
	dup := testCorpus(t)
	dup.Passages = append(dup.Passages, dup.Passages[0])
	if _, err := ix.Update(context.Background(), dup); err == nil {
		t.Errorf("duplicate passage ids: no error")
	}
	if _, err := NewIndex(context.Background(), nil, Options{}); err == nil {
		t.Errorf("NewIndex(nil corpus): no error")
	}
}

// TestSearchDuringUpdate runs searches while updates swap snapshots; run
// with -race. Every answer must come from one consistent snapshot.
func TestSearchDuringUpdate(t *testing.T) {
	ctx := context.Background()
	a, b := testCorpus(t), testCorpus(t)
	b.Passages = b.Passages[:4]
	ix := newTestIndex(t, a, nil)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				ans, err := ix.Search(ctx, Query{Text: "taliban kandahar rain harvest", K: 5})
				if err != nil {
					t.Error(err)
					return
				}
				for _, r := range ans.Results {
					if r.Article == nil || r.Passage.ID == "" {
						t.Errorf("inconsistent result %+v", r)
					}
				}
				ix.Suggest("kand", 3)
			}
		}()
	}
	for i := 0; i < 10; i++ {
		c := a
		if i%2 == 0 {
			c = b
		}
		if _, err := ix.Update(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}

func BenchmarkIndexBuild(b *testing.B) {
	c := SyntheticCorpus(5000, 1)
	ctx := context.Background()
	for b.Loop() {
		if _, err := NewIndex(ctx, c, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuery searches a 10k-passage synthetic corpus with distinct
// queries, so every search analyzes candidates it has not seen (cold).
func BenchmarkQuery(b *testing.B) {
	ix, queries := benchQueryIndex(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := ix.Search(ctx, Query{Text: queries[i%len(queries)]}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkQueryRepeated runs one query again and again, as a More page or
// a vote re-running a search does: candidate analyses come from the
// snapshot's cache (warm).
func BenchmarkQueryRepeated(b *testing.B) {
	ix, _ := benchQueryIndex(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := ix.Search(ctx, Query{Text: "who met the leader in the southern city"}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchQueryIndex builds the 10k-passage index and 200 distinct six-word
// queries drawn from its passages.
func benchQueryIndex(b *testing.B) (*Index, []string) {
	b.Helper()
	c := SyntheticCorpus(10000, 1)
	ix, err := NewIndex(context.Background(), c, Options{})
	if err != nil {
		b.Fatal(err)
	}
	queries := make([]string, 200)
	for i := range queries {
		words := strings.Fields(c.Passages[(i*7919)%len(c.Passages)].Text)
		queries[i] = strings.Join(words[:min(6, len(words))], " ")
	}
	return ix, queries
}
