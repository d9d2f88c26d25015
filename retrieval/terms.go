package retrieval

import (
	"slices"

	"citebot/corpus"
)

// Tokenizing every passage is the largest cost of a build that embeds
// nothing (~2s of CPU at 100k passages), so unchanged passages reuse their
// analyzed terms: from the previous snapshot's BM25 postings on Update, and
// from the persisted terms file on a restart.

// docTerms is one passage's analyzed terms as counts over a dictionary.
type docTerms struct {
	ids    []uint32
	tfs    []int32
	length int32 // number of terms, repeats included
}

// termTable holds analyzed terms by passage content hash.
type termTable struct {
	dict   []string
	byHash map[string]docTerms
}

// invertBM25 recovers every passage's term counts from s's postings, or
// returns those its build kept.
func invertBM25(s *snapshot) *termTable {
	if s != nil && s.counts != nil {
		return s.counts
	}
	if s == nil || s.bm25 == nil {
		return nil
	}
	bm := s.bm25
	dict := make([]string, 0, len(bm.postings))
	docs := make([]docTerms, len(bm.docLen))
	for t, ps := range bm.postings {
		id := uint32(len(dict))
		dict = append(dict, t)
		for _, p := range ps {
			d := &docs[p.doc]
			d.ids = append(d.ids, id)
			d.tfs = append(d.tfs, p.tf)
		}
	}
	tt := &termTable{dict: dict, byHash: make(map[string]docTerms, len(docs))}
	for i := range docs {
		docs[i].length = bm.docLen[i]
		tt.byHash[s.hashes[i]] = docs[i]
	}
	return tt
}

// buildBM25 indexes s's passages, tokenizing only those whose content is
// not in reuse (may be nil), and keeps the term counts in s.counts for the
// next update and the next save: recovering them from the postings
// (invertBM25) took ~0.7 s of CPU at 100k passages, most of what one
// changed article cost.
func (ix *Index) buildBM25(s *snapshot, reuse *termTable) *bm25Index {
	var dict []string
	if reuse != nil {
		dict = slices.Clone(reuse.dict)
	}
	docs := make([]docTerms, len(s.passages))
	var todo []int
	for i := range s.passages {
		if reuse != nil {
			if d, ok := reuse.byHash[s.hashes[i]]; ok {
				docs[i] = d
				continue
			}
		}
		todo = append(todo, i)
	}
	if len(todo) > 0 {
		ps := make([]corpus.Passage, len(todo))
		for k, i := range todo {
			ps[k] = s.passages[i]
		}
		terms := ix.allTerms(ps)
		ids := make(map[string]uint32, len(dict))
		for i, t := range dict {
			ids[t] = uint32(i)
		}
		for k, i := range todo {
			docs[i] = countTerms(terms[k], ids, &dict)
		}
	}
	tt := &termTable{dict: dict, byHash: make(map[string]docTerms, len(docs))}
	for i, d := range docs {
		tt.byHash[s.hashes[i]] = d
	}
	s.counts = tt
	return newBM25Counts(dict, docs)
}

// countTerms turns a term list into counts, adding new terms to dict.
func countTerms(terms []string, ids map[string]uint32, dict *[]string) docTerms {
	d := docTerms{length: int32(len(terms))}
	at := map[uint32]int{}
	for _, t := range terms {
		id, ok := ids[t]
		if !ok {
			id = uint32(len(*dict))
			ids[t] = id
			*dict = append(*dict, t)
		}
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

// newBM25Counts is newBM25 over term counts: the same index as newBM25 of
// the term lists the counts came from (TestBM25CountsMatches pins this).
func newBM25Counts(dict []string, docs []docTerms) *bm25Index {
	// Two passes: count each term's postings, then fill slices cut from
	// one array, rather than growing ~200k slices one posting at a time
	// (half the cost of an update at 100k passages).
	per := make([]int, len(dict))
	all := 0
	for _, d := range docs {
		for _, id := range d.ids {
			per[id]++
		}
		all += len(d.ids)
	}
	backing := make([]posting, all)
	byID := make([][]posting, len(dict))
	off := 0
	for id, n := range per {
		byID[id] = backing[off : off : off+n]
		off += n
	}
	ix := &bm25Index{docLen: make([]int32, len(docs))}
	var total int
	for i, d := range docs {
		for k, id := range d.ids {
			byID[id] = append(byID[id], posting{doc: int32(i), tf: d.tfs[k]})
		}
		ix.docLen[i] = d.length
		total += int(d.length)
	}
	ix.postings = make(map[string][]posting, len(dict))
	for id, ps := range byID {
		if len(ps) > 0 {
			ix.postings[dict[id]] = ps
		}
	}
	if len(docs) > 0 {
		ix.avgLen = float64(total) / float64(len(docs))
	}
	n := len(docs)
	ix.scratch.New = func() any { s := make([]float64, n); return &s }
	return ix
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
	if prev.counts != nil {
		return prev.counts // built in this process, by this analyzer
	}
	if prev.terms == nil {
		return invertBM25(prev)
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
