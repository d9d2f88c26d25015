package eval

import (
	"context"
	"os"
	"testing"

	"citebot/embed/minilm"
	"citebot/retrieval"
)

// BenchmarkSearchSQuADMiniLM times one hybrid search over the SQuAD
// articles with MiniLM, each iteration the next question (so the snapshot's
// sentence and word-piece caches warm as questions repeat passages, as a
// served corpus's would): with the late-interaction re-scoring
// (retrieval/tokensim.go) and without it (the same model, hidden behind the
// plain Embedder interface). Skipped without the model.
func BenchmarkSearchSQuADMiniLM(b *testing.B) {
	dir, err := minilm.DefaultDir(os.Getenv)
	if err == nil {
		err = minilm.Verify(dir)
	}
	if err != nil {
		b.Skipf("MiniLM model not installed: %v", err)
	}
	m, err := minilm.Load(dir, minilm.Options{})
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(squadPath)
	if err != nil {
		b.Fatal(err)
	}
	c, qs, err := LoadSQuAD(f)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		emb  retrieval.Embedder
	}{
		{"late-interaction", m},
		{"without", struct{ retrieval.Embedder }{m}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ix, err := retrieval.NewIndex(ctx, c, retrieval.Options{Embedder: bc.emb})
			if err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				if _, err := ix.Search(ctx, retrieval.Query{Text: qs[i%len(qs)].Q}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
