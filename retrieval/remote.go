package retrieval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"citebot/corpus"
)

// remoteState is what a remote Index holds in memory: the Backend's
// published statistics, one immutable generation at a time.
type remoteState struct {
	gen    string
	stats  *Stats
	bm25   *bm25Index // statistics only
	vocab  *vocabulary
	corpus *corpus.Corpus // article metadata only: no paragraphs, no passages
	counts map[string]int
}

// remote is the part of an Index that talks to a Backend.
type remote struct {
	b     Backend
	state atomic.Pointer[remoteState]
	// health is nil while the backend answers, else its last error.
	health   atomic.Pointer[error]
	passages *lru[Record]
	articles *lru[*corpus.Article]
	refresh  time.Duration
	lookup   time.Duration
	hybrid   HybridBackend // set when the backend fuses hybrid searches
	onLoad   func(passages int)
}

// RemoteOptions configures NewRemoteIndex.
type RemoteOptions struct {
	// Embedder must be the one the backend's vectors were computed with;
	// nil means NewLocalEmbedder(0).
	Embedder Embedder
	// Logger receives availability changes; nil discards them.
	Logger *slog.Logger
	// Calibration, AbstainThreshold, QueryEmbedTimeout, NoLateInteraction:
	// as in Options.
	Calibration       *Calibration
	AbstainThreshold  float64
	QueryEmbedTimeout time.Duration
	NoLateInteraction bool
	// RefreshEvery is how often Run checks the backend for new statistics
	// and for its health; 0 means 2s.
	RefreshEvery time.Duration
	// CacheSize bounds the passages and articles kept for lookups
	// (/quote, the reader); 0 means 2048 passages and 256 articles.
	CacheSize int
	// LookupTimeout bounds the calls without a context of their own
	// (Passage, Suggest, Article); 0 means 2.5s.
	LookupTimeout time.Duration
	// OnLoad, if set, is called with the number of passages whenever new
	// statistics are loaded (metrics).
	OnLoad func(passages int)
	// BackendFusion makes hybrid searches use the backend's own fusion
	// (it must be a HybridBackend) instead of citebot's.
	BackendFusion bool
}

// NewRemoteIndex returns an Index answering from b. It loads b's statistics
// once; when that fails the Index still returns, unavailable (Available
// reports why, Search fails with ErrUnavailable) until Run or Refresh
// reaches the backend. Only the caller's ctx cancellation is an error.
func NewRemoteIndex(ctx context.Context, b Backend, opts RemoteOptions) (*Index, error) {
	if b == nil {
		return nil, errors.New("retrieval: nil backend")
	}
	ix := &Index{emb: opts.Embedder, log: opts.Logger, an: newAnalyzer()}
	if ix.emb == nil {
		ix.emb = NewLocalEmbedder(0)
	}
	if ix.log == nil {
		ix.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ix.setAbstention(opts.Calibration, opts.AbstainThreshold)
	ix.emb = withQueryTimeout(ix.emb, opts.QueryEmbedTimeout)
	ix.noTokens = opts.NoLateInteraction
	n := opts.CacheSize
	if n <= 0 {
		n = 2048
	}
	r := &remote{b: b, passages: newLRU[Record](n), articles: newLRU[*corpus.Article](max(1, n/8)),
		refresh: opts.RefreshEvery, lookup: opts.LookupTimeout, onLoad: opts.OnLoad}
	if r.refresh <= 0 {
		r.refresh = 2 * time.Second
	}
	if opts.BackendFusion {
		hb, ok := b.(HybridBackend)
		if !ok {
			return nil, errors.New("retrieval: BackendFusion needs a backend that fuses (HybridBackend)")
		}
		r.hybrid = hb
	}
	if r.lookup <= 0 {
		r.lookup = 2500 * time.Millisecond
	}
	ix.remote = r
	if err := ix.Refresh(ctx); err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return ix, nil
}

// Remote reports whether the Index answers from a Backend.
func (ix *Index) Remote() bool { return ix.remote != nil }

// Available returns nil when the index can answer, else why not (wrapping
// ErrUnavailable for a remote index that cannot reach its backend). An
// in-memory index is always available.
func (ix *Index) Available() error {
	if ix.remote == nil {
		return nil
	}
	if e := ix.remote.health.Load(); e != nil {
		return *e
	}
	if ix.remote.state.Load() == nil {
		return fmt.Errorf("retrieval: %w: statistics not loaded yet", ErrUnavailable)
	}
	return nil
}

// Refresh checks a remote index's backend: it records its health and, when
// the published generation changed, loads the new statistics and empties
// the lookup caches. It is a no-op for an in-memory index.
func (ix *Index) Refresh(ctx context.Context) error {
	r := ix.remote
	if r == nil {
		return nil
	}
	err := ix.refresh(ctx)
	if err != nil {
		if !errors.Is(err, ErrUnavailable) {
			err = fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		if r.health.Swap(&err) == nil {
			ix.log.Warn("index unavailable", "error", err)
		}
		return err
	}
	if r.health.Swap(nil) != nil {
		ix.log.Info("index available again")
	}
	return nil
}

func (ix *Index) refresh(ctx context.Context) error {
	r := ix.remote
	gen, err := r.b.Generation(ctx)
	if err != nil {
		return err
	}
	if cur := r.state.Load(); cur != nil && cur.gen == gen {
		return nil
	}
	st, err := r.b.Stats(ctx)
	if err != nil {
		return err
	}
	rs := &remoteState{gen: gen, stats: st, bm25: newBM25Stats(st), vocab: newVocabulary(append([]string(nil), st.Terms...)),
		corpus: &corpus.Corpus{}, counts: make(map[string]int, len(st.Articles))}
	for _, a := range st.Articles {
		rs.corpus.Articles = append(rs.corpus.Articles, &corpus.Article{ID: a.ID, Title: a.Title, Source: a.Source,
			Author: a.Author, Published: a.Published, URL: a.URL, Paragraphs: make([]corpus.Paragraph, a.Paragraphs)})
		rs.counts[a.ID] = a.Passages
	}
	// Only the count of paragraphs is known here; number them so nothing
	// mistakes them for the article's text (Article fetches that).
	for _, a := range rs.corpus.Articles {
		for i := range a.Paragraphs {
			a.Paragraphs[i].N = i + 1
		}
	}
	r.passages.clear()
	r.articles.clear()
	r.state.Store(rs)
	ix.log.Info("index statistics loaded", "generation", gen, "passages", st.Passages, "articles", len(st.Articles))
	if r.onLoad != nil {
		r.onLoad(st.Passages)
	}
	return nil
}

// Run refreshes a remote index every RefreshEvery until ctx ends. For a
// local index it retries, every Options.RetryInterval, what a degraded
// start could not do (see Health): embed the passages still without a
// vector, save the index.
func (ix *Index) Run(ctx context.Context) {
	if ix.remote == nil {
		ix.runLocal(ctx)
		return
	}
	t := time.NewTicker(ix.remote.refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			rctx, cancel := context.WithTimeout(ctx, 2*ix.remote.refresh+time.Second)
			_ = ix.Refresh(rctx)
			cancel()
		}
	}
}

// failed records a backend failure seen by a query, so readiness reflects
// it before the next refresh, and returns err wrapped in ErrUnavailable.
func (r *remote) failed(err error) error {
	if !errors.Is(err, ErrUnavailable) {
		err = fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if !errors.Is(err, context.Canceled) {
		r.health.Store(&err)
	}
	return fmt.Errorf("retrieval: %w", err)
}

func (r *remote) current() (*remoteState, error) {
	st := r.state.Load()
	if st == nil {
		if e := r.health.Load(); e != nil {
			return nil, fmt.Errorf("retrieval: %w", *e)
		}
		return nil, fmt.Errorf("retrieval: %w: statistics not loaded yet", ErrUnavailable)
	}
	return st, nil
}

// lexFetchFactor: the backend ranks by unweighted BM25; citebot re-scores
// with its term weights, so it fetches this many times the depth it keeps.
const lexFetchFactor = 2

// remoteRank is rank for a remote index (it also returns the query vector,
// nil without one): the backend's BM25 and dense
// rankings, re-scored and fused exactly as rank does, over a per-query
// snapshot holding only the candidates.
func (ix *Index) remoteRank(ctx context.Context, text string, conv []string, mode Mode, depth int, source, docID string) (*snapshot, queryTerms, convContext, []candidate, []float32, bool, error) {
	r := ix.remote
	st, err := r.current()
	if err != nil {
		return nil, queryTerms{}, convContext{}, nil, nil, false, err
	}
	s := &snapshot{bm25: st.bm25, vocab: st.vocab, byID: map[string]int{}}
	qt, cc := ix.withContext(s, ix.queryTerms(s, text), conv)
	f := Filter{Source: SourceKey(source), DocID: strings.TrimSpace(docID)}

	// The BM25 side re-scores its hits with citebot's weights and, as soon
	// as the query vector is known, asks for their cosines, while the dense
	// side runs: two round trips in sequence, not three.
	type lexHit struct {
		rec   Record
		score float64
	}
	var (
		lexHits []lexHit
		lexSims map[string]float64
		lexErr  error
		wg      sync.WaitGroup
	)
	vecCh := make(chan []float32, 1)
	fused := r.hybrid != nil && mode == Hybrid
	runLexical := func(vecs <-chan []float32) {
		recs, err := r.b.Lexical(ctx, uniqueTerms(qt.lex), lexFetchFactor*depth, f)
		if err != nil {
			lexErr = err
			return
		}
		for _, rec := range recs {
			if sc := st.bm25.scoreTerms(rec.Terms, qt.lex, qt.lexWeights); sc > 0 {
				lexHits = append(lexHits, lexHit{rec, sc})
			}
		}
		// Best first; ties by corpus order, as bm25Index.search breaks them.
		sort.Slice(lexHits, func(i, j int) bool {
			if lexHits[i].score != lexHits[j].score {
				return lexHits[i].score > lexHits[j].score
			}
			return lexHits[i].rec.Ord < lexHits[j].rec.Ord
		})
		lexHits = lexHits[:min(len(lexHits), depth)]
		if vec := <-vecs; vec != nil && len(lexHits) > 0 {
			ids := make([]string, len(lexHits))
			for i, h := range lexHits {
				ids[i] = h.rec.Passage.ID
			}
			lexSims, lexErr = r.b.Similarity(ctx, vec, ids)
		}
	}
	if mode != DenseOnly && len(qt.lex) > 0 && !fused {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runLexical(vecCh)
		}()
	}
	var (
		qvec     []float32
		denseRec []Record
		degraded bool
	)
	if mode != LexicalOnly {
		var err error
		qvec, err = ix.embedWithContext(ctx, text, cc)
		if err != nil {
			vecCh <- nil
			err = fmt.Errorf("retrieval: embed query with %s: %w", ix.emb.Name(), err)
			if mode == DenseOnly || ctx.Err() != nil {
				wg.Wait()
				return nil, qt, cc, nil, nil, false, err
			}
			ix.log.Warn("dense search failed; answering from BM25 alone", "err", err)
			degraded, qvec = true, nil
			if fused && len(qt.lex) > 0 {
				none := make(chan []float32, 1)
				none <- nil
				runLexical(none)
			}
		} else if fused {
			cands, err := ix.backendFused(ctx, s, st, qt, qvec, depth, f)
			return s, qt, cc, cands, qvec, false, err
		} else {
			vecCh <- qvec
			if denseRec, err = r.b.Dense(ctx, qvec, depth, f); err != nil {
				wg.Wait()
				return nil, qt, cc, nil, nil, false, r.failed(err)
			}
		}
	} else {
		vecCh <- nil
	}
	wg.Wait()
	if lexErr != nil {
		return nil, qt, cc, nil, nil, false, r.failed(lexErr)
	}

	// Passage indexes follow corpus order, as in the in-memory snapshot,
	// so every tie breaks the same way.
	recs := map[string]Record{}
	for _, rec := range denseRec {
		recs[rec.Passage.ID] = rec
	}
	for _, h := range lexHits {
		if _, ok := recs[h.rec.Passage.ID]; !ok {
			recs[h.rec.Passage.ID] = h.rec
		}
	}
	s.addRecords(recs)
	lex := make([]scored, len(lexHits))
	for i, h := range lexHits {
		lex[i] = scored{doc: s.byID[h.rec.Passage.ID], score: h.score}
	}
	dense := make([]scored, len(denseRec))
	inDense := make(map[int]bool, len(denseRec))
	for i, rec := range denseRec {
		dense[i] = scored{doc: s.byID[rec.Passage.ID], score: rec.Score}
		inDense[dense[i].doc] = true
	}
	cands := fuse(s, dense, lex, nil)
	if qvec != nil {
		// The cosine of lexical-only candidates, as rank computes it.
		for i := range cands {
			if !inDense[cands[i].doc] {
				cands[i].dense = lexSims[s.passages[cands[i].doc].ID]
			}
		}
	}
	return s, qt, cc, cands, qvec, degraded, nil
}

// backendFused ranks by the backend's own hybrid fusion; each candidate
// still carries citebot's BM25 score and the cosine, which the reranker and
// the confidence read.
func (ix *Index) backendFused(ctx context.Context, s *snapshot, st *remoteState, qt queryTerms, qvec []float32, depth int, f Filter) ([]candidate, error) {
	r := ix.remote
	recs, err := r.hybrid.Hybrid(ctx, uniqueTerms(qt.lex), qvec, depth, f)
	if err != nil {
		return nil, r.failed(err)
	}
	m := make(map[string]Record, len(recs))
	ids := make([]string, 0, len(recs))
	for _, rec := range recs {
		m[rec.Passage.ID] = rec
		ids = append(ids, rec.Passage.ID)
	}
	s.addRecords(m)
	sims, err := r.b.Similarity(ctx, qvec, ids)
	if err != nil {
		return nil, r.failed(err)
	}
	cands := make([]candidate, len(recs))
	for i, rec := range recs {
		cands[i] = candidate{doc: s.byID[rec.Passage.ID], score: rec.Score, dense: sims[rec.Passage.ID],
			lexical: st.bm25.scoreTerms(rec.Terms, qt.lex, qt.lexWeights)}
	}
	return cands, nil
}

func uniqueTerms(ts []string) []string {
	seen := make(map[string]bool, len(ts))
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// addRecords fills a per-query snapshot with recs, in corpus order: the
// passages, their articles (metadata and lead paragraph) and the text
// before each passage.
func (s *snapshot) addRecords(recs map[string]Record) {
	list := make([]Record, 0, len(recs))
	for _, r := range recs {
		list = append(list, r)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Ord < list[j].Ord })
	arts := map[string]*corpus.Article{}
	s.prevText = make([]string, 0, len(list))
	for _, r := range list {
		s.byID[r.Passage.ID] = len(s.passages)
		s.passages = append(s.passages, r.Passage)
		a := arts[r.Passage.DocID]
		if a == nil {
			a = r.article()
			arts[r.Passage.DocID] = a
		}
		s.articles = append(s.articles, a)
		s.source = append(s.source, SourceKey(r.Source))
		s.hashes = append(s.hashes, r.ContentHash)
		s.prevText = append(s.prevText, r.Previous)
	}
}

// article is the partial article a record carries: metadata and lead.
func (r Record) article() *corpus.Article {
	a := &corpus.Article{ID: r.Passage.DocID, Title: r.Title, Source: r.Source, Author: r.Author, Published: r.Published, URL: r.URL}
	if r.LeadN > 0 || r.Lead != "" {
		a.Paragraphs = []corpus.Paragraph{{N: r.LeadN, Text: r.Lead}}
	}
	return a
}

func (r Record) result(rank int) Result {
	return Result{Rank: rank, Passage: r.Passage, Article: r.article(), Excerpt: openingExcerpt(r.Passage.Text, splitSentences(r.Passage.Text))}
}

func (r *remote) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), r.lookup)
}

// remotePassage is Passage for a remote index.
func (ix *Index) remotePassage(id string) (Result, bool) {
	r := ix.remote
	if rec, ok := r.passages.get(id); ok {
		return rec.result(1), true
	}
	ctx, cancel := r.ctx()
	defer cancel()
	rec, ok, err := r.b.Passage(ctx, id)
	if err != nil {
		ix.log.Warn("passage lookup failed", "id", id, "error", r.failed(err))
		return Result{}, false
	}
	if !ok {
		return Result{}, false
	}
	r.passages.put(id, rec)
	return rec.result(1), true
}

// remoteSuggest is Suggest for a remote index: the same terms, BM25 in the
// backend, re-scored by citebot.
func (ix *Index) remoteSuggest(text string, n int) []Result {
	r := ix.remote
	st, err := r.current()
	if err != nil || n <= 0 {
		return nil
	}
	n = min(n, MaxK)
	ctx, cancel := r.ctx()
	defer cancel()
	text = strings.TrimSpace(text)
	if text == "" {
		recs, err := r.b.First(ctx, n)
		if err != nil {
			ix.log.Warn("suggest failed", "error", r.failed(err))
			return nil
		}
		out := make([]Result, len(recs))
		for i, rec := range recs {
			out[i] = rec.result(i + 1)
		}
		return out
	}
	terms := ix.suggestTerms(st.vocab, text)
	if len(terms) == 0 {
		return nil
	}
	recs, err := r.b.Lexical(ctx, uniqueTerms(terms), lexFetchFactor*n, Filter{})
	if err != nil {
		ix.log.Warn("suggest failed", "error", r.failed(err))
		return nil
	}
	s := &snapshot{bm25: st.bm25, vocab: st.vocab}
	qt := ix.queryTerms(s, text)
	type hit struct {
		rec   Record
		score float64
	}
	hits := make([]hit, 0, len(recs))
	for _, rec := range recs {
		if sc := st.bm25.scoreTerms(rec.Terms, terms, nil); sc > 0 {
			hits = append(hits, hit{rec, sc})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].score != hits[j].score {
			return hits[i].score > hits[j].score
		}
		return hits[i].rec.Ord < hits[j].rec.Ord
	})
	hits = hits[:min(len(hits), n)]
	out := make([]Result, len(hits))
	for i, h := range hits {
		p := h.rec.Passage
		out[i] = Result{Rank: i + 1, Passage: p, Article: h.rec.article(), Score: h.score, Lexical: h.score,
			Excerpt: pickExcerpt(p.Text, ix.analyzePassage("", p.Text), qt, nil)}
	}
	return out
}

// remoteArticle is Article for a remote index, through the bounded cache.
func (ix *Index) remoteArticle(id string) (*corpus.Article, bool) {
	r := ix.remote
	if a, ok := r.articles.get(id); ok {
		return a, true
	}
	ctx, cancel := r.ctx()
	defer cancel()
	a, ok, err := r.b.Article(ctx, id)
	if err != nil {
		ix.log.Warn("article lookup failed", "id", id, "error", r.failed(err))
		return nil, false
	}
	if !ok {
		return nil, false
	}
	r.articles.put(id, a)
	return a, true
}

// lru is a small least-recently-used cache, safe for concurrent use.
type lru[V any] struct {
	mu    sync.Mutex
	cap   int
	tick  uint64
	items map[string]*lruItem[V]
}

type lruItem[V any] struct {
	v    V
	used uint64
}

func newLRU[V any](n int) *lru[V] { return &lru[V]{cap: n, items: map[string]*lruItem[V]{}} }

func (c *lru[V]) get(k string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.tick++
	it.used = c.tick
	return it.v, true
}

func (c *lru[V]) put(k string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tick++
	if len(c.items) >= c.cap {
		// Evict the least recently used eighth in one pass.
		type ku struct {
			k string
			u uint64
		}
		all := make([]ku, 0, len(c.items))
		for k, it := range c.items {
			all = append(all, ku{k, it.used})
		}
		sort.Slice(all, func(i, j int) bool { return all[i].u < all[j].u })
		for _, e := range all[:max(1, len(all)/8)] {
			delete(c.items, e.k)
		}
	}
	c.items[k] = &lruItem[V]{v: v, used: c.tick}
}

func (c *lru[V]) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.items)
}
