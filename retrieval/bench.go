package retrieval

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"runtime"
	"slices"
	"strings"
	"time"

	"citebot/corpus"
)

// SyntheticCorpus generates n realistic-looking passages from seed: words
// drawn from a Zipf-distributed vocabulary of made-up words, capitalized
// names sprinkled in, sentences of 6–20 words, passages of ~40–120 words,
// ten passages per article over a handful of publishers. The same n and seed
// always give the same corpus.
func SyntheticCorpus(n int, seed int64) *corpus.Corpus {
	rng := rand.New(rand.NewSource(seed))
	vocab := syntheticWords(rng, 20000, 2, 4)
	names := syntheticWords(rng, 2000, 2, 3)
	for i, nm := range names {
		names[i] = strings.ToUpper(nm[:1]) + nm[1:]
	}
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))
	sources := []string{"Wire One", "The Daily Ledger", "Global Post", "Evening Standard-Bearer", "Metro Times"}
	c := &corpus.Corpus{}
	var art *corpus.Article
	for i := 0; i < n; i++ {
		if i%10 == 0 {
			art = &corpus.Article{ID: fmt.Sprintf("syn%06d", i/10), Source: sources[(i/10)%len(sources)],
				Title: fmt.Sprintf("Synthetic article %d", i/10), Published: "2024-01-01"}
			c.Articles = append(c.Articles, art)
		}
		addSyntheticPassage(c, art, syntheticText(rng, func() string {
			word := vocab[zipf.Uint64()]
			if rng.Intn(12) == 0 {
				word = names[rng.Intn(len(names))]
			}
			return word
		}))
	}
	return c
}

// syntheticText makes one paragraph of 40–120 words in sentences of 6–20,
// each word from pick, the first of each sentence capitalised.
func syntheticText(rng *rand.Rand, pick func() string) string {
	var b strings.Builder
	words := 40 + rng.Intn(81)
	for w := 0; w < words; {
		sl := min(6+rng.Intn(15), words-w)
		for k := 0; k < sl; k++ {
			word := pick()
			if k == 0 {
				word = strings.ToUpper(word[:1]) + word[1:]
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(word)
		}
		b.WriteByte('.')
		w += sl
	}
	// A copy of exactly the text's size: the builder's buffer has grown by
	// doubling, and kept as is it held 0.89 GB for 0.71 GB of text at 1M
	// passages, which a corpus loaded from files does not.
	return strings.Clone(b.String())
}

// addSyntheticPassage appends text to art as its next paragraph and to c
// as that paragraph's one passage.
func addSyntheticPassage(c *corpus.Corpus, art *corpus.Article, text string) {
	para := len(art.Paragraphs) + 1
	art.Paragraphs = append(art.Paragraphs, corpus.Paragraph{N: para, Text: text})
	c.Passages = append(c.Passages, corpus.Passage{ID: corpus.PassageID(art.ID, para, 1), DocID: art.ID,
		Paragraph: para, Part: 1, Text: text})
}

// syntheticWords makes n distinct pronounceable words of lo–hi syllables.
func syntheticWords(rng *rand.Rand, n, lo, hi int) []string {
	cons := []string{"b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "sh", "th", "br", "st"}
	vow := []string{"a", "e", "i", "o", "u", "ai", "ou"}
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		var b strings.Builder
		for s := lo + rng.Intn(hi-lo+1); s > 0; s-- {
			b.WriteString(cons[rng.Intn(len(cons))])
			b.WriteString(vow[rng.Intn(len(vow))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// benchQueries is how many queries each latency figure is measured over.
const benchQueries = 40

// Bench builds an index over a synthetic corpus of each size (nil or empty
// sizes: 1k, 10k, 100k) with the local embedder and writes a table: build
// time, embedding rate, query latency p50/p95 for hybrid search, the dense
// store alone (chromem-go; past the sketch threshold, the sketch) and BM25
// alone, the hybrid overhead over the dense query's time (fusion, rerank,
// excerpts, folding), and heap in use.
func Bench(ctx context.Context, sizes []int, w io.Writer) error {
	return BenchEmbedder(ctx, sizes, nil, w)
}

// BenchEmbedder is Bench with the given embedder (nil: the local hashing
// one). With a slow embedder the embedding rate is that of the index build.
func BenchEmbedder(ctx context.Context, sizes []int, emb Embedder, w io.Writer) error {
	if len(sizes) == 0 {
		sizes = []int{1000, 10000, 100000}
	}
	for _, n := range sizes {
		if n <= 0 {
			return fmt.Errorf("bench: size %d must be positive", n)
		}
	}
	// Fixed-width columns rather than tabwriter, so each row prints as soon
	// as its size is done (100k takes a while).
	if _, err := fmt.Fprintf(w, benchFormat, "passages", "build", "embed/s", "hybrid p50", "hybrid p95",
		"dense p50", "dense p95", "bm25 p50", "bm25 p95", "overhead", "heap MiB"); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	for _, n := range sizes {
		row, err := benchSize(ctx, n, emb)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, benchFormat, row...); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	return nil
}

const benchFormat = "%8v %9v %8v %11v %11v %12v %12v %9v %9v %9v %9v\n"

// benchSize measures one corpus size and returns the row's cells.
func benchSize(ctx context.Context, n int, emb Embedder) ([]any, error) {
	c := SyntheticCorpus(n, 42)
	texts := make([]string, len(c.Passages))
	for i, p := range c.Passages {
		texts[i] = p.Text
	}
	var rate float64
	if emb == nil {
		emb = NewLocalEmbedder(0)
		start := time.Now()
		if _, err := emb.EmbedDocuments(ctx, texts); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		rate = float64(n) / time.Since(start).Seconds()
	}

	start := time.Now()
	ix, err := NewIndex(ctx, c, Options{Embedder: emb})
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	build := time.Since(start)
	if rate == 0 {
		rate = float64(n) / build.Seconds()
	}

	rng := rand.New(rand.NewSource(7))
	queries := make([]string, benchQueries)
	for i := range queries {
		words := strings.Fields(texts[rng.Intn(len(texts))])
		k := rng.Intn(max(1, len(words)-6))
		queries[i] = strings.Join(words[k:k+min(6, len(words)-k)], " ")
	}
	s := ix.snap.Load()
	var hyb, chr, lex []time.Duration
	for _, q := range queries {
		t0 := time.Now()
		if _, err := ix.Search(ctx, Query{Text: q}); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		hyb = append(hyb, time.Since(t0))
		vec, _ := ix.emb.EmbedQuery(ctx, q)
		t0 = time.Now()
		if _, err := s.store.query(ctx, vec, candDepth, nil); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		chr = append(chr, time.Since(t0))
		qt := ix.queryTerms(s, q)
		t0 = time.Now()
		s.bm25.search(qt.lex, qt.lexWeights, candDepth, nil)
		lex = append(lex, time.Since(t0))
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(ix)
	hp, cp := pct(hyb, 50), pct(chr, 50)
	return []any{n, build.Round(time.Millisecond), fmt.Sprintf("%.0f", rate),
		fmtDur(hp), fmtDur(pct(hyb, 95)), fmtDur(cp), fmtDur(pct(chr, 95)), fmtDur(pct(lex, 50)), fmtDur(pct(lex, 95)),
		fmt.Sprintf("%+.1f%%", 100*(float64(hp)-float64(cp))/float64(cp)), fmt.Sprintf("%.0f", float64(ms.HeapInuse)/(1<<20))}, nil
}

// pct returns the p-th percentile (nearest rank) of ds.
func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, (len(s)*p+99)/100-1)]
}

func fmtDur(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000)
}
