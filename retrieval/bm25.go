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

// posting is one document's term frequency for a term.
type posting struct {
	doc int32
	tf  int32
}

// bm25Index is an inverted index over analyzed terms. It is immutable after
// newBM25, so concurrent queries need no lock.
type bm25Index struct {
	postings map[string][]posting
	docLen   []int32
	avgLen   float64
	scratch  sync.Pool // *[]float64 of len(docLen), zeroed between uses
	// dfs and n replace postings and docLen in an index that holds only
	// collection statistics (a Backend's, see newBM25Stats): it weighs
	// terms but searches nothing.
	dfs map[string]int32
	n   int
}

// newBM25Stats is a statistics-only index over st: idf, df and termScore
// agree with an index of the records st was computed from; search finds
// nothing.
func newBM25Stats(st *Stats) *bm25Index {
	ix := &bm25Index{dfs: make(map[string]int32, len(st.Terms)), n: st.Passages, avgLen: st.AvgLen}
	for i, t := range st.Terms {
		ix.dfs[t] = st.DF[i]
	}
	return ix
}

// newBM25 indexes docs, each given as its analyzed terms; doc i gets id i.
func newBM25(docs [][]string) *bm25Index {
	ix := &bm25Index{postings: map[string][]posting{}, docLen: make([]int32, len(docs))}
	var total int
	tf := map[string]int32{}
	for i, terms := range docs {
		clear(tf)
		for _, t := range terms {
			tf[t]++
		}
		for t, n := range tf {
			ix.postings[t] = append(ix.postings[t], posting{doc: int32(i), tf: n})
		}
		ix.docLen[i] = int32(len(terms))
		total += len(terms)
	}
	// Postings were appended in doc order per term, so they are sorted.
	if len(docs) > 0 {
		ix.avgLen = float64(total) / float64(len(docs))
	}
	n := len(docs)
	ix.scratch.New = func() any { s := make([]float64, n); return &s }
	return ix
}

// Len returns the number of indexed documents.
func (ix *bm25Index) Len() int {
	if ix.dfs != nil {
		return ix.n
	}
	return len(ix.docLen)
}

// df returns how many documents contain term.
func (ix *bm25Index) df(term string) int {
	if ix.dfs != nil {
		return int(ix.dfs[term])
	}
	return len(ix.postings[term])
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
	if n <= 0 || len(ix.docLen) == 0 {
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
		ps := ix.postings[t]
		if len(ps) == 0 {
			continue
		}
		idf := bm25IDF(len(ix.docLen), len(ps))
		if weights != nil {
			idf *= weights[k]
		}
		for _, p := range ps {
			if acc[p.doc] == 0 {
				touched = append(touched, p.doc)
			}
			acc[p.doc] += idf * ix.termScore(float64(p.tf), ix.docLen[p.doc])
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
		s += idf * ix.termScore(float64(tf[t]), int32(len(doc)))
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
