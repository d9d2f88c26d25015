package retrieval

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"citebot/corpus"
)

// TestCheckTopics: vectors that point one way per topic are seen to
// cluster by topic; vectors unrelated to the topics are not.
func TestCheckTopics(t *testing.T) {
	const articles, per, topicsN, dim = 40, 5, 4, 16
	rng := rand.New(rand.NewSource(1))
	var ps []corpus.Passage
	var topics []int
	var byTopic, random [][]float32
	for a := range articles {
		for range per {
			ps = append(ps, corpus.Passage{DocID: fmt.Sprintf("a%d", a)})
			tp := a % topicsN
			topics = append(topics, tp)
			v, r := make([]float32, dim), make([]float32, dim)
			for d := range v {
				v[d] = 0.05 * float32(rng.NormFloat64())
				r[d] = float32(rng.NormFloat64())
			}
			v[tp] += 1
			byTopic = append(byTopic, unitVec(v))
			random = append(random, unitVec(r))
		}
	}
	got := checkTopics(byTopic, topics, ps)
	if !strings.Contains(got, "10 nearest (other articles), 1.00 share its topic (random: 0.23)") {
		t.Errorf("clustered vectors: %s", got)
	}
	got = checkTopics(random, topics, ps)
	var share, chance float64
	if _, err := fmt.Sscanf(got[strings.Index(got, "), ")+3:], "%f share its topic (random: %f)", &share, &chance); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if share > 0.45 {
		t.Errorf("random vectors share topics with %.2f of their neighbours (random pick %.2f): %s", share, chance, got)
	}
}

func unitVec(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	for i := range v {
		v[i] /= float32(math.Sqrt(n))
	}
	return v
}
