package retrieval

import (
	"cmp"
	"context"
	"slices"
)

// Probe calibration. How many partitions a query must scan to find most of
// its exact nearest neighbours depends on how clustered the vectors are: a
// semantic model on news clusters by topic and needs few; hash vectors of
// text without topics hardly cluster at all and need most. So the default
// probe count is measured, not assumed: when centroids are trained, sample
// queries are ranked exactly (citebot's own dot product over every vector)
// and the store takes the fewest probes whose mean recall@calibDepth on
// them reaches calibRecall. CITEBOT_ANN_PROBES overrides it.
const (
	calibDepth = candDepth
	// calibRecall is above the 0.98 the default promises, for the margin
	// between the sample and other queries.
	calibRecall = 0.99
	// calibQueries is how many sample queries calibrate.
	calibQueries = 48
	// partitionOverhead is chromem-go's fixed cost of querying one
	// collection (goroutines, a filter pass over a map, a heap), in
	// passages scanned at 512 dimensions: 0.12 ms of CPU per partition
	// against 1.47 µs per passage (BenchmarkStoreQuery, 20k passages).
	partitionOverhead = 82
	// minGain is the share of the exact scan's cost partitions must save
	// to be used.
	minGain = 0.2
)

// calibrateProbes returns the fewest probes for which the mean recall of
// the top calibDepth over queries reaches calibRecall (every partition
// when nothing less does), and the mean share of the documents those
// probes scan.
func calibrateProbes(ctx context.Context, l *storeLayout, queries [][]float32) (int, float64, error) {
	if l.cents == nil || len(queries) == 0 {
		return 0, 1, nil
	}
	k := len(l.parts)
	// covered[p] sums, over queries, the share of the query's exact top
	// found in its p+1 nearest partitions.
	covered := make([]float64, k)
	scanned := make([]float64, k) // documents in the p+1 nearest, summed
	type sim struct {
		id  string
		sim float32
	}
	depth := min(calibDepth, l.n)
	if depth == 0 {
		return 0, 1, nil
	}
	top := make([]sim, 0, depth+1) // best first
	byBest := func(a, b sim) int { return cmp.Compare(b.sim, a.sim) }
	for _, q := range queries {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		top = top[:0]
		for _, part := range l.parts {
			for _, d := range part.members {
				s := sim{d.ID, dotF32(q, d.Vector)}
				if len(top) == depth && s.sim <= top[depth-1].sim {
					continue
				}
				i, _ := slices.BinarySearchFunc(top, s, byBest)
				top = slices.Insert(top, i, s)
				if len(top) > depth {
					top = top[:depth]
				}
			}
		}
		inPart := make([]int, k)
		for _, s := range top {
			inPart[l.loc[s.id].part]++
		}
		got, docs := 0, 0
		for r, p := range l.probeOrder(q) {
			got += inPart[p]
			docs += len(l.parts[p].members)
			covered[r] += float64(got) / float64(len(top))
			scanned[r] += float64(docs)
		}
	}
	for r := range covered {
		if covered[r]/float64(len(queries)) >= calibRecall {
			return r + 1, scanned[r] / float64(len(queries)) / float64(l.n), nil
		}
	}
	return k, 1, nil
}

// partitionsPay reports whether probing partitions that scan share of the
// n documents (k partitions, dim dimensions) costs at most 1-minGain of
// the exact scan, counting chromem-go's per-collection overhead.
func partitionsPay(share float64, k, n, dim int) bool {
	if n == 0 || dim == 0 {
		return false
	}
	ov := float64(partitionOverhead) * 512 / float64(dim)
	return share*(1+ov*float64(k)/float64(n)) <= 1-minGain
}
