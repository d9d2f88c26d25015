package retrieval

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"citebot/corpus"
)

// Options configures an Index. The zero value is usable.
type Options struct {
	// Embedder computes the dense vectors; nil means NewLocalEmbedder(0).
	Embedder Embedder
	// Logger receives index and degraded-search events; nil discards them.
	Logger *slog.Logger
	// Calibration is the model of the answer confidence (see
	// ReadCalibration); nil means DefaultCalibration for the embedder.
	Calibration *Calibration
	// AbstainThreshold is the answer confidence below which Search
	// abstains; ≤ 0 means the calibration's own threshold.
	AbstainThreshold float64
	// EmbedBatch is how many passages go to one EmbedDocuments call
	// (progress and cancellation granularity); ≤ 0 means 256.
	EmbedBatch int
	// Path is the directory the index persists to (CITEBOT_INDEX); "" or
	// "off" keeps it in memory only. See persist.go.
	Path string
	// RetryInterval is how often Run retries what a degraded start could
	// not do (embed passages, save); ≤ 0 means DefaultRetryInterval.
	RetryInterval time.Duration
	// LockTimeout bounds the wait for another process's lock on Path (a
	// concurrent `citebot index`); ≤ 0 means DefaultLockTimeout.
	LockTimeout time.Duration
	// Progress, if set, is called after each embedded batch with the
	// passages embedded so far and the total to embed (see NewProgressPrinter).
	Progress func(done, total int)
	// QueryEmbedTimeout bounds embedding a query, so Search falls back to
	// BM25 quickly when the embedding server is down; 0 means 3s, < 0 none.
	QueryEmbedTimeout time.Duration
	// NoLateInteraction skips re-scoring the first candidates by their word
	// pieces (tokensim.go) when the embedder could: one encoder pass less a
	// query, for a less accurate first answer (CITEBOT_LATE_INTERACTION).
	NoLateInteraction bool
	// ANNCandidates is, once the index is past ANNMinPassages, how many
	// passages a dense query re-scores exactly, the best by their vectors'
	// bit sketches (CITEBOT_ANN_CANDIDATES): more is slower and closer to
	// the exact scan; ≤ 0 means calibrated per index for recall@50 ≥ 0.99
	// of the exact ranking (see store.go).
	ANNCandidates int
	// ANNProbes, when > 0, makes the store past ANNMinPassages k-means
	// partitions instead, of which a dense query scans this many
	// (CITEBOT_ANN_PROBES): more is slower and closer to the exact scan.
	ANNProbes int
	// ANNMinPassages is the size from which the dense store is sharded and
	// sketched (CITEBOT_ANN_MIN_PASSAGES); ≤ 0 means 5,000, below which
	// the exact scan takes a few milliseconds.
	ANNMinPassages int

	// annTrained is called whenever centroids are trained (tests).
	annTrained func()
	// segSize, if set, replaces the mean segment size (tests).
	segSize int
}

// Index answers queries over a corpus with hybrid retrieval. It is safe for
// concurrent use: queries read an immutable snapshot, and Update builds a new
// snapshot aside and swaps it in atomically, so a query in flight finishes on
// the snapshot it started with.
type Index struct {
	emb       Embedder
	log       *slog.Logger
	an        *analyzer
	batch     int
	threshold float64
	calib     *Calibration
	// calibLex and thresholdLex decide when there is no query vector.
	calibLex     *Calibration
	thresholdLex float64
	snap         atomic.Pointer[snapshot]
	updateMu     sync.Mutex // one Update at a time
	progress     func(done, total int)
	// spare holds vectors embedded by builds that failed part-way, by
	// content hash, so a retry does not embed them again (under updateMu).
	spare map[string][]float32
	per   *persister // nil when memory-only
	last  atomic.Pointer[UpdateStats]
	// saveErr is the last failed save (Health); retryEvery paces Run.
	saveErr    atomic.Pointer[error]
	retryEvery time.Duration
	// remote is set when the passages live in a Backend (NewRemoteIndex);
	// snap is then unused.
	remote *remote
	// storeCfg and retrainer configure and rebalance the dense store
	// (store.go, retrain.go).
	storeCfg  storeConfig
	retrainer retrainer
	segSize   int // mean passages per new segment (segments.go)
	// noTokens turns late interaction off (Options.NoLateInteraction).
	noTokens bool
}

// UpdateStats reports what an Update (or NewIndex) did. Added, Changed,
// Removed and Kept count passages by id against the previous snapshot;
// Embedded counts vectors actually computed (content already seen under
// another id is reused too).
type UpdateStats struct {
	Added, Changed, Removed, Kept int
	Embedded                      int
	Duration                      time.Duration
	// Unchanged is set when the corpus equalled the live snapshot's and
	// nothing was rebuilt (every passage counts as Kept).
	Unchanged bool
}

// snapshot is one immutable generation of the index. Nothing in it is
// modified after it is published.
type snapshot struct {
	corpus   *corpus.Corpus
	passages []corpus.Passage
	articles []*corpus.Article // by passage index
	byID     map[string]int    // passage id → index
	source   []string          // lowercased publisher by passage index
	hashes   []string          // content hash by passage index
	vecs     [][]float32       // dense vector by passage index
	// segDocs lists each segment's passage indexes (segments.go).
	segDocs [][]int32
	vocab   *vocabulary
	bm25    *bm25Index
	store   *store
	// terms is set on a seed loaded from disk only: persisted analyzed
	// terms, so a restart need not tokenize unchanged passages.
	terms *termTable
	// ivf is set on a seed loaded from disk only: the persisted partition
	// layout of the dense store (ivffile.go), so a restart trains nothing.
	ivf *storeSeed
	// derived caches per-passage analyses searches computed (see
	// analysis.go); the only mutable part, and only ever added to.
	derived derivedCache
	// missing counts passages without a vector (nil in vecs): the
	// embedding server failed while nothing better was live, so they are
	// found by BM25 only until a retry embeds them (Index.Run). embedErr
	// is that failure.
	missing  int
	embedErr error
	// prevText, set only in a remote index's per-query snapshot, is the
	// text before each passage as its record carries it (see remote.go).
	prevText []string
}

// NewIndex embeds and indexes every passage of c.
func NewIndex(ctx context.Context, c *corpus.Corpus, opts Options) (*Index, error) {
	if c == nil {
		return nil, errors.New("retrieval: nil corpus")
	}
	ix := &Index{emb: opts.Embedder, log: opts.Logger, an: newAnalyzer(), batch: opts.EmbedBatch}
	if ix.emb == nil {
		ix.emb = NewLocalEmbedder(0)
	}
	if ix.log == nil {
		ix.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ix.setAbstention(opts.Calibration, opts.AbstainThreshold)
	if ix.batch <= 0 {
		ix.batch = 256
	}
	ix.progress = opts.Progress
	ix.segSize = cmp.Or(opts.segSize, segSize)
	ix.storeCfg = storeConfig{Probes: opts.ANNProbes, Candidates: opts.ANNCandidates, MinPartitioned: opts.ANNMinPassages,
		trained: opts.annTrained}
	ix.emb = withQueryTimeout(ix.emb, opts.QueryEmbedTimeout)
	ix.noTokens = opts.NoLateInteraction
	ix.per = newPersister(opts.Path)
	ix.retryEvery = opts.RetryInterval
	if ix.retryEvery <= 0 {
		ix.retryEvery = DefaultRetryInterval
	}
	if ix.per != nil && opts.LockTimeout > 0 {
		ix.per.lockWait = opts.LockTimeout
	}
	if err := ix.start(ctx, c); err != nil {
		return nil, err
	}
	return ix, nil
}

// Update replaces the corpus. Passages whose content hash is unchanged keep
// their vectors; only new or changed content is embedded. The new snapshot
// (vector store, BM25, passage table) is built aside and swapped in
// atomically; on error the current snapshot stays in place.
func (ix *Index) Update(ctx context.Context, c *corpus.Corpus) (UpdateStats, error) {
	if ix.remote != nil {
		return UpdateStats{}, errRemoteWrite
	}
	if c == nil {
		return UpdateStats{}, errors.New("retrieval: nil corpus")
	}
	start := time.Now()
	// A reload of unchanged files (an fsnotify event for a file saved
	// as it was, the first rescan after start) rebuilds nothing: at 100k
	// passages a rebuild costs ~1.5 s of CPU and doubles the heap for a
	// while. The check needs no lock (snapshots are immutable), so it does
	// not wait for a background retraining either. The very corpus value
	// the snapshot holds may have been edited in place: that rebuilds.
	if prev := ix.snap.Load(); prev != nil && prev.missing == 0 && prev.corpus != c && prev.corpus.Equal(c) {
		ix.log.Debug("corpus unchanged; index not rebuilt", "passages", len(prev.passages))
		st := UpdateStats{Kept: len(prev.passages), Unchanged: true, Duration: time.Since(start)}
		ix.last.Store(&st)
		return st, nil
	}
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	prev := ix.snap.Load()
	return ix.updateFrom(ctx, c, prev)
}

// updateFrom builds a snapshot of c reusing prev's vectors, publishes it and
// persists it when a path is set. prev may be a seed loaded from disk that is
// never published. The caller holds updateMu.
func (ix *Index) updateFrom(ctx context.Context, c *corpus.Corpus, prev *snapshot) (UpdateStats, error) {
	start := time.Now()
	s, st, err := ix.build(ctx, c, prev)
	if err != nil {
		return UpdateStats{}, err
	}
	ix.snap.Store(s)
	ix.spare = nil
	st.Duration = time.Since(start)
	ix.log.Info("index updated", "passages", len(s.passages), "added", st.Added, "changed", st.Changed,
		"removed", st.Removed, "kept", st.Kept, "embedded", st.Embedded, "duration", st.Duration)
	if s.missing > 0 {
		ix.log.Warn("embedding failed: serving from memory, passages without a vector found by BM25 only; retrying later",
			"without_vector", s.missing, "passages", len(s.passages), "error", s.embedErr)
	}
	ix.published(ctx, s, st)
	ix.retrainer.check(ix, s)
	return st, nil
}

// build makes a new snapshot of c, reusing prev's vectors by content hash.
func (ix *Index) build(ctx context.Context, c *corpus.Corpus, prev *snapshot) (*snapshot, UpdateStats, error) {
	var st UpdateStats
	n := len(c.Passages)
	s := &snapshot{
		corpus: c, passages: c.Passages,
		articles: make([]*corpus.Article, n),
		source:   make([]string, n), hashes: make([]string, n), vecs: make([][]float32, n),
	}
	type articleInfo struct {
		a      *corpus.Article
		source string // lowercased once per article, not per passage
	}
	arts := make(map[string]articleInfo, len(c.Articles))
	for _, a := range c.Articles {
		if a != nil {
			arts[a.ID] = articleInfo{a, strings.ToLower(a.Source)}
		}
	}
	var todo []int // passages whose content must be embedded
	pending := map[string]bool{}
	var prevByContent map[string][]float32 // built the first time an id misses
	// Hashing every passage's text again took ~0.2 s at 100k passages, so
	// a passage whose text and section equal its previous version's takes
	// that hash; not when the passages are the previous ones edited in
	// place (then the comparison would see the new text on both sides).
	prevTexts := prev != nil && len(prev.passages) > 0 && len(c.Passages) > 0 && &prev.passages[0] != &c.Passages[0]
	// samePlace stays true while every passage has the id its index had in
	// prev: then prev's id map serves s as it is.
	samePlace := prevTexts && len(prev.passages) == n
	next := 0 // where p is likely in prev.passages: after the last found
	var ai articleInfo
	for i := range c.Passages {
		p := &c.Passages[i]
		if p.ID == "" {
			return nil, st, fmt.Errorf("retrieval: passage %d of %q has no id", i, p.DocID)
		}
		if i == 0 || p.DocID != c.Passages[i-1].DocID {
			var ok bool
			if ai, ok = arts[p.DocID]; !ok {
				// A passage without its article still searches; cite what we know.
				ai = articleInfo{a: &corpus.Article{ID: p.DocID}}
				arts[p.DocID] = ai
			}
		}
		s.articles[i] = ai.a
		s.source[i] = ai.source
		j, known := -1, false
		if prevTexts && next < len(prev.passages) && prev.passages[next].ID == p.ID {
			j, known = next, true
		} else if prev != nil {
			j, known = prev.byID[p.ID]
		}
		if known {
			next = j + 1
		}
		samePlace = samePlace && known && j == i
		if known && prevTexts && prev.passages[j].Text == p.Text && prev.passages[j].Section == p.Section {
			s.hashes[i] = prev.hashes[j]
		} else {
			s.hashes[i] = p.Hash()
		}
		if prev != nil {
			switch {
			case !known:
				st.Added++
			case prev.hashes[j] == s.hashes[i]:
				st.Kept++
			default:
				st.Changed++
			}
			if known && prev.hashes[j] == s.hashes[i] && prev.vecs[j] != nil {
				s.vecs[i] = prev.vecs[j]
				continue
			}
			if prevByContent == nil {
				prevByContent = prev.vectorsByContent()
			}
			if v, ok := prevByContent[s.hashes[i]]; ok {
				s.vecs[i] = v
				continue
			}
		} else {
			st.Added++
		}
		if v, ok := ix.spare[s.hashes[i]]; ok {
			s.vecs[i] = v
			continue
		}
		if !pending[s.hashes[i]] {
			pending[s.hashes[i]] = true
			todo = append(todo, i)
		}
	}
	if samePlace {
		s.byID = prev.byID // the same ids at the same indexes
	} else {
		s.byID = make(map[string]int, n)
		for i := range c.Passages {
			if s.byID[c.Passages[i].ID] = i; len(s.byID) != i+1 {
				return nil, st, fmt.Errorf("retrieval: duplicate passage id %q", c.Passages[i].ID)
			}
		}
	}
	if prev != nil && st.Kept+st.Changed != len(prev.byID) {
		for id := range prev.byID {
			if _, ok := s.byID[id]; !ok {
				st.Removed++
			}
		}
	}
	if err := ix.embedAll(ctx, s, todo); err != nil {
		ix.keepProgress(ctx, s, todo)
		// With nothing better live (start-up, or a live index that is
		// itself incomplete), serve what there is rather than nothing:
		// BM25 over every passage, the dense store over those with a
		// vector. Cancellation is not a failure to serve around.
		if !ix.mayDegrade() || ctx.Err() != nil {
			return nil, st, err
		}
		s.embedErr = err
	}
	// Passages sharing content with one just embedded take its vector.
	fresh := make(map[string][]float32, len(todo))
	for _, i := range todo {
		if s.vecs[i] != nil {
			fresh[s.hashes[i]] = s.vecs[i]
		}
	}
	first := -1 // a passage with a vector, for the dimension check
	for i := range s.vecs {
		if s.vecs[i] == nil {
			s.vecs[i] = fresh[s.hashes[i]]
		}
		if s.vecs[i] == nil {
			s.missing++
			continue
		}
		if first < 0 {
			first = i
		}
		// Reused and new vectors must agree, or the embedder changed
		// under the same name (a remote model swapped on the server).
		if len(s.vecs[i]) != len(s.vecs[first]) {
			return nil, st, fmt.Errorf("retrieval: %w: passage %s has %d dimensions, passage %s has %d",
				errMixedDims, s.passages[i].ID, len(s.vecs[i]), s.passages[first].ID, len(s.vecs[first]))
		}
	}
	st.Embedded = len(todo)
	if s.embedErr != nil {
		st.Embedded = 0
		for _, i := range todo {
			if s.vecs[i] != nil {
				st.Embedded++
			}
		}
		// A retry that embedded nothing changes nothing: keep the live
		// snapshot rather than rebuild BM25 and the store for nothing.
		if live := ix.snap.Load(); live != nil && live.corpus == c && st.Embedded == 0 {
			return nil, st, s.embedErr
		}
	}
	if err := ix.fill(ctx, s, prev); err != nil {
		return nil, st, err
	}
	return s, st, nil
}

// mayDegrade reports whether a build may publish a snapshot with passages
// lacking vectors: only when no complete snapshot is live. The caller holds
// updateMu.
func (ix *Index) mayDegrade() bool {
	live := ix.snap.Load()
	return live == nil || live.missing > 0
}

// passageText is what both sides index: the section heading carries topic
// words the paragraph itself may not repeat.
func passageText(p corpus.Passage) string {
	if p.Section == "" {
		return p.Text
	}
	return p.Section + "\n" + p.Text
}

// embedAll embeds the passages at todo in batches and records their vectors.
func (ix *Index) embedAll(ctx context.Context, s *snapshot, todo []int) error {
	if ix.progress != nil && len(todo) > 0 {
		ix.progress(0, len(todo))
	}
	for lo := 0; lo < len(todo); lo += ix.batch {
		hi := min(lo+ix.batch, len(todo))
		texts := make([]string, 0, hi-lo)
		for _, i := range todo[lo:hi] {
			texts = append(texts, passageText(s.passages[i]))
		}
		vecs, err := ix.emb.EmbedDocuments(ctx, texts)
		if err != nil {
			return fmt.Errorf("retrieval: embed passages %d-%d of %d: %w", lo, hi, len(todo), err)
		}
		if len(vecs) != len(texts) {
			return fmt.Errorf("retrieval: embedder %s returned %d vectors for %d texts", ix.emb.Name(), len(vecs), len(texts))
		}
		want := ix.emb.Dim()
		for k, i := range todo[lo:hi] {
			if want <= 0 {
				want = len(vecs[0])
			}
			if len(vecs[k]) == 0 || len(vecs[k]) != want {
				return fmt.Errorf("retrieval: embedder %s returned a vector of length %d for passage %s", ix.emb.Name(), len(vecs[k]), s.passages[i].ID)
			}
			s.vecs[i] = vecs[k]
		}
		if ix.progress != nil {
			ix.progress(hi, len(todo))
		}
	}
	return nil
}

// fill builds the vector store, the BM25 index and the vocabulary, reusing
// prev's analyzed terms for unchanged passages.
func (ix *Index) fill(ctx context.Context, s *snapshot, prev *snapshot) error {
	nseg := 0
	if prev != nil {
		nseg = len(prev.segDocs)
	}
	if err := segmentPassages(s, segmentCount(len(s.passages), nseg, ix.segSize)); err != nil {
		return err
	}
	docs := storeDocs(s)
	// The vector store fills while the passages are tokenized on every
	// core: at 100k passages tokenizing alone takes ~2s on one core, and a
	// restart from a persisted index should take less than that in all.
	added := make(chan error, 1)
	var st *store
	go func() {
		var err error
		st, err = buildStore(ctx, ix.emb, docs, prevStore(prev), seedFor(s, prev), ix.storeConfigFor(s))
		added <- err
	}()
	bm, extended := ix.buildBM25(s, prev)
	if extended && prev.vocab != nil && prev.vocab.dict == prev.bm25.dict {
		s.vocab = prev.vocab.extend(bm.dict, bm.dfs)
	} else {
		s.vocab = newDictVocabulary(bm.dict, bm.dfs)
	}
	if err := <-added; err != nil {
		return fmt.Errorf("retrieval: %w", err)
	}
	s.store = st
	s.bm25 = bm
	return nil
}

// vectorsByContent maps s's content hashes to their vectors.
func (s *snapshot) vectorsByContent() map[string][]float32 {
	m := make(map[string][]float32, len(s.hashes))
	for i, h := range s.hashes {
		if s.vecs[i] != nil {
			m[h] = s.vecs[i]
		}
	}
	return m
}

// allTerms tokenizes every passage for BM25, in parallel.
func (ix *Index) allTerms(ps []corpus.Passage) [][]string {
	terms := make([][]string, len(ps))
	const chunk = 256
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(ps) {
					return
				}
				for i := lo; i < min(lo+chunk, len(ps)); i++ {
					terms[i] = ix.an.terms(passageText(ps[i]))
				}
			}
		}()
	}
	wg.Wait()
	return terms
}

// Metadata keys stored with each vector, used as chromem-go filters.
const (
	metaDoc    = "doc_id"
	metaSource = "source"
)

// errRemoteWrite: a remote index is written by its Backend's writer.
var errRemoteWrite = errors.New("retrieval: a remote index is read-only (its backend is written by citebot index)")

// Len returns the number of indexed passages (for a remote index, as of the
// last statistics loaded; 0 before).
func (ix *Index) Len() int {
	if ix.remote != nil {
		if st := ix.remote.state.Load(); st != nil {
			return st.stats.Passages
		}
		return 0
	}
	return len(ix.snap.Load().passages)
}

// Embedder returns the embedder that computed the index's vectors.
func (ix *Index) Embedder() Embedder { return ix.emb }

// Articles lists the corpus articles in corpus order; treat as read-only.
// A remote index's articles carry metadata and the number of paragraphs
// only (Article has their text).
func (ix *Index) Articles() []*corpus.Article { return ix.corpus().Articles }

// Article returns one article by id.
func (ix *Index) Article(id string) (*corpus.Article, bool) {
	if ix.remote != nil {
		return ix.remoteArticle(id)
	}
	return ix.snap.Load().corpus.Article(id)
}

// Sources lists the distinct publishers in order of first appearance.
func (ix *Index) Sources() []string { return ix.corpus().Sources() }

// corpus is the current corpus, or a remote index's article list.
func (ix *Index) corpus() *corpus.Corpus {
	if ix.remote != nil {
		if st := ix.remote.state.Load(); st != nil {
			return st.corpus
		}
		return &corpus.Corpus{}
	}
	return ix.snap.Load().corpus
}
