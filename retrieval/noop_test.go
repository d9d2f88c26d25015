package retrieval

import (
	"context"
	"testing"

	"citebot/corpus"
)

// TestUpdateUnchangedCorpusSkipsRebuild: a reload of the same files (a
// fresh corpus value, equal field by field) keeps the live snapshot: no
// vector store, BM25 or vocabulary is rebuilt and nothing is saved.
func TestUpdateUnchangedCorpusSkipsRebuild(t *testing.T) {
	dir := t.TempDir()
	c1, _, err := corpus.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	ix := openPersisted(t, dir, c1, NewLocalEmbedder(0), nil)
	live := ix.snap.Load()
	gen := readGen(dir)
	c2, _, err := corpus.Bundled() // parsed again: equal, not the same value
	if err != nil {
		t.Fatal(err)
	}
	if &c2.Passages[0] == &c1.Passages[0] {
		t.Fatal("the test needs two distinct corpus values")
	}
	st, err := ix.Update(context.Background(), c2)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Unchanged || st.Kept != len(c1.Passages) || st.Embedded != 0 {
		t.Errorf("stats %+v, want Unchanged with every passage kept", st)
	}
	if ix.snap.Load() != live {
		t.Error("the snapshot was rebuilt for an unchanged corpus")
	}
	if g := readGen(dir); g != gen {
		t.Errorf("an unchanged corpus was saved again (gen %d → %d)", gen, g)
	}
	// Any real change rebuilds: here one article's title only.
	c3, _, _ := corpus.Bundled()
	c3.Articles[0].Title += " (updated)"
	st, err = ix.Update(context.Background(), c3)
	if err != nil {
		t.Fatal(err)
	}
	if st.Unchanged || ix.snap.Load() == live {
		t.Errorf("a changed title was not taken in: %+v", st)
	}
	if a, _ := ix.Article(c3.Articles[0].ID); a.Title != c3.Articles[0].Title {
		t.Errorf("article title %q after the update", a.Title)
	}
}

// BenchmarkNoopReload100k measures the Update of a 100k-passage index with
// an equal, freshly copied corpus (what a reload of unchanged files gives):
// go test ./retrieval -run '^$' -bench NoopReload100k -benchmem
func BenchmarkNoopReload100k(b *testing.B) {
	ctx := context.Background()
	c := SyntheticCorpus(100000, 42)
	ix, err := NewIndex(ctx, c, Options{})
	if err != nil {
		b.Fatal(err)
	}
	same := cloneCorpus(c)
	b.ResetTimer()
	for b.Loop() {
		st, err := ix.Update(ctx, same)
		if err != nil || !st.Unchanged {
			b.Fatalf("%+v %v", st, err)
		}
	}
}
