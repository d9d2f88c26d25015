package retrieval

import (
	"context"
	"math"
	"math/rand"
	"runtime"
	"slices"
	"sync"
)

// Spherical k-means (Dhillon & Modha 2001) partitions unit vectors by
// cosine: each centroid is the normalized sum of its members, each vector
// goes to the centroid with the largest dot product. It is trained on a
// sample, as faiss trains its IVF quantizers: about kmeansPerCentroid
// vectors per centroid are enough to place the centroids, and the cost is
// sample × k × dim per iteration.
const (
	kmeansPerCentroid = 40
	kmeansIters       = 12
	// kmeansConverged stops early once fewer than this share of the
	// sample changed partition in an iteration.
	kmeansConverged = 0.005
)

// trainCentroids returns k unit centroids for vecs (unit vectors), trained
// on a seeded sample, and each centroid's bias: its dot product with the
// vectors' mean. The clustering is of the centred vectors (each minus the
// mean, renormalized): text embeddings share a large common direction
// (the hash embedder's mean has norm 0.64 on synthetic text; any two
// passages have cosine ~0.4), which otherwise dominates every centroid. A
// vector v belongs to argmax c·v − bias (= c·(v − mean)); a query probes in
// that order too. k is capped at len(vecs). It only fails when ctx is
// cancelled.
func trainCentroids(ctx context.Context, vecs [][]float32, k int, seed int64) ([][]float32, []float32, error) {
	k = min(k, len(vecs))
	if k <= 0 {
		return nil, nil, nil
	}
	dim := len(vecs[0])
	mu := meanVector(vecs)
	rng := rand.New(rand.NewSource(seed))
	pick := rng.Perm(len(vecs))[:min(len(vecs), k*kmeansPerCentroid)]
	sample := make([][]float32, len(pick))
	centred := make([]float64, dim)
	for i, j := range pick {
		for d, x := range vecs[j] {
			centred[d] = float64(x) - float64(mu[d])
		}
		sample[i] = unitFrom(centred)
	}
	cents := make([][]float32, k)
	for i, j := range rng.Perm(len(sample))[:k] {
		cents[i] = slices.Clone(sample[j])
	}
	assign := make([]int32, len(sample))
	for i := range assign {
		assign[i] = -1
	}
	for it := 0; it < kmeansIters; it++ {
		changed, err := assignNearest(ctx, cents, nil, sample, assign)
		if err != nil {
			return nil, nil, err
		}
		// New centroids: normalized member sums.
		sums := make([][]float64, k)
		counts := make([]int, k)
		for i, c := range assign {
			if sums[c] == nil {
				sums[c] = make([]float64, dim)
			}
			for d, x := range sample[i] {
				sums[c][d] += float64(x)
			}
			counts[c]++
		}
		for c := range cents {
			if counts[c] > 0 {
				cents[c] = unitFrom(sums[c])
			}
		}
		splitEmpty(rng, cents, counts)
		if float64(changed) < kmeansConverged*float64(len(sample)) {
			break
		}
	}
	bias := make([]float32, k)
	for c, cv := range cents {
		bias[c] = dotF32(cv, mu)
	}
	return cents, bias, nil
}

// splitEmpty gives every empty centroid half of the largest partition, as
// faiss does: a copy of the largest centroid and the original, nudged apart
// in opposite directions, so the next assignment splits its members.
func splitEmpty(rng *rand.Rand, cents [][]float32, counts []int) {
	for c := range cents {
		if counts[c] > 0 {
			continue
		}
		big := 0
		for j := range counts {
			if counts[j] > counts[big] {
				big = j
			}
		}
		if counts[big] < 2 {
			return
		}
		a, b := make([]float64, len(cents[big])), make([]float64, len(cents[big]))
		for d, x := range cents[big] {
			e := (rng.Float64()*2 - 1) * 1e-2 / math.Sqrt(float64(len(a)))
			a[d], b[d] = float64(x)+e, float64(x)-e
		}
		cents[c], cents[big] = unitFrom(a), unitFrom(b)
		counts[c], counts[big] = counts[big]/2, counts[big]-counts[big]/2
	}
}

// unitFrom returns v scaled to unit length as float32 (v itself if zero).
func unitFrom(v []float64) []float32 {
	var n float64
	for _, x := range v {
		n += x * x
	}
	n = math.Sqrt(n)
	if n == 0 {
		n = 1
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x / n)
	}
	return out
}

// assignNearest sets assign[i] to the centroid nearest vecs[i] (largest
// dot product minus bias; nil bias: none), on every core, and returns how
// many assignments changed.
func assignNearest(ctx context.Context, cents [][]float32, bias []float32, vecs [][]float32, assign []int32) (int, error) {
	const chunk = 512
	var mu sync.Mutex
	changed := 0
	var wg sync.WaitGroup
	next := make(chan int)
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for lo := range next {
				for i := lo; i < min(lo+chunk, len(vecs)); i++ {
					c := int32(nearestCentroid(cents, bias, vecs[i]))
					if c != assign[i] {
						assign[i] = c
						n++
					}
				}
			}
			mu.Lock()
			changed += n
			mu.Unlock()
		}()
	}
	var err error
	for lo := 0; lo < len(vecs); lo += chunk {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- lo
	}
	close(next)
	wg.Wait()
	return changed, err
}

// nearestCentroid returns the index of the centroid with the largest dot
// product with v less its bias (the first on ties).
func nearestCentroid(cents [][]float32, bias []float32, v []float32) int {
	best, bestSim := 0, float32(math.Inf(-1))
	for c, cv := range cents {
		s := dotF32(cv, v)
		if bias != nil {
			s -= bias[c]
		}
		if s > bestSim {
			best, bestSim = c, s
		}
	}
	return best
}
