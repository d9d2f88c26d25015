package bot

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"citebot/retrieval"
)

// blockingSearcher blocks each Search until release, tracking concurrency.
type blockingSearcher struct {
	readerTestSearcher
	entered chan struct{}
	release chan struct{}
	running atomic.Int32
	peak    atomic.Int32
}

func (b *blockingSearcher) Search(ctx context.Context, q retrieval.Query) (retrieval.Answer, error) {
	n := b.running.Add(1)
	for {
		p := b.peak.Load()
		if n <= p || b.peak.CompareAndSwap(p, n) {
			break
		}
	}
	b.entered <- struct{}{}
	<-b.release
	b.running.Add(-1)
	return retrieval.Answer{Query: q.Text, Abstained: q.Text == "hello"}, nil
}

func TestLimitSearches(t *testing.T) {
	b := &blockingSearcher{entered: make(chan struct{}, 10), release: make(chan struct{})}
	s := LimitSearches(b, 2)
	done := make(chan error, 5)
	for range 5 {
		go func() { _, err := s.Search(context.Background(), retrieval.Query{Text: "q"}); done <- err }()
	}
	<-b.entered
	<-b.entered
	// Two run; the other three wait. A caller whose ctx ends while waiting
	// gets an error instead of a slot.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Search(ctx, retrieval.Query{Text: "q"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter got %v", err)
	}
	close(b.release)
	for range 5 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if p := b.peak.Load(); p != 2 {
		t.Fatalf("peak concurrency %d, want 2", p)
	}
	if got := s.Articles(); len(got) != 0 {
		t.Fatalf("Articles passed through wrong: %v", got)
	}
}

func TestMetricsSearcher(t *testing.T) {
	b := &blockingSearcher{entered: make(chan struct{}, 10), release: make(chan struct{})}
	close(b.release)
	m := NewMetrics()
	s := m.Searcher(b)
	for _, q := range []string{"hello", "where"} {
		if _, err := s.Search(context.Background(), retrieval.Query{Text: q}); err != nil {
			t.Fatal(err)
		}
	}
	out := scrape(t, m)
	for _, want := range []string{`citebot_abstentions_total 1`, `citebot_retrieval_seconds_count{degraded="false"} 2`} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

type failingEmbedder struct{ err error }

func (f failingEmbedder) Name() string { return "fail" }
func (f failingEmbedder) Dim() int     { return 4 }
func (f failingEmbedder) EmbedDocuments(context.Context, []string) ([][]float32, error) {
	return nil, f.err
}
func (f failingEmbedder) EmbedQuery(context.Context, string) ([]float32, error) { return nil, f.err }

func TestMetricsEmbedder(t *testing.T) {
	m := NewMetrics()
	e := m.Embedder(failingEmbedder{err: errors.New("connection refused")})
	_, _ = e.EmbedQuery(context.Background(), "x")
	_, _ = e.EmbedDocuments(context.Background(), []string{"x"})
	_, _ = m.Embedder(failingEmbedder{err: context.Canceled}).EmbedQuery(context.Background(), "x")
	if out := scrape(t, m); !strings.Contains(out, "citebot_embedder_errors_total 2") {
		t.Errorf("want 2 embedder errors (cancellation not counted)")
	}
}
