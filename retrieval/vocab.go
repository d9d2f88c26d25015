package retrieval

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// vocabulary is the set of indexed terms with a trigram index, so a query
// word the corpus never uses ("akhunzada", "officals") can be mapped to its
// closest spellings ("akhundzada", "offici") without scanning every term.
// Terms are a termDict's ids, so an update extends the previous snapshot's
// vocabulary with the terms it added (extend) rather than rebuilding it;
// terms whose document frequency fell to 0 stay indexed but are never
// returned, so lookups equal those of a vocabulary built from scratch.
// Immutable once built.
type vocabulary struct {
	dict   *termDict
	dfs    []int32             // by id; nil: every term is live
	sorted []uint32            // ids in term order, for prefix lookups
	grams  map[string][]uint32 // trigram → ids
	ngrams []int32             // distinct trigram count by id (0: not fuzzy-indexed)
	// counters recycles the per-term shared-trigram counts of variants: a
	// dense slice reset through the touched list is several times faster
	// than a map on the long posting lists of common trigrams.
	counters sync.Pool // *[]uint16, len(dict.terms)
}

// newVocabulary indexes a plain list of distinct terms (a Backend's).
func newVocabulary(terms []string) *vocabulary {
	dict := (*termDict)(nil).fork()
	for _, t := range terms {
		dict.intern(t)
	}
	return newDictVocabulary(dict, nil)
}

// newDictVocabulary indexes every term of dict; dfs (nil: all live) tells
// which are used.
func newDictVocabulary(dict *termDict, dfs []int32) *vocabulary {
	return (&vocabulary{grams: map[string][]uint32{}}).extend(dict, dfs)
}

// extend returns v with the terms dict added since v was built (dict must
// be v's dictionary or a fork of it) and the document frequencies dfs. v
// is not changed: every slice it shares is copied before it grows.
func (v *vocabulary) extend(dict *termDict, dfs []int32) *vocabulary {
	from := len(v.ngrams)
	nv := &vocabulary{dict: dict, dfs: dfs, sorted: v.sorted, grams: v.grams, ngrams: v.ngrams}
	if from == dict.size() {
		return nv
	}
	nv.ngrams = slices.Grow(slices.Clone(v.ngrams), dict.size()-from)[:dict.size()]
	added := make([]uint32, 0, dict.size()-from)
	fresh := from == 0
	if !fresh {
		nv.grams = maps.Clone(v.grams)
	}
	copied := map[string]bool{} // gram lists already private to nv
	for id := from; id < dict.size(); id++ {
		added = append(added, uint32(id))
		t := dict.terms[id]
		if n := utf8.RuneCountInString(t); n < fuzzyMinLen || n > fuzzyMaxLen {
			continue
		}
		tg := trigrams(t)
		nv.ngrams[id] = int32(len(tg))
		for g := range tg {
			l := nv.grams[g]
			if !fresh && !copied[g] {
				l = slices.Clip(l) // the next append copies: v keeps its list
				copied[g] = true
			}
			nv.grams[g] = append(l, uint32(id))
		}
	}
	sortedTermIDs(dict, added)
	if fresh {
		nv.sorted = added
		return nv
	}
	// Merge the added ids into the sorted list.
	merged := make([]uint32, 0, len(v.sorted)+len(added))
	a, b := v.sorted, added
	for len(a) > 0 && len(b) > 0 {
		if dict.terms[a[0]] < dict.terms[b[0]] {
			merged, a = append(merged, a[0]), a[1:]
		} else {
			merged, b = append(merged, b[0]), b[1:]
		}
	}
	nv.sorted = append(append(merged, a...), b...)
	return nv
}

// live reports whether term id is used by some passage.
func (v *vocabulary) live(id uint32) bool { return v.dfs == nil || v.dfs[id] > 0 }

// withPrefix returns up to limit live terms starting with prefix, in term
// order.
func (v *vocabulary) withPrefix(prefix string, limit int) []string {
	lo := sort.Search(len(v.sorted), func(i int) bool { return v.dict.terms[v.sorted[i]] >= prefix })
	var out []string
	for _, id := range v.sorted[lo:] {
		if len(out) == limit || !strings.HasPrefix(v.dict.terms[id], prefix) {
			break
		}
		if v.live(id) {
			out = append(out, v.dict.terms[id])
		}
	}
	return out
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
	if counts == nil || len(*counts) != len(v.ngrams) {
		c := make([]uint16, len(v.ngrams))
		counts = &c
	}
	shared := *counts
	var touched []uint32
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
		if sim := 2 * float64(shared[i]) / float64(len(tg)+int(v.ngrams[i])); sim >= floor && v.live(i) {
			out = append(out, variant{v.dict.terms[i], sim})
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
