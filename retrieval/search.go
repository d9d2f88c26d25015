package retrieval

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Errors for bad queries; test with errors.Is.
var (
	ErrEmptyQuery   = errors.New("empty query")
	ErrQueryTooLong = errors.New("query too long")
	ErrBadPaging    = errors.New("negative K or Offset")
)

// Candidate depth: each side contributes its top candDepth to fusion.
const (
	candDepth    = 50
	maxCandDepth = 1000
	// foldWindow is how many results past the requested page are checked
	// for near-duplicates, so a fold is visible on the page that shows it.
	foldWindow = 10
)

// candidate is one passage in the fused ranking.
type candidate struct {
	doc     int
	score   float64
	dense   float64
	lexical float64
	dup     []int // folded near-duplicates (passage indexes)
	// evidence and sentence are the query evidence in the passage and in
	// its best sentence (set by rerank for the top candidates).
	evidence, sentence float64
	scoredEvidence     bool
	// sentDense is the best cosine between the query and one of the
	// passage's sentences (sentsem.go), when hasSentDense.
	sentDense    float64
	hasSentDense bool
}

// Search ranks passages for q and returns the requested page with excerpts.
// It fails only for bad input (empty, too long, negative paging), a
// cancelled ctx, or when the dense side fails in DenseOnly mode; in Hybrid
// mode an embedder failure degrades to BM25 alone (Answer.Degraded).
func (ix *Index) Search(ctx context.Context, q Query) (Answer, error) {
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return Answer{}, fmt.Errorf("retrieval: %w", ErrEmptyQuery)
	}
	if n := utf8.RuneCountInString(text); n > MaxQueryRunes {
		return Answer{}, fmt.Errorf("retrieval: %w (%d runes, at most %d)", ErrQueryTooLong, n, MaxQueryRunes)
	}
	if q.K < 0 || q.Offset < 0 {
		return Answer{}, fmt.Errorf("retrieval: %w", ErrBadPaging)
	}
	k := q.K
	if k == 0 {
		k = DefaultK
	}
	k = min(k, MaxK)
	ans := Answer{Query: q.Text}
	depth := min(max(candDepth, q.Offset+k+foldWindow), maxCandDepth)
	// Only the candidates come from different places; everything after
	// them is the same code in both modes.
	var (
		s        *snapshot
		qt       queryTerms
		cc       convContext
		cands    []candidate
		qvec     []float32
		degraded bool
		err      error
	)
	if ix.remote != nil {
		s, qt, cc, cands, qvec, degraded, err = ix.remoteRank(ctx, text, q.Context, q.Mode, depth, q.Source, q.DocID)
	} else {
		s = ix.snap.Load()
		qt, cc = ix.withContext(s, ix.queryTerms(s, text), q.Context)
		cands, qvec, degraded, err = ix.rank(ctx, s, text, qt, cc, q.Mode, depth, q.Source, q.DocID, s.filter(q.Source, q.DocID))
	}
	if err != nil {
		return Answer{}, err
	}
	ans.Degraded = degraded
	pc := newPassCache(ix, s)
	// Without a query vector (BM25 alone, or the embedder down) the dense
	// signal is missing, so the calibration without it decides.
	pc.lexOnly = q.Mode == LexicalOnly || degraded
	if q.Mode == Hybrid {
		ix.sentenceCosines(ctx, pc, qt, qvec, cands)
		ix.rerank(pc, qt, cands)
		ix.tokenRerank(ctx, pc, text, cands)
	}
	if names := ix.namesFromPassages(pc, qt, text, cands); names != nil {
		qt.names = names
	}
	foldLimit := min(len(cands), q.Offset+k+foldWindow)
	cands = ix.foldDuplicates(pc, cands, foldLimit)

	conf, sig := ix.promoteConfident(pc, qt, cands)
	ans.Confidence, ans.Signals = conf, sig
	if len(cands) == 0 || conf < ix.cut(pc) {
		ans.Abstained = true
		shown := maxWeak
		if q.KeepRanking {
			shown = q.Offset + k
		}
		cands = cands[:min(len(cands), shown)]
		ans.Total = len(cands)
		if q.Offset > 0 && !q.KeepRanking {
			cands = nil
		}
		cands = cands[min(len(cands), q.Offset):]
		for i, c := range cands {
			r := ix.result(pc, qt, c, q.Offset+i+1)
			r.Weak = true
			ans.Results = append(ans.Results, r)
		}
		return ans, nil
	}
	ans.Total = len(cands)
	ans.ReadWith = cc.readWith(qt, pc.get(cands[0].doc))
	lo := min(q.Offset, len(cands))
	hi := min(lo+k, len(cands))
	for i, c := range cands[lo:hi] {
		r := ix.result(pc, qt, c, lo+i+1)
		if i+lo > 0 {
			conf, _ := ix.confidence(pc, qt, cands, lo+i)
			r.Weak = conf < ix.cut(pc)
		}
		ans.Results = append(ans.Results, r)
	}
	return ans, nil
}

// maxWeak is how many nearest passages an abstention shows.
const maxWeak = 2

// filter returns the passage predicate for the source and article filters,
// or nil when there is none.
func (s *snapshot) filter(source, docID string) func(int) bool {
	source = strings.ToLower(strings.TrimSpace(source))
	docID = strings.TrimSpace(docID)
	if source == "" && docID == "" {
		return nil
	}
	return func(i int) bool {
		return (source == "" || s.source[i] == source) && (docID == "" || s.passages[i].DocID == docID)
	}
}

// rank runs the rankings the mode asks for and fuses them; it also returns
// the query vector (nil without one).
func (ix *Index) rank(ctx context.Context, s *snapshot, text string, qt queryTerms, cc convContext, mode Mode, depth int,
	source, docID string, keep func(int) bool) ([]candidate, []float32, bool, error) {
	var lex []scored
	lexDone := make(chan struct{})
	if mode != DenseOnly {
		// BM25 runs while the dense side scans the vectors.
		go func() {
			defer close(lexDone)
			lex = s.bm25.search(qt.lex, qt.lexWeights, depth, keep)
		}()
	} else {
		close(lexDone)
	}
	var dense []scored
	var qvec []float32
	degraded := false
	if mode != LexicalOnly {
		var err error
		qvec, dense, err = ix.denseSearch(ctx, s, text, cc, depth, source, docID)
		if err != nil {
			<-lexDone
			if mode == DenseOnly || ctx.Err() != nil {
				return nil, nil, false, err
			}
			ix.log.Warn("dense search failed; answering from BM25 alone", "err", err)
			degraded = true
		}
	}
	<-lexDone
	return fuse(s, dense, lex, qvec), qvec, degraded, nil
}

// denseSearch embeds the query (with its conversation context) and asks
// the vector store.
func (ix *Index) denseSearch(ctx context.Context, s *snapshot, text string, cc convContext, depth int, source, docID string) ([]float32, []scored, error) {
	vec, err := ix.embedWithContext(ctx, text, cc)
	if err != nil {
		return nil, nil, fmt.Errorf("retrieval: embed query with %s: %w", ix.emb.Name(), err)
	}
	where := map[string]string{}
	if source = strings.ToLower(strings.TrimSpace(source)); source != "" {
		where[metaSource] = source
	}
	if docID = strings.TrimSpace(docID); docID != "" {
		where[metaDoc] = docID
	}
	hits, err := s.store.query(ctx, vec, depth, where)
	if err != nil {
		return nil, nil, fmt.Errorf("retrieval: %w", err)
	}
	out := make([]scored, 0, len(hits))
	for _, h := range hits {
		if i, ok := s.byID[h.ID]; ok {
			out = append(out, scored{doc: i, score: h.Similarity})
		}
	}
	return vec, out, nil
}

// rrfK is the reciprocal-rank-fusion constant (Cormack et al. 2009).
const rrfK = 60

// fuse merges the dense and lexical rankings with reciprocal rank fusion:
// score = Σ 1/(rrfK + rank). RRF was chosen over a weighted blend of
// normalized scores because it ignores score scales (cosine vs BM25, which
// differ by embedder and corpus) and measured no worse on the dev set (see
// fusion_test.go and the report in eval). Each candidate also carries its raw
// cosine (computed for lexical-only hits when the query vector is known) and
// BM25 score.
func fuse(s *snapshot, dense, lex []scored, qvec []float32) []candidate {
	byDoc := map[int]*candidate{}
	var out []*candidate
	get := func(doc int) *candidate {
		c, ok := byDoc[doc]
		if !ok {
			c = &candidate{doc: doc}
			byDoc[doc] = c
			out = append(out, c)
		}
		return c
	}
	for r, d := range dense {
		c := get(d.doc)
		c.dense = d.score
		c.score += 1 / float64(rrfK+r+1)
	}
	for r, l := range lex {
		c := get(l.doc)
		c.lexical = l.score
		c.score += 1 / float64(rrfK+r+1)
		if len(dense) > 0 || qvec != nil {
			if c.dense == 0 && qvec != nil {
				c.dense = dot(qvec, s.vecs[l.doc])
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.score != b.score {
			return a.score > b.score
		}
		if a.lexical != b.lexical {
			return a.lexical > b.lexical
		}
		return a.doc < b.doc
	})
	res := make([]candidate, len(out))
	for i, c := range out {
		res[i] = *c
	}
	return res
}

func dot(a, b []float32) float64 {
	if len(a) != len(b) {
		return 0
	}
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return float64(s)
}
