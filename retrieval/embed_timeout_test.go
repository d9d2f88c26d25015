package retrieval

import (
	"context"
	"testing"
	"time"
)

// deadlineEmbedder records how far away the query's deadline was and,
// when block is set, answers only when the context ends, like a remote
// server that stopped responding.
type deadlineEmbedder struct {
	Embedder
	block bool
	left  time.Duration // 0: no deadline
}

func (d *deadlineEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	if dl, ok := ctx.Deadline(); ok {
		d.left = time.Until(dl)
	}
	if d.block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return d.Embedder.EmbedQuery(ctx, text)
}

func TestWithQueryTimeout(t *testing.T) {
	tests := []struct {
		name     string
		timeout  time.Duration
		deadline bool
		max      time.Duration
	}{
		{"default", 0, true, DefaultQueryEmbedTimeout},
		{"configured", time.Second, true, time.Second},
		{"disabled", -1, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner := &deadlineEmbedder{Embedder: NewLocalEmbedder(0)}
			e := withQueryTimeout(inner, tt.timeout)
			if _, err := e.EmbedQuery(context.Background(), "rain"); err != nil {
				t.Fatal(err)
			}
			if got := inner.left > 0; got != tt.deadline || inner.left > tt.max && tt.deadline {
				t.Errorf("deadline %v away, want deadline %v at most %v", inner.left, tt.deadline, tt.max)
			}
			if e.Name() != inner.Name() || e.Dim() != inner.Dim() {
				t.Errorf("identity changed: %s/%d", e.Name(), e.Dim())
			}
		})
	}
}

// TestSearchFallsBackWhenQueryEmbedHangs: an embedding server that stops
// answering costs one short deadline, then BM25 answers alone.
func TestSearchFallsBackWhenQueryEmbedHangs(t *testing.T) {
	emb := &deadlineEmbedder{Embedder: NewLocalEmbedder(0), block: true}
	ix, err := NewIndex(context.Background(), testCorpus(t), Options{Embedder: emb, QueryEmbedTimeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := ix.Search(context.Background(), Query{Text: "rain northern hills"})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Degraded || len(ans.Results) == 0 || ans.Results[0].Passage.DocID != "wx" {
		t.Errorf("answer %+v: want a degraded BM25 answer from article wx", ans)
	}
}
