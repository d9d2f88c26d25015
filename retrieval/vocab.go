package retrieval

import (
	"sort"
	"sync"
	"unicode/utf8"
)

// vocabulary is the sorted set of indexed terms with a trigram index, so a
// query word the corpus never uses ("akhunzada", "officals") can be mapped
// to its closest spellings ("akhundzada", "offici") without scanning every
// term. Immutable once built.
type vocabulary struct {
	terms  []string
	grams  map[string][]int32 // trigram → indexes into terms
	ngrams []int32            // distinct trigram count by term
	// counters recycles the per-term shared-trigram counts of variants: a
	// dense slice reset through the touched list is several times faster
	// than a map on the long posting lists of common trigrams.
	counters sync.Pool // *[]uint16, len(terms)
}

func newVocabulary(terms []string) *vocabulary {
	sort.Strings(terms)
	v := &vocabulary{terms: terms, grams: map[string][]int32{}, ngrams: make([]int32, len(terms))}
	for i, t := range terms {
		if n := utf8.RuneCountInString(t); n < fuzzyMinLen || n > fuzzyMaxLen {
			continue
		}
		tg := trigrams(t)
		v.ngrams[i] = int32(len(tg))
		for g := range tg {
			v.grams[g] = append(v.grams[g], int32(i))
		}
	}
	return v
}

// maxVariants is how many spellings one unknown word expands to.
const maxVariants = 2

// trigrams returns the distinct boundary-marked character trigrams of s.
func trigrams(s string) map[string]struct{} {
	rs := []rune("<" + s + ">")
	m := make(map[string]struct{}, len(rs))
	for i := 0; i+3 <= len(rs); i++ {
		m[string(rs[i:i+3])] = struct{}{}
	}
	return m
}

// fuzzyFloor is the least similarity at which a spelling counts as a
// variant of an n-letter word. A short word has few trigrams, so one
// changed letter leaves half of them shared: "cost" and "post", "tall" and
// "call" score 0.5, and they are different words, not misspellings. Short
// words therefore need a near-identical spelling.
func fuzzyFloor(n int) float64 {
	if n < fuzzyShortLen {
		return fuzzyShortMin
	}
	return fuzzyMin
}

// variant is a vocabulary term close to an unknown query word.
type variant struct {
	term string
	sim  float64
}

// variants returns up to limit vocabulary terms whose trigram Dice
// similarity to t (2·shared / (distinct trigrams of t + of the term)) is
// at least fuzzyMin, best first. Shared trigrams are counted from the
// trigram index, so no spelling is compared letter by letter.
func (v *vocabulary) variants(t string, limit int) []variant {
	if n := utf8.RuneCountInString(t); n < fuzzyMinLen || n > fuzzyMaxLen {
		return nil
	}
	tg := trigrams(t)
	counts, _ := v.counters.Get().(*[]uint16)
	if counts == nil || len(*counts) != len(v.terms) {
		c := make([]uint16, len(v.terms))
		counts = &c
	}
	shared := *counts
	var touched []int32
	for g := range tg {
		for _, i := range v.grams[g] {
			if shared[i] == 0 {
				touched = append(touched, i)
			}
			shared[i]++
		}
	}
	var out []variant
	floor := fuzzyFloor(utf8.RuneCountInString(t))
	for _, i := range touched {
		if sim := 2 * float64(shared[i]) / float64(len(tg)+int(v.ngrams[i])); sim >= floor {
			out = append(out, variant{v.terms[i], sim})
		}
		shared[i] = 0
	}
	v.counters.Put(counts)
	sort.Slice(out, func(a, b int) bool {
		if out[a].sim != out[b].sim {
			return out[a].sim > out[b].sim
		}
		return out[a].term < out[b].term
	})
	return out[:min(len(out), limit)]
}
