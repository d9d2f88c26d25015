package main

import (
	"context"
	"fmt"
	"math/rand"
	"runtime"
	"slices"
	"strings"
	"time"

	"citebot/corpus"
	"citebot/retrieval"
	"citebot/weaviatestore"
)

// benchWeaviate is citebot bench -store weaviate: at each size, the
// in-process index and the Weaviate store side by side in one run, on the
// same synthetic corpus, embedder (hashing, 512 dims) and queries. The
// Weaviate side uses CitebotBench… collections, dropped first.
func benchWeaviate(ctx context.Context, e *env, sizes []int) error {
	c, err := e.config()
	if err != nil {
		return err
	}
	if len(c.WeaviateURLs) == 0 {
		return &configError{fmt.Errorf("CITEBOT_WEAVIATE_URL: required for bench -store weaviate (one node is enough)")}
	}
	log := e.cliLogger(c)
	w := e.stdout
	fmt.Fprintf(w, "Weaviate at %s (CitebotBench… collections), hashing embedder, %d queries per size; in-process and Weaviate in the same run\n",
		c.WeaviateURLs[0], benchWeaviateQueries)
	const format = "%8v %-10v %10v %10v %11v %11v %11v %11v %9v\n"
	fmt.Fprintf(w, format, "passages", "store", "build", "import/s", "hybrid p50", "hybrid p95", "knn p50", "bm25 p50", "heap MiB")
	for _, n := range sizes {
		cp := retrieval.SyntheticCorpus(n, 42)
		queries := benchQueries(cp, benchWeaviateQueries)
		emb := retrieval.NewLocalEmbedder(0)

		// In process: the default store, and chromem-go's exact scan where
		// the default partitions (from 20k passages).
		variants := []struct {
			name string
			min  int
		}{{"in-process", 0}}
		if n >= 20000 {
			variants = append(variants, struct {
				name string
				min  int
			}{"exact scan", n + 1})
		}
		var hyb []time.Duration
		var heap float64
		for _, v := range variants {
			start := time.Now()
			mem, err := retrieval.NewIndex(ctx, cp, retrieval.Options{Embedder: emb, Path: "off", ANNMinPassages: v.min})
			if err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			build := time.Since(start)
			if hyb, err = timeSearches(ctx, mem, queries); err != nil {
				return err
			}
			heap = heapMiB()
			runtime.KeepAlive(mem)
			fmt.Fprintf(w, format, n, v.name, build.Round(time.Millisecond), fmt.Sprintf("%.0f", float64(n)/build.Seconds()),
				fmtMS(pctile(hyb, 50)), fmtMS(pctile(hyb, 95)), "-", "-", fmt.Sprintf("%.0f", heap))
		}
		runtime.GC()

		// Weaviate: a fresh collection, one sync, then the same queries
		// through a remote index.
		emb2 := emb
		st, err := newWeaviateStore(c, log, emb2, "CitebotBench")
		if err != nil {
			return err
		}
		if err := st.Drop(ctx); err != nil {
			return err
		}
		runtime.GC()
		start := time.Now()
		ss, err := st.Sync(ctx, cp, weaviateBenchSync)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		imp := time.Since(start)
		rem, err := retrieval.NewRemoteIndex(ctx, st, retrieval.RemoteOptions{Embedder: emb2, Logger: log, LookupTimeout: time.Minute})
		if err != nil {
			return err
		}
		if err := rem.Available(); err != nil {
			return err
		}
		if _, err := timeSearches(ctx, rem, queries[:min(20, len(queries))]); err != nil { // warm the connections
			return err
		}
		hyb, err = timeSearches(ctx, rem, queries)
		if err != nil {
			return err
		}
		var knn, bm []time.Duration
		for _, q := range queries {
			vec, _ := emb2.EmbedQuery(ctx, q)
			t0 := time.Now()
			if _, err := st.Dense(ctx, vec, 50, retrieval.Filter{}); err != nil {
				return err
			}
			knn = append(knn, time.Since(t0))
			t0 = time.Now()
			if _, err := st.Lexical(ctx, strings.Fields(strings.ToLower(q)), 100, retrieval.Filter{}); err != nil {
				return err
			}
			bm = append(bm, time.Since(t0))
		}
		heap = heapMiB()
		runtime.KeepAlive(rem)
		fmt.Fprintf(w, format, n, "weaviate", imp.Round(time.Millisecond), fmt.Sprintf("%.0f", float64(ss.Added)/imp.Seconds()),
			fmtMS(pctile(hyb, 50)), fmtMS(pctile(hyb, 95)), fmtMS(pctile(knn, 50)), fmtMS(pctile(bm, 50)), fmt.Sprintf("%.0f", heap))
		if err := st.Drop(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "build: in-process index build / Weaviate sync (embedding included, same embedder); hybrid: the whole")
	fmt.Fprintln(w, "Search (rerank and excerpts included); knn/bm25: one Weaviate query of 50 vectors / 100 BM25 hits; heap: this")
	fmt.Fprintln(w, "process's heap with that index loaded (Weaviate's own memory is not in it).")
	return nil
}

const benchWeaviateQueries = 200

var weaviateBenchSync = weaviatestore.SyncOptions{Batch: 256}

// benchQueries draws n queries of up to six consecutive words from cp's
// passages, seeded like retrieval's bench.
func benchQueries(cp *corpus.Corpus, n int) []string {
	rng := rand.New(rand.NewSource(7))
	out := make([]string, n)
	for i := range out {
		words := strings.Fields(cp.Passages[rng.Intn(len(cp.Passages))].Text)
		k := rng.Intn(max(1, len(words)-6))
		out[i] = strings.Join(words[k:k+min(6, len(words)-k)], " ")
	}
	return out
}

func heapMiB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / (1 << 20)
}

func timeSearches(ctx context.Context, ix *retrieval.Index, queries []string) ([]time.Duration, error) {
	out := make([]time.Duration, 0, len(queries))
	for _, q := range queries {
		t0 := time.Now()
		if _, err := ix.Search(ctx, retrieval.Query{Text: q}); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		out = append(out, time.Since(t0))
	}
	return out, nil
}

func pctile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, (len(s)*p+99)/100-1)]
}

func fmtMS(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }
