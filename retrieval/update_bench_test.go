package retrieval

import (
	"context"
	"runtime"
	"slices"
	"testing"

	"citebot/corpus"
)

// editedArticle returns c with every passage of one article (the one at the
// middle passage) changed, as an edit of that article's file gives; round
// varies the edit so successive calls differ.
func editedArticle(c *corpus.Corpus, round int) *corpus.Corpus {
	out := &corpus.Corpus{Articles: c.Articles, Passages: slices.Clone(c.Passages)}
	doc := out.Passages[len(out.Passages)/2].DocID
	suffix := " A correction was appended."
	if round%2 == 1 {
		suffix = " A second correction was appended."
	}
	for i := range out.Passages {
		if out.Passages[i].DocID == doc {
			out.Passages[i].Text += suffix
		}
	}
	return out
}

// benchmarkOneArticle measures Update after one article (10 passages) of a
// 100k-passage index changed, alternating between two edits so every
// iteration embeds and rebuilds for real. With persist set every update
// also saves.
func benchmarkOneArticle(b *testing.B, persist bool) {
	ctx := context.Background()
	c := SyntheticCorpus(100000, 42)
	opts := Options{}
	if persist {
		opts.Path = b.TempDir()
	}
	ix, err := NewIndex(ctx, c, opts)
	if err != nil {
		b.Fatal(err)
	}
	eds := []*corpus.Corpus{editedArticle(c, 0), editedArticle(c, 1)}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, _ := cpuTime()
	i := 0
	for b.Loop() {
		st, err := ix.Update(ctx, eds[i%2])
		if err != nil || st.Embedded != 10 {
			b.Fatalf("%+v %v", st, err)
		}
		i++
	}
	// CPU time, all goroutines and the collector included: on a shared
	// machine it varies far less than wall time.
	if cpu1, ok := cpuTime(); ok {
		b.ReportMetric(float64(cpu1-cpu0)/float64(i)/1e6, "cpu-ms/op")
	}
}

// BenchmarkUpdateOneArticle100k: one changed article applied in memory:
// go test ./retrieval -run '^$' -bench UpdateOneArticle100k -benchtime 10x
func BenchmarkUpdateOneArticle100k(b *testing.B) { benchmarkOneArticle(b, false) }

// BenchmarkUpdateOneArticleSaved100k is the same with the save included.
func BenchmarkUpdateOneArticleSaved100k(b *testing.B) { benchmarkOneArticle(b, true) }

// BenchmarkHeap reports the heap an index holds once built (HeapAlloc
// after a collection, the synthetic corpus included) and what the process
// took from the OS: go test ./retrieval -run '^$' -bench 'Heap/100k'
// -benchtime 1x (Heap/1M takes several minutes and ~8 GB).
func BenchmarkHeap(b *testing.B) {
	for _, n := range []struct {
		name string
		n    int
	}{{"100k", 100000}, {"1M", 1000000}} {
		b.Run(n.name, func(b *testing.B) {
			for b.Loop() {
				ctx := context.Background()
				ix, err := NewIndex(ctx, SyntheticCorpus(n.n, 42), Options{})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := ix.Search(ctx, Query{Text: "what did the council decide"}); err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
				b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MiB")
				runtime.KeepAlive(ix)
			}
		})
	}
}
