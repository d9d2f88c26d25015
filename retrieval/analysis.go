package retrieval

import "sync"

// analyzed is one passage broken into sentences with the term set of each
// and of the whole; a search analyzes each candidate once and shares it
// between reranking, abstention, near-duplicate folding and excerpts.
type analyzed struct {
	all   termSet // passage text plus section heading
	spans []span  // sentences of the passage text
	sents []termSet
	// types[i] holds the answer types expressed in sentence i; allTypes
	// is their union.
	types    []typeMask
	allTypes typeMask
	// neg[i] reports whether sentence i states a negation (negation.go).
	neg []bool
}

func (ix *Index) analyzePassage(section, text string) *analyzed {
	a := &analyzed{all: termSet{}, spans: splitSentences(text)}
	for _, sp := range a.spans {
		ts := ix.termSet(text[sp.start:sp.end])
		a.sents = append(a.sents, ts)
		m := sentenceTypes(text[sp.start:sp.end])
		a.types = append(a.types, m)
		a.neg = append(a.neg, negated(text[sp.start:sp.end]))
		a.allTypes |= m
		for t := range ts {
			a.all[t] = true
		}
	}
	if section != "" {
		for t := range ix.termSet(section) {
			a.all[t] = true
		}
	}
	return a
}

// passCache memoizes passage analyses for one search.
type passCache struct {
	ix *Index
	s  *snapshot
	m  map[int]*analyzed
	// ctx memoizes contextTerms by passage, arts the article part of it.
	ctx  map[int]contextSet
	arts map[articleKey]termSet
	// lexOnly is set when the search has no query vector.
	lexOnly bool
	// sentAlign holds, for each passage late interaction re-scored, each
	// of its sentences' alignment with the question (tokensim.go); nil
	// when it did not run.
	sentAlign map[int][]float64
}

func newPassCache(ix *Index, s *snapshot) *passCache {
	return &passCache{ix: ix, s: s, m: map[int]*analyzed{}, ctx: map[int]contextSet{}, arts: map[articleKey]termSet{}}
}

func (pc *passCache) get(doc int) *analyzed {
	a, ok := pc.m[doc]
	if ok {
		return a
	}
	if a, ok = pc.s.derived.analysis(doc); !ok {
		p := pc.s.passages[doc]
		a = pc.ix.analyzePassage(p.Section, p.Text)
		pc.s.derived.putAnalysis(doc, a)
	}
	pc.m[doc] = a
	return a
}

// maxDerived bounds derivedCache: past it the cache starts over, so memory
// stays flat however large the corpus and however varied the questions.
const maxDerived = 8192

// derivedCache keeps the passage analyses and contexts that searches on one
// snapshot have computed. Both are pure functions of the snapshot's
// immutable passages and never modified once built, so concurrent searches
// share them: questions on the same news, a More page or a vote re-running a
// search skip re-tokenizing their candidates. Safe for concurrent use; the
// zero value is ready.
type derivedCache struct {
	mu  sync.RWMutex
	an  map[int]*analyzed
	ctx map[int]contextSet
	sv  map[int][][]float32 // sentence vectors (sentsem.go)
	tv  map[int]pieceVecs   // word-piece vectors (tokensim.go)
}

func (d *derivedCache) sentVecs(doc int) ([][]float32, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	v, ok := d.sv[doc]
	return v, ok
}

func (d *derivedCache) putSentVecs(doc int, v [][]float32) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sv == nil || len(d.sv) >= maxDerived/4 {
		d.sv = make(map[int][][]float32)
	}
	d.sv[doc] = v
}

func (d *derivedCache) analysis(doc int) (*analyzed, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	a, ok := d.an[doc]
	return a, ok
}

func (d *derivedCache) putAnalysis(doc int, a *analyzed) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.an == nil || len(d.an) >= maxDerived {
		d.an = make(map[int]*analyzed)
	}
	d.an[doc] = a
}

func (d *derivedCache) context(doc int) (contextSet, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	c, ok := d.ctx[doc]
	return c, ok
}

func (d *derivedCache) putContext(doc int, c contextSet) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ctx == nil || len(d.ctx) >= maxDerived {
		d.ctx = make(map[int]contextSet)
	}
	d.ctx[doc] = c
}
