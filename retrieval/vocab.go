package retrieval

import (
	"sort"
	"unicode/utf8"
)

// vocabulary is the sorted set of indexed terms with a trigram index, so a
// query word the corpus never uses ("akhunzada", "officals") can be mapped
// to its closest spellings ("akhundzada", "offici") without scanning every
// term. Immutable once built.
type vocabulary struct {
	terms []string
	grams map[string][]int32 // trigram → indexes into terms
}

func newVocabulary(terms []string) *vocabulary {
	sort.Strings(terms)
	v := &vocabulary{terms: terms, grams: map[string][]int32{}}
	for i, t := range terms {
		if utf8.RuneCountInString(t) < fuzzyMinLen {
			continue
		}
		for g := range trigrams(t) {
			v.grams[g] = append(v.grams[g], int32(i))
		}
	}
	return v
}

// maxVariants is how many spellings one unknown word expands to.
const maxVariants = 2

// variant is a vocabulary term close to an unknown query word.
type variant struct {
	term string
	sim  float64
}

// variants returns up to limit vocabulary terms whose trigram Dice
// similarity to t is at least fuzzyMin, best first.
func (v *vocabulary) variants(t string, limit int) []variant {
	if n := utf8.RuneCountInString(t); n < fuzzyMinLen || n > fuzzyMaxLen {
		return nil
	}
	tg := trigrams(t)
	shared := map[int32]int{}
	for g := range tg {
		for _, i := range v.grams[g] {
			shared[i]++
		}
	}
	// Dice ≥ fuzzyMin needs at least this many shared trigrams whatever the
	// other word's length, which prunes most candidates cheaply.
	need := int(fuzzyMin * float64(len(tg)) / 2)
	var out []variant
	for i, n := range shared {
		if n < need {
			continue
		}
		if sim := trigramDice(t, v.terms[i]); sim >= fuzzyMin {
			out = append(out, variant{v.terms[i], sim})
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].sim != out[b].sim {
			return out[a].sim > out[b].sim
		}
		return out[a].term < out[b].term
	})
	return out[:min(len(out), limit)]
}
