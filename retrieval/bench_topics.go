package retrieval

import (
	"fmt"
	"math/rand"
	"slices"

	"citebot/corpus"
)

// checkTopics says how far an embedder's vectors see the topics the
// synthetic corpus was written with: over a seeded sample of passages, the
// share of each one's 10 nearest passages of other articles that share its
// topic (against the share a random pick would give), and the mean cosine
// to passages of the same topic and of others. Partitions can only save
// scanning where near neighbours gather, and vectors that put every
// passage near every other (a model that finds no meaning in made-up
// words) say little about how the store does on real text.
func checkTopics(vecs [][]float32, topics []int, ps []corpus.Passage) string {
	const samples, k = 100, 10
	if len(vecs) < 2*k || len(topics) != len(vecs) {
		return "topic check: too few passages"
	}
	rng := rand.New(rand.NewSource(3))
	perTopic := map[int]int{}
	for _, t := range topics {
		perTopic[t]++
	}
	type near struct {
		i   int
		sim float32
	}
	var same, nn, chance float64
	var cosSame, cosOther float64
	var nSame, nOther int
	top := make([]near, 0, k+1)
	for range samples {
		i := rng.Intn(len(vecs))
		top = top[:0]
		for j, v := range vecs {
			if ps[j].DocID == ps[i].DocID {
				continue
			}
			sim := dotF32(vecs[i], v)
			if topics[j] == topics[i] {
				cosSame += float64(sim)
				nSame++
			} else {
				cosOther += float64(sim)
				nOther++
			}
			if len(top) == k && sim <= top[k-1].sim {
				continue
			}
			at, _ := slices.BinarySearchFunc(top, sim, func(a near, s float32) int {
				switch {
				case a.sim > s:
					return -1
				case a.sim < s:
					return 1
				}
				return 0
			})
			top = slices.Insert(top, at, near{j, sim})
			if len(top) > k {
				top = top[:k]
			}
		}
		for _, x := range top {
			nn++
			if topics[x.i] == topics[i] {
				same++
			}
		}
		// Other articles' passages of the same topic, over all others.
		chance += float64(perTopic[topics[i]]-articleLen(ps, i)) / float64(len(vecs)-articleLen(ps, i))
	}
	return fmt.Sprintf("topic check: of each passage's %d nearest (other articles), %.2f share its topic (random: %.2f); "+
		"mean cosine %.2f to its topic's passages, %.2f to others'", k, same/nn, chance/samples,
		cosSame/max(1, float64(nSame)), cosOther/max(1, float64(nOther)))
}

// articleLen counts the passages of passage i's article (the synthetic
// corpora keep an article's passages together).
func articleLen(ps []corpus.Passage, i int) int {
	lo, hi := i, i
	for lo > 0 && ps[lo-1].DocID == ps[i].DocID {
		lo--
	}
	for hi+1 < len(ps) && ps[hi+1].DocID == ps[i].DocID {
		hi++
	}
	return hi - lo + 1
}
