package retrieval

import (
	"maps"
	"slices"
)

// termDict numbers the analyzed terms of one index lineage: every BM25
// segment (bm25seg.go) and the vocabulary refer to terms by these ids, so an
// update that adds a few terms neither renumbers nor copies the others. It
// only grows: a term no passage uses any more keeps its id with a document
// frequency of 0, until the index is compacted (bm25Index.compactable).
//
// A termDict is immutable once shared: fork returns a builder whose
// additions the original never sees. Lookups go to a small map of the
// terms added since base was last rebuilt, then to base, so a fork costs
// O(terms added recently), not O(vocabulary).
type termDict struct {
	terms []string          // by id
	base  map[string]uint32 // never written once shared
	extra map[string]uint32 // ids added since base was built
}

// id returns t's id, if t has one.
func (d *termDict) id(t string) (uint32, bool) {
	if d == nil {
		return 0, false
	}
	if id, ok := d.extra[t]; ok {
		return id, true
	}
	id, ok := d.base[t]
	return id, ok
}

// size returns the number of ids.
func (d *termDict) size() int {
	if d == nil {
		return 0
	}
	return len(d.terms)
}

// fork returns a copy of d (an empty dictionary for nil) that may be
// extended with intern without changing d.
func (d *termDict) fork() *termDict {
	if d == nil {
		return &termDict{base: map[string]uint32{}}
	}
	nd := &termDict{terms: slices.Clip(d.terms), base: d.base, extra: maps.Clone(d.extra)}
	// Fold the recent additions into a new base once they are a sizeable
	// share, so lookups stay one or two small-map probes.
	if len(nd.extra) > 1024+len(nd.base)/4 {
		nd.base = maps.Clone(nd.base)
		maps.Copy(nd.base, nd.extra)
		nd.extra = nil
	}
	return nd
}

// intern returns t's id, adding t if it has none. Only for a dictionary
// from fork that no snapshot shares yet.
func (d *termDict) intern(t string) uint32 {
	if id, ok := d.id(t); ok {
		return id
	}
	id := uint32(len(d.terms))
	d.terms = append(d.terms, t)
	if d.extra == nil {
		d.extra = map[string]uint32{}
	}
	d.extra[t] = id
	return id
}
