package retrieval

import (
	"container/heap"
	"math"
	"sync"
)

// BM25 parameters (Robertson/Lucene defaults).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// posting is one document's term frequency for a term, packed in four
// bytes (half the memory of two int32s: ~250 MB at 1M passages): the
// document's number within its segment in the high 24 bits, the frequency
// in the low 8, saturated at maxTF, where BM25's term score has long
// stopped growing (a passage is at most ~120 words).
type posting uint32

// maxTF is the largest term frequency a posting holds, and maxSegDocs the
// most documents a segment may hold.
const (
	maxTF      = 0xff
	maxSegDocs = 1 << 24
)

func newPosting(doc int, tf int32) posting { return posting(uint32(doc)<<8 | uint32(min(tf, maxTF))) }

func (p posting) doc() int32 { return int32(p >> 8) }
func (p posting) tf() int32  { return int32(p & maxTF) }

// bm25Index is an inverted index over analyzed terms, made of segments
// (bm25seg.go) that snapshots share: an update rebuilds the segments whose
// passages changed and the collection statistics (document frequencies by
// term id, total length), and scores stay exactly those of an index built
// from scratch over the same passages (TestBM25SegmentsMatchFromScratch). It
// is immutable once built, so concurrent queries need no lock.
type bm25Index struct {
	dict *termDict
	dfs  []int32 // by term id, over every segment
	live int     // terms with dfs > 0
	segs []*bm25Seg
	// docs maps each segment's local documents to this index's document
	// ids (passage indexes): the only per-snapshot part of a shared segment.
	docs    [][]int32
	n       int
	total   int64
	avgLen  float64
	scratch sync.Pool // *[]float64 of len n, zeroed between uses
	// statDF and n replace the segments in an index that holds only
	// collection statistics (a Backend's, see newBM25Stats): it weighs
	// terms but searches nothing.
	statDF map[string]int32
}

// newBM25Stats is a statistics-only index over st: idf, df and termScore
// agree with an index of the records st was computed from; search finds
// nothing.
func newBM25Stats(st *Stats) *bm25Index {
	ix := &bm25Index{statDF: make(map[string]int32, len(st.Terms)), n: st.Passages, avgLen: st.AvgLen}
	for i, t := range st.Terms {
		ix.statDF[t] = st.DF[i]
	}
	return ix
}

// newBM25 indexes docs, each given as its analyzed terms, as one segment;
// doc i gets id i.
func newBM25(docs [][]string) *bm25Index {
	dict := (*termDict)(nil).fork()
	counts := make([]docTerms, len(docs))
	for i, terms := range docs {
		counts[i] = internTerms(terms, dict)
	}
	// Nothing shares the fresh dictionary yet: its terms become the base.
	dict.base, dict.extra = dict.extra, nil
	if dict.base == nil {
		dict.base = map[string]uint32{}
	}
	local := make([]int32, len(docs))
	for i := range local {
		local[i] = int32(i)
	}
	return newBM25Segs(dict, []*bm25Seg{newBM25Seg(counts, make([]uint32, dict.size()))}, [][]int32{local})
}

// newBM25Segs assembles an index from segments over dict and each
// segment's local-to-global document map, computing the statistics.
func newBM25Segs(dict *termDict, segs []*bm25Seg, docs [][]int32) *bm25Index {
	ix := &bm25Index{dict: dict, segs: segs, docs: docs, dfs: make([]int32, dict.size())}
	for g, seg := range segs {
		seg.docFreqs(func(id uint32, df int32) { ix.dfs[id] += df })
		ix.total += seg.total
		ix.n += len(docs[g])
	}
	for _, df := range ix.dfs {
		if df > 0 {
			ix.live++
		}
	}
	ix.finish()
	return ix
}

// finish sets what follows from n and total.
func (ix *bm25Index) finish() {
	if ix.n > 0 {
		ix.avgLen = float64(ix.total) / float64(ix.n)
	}
	n := ix.n
	ix.scratch.New = func() any { s := make([]float64, n); return &s }
}

// Len returns the number of indexed documents.
func (ix *bm25Index) Len() int { return ix.n }

// df returns how many documents contain term.
func (ix *bm25Index) df(term string) int {
	if ix.statDF != nil {
		return int(ix.statDF[term])
	}
	if id, ok := ix.dict.id(term); ok {
		return int(ix.dfs[id])
	}
	return 0
}

// idf is the BM25 inverse document frequency with the +1 inside the log
// (as in Lucene) so that very common terms score small but never negative.
func (ix *bm25Index) idf(term string) float64 {
	return bm25IDF(ix.Len(), ix.df(term))
}

func bm25IDF(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// scored is a document id with its score.
type scored struct {
	doc   int
	score float64
}

// search returns up to n documents by descending BM25 score for the query
// terms, keeping only documents for which keep returns true (nil keeps
// all). weights (nil: all 1) scale each term's contribution. Repeated query
// terms count once.
func (ix *bm25Index) search(terms []string, weights []float64, n int, keep func(doc int) bool) []scored {
	if n <= 0 || ix.n == 0 || ix.segs == nil {
		return nil
	}
	sp := ix.scratch.Get().(*[]float64)
	acc := *sp
	var touched []int32
	seen := map[string]bool{}
	for k, t := range terms {
		if seen[t] {
			continue
		}
		seen[t] = true
		id, ok := ix.dict.id(t)
		if !ok || ix.dfs[id] == 0 {
			continue
		}
		idf := bm25IDF(ix.n, int(ix.dfs[id]))
		if weights != nil {
			idf *= weights[k]
		}
		// Each document's sum runs over the query terms in the same order
		// whatever the segmentation, so scores equal a one-segment index's.
		for g, seg := range ix.segs {
			global := ix.docs[g]
			for _, p := range seg.postings(id) {
				local := p.doc()
				d := global[local]
				if acc[d] == 0 {
					touched = append(touched, d)
				}
				acc[d] += idf * ix.termScore(float64(p.tf()), seg.docLen[local])
			}
		}
	}
	h := &minHeap{}
	for _, d := range touched {
		s := acc[d]
		acc[d] = 0
		if keep != nil && !keep(int(d)) {
			continue
		}
		if h.Len() < n {
			heap.Push(h, scored{int(d), s})
		} else if better(scored{int(d), s}, (*h)[0]) {
			(*h)[0] = scored{int(d), s}
			heap.Fix(h, 0)
		}
	}
	ix.scratch.Put(sp)
	out := make([]scored, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(h).(scored)
	}
	return out
}

// scoreTerms is search's score of one document given as its analyzed
// terms: the same sum over the distinct query terms, with the same weights.
func (ix *bm25Index) scoreTerms(doc []string, terms []string, weights []float64) float64 {
	if len(doc) == 0 || ix.avgLen == 0 {
		return 0
	}
	tf := make(map[string]int32, len(terms))
	for _, t := range terms {
		tf[t] = 0
	}
	for _, t := range doc {
		if _, ok := tf[t]; ok {
			tf[t]++
		}
	}
	seen := make(map[string]bool, len(terms))
	var s float64
	for k, t := range terms {
		if seen[t] || tf[t] == 0 {
			seen[t] = true
			continue
		}
		seen[t] = true
		idf := ix.idf(t)
		if weights != nil {
			idf *= weights[k]
		}
		s += idf * ix.termScore(float64(min(tf[t], maxTF)), int32(len(doc)))
	}
	return s
}

// termScore is BM25's saturating, length-normalized term frequency.
func (ix *bm25Index) termScore(tf float64, docLen int32) float64 {
	norm := bm25K1 * (1 - bm25B + bm25B*float64(docLen)/ix.avgLen)
	return tf * (bm25K1 + 1) / (tf + norm)
}

// better orders by score, then by lower doc id so ties are deterministic.
func better(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.doc < b.doc
}

// minHeap keeps the worst of the current top n at the root.
type minHeap []scored

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return better(h[j], h[i]) }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
