package retrieval

import (
	"math"
	"unicode/utf8"
)

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
}

// unknownFactor scales the weight of a query word the corpus never uses:
// a specific word with no trace in the corpus ("china", "bitcoin") is
// stronger evidence of an off-corpus question than a rare corpus word is
// evidence of an on-corpus one.
const unknownFactor = 1.5

// lightFactor scales the evidence weight of question scaffolding words.
const lightFactor = 0.25

// queryTerms analyzes text against snapshot s. A term's weight is its BM25
// IDF in the corpus, so a rare name counts more than "taliban"; a term the
// corpus never uses gets the maximum IDF, because asking about something the
// corpus never mentions is strong evidence that it cannot answer.
func (ix *Index) queryTerms(s *snapshot, text string) queryTerms {
	var qt queryTerms
	seen := map[string]bool{}
	for _, t := range ix.an.terms(text) {
		if seen[t] {
			continue
		}
		seen[t] = true
		w := s.bm25.idf(t)
		qt.lex = append(qt.lex, t)
		qt.lexWeights = append(qt.lexWeights, 1)
		if s.bm25.df(t) == 0 {
			w *= unknownFactor
			// An unknown word that is a misspelling of a corpus word is not
			// evidence of an off-corpus topic: weigh it like that word.
			for k, v := range s.vocab.variants(t) {
				if k == 0 {
					w = s.bm25.idf(v.term) * v.sim
				}
				qt.lex = append(qt.lex, v.term)
				qt.lexWeights = append(qt.lexWeights, v.sim)
			}
		}
		if ix.an.isLight(t) {
			w *= lightFactor
		}
		qt.terms = append(qt.terms, t)
		qt.weights = append(qt.weights, w)
		qt.total += w
	}
	return qt
}

// termSet is the distinct analyzed terms of a piece of text.
type termSet map[string]bool

func (ix *Index) termSet(text string) termSet {
	ts := termSet{}
	for _, t := range ix.an.terms(text) {
		ts[t] = true
	}
	return ts
}

// match returns how well term t is present in ts: 1 for the exact term, the
// trigram similarity of the closest spelling variant when it is at least
// fuzzyMin ("akhunzada" vs "akhundzada" ≈ 0.74), else 0.
func match(t string, ts termSet) float64 {
	if ts[t] {
		return 1
	}
	if utf8.RuneCountInString(t) < fuzzyMinLen {
		return 0
	}
	best := 0.0
	for u := range ts {
		if utf8.RuneCountInString(u) < fuzzyMinLen {
			continue
		}
		if sim := trigramDice(t, u); sim > best {
			best = sim
		}
	}
	if best < fuzzyMin {
		return 0
	}
	return best
}

// Spelling-variant matching: only words of 4+ letters, and only close ones.
const (
	fuzzyMinLen = 4
	fuzzyMin    = 0.5
)

// evidence is the IDF-weighted fraction of the query's terms present in ts
// (exactly or as a close spelling variant): 1 when every term is there.
func (qt queryTerms) evidence(ts termSet) float64 {
	if qt.total == 0 {
		return 0
	}
	var got float64
	for i, t := range qt.terms {
		got += qt.weights[i] * match(t, ts)
	}
	return got / qt.total
}

// trigramDice is the Dice coefficient of the boundary-marked character
// trigrams of a and b.
func trigramDice(a, b string) float64 {
	ga, gb := trigrams(a), trigrams(b)
	if len(ga) == 0 || len(gb) == 0 {
		return 0
	}
	inter := 0
	for g, n := range ga {
		inter += min(n, gb[g])
	}
	var na, nb int
	for _, n := range ga {
		na += n
	}
	for _, n := range gb {
		nb += n
	}
	return 2 * float64(inter) / float64(na+nb)
}

func trigrams(s string) map[string]int {
	rs := []rune("<" + s + ">")
	m := make(map[string]int, len(rs))
	for i := 0; i+3 <= len(rs); i++ {
		m[string(rs[i:i+3])]++
	}
	return m
}

// sigmoid maps a real to (0, 1).
func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
