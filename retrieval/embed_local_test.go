package retrieval

import (
	"context"
	"math"
	"slices"
	"testing"
)

func l2(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestLocalEmbedderBasics(t *testing.T) {
	e := NewLocalEmbedder(0)
	if e.Dim() != 512 || e.Name() != "local-hash-v1" {
		t.Fatalf("Dim %d Name %q, want 512 local-hash-v1", e.Dim(), e.Name())
	}
	if NewLocalEmbedder(64).Dim() != 64 {
		t.Errorf("NewLocalEmbedder(64).Dim() != 64")
	}
	ctx := context.Background()
	for _, text := range []string{"Qatar’s prime minister met the Taliban leader", "", "   ", "the of and", "!!!", "a"} {
		v1, err := e.EmbedQuery(ctx, text)
		if err != nil {
			t.Fatal(err)
		}
		v2, _ := NewLocalEmbedder(0).EmbedQuery(ctx, text)
		if !slices.Equal(v1, v2) {
			t.Errorf("%q: two embedders disagree (not deterministic)", text)
		}
		if n := l2(v1); math.Abs(n-1) > 1e-5 || math.IsNaN(n) {
			t.Errorf("%q: norm %v, want 1", text, n)
		}
	}
	docs, err := e.EmbedDocuments(ctx, []string{"one text", "another text", ""})
	if err != nil || len(docs) != 3 {
		t.Fatalf("EmbedDocuments: %v, %d vectors", err, len(docs))
	}
	q, _ := e.EmbedQuery(ctx, "another text")
	if !slices.Equal(docs[1], q) {
		t.Errorf("document and query vectors of the same text differ")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.EmbedQuery(cctx, "x"); err == nil {
		t.Errorf("EmbedQuery with cancelled ctx: no error")
	}
	if v, err := e.EmbeddingFunc()(ctx, "kabul"); err != nil || len(v) != 512 {
		t.Errorf("EmbeddingFunc: %v, len %d", err, len(v))
	}
}

func TestLocalEmbedderSpellingVariants(t *testing.T) {
	e := NewLocalEmbedder(0)
	ctx := context.Background()
	emb := func(s string) []float32 { v, _ := e.EmbedQuery(ctx, s); return v }
	tests := []struct{ word, variant, unrelated string }{
		{"Akhundzada", "Akhunzada", "Washington"},
		{"Haibatullah", "Haibatallah", "evacuation"},
		{"Baradar", "Barader", "Kandahar"},
	}
	for _, tt := range tests {
		close, far := dot(emb(tt.word), emb(tt.variant)), dot(emb(tt.word), emb(tt.unrelated))
		if close <= far+0.2 {
			t.Errorf("%s: cos to %s = %.3f, to %s = %.3f; want the variant clearly closer", tt.word, tt.variant, close, tt.unrelated, far)
		}
	}
	if c := dot(emb("Qatar's prime minister"), emb("Qatar’s Prime Minister")); c < 0.999 {
		t.Errorf("curly vs straight apostrophe: cos %.4f, want 1", c)
	}
}

func BenchmarkEmbed(b *testing.B) {
	c := SyntheticCorpus(2000, 1)
	texts := make([]string, len(c.Passages))
	for i, p := range c.Passages {
		texts[i] = p.Text
	}
	e := NewLocalEmbedder(0)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.EmbedDocuments(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(texts)*b.N)/b.Elapsed().Seconds(), "passages/s")
}
