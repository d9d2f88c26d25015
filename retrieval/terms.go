package retrieval

import (
	"slices"

	"citebot/corpus"
)

// Tokenizing every passage is the largest cost of a build that embeds
// nothing (~2s of CPU at 100k passages), so unchanged passages reuse their
// analyzed terms: on Update, unchanged segments are shared outright and the
// others recover their unchanged passages' counts from their postings; on a
// restart they come from the persisted terms file.

// docTerms is one passage's analyzed terms as counts over a dictionary.
type docTerms struct {
	ids    []uint32
	tfs    []int32
	length int32 // number of terms, repeats included
}

// termTable holds analyzed terms by passage content hash (a persisted terms
// file, or an index's segments inverted).
type termTable struct {
	dict   []string
	byHash map[string]docTerms
}

// invertBM25 recovers every passage's term counts from s's segments, by
// content hash, over the index's dictionary (s.terms for a seed loaded from
// disk).
func invertBM25(s *snapshot) *termTable {
	if s != nil && s.terms != nil {
		return s.terms
	}
	if s == nil || s.bm25 == nil || s.bm25.segs == nil {
		return nil
	}
	bm := s.bm25
	tt := &termTable{dict: bm.dict.terms, byHash: make(map[string]docTerms, bm.n)}
	for g, seg := range bm.segs {
		for k, d := range seg.invert() {
			tt.byHash[s.hashes[bm.docs[g][k]]] = d
		}
	}
	return tt
}

// buildBM25 indexes s's passages. With prev's index over the same
// segments, segments whose contents are unchanged are shared, and a
// changed one reuses the term counts of its unchanged passages; otherwise
// counts come from reusableTerms. Only passages found nowhere are
// tokenized. The result scores exactly like an index built from scratch.
// extended reports that its dictionary is a fork of prev's.
func (ix *Index) buildBM25(s, prev *snapshot) (bm *bm25Index, extended bool) {
	var old *bm25Index
	if prev != nil && prev.bm25 != nil && prev.bm25.segs != nil && len(prev.bm25.segs) == len(s.segDocs) && !prev.bm25.compactable() {
		old = prev.bm25
	}
	var reuse *termTable // counts by content hash, over reuse.dict
	var remap []uint32   // reuse.dict id → dict id (lazily, ^0: not yet)
	var dict *termDict
	if old != nil {
		dict = old.dict.fork()
	} else {
		reuse = ix.reusableTerms(s, prev)
		dict = (*termDict)(nil).fork()
		if reuse != nil {
			remap = make([]uint32, len(reuse.dict))
			for i := range remap {
				remap[i] = ^uint32(0)
			}
		}
	}
	nseg := len(s.segDocs)
	segs := make([]*bm25Seg, nseg)
	var dirty []int
	for g := range nseg {
		if old != nil && sameSegment(s, prev, g) {
			segs[g] = old.segs[g]
		} else {
			dirty = append(dirty, g)
		}
	}
	// One segment at a time, so a build from scratch holds one segment's
	// token lists and counts, not every passage's (~1.5 GB at 1M passages).
	var scratch []uint32
	for _, g := range dirty {
		var was map[string]int // content hash → old local doc
		var oldDocs []docTerms
		if old != nil {
			was = make(map[string]int, len(prev.segDocs[g]))
			for k, i := range prev.segDocs[g] {
				was[prev.hashes[i]] = k
			}
		}
		counts := make([]docTerms, len(s.segDocs[g]))
		var todo []int // local docs to tokenize
		for k, i := range s.segDocs[g] {
			h := s.hashes[i]
			if j, ok := was[h]; ok {
				if oldDocs == nil {
					oldDocs = old.segs[g].invert()
				}
				counts[k] = oldDocs[j]
				continue
			}
			if reuse != nil {
				if d, ok := reuse.byHash[h]; ok {
					counts[k] = remapTerms(d, reuse.dict, remap, dict)
					continue
				}
			}
			todo = append(todo, k)
		}
		if len(todo) > 0 {
			ps := make([]corpus.Passage, len(todo))
			for j, k := range todo {
				ps[j] = s.passages[s.segDocs[g][k]]
			}
			for j, terms := range ix.allTerms(ps) {
				counts[todo[j]] = internTerms(terms, dict)
			}
		}
		if len(scratch) < dict.size() {
			scratch = make([]uint32, dict.size()+dict.size()/4)
		}
		segs[g] = newBM25Seg(counts, scratch)
	}
	if old == nil {
		return newBM25Segs(dict, segs, s.segDocs), false
	}
	// The statistics of the old index, less the replaced segments, plus
	// the new ones.
	bm = &bm25Index{dict: dict, segs: segs, docs: s.segDocs, total: old.total, live: old.live,
		dfs: slices.Grow(slices.Clone(old.dfs), dict.size()-len(old.dfs))[:dict.size()]}
	add := func(id uint32, df int32) {
		was := bm.dfs[id]
		bm.dfs[id] += df
		switch {
		case was == 0 && bm.dfs[id] > 0:
			bm.live++
		case was > 0 && bm.dfs[id] == 0:
			bm.live--
		}
	}
	for _, g := range dirty {
		old.segs[g].docFreqs(func(id uint32, df int32) { add(id, -df) })
		segs[g].docFreqs(add)
		bm.total += segs[g].total - old.segs[g].total
	}
	for g := range segs {
		bm.n += len(s.segDocs[g])
	}
	bm.finish()
	return bm, true
}

// sameSegment reports whether segment g holds the same contents in the
// same order in s as in prev.
func sameSegment(s, prev *snapshot, g int) bool {
	a, b := s.segDocs[g], prev.segDocs[g]
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if s.hashes[a[k]] != prev.hashes[b[k]] {
			return false
		}
	}
	return true
}

// compactable reports whether so many terms of the dictionary are no longer
// used by any passage that the next build should start a fresh dictionary.
func (ix *bm25Index) compactable() bool {
	return ix.dict.size() > 4096 && ix.live < ix.dict.size()/2
}

// internTerms counts a term list over dict, adding new terms.
func internTerms(terms []string, dict *termDict) docTerms {
	d := docTerms{length: int32(len(terms))}
	at := map[uint32]int{}
	for _, t := range terms {
		id := dict.intern(t)
		if k, ok := at[id]; ok {
			d.tfs[k]++
			continue
		}
		at[id] = len(d.ids)
		d.ids = append(d.ids, id)
		d.tfs = append(d.tfs, 1)
	}
	return d
}

// remapTerms returns d, counted over from, counted over dict; remap caches
// the id translation (^0: not translated yet).
func remapTerms(d docTerms, from []string, remap []uint32, dict *termDict) docTerms {
	out := docTerms{ids: make([]uint32, len(d.ids)), tfs: d.tfs, length: d.length}
	for k, id := range d.ids {
		if remap[id] == ^uint32(0) {
			remap[id] = dict.intern(from[id])
		}
		out.ids[k] = remap[id]
	}
	return out
}

// termSamples is how many reused passages are tokenized again to check
// that persisted terms came from the same analyzer: a change in stemming,
// stop words or the lexicon shows up in nearly every passage.
const termSamples = 32

// reusableTerms returns the analyzed terms s may reuse: prev's postings
// inverted, or a seed's persisted terms if a sample of them matches what
// the analyzer gives now.
func (ix *Index) reusableTerms(s, prev *snapshot) *termTable {
	if prev == nil {
		return nil
	}
	if prev.terms == nil {
		return invertBM25(prev) // built in this process, by this analyzer
	}
	var reused []int
	for i := range s.passages {
		if _, ok := prev.terms.byHash[s.hashes[i]]; ok {
			reused = append(reused, i)
		}
	}
	step := max(1, len(reused)/termSamples)
	for k := 0; k < len(reused); k += step {
		i := reused[k]
		if !sameTerms(prev.terms, prev.terms.byHash[s.hashes[i]], ix.an.terms(passageText(s.passages[i]))) {
			ix.log.Info("analyzer changed since the index was saved; tokenizing every passage", "passage", s.passages[i].ID)
			return nil
		}
	}
	return prev.terms
}

// sameTerms reports whether d counts exactly the terms in list.
func sameTerms(tt *termTable, d docTerms, list []string) bool {
	if int(d.length) != len(list) {
		return false
	}
	want := map[string]int32{}
	for _, t := range list {
		want[t]++
	}
	if len(want) != len(d.ids) {
		return false
	}
	for k, id := range d.ids {
		if int(id) >= len(tt.dict) || want[tt.dict[id]] != d.tfs[k] {
			return false
		}
	}
	return true
}
