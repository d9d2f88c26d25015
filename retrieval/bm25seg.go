package retrieval

import (
	"slices"
	"sort"
)

// bm25Seg is the inverted index of one segment of the passages (see
// segments.go): immutable once built, and shared by every snapshot whose
// segment holds the same contents in the same order, so an update rebuilds
// only the segments whose passages changed. Documents are numbered within
// the segment; the snapshot maps them to passage indexes.
type bm25Seg struct {
	ids    []uint32  // term ids present, ascending
	offs   []uint32  // postings of ids[k] are post[offs[k]:offs[k+1]]
	post   []posting // doc is the local number, ascending per term
	docLen []int32   // by local doc
	total  int64     // sum of docLen
}

// postings returns the segment's postings of term id (nil when absent).
// A segment holds fewer than maxSegDocs documents (segmentPassages).
func (g *bm25Seg) postings(id uint32) []posting {
	k, ok := slices.BinarySearch(g.ids, id)
	if !ok {
		return nil
	}
	return g.post[g.offs[k]:g.offs[k+1]]
}

// newBM25Seg indexes docs (term counts over one dictionary); doc k gets
// local number k. count is scratch of at least the dictionary's size,
// all zero, and is left all zero.
func newBM25Seg(docs []docTerms, count []uint32) *bm25Seg {
	g := &bm25Seg{docLen: make([]int32, len(docs))}
	all := 0
	for i, d := range docs {
		for _, id := range d.ids {
			if count[id] == 0 {
				g.ids = append(g.ids, id)
			}
			count[id]++
		}
		all += len(d.ids)
		g.docLen[i] = d.length
		g.total += int64(d.length)
	}
	slices.Sort(g.ids)
	g.offs = make([]uint32, len(g.ids)+1)
	off := uint32(0)
	for k, id := range g.ids {
		g.offs[k] = off
		off += count[id]
		count[id] = g.offs[k] // now the next free slot of id
	}
	g.offs[len(g.ids)] = off
	g.post = make([]posting, all)
	for i, d := range docs {
		for k, id := range d.ids {
			g.post[count[id]] = newPosting(i, d.tfs[k])
			count[id]++
		}
	}
	for _, id := range g.ids {
		count[id] = 0
	}
	return g
}

// invert returns every local document's term counts, recovered from the
// postings (term ids ascending).
func (g *bm25Seg) invert() []docTerms {
	docs := make([]docTerms, len(g.docLen))
	n := make([]int32, len(g.docLen))
	for _, p := range g.post {
		n[p.doc()]++
	}
	ids := make([]uint32, len(g.post))
	tfs := make([]int32, len(g.post))
	off := int32(0)
	for i := range docs {
		docs[i] = docTerms{ids: ids[off : off : int(off)+int(n[i])], tfs: tfs[off : off : int(off)+int(n[i])], length: g.docLen[i]}
		off += n[i]
	}
	for k, id := range g.ids {
		for _, p := range g.post[g.offs[k]:g.offs[k+1]] {
			d := &docs[p.doc()]
			d.ids = append(d.ids, id)
			d.tfs = append(d.tfs, p.tf())
		}
	}
	return docs
}

// docFreqs calls f with every term id of g and its document count.
func (g *bm25Seg) docFreqs(f func(id uint32, df int32)) {
	for k, id := range g.ids {
		f(id, int32(g.offs[k+1]-g.offs[k]))
	}
}

// sortedTermIDs returns the dictionary's ids ordered by term.
func sortedTermIDs(d *termDict, ids []uint32) []uint32 {
	sort.Slice(ids, func(a, b int) bool { return d.terms[ids[a]] < d.terms[ids[b]] })
	return ids
}
