package retrieval

import (
	"context"
	"strconv"
	"testing"
)

// BenchmarkStoreQuery compares the exact scan, the sketch and partitioned
// queries over 20k hash vectors (141 partitions of ~142), reporting CPU per
// query beside wall time: go test -run XXX -bench StoreQuery ./retrieval/
func BenchmarkStoreQuery(b *testing.B) {
	ctx := context.Background()
	e := NewLocalEmbedder(0)
	docs := ivfDocs(b, e, 20000)
	exact, err := buildStore(ctx, e, docs, nil, nil, storeConfig{MinPartitioned: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	ivf, err := buildStore(ctx, e, docs, nil, nil, storeConfig{MinPartitioned: 1, Probes: 1})
	if err != nil {
		b.Fatal(err)
	}
	sketch, err := buildStore(ctx, e, docs, nil, nil, storeConfig{MinPartitioned: 1, Candidates: 1000})
	if err != nil {
		b.Fatal(err)
	}
	q := docs[17].Vector
	run := func(name string, s *store, probes int) {
		b.Run(name, func(b *testing.B) {
			c0, _ := cpuTime()
			for b.Loop() {
				query := s.query
				if probes > 0 {
					query = func(ctx context.Context, v []float32, n int, where map[string]string) ([]storeHit, error) {
						return s.queryProbes(ctx, v, n, where, probes)
					}
				}
				if _, err := query(ctx, q, candDepth, nil); err != nil {
					b.Fatal(err)
				}
			}
			c1, _ := cpuTime()
			b.ReportMetric(float64((c1-c0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
	run("exact", exact, 1)
	run("sketch-1000", sketch, 0)
	for _, p := range []int{1, 16, 70, 141} {
		run("probes="+strconv.Itoa(p), ivf, p)
	}
}
