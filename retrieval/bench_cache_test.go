package retrieval

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// quotaEmbedder embeds documents until quota is used up, then fails (an
// interrupted one-off embedding).
type quotaEmbedder struct {
	countingEmbedder
	quota atomic.Int64
}

func (q *quotaEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	if q.quota.Add(-int64(len(texts))) < 0 {
		return nil, errEmbedDown
	}
	return q.countingEmbedder.EmbedDocuments(ctx, texts)
}

// TestBenchVectorCache: the bench's vector cache embeds a corpus once; a
// second run embeds nothing and serves the same vectors; an interrupted
// fill keeps every saved step; queries and unknown text go to the model.
func TestBenchVectorCache(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	c := SyntheticTopicalCorpus(120, 5)
	texts := make([]string, len(c.Passages))
	for i, p := range c.Passages {
		texts[i] = passageText(p)
	}

	// Interrupted after 100 passages: steps of 40 save 80.
	q := &quotaEmbedder{countingEmbedder: countingEmbedder{Embedder: NewLocalEmbedder(64)}}
	q.quota.Store(100)
	if _, _, err := cachedVectors(ctx, c, "topical", root, q, 40, io.Discard); !errors.Is(err, errEmbedDown) {
		t.Fatalf("interrupted fill: err = %v, want %v", err, errEmbedDown)
	}

	first := &countingEmbedder{Embedder: NewLocalEmbedder(64)}
	emb, embedded, err := cachedVectors(ctx, c, "topical", root, first, 40, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if embedded != 40 || first.docs.Load() != 40 {
		t.Fatalf("after an interrupted fill of 80: embedded %d (model saw %d), want the 40 not saved", embedded, first.docs.Load())
	}
	want, err := emb.EmbedDocuments(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	if first.docs.Load() != 40 {
		t.Fatalf("cached passages went to the model: %d documents embedded, want 40", first.docs.Load())
	}
	if emb.Name() != first.Name() || emb.Dim() != 64 {
		t.Fatalf("cache embedder is %s/%d, want the model's name and dimension %s/64", emb.Name(), emb.Dim(), first.Name())
	}

	second := &countingEmbedder{Embedder: NewLocalEmbedder(64)}
	emb2, embedded, err := cachedVectors(ctx, c, "topical", root, second, 40, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if embedded != 0 || second.docs.Load() != 0 {
		t.Fatalf("second run embedded %d (model saw %d), want 0", embedded, second.docs.Load())
	}
	got, err := emb2.EmbedDocuments(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("passage %d: cached vector differs from the first run's", i)
		}
	}
	// An edited passage and a query are the model's.
	if _, err := emb2.EmbedDocuments(ctx, []string{texts[0] + " A correction.", texts[1]}); err != nil {
		t.Fatal(err)
	}
	if second.docs.Load() != 1 {
		t.Fatalf("model saw %d documents for one edited passage, want 1", second.docs.Load())
	}
	qv, err := emb2.EmbedQuery(ctx, "shared words")
	if err != nil || len(qv) != 64 {
		t.Fatalf("query through the cache: %d dims, %v", len(qv), err)
	}

	// Another corpus size or embedder has a cache of its own.
	if a, b := benchCacheDir(root, "topical", 120, first), benchCacheDir(root, "topical", 1200, first); a == b {
		t.Fatalf("two sizes share the cache directory %s", a)
	}
	if a, b := benchCacheDir(root, "topical", 120, first), benchCacheDir(root, "topical", 120, NewLocalEmbedder(32)); a == b {
		t.Fatalf("two embedders share the cache directory %s", a)
	}

	// A damaged cache is rebuilt, not trusted.
	dir := benchCacheDir(root, "topical", 120, first)
	files, _ := filepath.Glob(filepath.Join(dir, "seg-*.vec"))
	if len(files) != 1 {
		t.Fatalf("cache files %v, want one segment file", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 0xff
	if err := os.WriteFile(files[0], b, 0o600); err != nil {
		t.Fatal(err)
	}
	third := &countingEmbedder{Embedder: NewLocalEmbedder(64)}
	var log strings.Builder
	if _, embedded, err = cachedVectors(ctx, c, "topical", root, third, 40, &log); err != nil {
		t.Fatal(err)
	}
	if embedded != len(texts) {
		t.Fatalf("damaged cache: embedded %d, want all %d again\n%s", embedded, len(texts), log.String())
	}
}
