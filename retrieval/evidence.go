package retrieval

import "sort"

// queryTerms is a query analyzed once per search: its distinct content
// terms, each with an evidence weight.
type queryTerms struct {
	terms   []string
	weights []float64
	total   float64
	// lex and lexWeights are what BM25 searches: the terms, plus the
	// closest corpus spellings of words the corpus never uses, weighted by
	// similarity.
	lex        []string
	lexWeights []float64
	// variants[i] are the corpus terms spelled close to terms[i], so that
	// matching a passage never compares spellings again.
	variants [][]variant
	// atype is the kind of answer the question asks for; typeWeight is
	// its weight in evidence, as if the type were one more query term that
	// a passage matches when one of its sentences holds such an expression.
	atype      answerType
	typeWeight float64
	// heaviest is the index of the term with the largest weight when the
	// query has two or more terms, else -1 (see Signals.KeyMatch).
	heaviest int
	// names[i] marks the question's own terms written as a name or a
	// number ("Dyrrachium", "1185"; see nameTerms), for Signals.NameMiss.
	names []bool
	// focus is the index of the attribute the question asks for when the
	// query has other terms, else -1 (see Signals.FocusMiss).
	focus int
	// earlier, when not nil, marks the terms taken from earlier questions
	// of the conversation (see followup.go).
	earlier []bool
	// negated reports whether the question states a negation (see
	// Signals.NegMiss).
	negated bool
	// opposites are the question's own words that have antonyms (see
	// Signals.Opposite).
	opposites []opposition
	// unknown is the weight of the question's own terms the corpus never
	// uses in any spelling; own the weight of all its own terms.
	unknown, own float64
}

// maxQueryTerms caps the distinct terms used from one query: evidence
// scoring is per term and per sentence, and a wall of pasted text should not
// cost seconds.
const maxQueryTerms = 64

// unknownFactor scales the weight of a query word the corpus never uses:
// a specific word with no trace in the corpus ("china", "bitcoin") is
// stronger evidence of an off-corpus question than a rare corpus word is
// evidence of an on-corpus one.
const unknownFactor = 1.5

// longQueryTerms is the number of distinct content terms above which a
// query reads as a pasted message or claim rather than a question.
const longQueryTerms = 10

func distinctCount(ts []string) int {
	seen := make(map[string]bool, len(ts))
	for _, t := range ts {
		seen[t] = true
	}
	return len(seen)
}

// lightFactor scales the evidence weight of question scaffolding words.
const lightFactor = 0.25

// queryTerms analyzes text against snapshot s. A term's weight is its BM25
// IDF in the corpus, so a rare name counts more than "taliban"; a term the
// corpus never uses gets the maximum IDF, because asking about something the
// corpus never mentions is strong evidence that it cannot answer.
func (ix *Index) queryTerms(s *snapshot, text string) queryTerms {
	var qt queryTerms
	seen := map[string]bool{}
	asked := askedClause(text)
	atype, absorbed := detectAnswerType(asked)
	// top is the heaviest term the corpus uses (exactly or as a variant):
	// the answer type weighs like it, not like a word the corpus lacks.
	top := 0.0
	for _, w := range absorbed {
		seen[ix.an.stem(w)] = true
	}
	all := ix.an.terms(text)
	long := distinctCount(all) > longQueryTerms
	names := ix.nameTerms(text)
	qt.negated = negated(asked)
	qt.opposites = ix.oppositions(text)
	for _, t := range all {
		if seen[t] {
			continue
		}
		if len(qt.terms) == maxQueryTerms {
			break
		}
		seen[t] = true
		w := s.bm25.idf(t)
		lw := 1.0
		if ix.an.isTitle(t) {
			// A title names a role many people share ("mullah", "director"):
			// it must not pull a passage about someone else above the one
			// about the person named.
			lw = titleLexWeight
		}
		qt.lex = append(qt.lex, t)
		qt.lexWeights = append(qt.lexWeights, lw)
		vs := s.vocab.variants(t, maxMatchVariants)
		known := s.bm25.df(t) > 0
		for _, syn := range ix.an.synonyms(t) {
			if s.bm25.df(syn) > 0 && !hasVariant(vs, syn) {
				vs = append(vs, variant{syn, synonymSim})
				if known {
					// Synonyms of a word the corpus uses rank a little too,
					// so a paraphrase can still reach the answer.
					qt.lex = append(qt.lex, syn)
					qt.lexWeights = append(qt.lexWeights, synonymLexWeight*lw)
				}
			}
		}
		sort.SliceStable(vs, func(a, b int) bool { return vs[a].sim > vs[b].sim })
		qt.variants = append(qt.variants, vs)
		if !known {
			w *= unknownFactor
			if long {
				// A long message is mostly chatter around a claim: its
				// words the corpus lacks are filler more often than an
				// off-corpus topic, so they weigh like question scaffolding.
				w *= lightFactor / unknownFactor
			}
			// An unknown word that is a misspelling of a corpus word is not
			// evidence of an off-corpus topic: weigh it like that word.
			for k, v := range vs[:min(len(vs), maxVariants)] {
				if k == 0 {
					w = s.bm25.idf(v.term) * v.sim
				}
				qt.lex = append(qt.lex, v.term)
				qt.lexWeights = append(qt.lexWeights, v.sim)
			}
		}
		if ix.an.isLight(t) || ix.an.isTitle(t) {
			w *= lightFactor
		}
		qt.terms = append(qt.terms, t)
		qt.weights = append(qt.weights, w)
		qt.names = append(qt.names, names[t])
		qt.total += w
		qt.own += w
		if known || len(vs) > 0 {
			top = max(top, w)
		} else {
			qt.unknown += w
		}
	}
	if long {
		// A claim is supported when a passage states its core, not every
		// word of the message around it: evidence is measured against
		// the longQueryTerms heaviest terms' weight.
		ws := append([]float64(nil), qt.weights...)
		sort.Sort(sort.Reverse(sort.Float64Slice(ws)))
		qt.total = 0
		for _, w := range ws[:min(len(ws), longQueryTerms)] {
			qt.total += w
		}
	}
	qt.focus = -1
	if f := focusWord(text); f != "" && len(qt.terms) > 1 {
		fs := ix.an.stem(f)
		for i, t := range qt.terms {
			if t == fs && !ix.an.isLight(t) && !ix.an.isTitle(t) {
				qt.focus = i
			}
		}
	}
	qt.heaviest = -1
	if len(qt.terms) > 1 {
		qt.heaviest = 0
		for i, w := range qt.weights {
			if w > qt.weights[qt.heaviest] {
				qt.heaviest = i
			}
		}
	}
	qt.atype = atype
	if atype != typeNone {
		if top == 0 {
			top = s.bm25.idf("")
		}
		qt.typeWeight = typeFactor * top
		if !atype.strict() {
			qt.typeWeight = weakTypeFactor * top
		}
		qt.total += qt.typeWeight
	}
	return qt
}

// Synonym matching: a synonym counts as this much of the word itself in
// evidence, and ranks with this share of a term's BM25 weight.
const (
	synonymSim       = 0.8
	synonymLexWeight = 0.3
)

func hasVariant(vs []variant, t string) bool {
	for _, v := range vs {
		if v.term == t {
			return true
		}
	}
	return false
}

// Answer-type weights, relative to the query's heaviest term: a strict
// type (date, number, money…) counts like one more specific term, a weak
// one (person, place) like a light word.
const (
	typeFactor     = 1.0
	weakTypeFactor = 0.25
	// titleLexWeight scales a title's BM25 contribution.
	titleLexWeight = 0.4
)

// termSet is the distinct analyzed terms of a piece of text.
type termSet map[string]bool

func (ix *Index) termSet(text string) termSet {
	ts := termSet{}
	for _, t := range ix.an.terms(text) {
		ts[t] = true
	}
	return ts
}

// match returns how well query term i is present in ts: 1 for the exact
// term, else the trigram similarity of the closest spelling variant in ts
// ("akhunzada" vs "akhundzada" ≈ 0.74), else 0.
func (qt queryTerms) match(i int, ts termSet) float64 {
	if ts[qt.terms[i]] {
		return 1
	}
	for _, v := range qt.variants[i] { // best first
		if v.term != qt.terms[i] && ts[v.term] {
			return v.sim
		}
	}
	return 0
}

// Spelling-variant matching: only words of 4+ letters, and only close ones.
const (
	// maxMatchVariants bounds the spellings of one query term that count
	// as matches in evidence.
	maxMatchVariants = 8
	fuzzyMinLen      = 4
	fuzzyMin         = 0.5
	// fuzzyShortLen and fuzzyShortMin: words shorter than this need at
	// least that similarity (see fuzzyFloor).
	fuzzyShortLen = 7
	fuzzyShortMin = 0.7
	// fuzzyMaxLen keeps pathological input (one 4,000-letter "word") from
	// making spelling matching quadratic; no real word is that long.
	fuzzyMaxLen = 40
)

// evidence is the IDF-weighted fraction of the query's terms present in ts
// (exactly or as a close spelling variant), with the asked answer type
// counted as one more term present when m has it: 1 when all are there.
func (qt queryTerms) evidence(ts termSet, m typeMask) float64 {
	if qt.total == 0 {
		return 0
	}
	var got float64
	for i := range qt.terms {
		got += qt.weights[i] * qt.match(i, ts)
	}
	if m.has(qt.atype) {
		got += qt.typeWeight
	}
	return min(1, got/qt.total)
}
