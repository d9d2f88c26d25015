package retrieval

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"citebot/corpus"
)

// BenchANNOptions configures BenchANN. The zero value is usable.
type BenchANNOptions struct {
	// Sizes are the corpus sizes in passages; empty means 10k and 100k.
	Sizes []int
	// Probes are the probe counts to measure; empty means 4 to 64. NoIVF
	// measures no partitions at all (training them takes minutes at 1M).
	Probes []int
	NoIVF  bool
	// Candidates are the sketch candidate counts to measure (sketch.go);
	// empty means 500 to 8,000. The calibrated count is added.
	Candidates []int
	// Embedder embeds the synthetic passages; nil means the local one.
	Embedder Embedder
	// TopicFree also measures the topic-free SyntheticCorpus (the worst
	// case for partitions) beside SyntheticTopicalCorpus.
	TopicFree bool
	// CacheDir, if set, keeps the embedded vectors of each corpus in a
	// persisted index under it (bench_cache.go), so a second run embeds
	// nothing: for a slow embedder such as MiniLM.
	CacheDir string
	// Queries is how many queries each figure is measured over; ≤ 0 means
	// benchQueries (at 1M passages the exact scan takes seconds a query).
	Queries int
	// PrepareOnly fills CacheDir and measures nothing (a one-off job to
	// run beforehand, at low priority).
	PrepareOnly bool
	// Corpus, if set, is measured instead of the synthetic corpora (Sizes
	// and TopicFree are then ignored): real text, such as an operator's own
	// articles, is what shows whether an embedder's vectors cluster.
	// CorpusName names it in the output and in CacheDir.
	Corpus     *corpus.Corpus
	CorpusName string
}

// BenchANN measures the partitioned dense store against chromem-go's exact
// scan over a synthetic corpus of each size, in the same run: the index
// build (k-means included), then for the exact scan, the default layout
// (when it is exact shards) and each probe count the dense query's p50/p95
// and CPU time and its recall@10 and @50 against the exact ranking, and the
// hybrid search's p50/p95, CPU time and time in the embedder with that
// dense side; then the
// time to take in one changed article and a no-op update (in memory, no
// save), and the heap in use.
func BenchANN(ctx context.Context, opts BenchANNOptions, w io.Writer) error {
	if len(opts.Sizes) == 0 {
		opts.Sizes = []int{10000, 100000}
	}
	if len(opts.Candidates) == 0 {
		opts.Candidates = []int{500, 1000, 2000, 4000, 8000}
	}
	if len(opts.Probes) == 0 {
		opts.Probes = []int{4, 8, 16, 24, 32, 64}
	}
	for _, n := range opts.Sizes {
		if n <= 0 {
			return fmt.Errorf("bench: size %d must be positive", n)
		}
	}
	for _, p := range opts.Probes {
		if p <= 0 {
			return fmt.Errorf("bench: probe count %d must be positive", p)
		}
	}
	probes := opts.Probes
	if opts.NoIVF {
		probes = nil
	}
	emb := opts.Embedder
	if emb == nil {
		emb = NewLocalEmbedder(0)
	}
	if opts.PrepareOnly && opts.CacheDir == "" {
		return errors.New("bench: preparing the vector cache needs a cache directory")
	}
	type synthetic struct {
		kind string
		c    func() (*corpus.Corpus, []int) // and each passage's topic
	}
	sizes := opts.Sizes
	if opts.Corpus != nil {
		sizes = []int{len(opts.Corpus.Passages)}
	}
	for _, n := range sizes {
		corpora := []synthetic{{"topical", func() (*corpus.Corpus, []int) { return syntheticTopical(n, 42) }}}
		switch {
		case opts.Corpus != nil:
			name := cmp.Or(opts.CorpusName, "corpus")
			corpora = []synthetic{{name, func() (*corpus.Corpus, []int) { return opts.Corpus, nil }}}
		case opts.TopicFree:
			corpora = append(corpora, synthetic{"topic-free", func() (*corpus.Corpus, []int) { return SyntheticCorpus(n, 42), nil }})
		}
		for _, cp := range corpora {
			c, topics := cp.c()
			e, embedded := emb, -1
			if opts.CacheDir != "" {
				var err error
				if e, embedded, err = cachedVectors(ctx, c, cp.kind, opts.CacheDir, emb, benchCacheStep, w); err != nil {
					return err
				}
			}
			if opts.PrepareOnly {
				continue
			}
			if err := benchANNSize(ctx, cp.kind, c, topics, probes, opts.Candidates, e, embedded, opts.Queries, w); err != nil {
				return err
			}
		}
	}
	return nil
}

const annFormat = "  %-30v %10v %10v %10v %9v %9v %11v %11v %11v %10v\n"

// hybridTimes are one pass of the bench queries through Search.
type hybridTimes struct {
	wall, model []time.Duration
	cpu         string
}

// cells are the hybrid columns: wall p50 and p95, CPU per query, and the
// p50 of the time spent in the embedder (a query's vector and, with a
// semantic model, its candidates' sentences).
func (h hybridTimes) cells() []any {
	return []any{fmtDur(pct(h.wall, 50)), fmtDur(pct(h.wall, 95)), h.cpu, fmtDur(pct(h.model, 50))}
}

// clear forgets every cached analysis (the bench's passes over the same
// snapshot; nothing may search meanwhile).
func (d *derivedCache) clear() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.an, d.ctx, d.sv = nil, nil, nil
}

// timedEmbedder adds up the wall time spent in the wrapped embedder.
type timedEmbedder struct {
	Embedder
	ns atomic.Int64
}

func (e *timedEmbedder) spent() time.Duration { return time.Duration(e.ns.Load()) }

func (e *timedEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	defer e.add(time.Now())
	return e.Embedder.EmbedDocuments(ctx, texts)
}

func (e *timedEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	defer e.add(time.Now())
	return e.Embedder.EmbedQuery(ctx, text)
}

func (e *timedEmbedder) add(t0 time.Time) { e.ns.Add(int64(time.Since(t0))) }

// cpuPer formats the CPU time per query since c0 (n queries), or "-".
func cpuPer(c0 time.Duration, n int) string {
	c1, ok := cpuTime()
	if !ok || n == 0 {
		return "-"
	}
	return fmtDur((c1 - c0) / time.Duration(n))
}

// benchANNSize measures one corpus size and writes its block.
// embedded ≥ 0 means emb serves the passages from the vector cache, after
// embedding that many.
func benchANNSize(ctx context.Context, kind string, c *corpus.Corpus, topics []int, probes, cands []int, emb Embedder, embedded, nq int, w io.Writer) error {
	n := len(c.Passages)
	model := &timedEmbedder{Embedder: emb}
	start := time.Now()
	ix, err := NewIndex(ctx, c, Options{Embedder: model})
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	build := time.Since(start)
	// The bench swaps layouts and probe counts below: no retrain may run.
	ix.retrainer.wait()
	s := ix.snap.Load()
	l := s.store.layout.Load()
	texts := make([]string, len(c.Passages))
	for i, p := range c.Passages {
		texts[i] = p.Text
	}
	if nq <= 0 {
		nq = benchQueries
	}
	queries := benchQueryTexts(texts, nq, 7)
	vecs := make([][]float32, len(queries))
	for i, q := range queries {
		if vecs[i], err = ix.emb.EmbedQuery(ctx, q); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	// The exact scan: one chromem-go collection over the same vectors.
	exact, err := buildStore(ctx, emb, storeDocs(s), nil, nil, storeConfig{MinPartitioned: n + 1, single: true})
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	truth := make([][]string, len(vecs))
	var exactTimes []time.Duration
	exactCPU, _ := cpuTime()
	for i, v := range vecs {
		t0 := time.Now()
		hits, err := exact.query(ctx, v, candDepth, nil)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		exactTimes = append(exactTimes, time.Since(t0))
		truth[i] = hitIDs(hits)
	}
	exactCPUPer := cpuPer(exactCPU, len(vecs))
	// hybrid runs every query through Search: wall times, the model's share
	// of each (query and sentence embeddings, which no store choice
	// changes) and CPU time per query.
	hybrid := func() (hybridTimes, error) {
		var h hybridTimes
		// Every pass starts cold: what an earlier pass analyzed and
		// embedded for the same queries must not make this one look fast.
		s.derived.clear()
		c0, _ := cpuTime()
		for _, q := range queries {
			m0 := model.spent()
			t0 := time.Now()
			if _, err := ix.Search(ctx, Query{Text: q}); err != nil {
				return h, fmt.Errorf("bench: %w", err)
			}
			h.wall = append(h.wall, time.Since(t0))
			h.model = append(h.model, model.spent()-m0)
		}
		h.cpu = cpuPer(c0, len(queries))
		return h, nil
	}
	var partitions string
	switch {
	case l.cents != nil:
		partitions = fmt.Sprintf("default: %d partitions, imbalance %.2f, %d probes calibrated (scanning %.0f%%)",
			len(l.parts), l.imbalance(), l.probes, 100*l.scanShare)
	case l.sk != nil:
		partitions = fmt.Sprintf("default: exact shards with a sketch, %d candidates calibrated (recall@50 %.3f on the calibration queries)",
			l.candidates, l.candRecall)
	case l.triedN > 0:
		partitions = fmt.Sprintf("default: exact, partitions did not pay (recall@50 %.2f took %d probes, %.0f%% of passages)",
			calibRecall, l.probes, 100*l.scanShare)
	default:
		partitions = "default: exact, below the partitioning threshold"
	}
	buildNote := ""
	if embedded >= 0 {
		buildNote = " (vectors from the cache, not embedding)"
	}
	label := kind + " synthetic corpus"
	if kind != "topical" && kind != "topic-free" {
		label = "corpus " + kind
	}
	fmt.Fprintf(w, "%d passages, %s (%s, %d dims): build %v%s; %s\n", n, label, emb.Name(), len(s.vecs[0]),
		build.Round(time.Millisecond), buildNote, partitions)
	if topics != nil {
		fmt.Fprintf(w, "  %s\n", checkTopics(s.vecs, topics, c.Passages))
	}
	fmt.Fprintf(w, annFormat, "dense side", "dense p50", "dense p95", "dense cpu", "recall@10", "recall@50",
		"hybrid p50", "hybrid p95", "hybrid cpu", "model p50")

	// Each dense side in turn serves the hybrid search: the live store's
	// layout and probe count are swapped for the measurement (the bench is
	// the only user of this index).
	own, ownCfg := l, s.store.cfg
	defer func() { s.store.layout.Store(own); s.store.cfg = ownCfg }()
	s.store.layout.Store(exact.layout.Load())
	hyb, err := hybrid()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, annFormat, append([]any{"chromem-go exact scan", fmtDur(pct(exactTimes, 50)), fmtDur(pct(exactTimes, 95)),
		exactCPUPer, "1", "1"}, hyb.cells()...)...)
	exact = nil
	// row measures one dense side (a layout, with p probes when
	// partitioned, or p candidates when it has a sketch) and the hybrid
	// search over it, and prints the row.
	row := func(name string, dl *storeLayout, p int) error {
		s.store.layout.Store(dl)
		var ds []time.Duration
		var r10, r50 float64
		c0, _ := cpuTime()
		for i, v := range vecs {
			t0 := time.Now()
			hits, err := s.store.query(ctx, v, candDepth, nil)
			if err != nil {
				return fmt.Errorf("bench: %w", err)
			}
			ds = append(ds, time.Since(t0))
			got := hitIDs(hits)
			r10 += recallAt(truth[i], got, 10)
			r50 += recallAt(truth[i], got, 50)
		}
		cpu := cpuPer(c0, len(vecs))
		hyb, err := hybrid()
		if err != nil {
			return err
		}
		fmt.Fprintf(w, annFormat, append([]any{name, fmtDur(pct(ds, 50)), fmtDur(pct(ds, 95)), cpu,
			fmt.Sprintf("%.3f", r10/float64(len(vecs))), fmt.Sprintf("%.3f", r50/float64(len(vecs)))}, hyb.cells()...)...)
		return nil
	}
	if l.cents == nil && len(l.parts) > 1 {
		// The default's own exact layout, shards by article, without the
		// sketch.
		plain := *l
		plain.sk = nil
		name := fmt.Sprintf("exact, %d shards", len(l.parts))
		if l.sk == nil {
			name = "default: " + name
		}
		if err := row(name, &plain, 1); err != nil {
			return err
		}
	}
	skL := l
	if l.sk == nil && l.cents == nil && n >= 1000 {
		// Measure a sketch even where the default has none.
		cfg := ix.storeConfigFor(s)
		cfg.MinPartitioned, cfg.Probes, cfg.Candidates, cfg.Calibration = 1, 0, 0, ix.calibrationFor(s)
		forced, err := buildStore(ctx, emb, storeDocs(s), nil, nil, cfg)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		skL = forced.layout.Load()
		fmt.Fprintf(w, "  (a sketch anyway for comparison: %d candidates calibrated, recall@50 %.3f on the calibration queries)\n",
			skL.candidates, skL.candRecall)
	}
	// rows measures dl with each of counts and the calibrated count,
	// set applying one to the store's configuration; format names a row.
	rows := func(format string, dl *storeLayout, counts []int, calibrated, limit int, set func(int)) error {
		counts = slices.Clone(counts)
		if calibrated > 0 && !slices.Contains(counts, calibrated) {
			counts = append(counts, calibrated)
		}
		slices.Sort(counts)
		for _, c := range counts {
			if c > limit {
				continue
			}
			name := fmt.Sprintf(format, c)
			if c == calibrated {
				name += " (calibrated)"
				if dl == l {
					name = "default: " + fmt.Sprintf(format, c)
				}
			}
			set(c)
			if err := row(name, dl, c); err != nil {
				return err
			}
		}
		return nil
	}
	if skL.sk != nil {
		if err := rows("sketch, %d candidates", skL, cands, skL.candidates, n, func(c int) { s.store.cfg.Candidates = c }); err != nil {
			return err
		}
		s.store.cfg.Candidates = ownCfg.Candidates
	}
	skL = nil
	ivfL := l
	if l.cents == nil && n >= 1000 && len(probes) > 0 {
		// Measure partitions even where the default stays exact.
		cfg := ix.storeConfigFor(s)
		cfg.MinPartitioned, cfg.Probes, cfg.Calibration = 1, 1, ix.calibrationFor(s)
		cfg.Candidates = 0
		forced, err := buildStore(ctx, emb, storeDocs(s), nil, nil, cfg)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		ivfL = forced.layout.Load()
		fmt.Fprintf(w, "  (partitioned anyway for comparison: %d partitions, imbalance %.2f, %d probes calibrated, scanning %.0f%%)\n",
			len(ivfL.parts), ivfL.imbalance(), ivfL.probes, 100*ivfL.scanShare)
	}
	if ivfL.cents != nil {
		if err := rows("ivf, %d probes", ivfL, probes, ivfL.probes, len(ivfL.parts), func(p int) { s.store.cfg.Probes = p }); err != nil {
			return err
		}
	}
	s.store.layout.Store(own)
	s.store.cfg = ownCfg
	ivfL = nil

	// One changed article, then nothing changed, in memory.
	edited := &corpus.Corpus{Articles: c.Articles, Passages: slices.Clone(c.Passages)}
	doc := edited.Passages[len(edited.Passages)/2].DocID
	for i := range edited.Passages {
		if edited.Passages[i].DocID == doc {
			edited.Passages[i].Text += " A correction was appended."
		}
	}
	start = time.Now()
	st, err := ix.Update(ctx, edited)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	changed := time.Since(start)
	rebuiltParts := rebuilt(l, ix.snap.Load().store.layout.Load())
	// A reload of the same files: an equal corpus, not the same value.
	same := &corpus.Corpus{Articles: edited.Articles, Passages: slices.Clone(edited.Passages)}
	start = time.Now()
	if _, err := ix.Update(ctx, same); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	noop := time.Since(start)
	ix.retrainer.wait()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(ix)
	fmt.Fprintf(w, "  one article changed: %v (embedded %d, %d of %d partitions rebuilt); no-op update %v; heap %.0f MiB\n\n",
		changed.Round(time.Millisecond), st.Embedded, rebuiltParts, len(l.parts), fmtDur(noop),
		float64(ms.HeapInuse)/(1<<20))
	return nil
}

// benchQueryTexts draws n short queries (six consecutive words of a random
// passage) from texts, seeded.
func benchQueryTexts(texts []string, n int, seed int64) []string {
	rng := rand.New(rand.NewSource(seed))
	queries := make([]string, n)
	for i := range queries {
		words := strings.Fields(texts[rng.Intn(len(texts))])
		k := rng.Intn(max(1, len(words)-6))
		queries[i] = strings.Join(words[k:k+min(6, len(words)-k)], " ")
	}
	return queries
}

// recallAt returns the share of truth's first k ids found among got's
// first k.
func recallAt(truth, got []string, k int) float64 {
	truth, got = truth[:min(k, len(truth))], got[:min(k, len(got))]
	if len(truth) == 0 {
		return 1
	}
	found := 0
	for _, id := range truth {
		if slices.Contains(got, id) {
			found++
		}
	}
	return float64(found) / float64(len(truth))
}

// SyntheticTopicalCorpus is SyntheticCorpus with topics, as news has: each
// article is about one of max(20, n/500) topics, and about 40% of its
// words come from that topic's own 150 words and 20 names, the rest from
// the shared Zipf vocabulary. Vectors of such text cluster by topic, as
// vectors of real articles do; the topic-free SyntheticCorpus is the worst
// case for a partitioned index. The same n and seed give the same corpus.
func SyntheticTopicalCorpus(n int, seed int64) *corpus.Corpus {
	c, _ := syntheticTopical(n, seed)
	return c
}

// syntheticTopical is SyntheticTopicalCorpus and each passage's topic.
func syntheticTopical(n int, seed int64) (*corpus.Corpus, []int) {
	rng := rand.New(rand.NewSource(seed))
	vocab := syntheticWords(rng, 20000, 2, 4)
	names := syntheticWords(rng, 2000, 2, 3)
	for i, nm := range names {
		names[i] = strings.ToUpper(nm[:1]) + nm[1:]
	}
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))
	type topic struct{ words, names []string }
	topics := make([]topic, max(20, n/500))
	for t := range topics {
		for range 150 {
			topics[t].words = append(topics[t].words, vocab[1000+rng.Intn(len(vocab)-1000)])
		}
		for range 20 {
			topics[t].names = append(topics[t].names, names[rng.Intn(len(names))])
		}
	}
	sources := []string{"Wire One", "The Daily Ledger", "Global Post", "Evening Standard-Bearer", "Metro Times"}
	c := &corpus.Corpus{}
	var art *corpus.Article
	var tp topic
	var t int
	var topicOf []int // by passage
	for i := 0; i < n; i++ {
		if i%10 == 0 {
			art = &corpus.Article{ID: fmt.Sprintf("top%06d", i/10), Source: sources[(i/10)%len(sources)],
				Title: fmt.Sprintf("Synthetic topical article %d", i/10), Published: "2024-01-01"}
			c.Articles = append(c.Articles, art)
			t = rng.Intn(len(topics))
			tp = topics[t]
		}
		topicOf = append(topicOf, t)
		addSyntheticPassage(c, art, syntheticText(rng, func() string {
			var word string
			switch r := rng.Intn(100); {
			case r < 35:
				// Within a topic, a few words dominate too.
				word = tp.words[rng.Intn(1+rng.Intn(len(tp.words)))]
			case r < 42:
				word = tp.names[rng.Intn(len(tp.names))]
			default:
				word = vocab[zipf.Uint64()]
			}
			return word
		}))
	}
	return c, topicOf
}
