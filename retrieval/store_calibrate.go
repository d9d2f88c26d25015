package retrieval

import (
	"context"
)

// Calibration. How many partitions a query must scan, or how many sketch
// candidates it must re-score (sketch.go), to find most of its exact
// nearest neighbours depends on the vectors, so it is measured, not
// assumed: when a layout is trained, sample queries are ranked exactly
// (citebot's own dot product over every vector) and the store takes the
// fewest probes or candidates whose mean recall@calibDepth on them reaches
// calibRecall. CITEBOT_ANN_CANDIDATES and CITEBOT_ANN_PROBES override it.
const (
	calibDepth = candDepth
	// calibRecall is above the 0.98 the default promises, for the margin
	// between the sample and other queries.
	calibRecall = 0.99
	// calibQueries is how many sample queries calibrate.
	calibQueries = 48
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
	depth := min(calibDepth, l.n)
	if depth == 0 {
		return 0, 1, nil
	}
	for _, q := range queries {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		top := exactTop(l, q, depth)
		inPart := make([]int, k)
		for _, at := range top {
			inPart[at.part]++
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
