package retrieval

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
}

func (ix *Index) analyzePassage(section, text string) *analyzed {
	a := &analyzed{all: termSet{}, spans: splitSentences(text)}
	for _, sp := range a.spans {
		ts := ix.termSet(text[sp.start:sp.end])
		a.sents = append(a.sents, ts)
		m := sentenceTypes(text[sp.start:sp.end])
		a.types = append(a.types, m)
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
}

func newPassCache(ix *Index, s *snapshot) *passCache {
	return &passCache{ix: ix, s: s, m: map[int]*analyzed{}, ctx: map[int]contextSet{}, arts: map[articleKey]termSet{}}
}

func (pc *passCache) get(doc int) *analyzed {
	a, ok := pc.m[doc]
	if !ok {
		p := pc.s.passages[doc]
		a = pc.ix.analyzePassage(p.Section, p.Text)
		pc.m[doc] = a
	}
	return a
}
