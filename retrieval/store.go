package retrieval

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"sync/atomic"

	chromem "github.com/philippgille/chromem-go"
)

// store is the in-process dense store and the only code that touches
// chromem-go. Below storeConfig.MinPartitioned passages it is one
// chromem-go collection scanned exactly. Above, it is shards by article,
// each its own chromem-go collection, with a bit sketch of every vector
// (sketch.go): a query compares signatures, computes the exact similarity
// of only the best candidates by them (their number calibrated for
// recall@50 ≥ 0.99, store_calibrate.go) and goes through chromem-go's scan
// only when a filter leaves fewer documents than that. With
// CITEBOT_ANN_PROBES set it is instead an inverted-file index (IVF):
// spherical k-means partitions of the vectors (store_ivf.go), each its own
// chromem-go collection, and a query scans the centroids, queries the
// nearest partitions through chromem-go and merges. Measured, the sketch
// is the faster of the two at any recall (README, "The vector store").
//
// It guards against chromem-go's traps (see shared/notes/chromem-go.md):
// never a nil EmbeddingFunc (that silently means OpenAI), never more
// results than documents, no Delete at all (a changed partition is rebuilt
// as a new collection), metadata copied rather than aliased, adds in
// bounded batches. Partitions are immutable once built, so a new snapshot
// shares every partition its update did not touch with the previous one.
type store struct {
	name   string
	ef     chromem.EmbeddingFunc
	cfg    storeConfig
	layout atomic.Pointer[storeLayout]
}

// storeConfig tunes the store. The zero value means the defaults.
type storeConfig struct {
	// Probes, when > 0, makes the store past MinPartitioned k-means
	// partitions instead of a sketch, and is how many a query scans
	// (CITEBOT_ANN_PROBES).
	Probes int
	// Candidates is how many candidates by the sketch a query re-scores
	// (CITEBOT_ANN_CANDIDATES); ≤ 0 means the calibrated count.
	Candidates int
	// MinPartitioned is the size from which the store is sketched (or
	// partitioned); ≤ 0 means defaultMinPartitioned.
	MinPartitioned int
	// Calibration, if set, returns sample query vectors the default probe
	// count is calibrated on whenever centroids are trained
	// (store_calibrate.go); without it the default is defaultProbes.
	Calibration func(ctx context.Context) ([][]float32, error)
	// trained, if set, is called whenever centroids are trained (tests).
	trained func()
	// single keeps an exact store in one collection, never sharded
	// (the bench's plain chromem-go baseline).
	single bool
}

// Measured on synthetic corpora with the local embedder (citebot bench):
// below ~5k passages chromem-go's exact scan takes under 4 ms, and the
// sketch already saves most of it from 2k (1.9 against 0.6 ms). The
// default counts are used only when no calibration ran.
const (
	defaultMinPartitioned = 5000
	defaultProbes         = 24
	defaultCandidates     = 2000
)

// probes returns the probe count for l: the configured one, else the
// calibrated one, else defaultProbes.
func (c storeConfig) probes(l *storeLayout) int {
	return cmp.Or(max(c.Probes, 0), l.probes, defaultProbes)
}

// candidates returns how many candidates a sketch query re-scores on l:
// the configured count, else the calibrated one, else defaultCandidates.
func (c storeConfig) candidates(l *storeLayout) int {
	return cmp.Or(max(c.Candidates, 0), l.candidates, defaultCandidates)
}

func (c storeConfig) minPartitioned() int {
	if c.MinPartitioned > 0 {
		return c.MinPartitioned
	}
	return defaultMinPartitioned
}

// storeLayout is one immutable arrangement of the documents: centroids (nil
// when exact: a single partition) and the partitions.
type storeLayout struct {
	cents [][]float32
	bias  []float32 // per centroid: its dot product with the mean (kmeans.go)
	parts []*partition
	loc   map[string]docLoc // document id → where it is
	n     int               // documents
	// trainedN is the document count the centroids were trained for,
	// trainedImbalance the imbalance right after training.
	trainedN         int
	trainedImbalance float64
	// probes is the calibrated probe count (0: none calibrated) and
	// scanShare the share of the documents it scans.
	probes    int
	scanShare float64
	// triedN, on an exact layout, is the size its sketch was trained at
	// (or, in an index saved before sketches, at which partitions were
	// found not worth it; 0: never trained).
	triedN int
	// sk, on an exact layout, signs every member (sketch.go): a query
	// then re-scores only the best candidates by the signatures, the
	// calibrated count of them (0: none calibrated) reaching
	// candRecall on the calibration queries.
	sk         *sketcher
	candidates int
	candRecall float64
	// offset[p] is the position of partition p's first member among all
	// members (for the sketch's per-query estimates).
	offset []int
}

// docLoc is a document's partition and position in its member list.
type docLoc struct{ part, idx int32 }

// partition is one chromem-go collection and the documents in it.
type partition struct {
	coll    *chromem.Collection // nil when empty
	members []storeDoc
	sk      *partSketch // the members' signatures, when the layout has a sketcher
	// counts holds, for every metadata key and value, how many members
	// carry it: a filtered query skips partitions without a match.
	counts map[string]int
}

// storeBatch bounds how many documents one AddDocuments call spawns
// goroutines for (chromem-go starts one per document up front).
const storeBatch = 1024

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// collectionName derives the collection name from the embedder identity so
// vectors from two embedders or dimensions never share a collection.
func collectionName(emb Embedder) string {
	return unsafeName.ReplaceAllString(emb.Name(), "_") + "-" + strconv.Itoa(emb.Dim())
}

// storeDoc is one vector to add, with metadata used for filtering.
type storeDoc struct {
	ID       string
	Vector   []float32
	Metadata map[string]string
}

// sameDoc reports whether b is a (unit) vector and metadata identical to a:
// the same vector slice (unchanged passages share it between snapshots) and
// equal metadata.
func sameDoc(a, b *storeDoc) bool {
	return len(a.Vector) == len(b.Vector) && len(a.Vector) > 0 && &a.Vector[0] == &b.Vector[0] &&
		maps.Equal(a.Metadata, b.Metadata)
}

// count returns the number of stored vectors.
func (s *store) count() int { return s.layout.Load().n }

// storeHit is one nearest-neighbour result.
type storeHit struct {
	ID         string
	Similarity float64
	Metadata   map[string]string
}

// query returns up to n nearest documents to vec (cosine similarity),
// restricted to documents whose metadata equals every pair in where, best
// first (ties by id). n is capped at the store size; an empty store returns
// no hits. A partitioned store scans the nearest probes partitions (more
// under a filter, in proportion to how few documents match, and always
// enough to hold n documents); an exact store scans everything.
//
// An exact store with a sketch (sketch.go) re-scores only the best
// candidates by the signatures, unless where leaves no more documents than
// that: those are scanned through chromem-go.
func (s *store) query(ctx context.Context, vec []float32, n int, where map[string]string) ([]storeHit, error) {
	l := s.layout.Load()
	if l.sk != nil && l.cents == nil {
		return s.queryCandidates(ctx, l, vec, n, where, s.cfg.candidates(l))
	}
	return s.queryLayout(ctx, l, vec, n, where, s.cfg.probes(l))
}

// queryCandidates is query over l's sketch with cand candidates.
func (s *store) queryCandidates(ctx context.Context, l *storeLayout, vec []float32, n int, where map[string]string, cand int) ([]storeHit, error) {
	n = min(n, l.n)
	if n <= 0 || len(vec) == 0 {
		return nil, nil
	}
	if len(vec) != l.sk.dim {
		return nil, fmt.Errorf("store: query of %d dimensions, documents of %d", len(vec), l.sk.dim)
	}
	if len(where) > 0 {
		total := 0
		for _, part := range l.parts {
			total += part.matching(where)
		}
		if total <= cand {
			return s.queryLayout(ctx, l, vec, n, where, len(l.parts))
		}
	}
	return l.sketchQuery(ctx, vec, n, cand, where)
}

// queryProbes is query with an explicit probe count (for the bench).
func (s *store) queryProbes(ctx context.Context, vec []float32, n int, where map[string]string, probes int) ([]storeHit, error) {
	return s.queryLayout(ctx, s.layout.Load(), vec, n, where, probes)
}

// queryLayout is query over l's partitions through chromem-go, scanning
// probes of them (every one when l is exact).
func (s *store) queryLayout(ctx context.Context, l *storeLayout, vec []float32, n int, where map[string]string, probes int) ([]storeHit, error) {
	n = min(n, l.n)
	if n <= 0 || len(vec) == 0 {
		return nil, nil
	}
	if len(where) == 0 {
		where = nil
	}
	order := l.probeOrder(vec)
	// bound[p] is an upper bound on p's members matching where.
	bound := make([]int, len(l.parts))
	total := 0
	for p, part := range l.parts {
		bound[p] = part.matching(where)
		total += bound[p]
	}
	if total == 0 {
		return nil, nil
	}
	if l.cents == nil {
		probes = len(l.parts) // exact: every shard
	} else if where != nil {
		// A filter leaves a share total/n of each partition: probe that
		// many times more partitions to scan as many matching documents.
		probes = int(min(float64(len(l.parts)), math.Ceil(float64(probes)*float64(l.n)/float64(total))))
	}
	var res []chromem.Result
	probed, scanned := 0, 0
	for _, p := range order {
		if bound[p] == 0 {
			continue
		}
		part := l.parts[p]
		r, err := part.coll.QueryEmbedding(ctx, vec, min(n, len(part.members)), where, nil)
		if err != nil {
			return nil, fmt.Errorf("store: query: %w", err)
		}
		res = append(res, r...)
		probed++
		scanned += bound[p]
		if (probed >= probes && scanned >= n) || scanned >= total {
			break
		}
	}
	slices.SortFunc(res, func(a, b chromem.Result) int {
		if c := cmp.Compare(b.Similarity, a.Similarity); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	res = res[:min(n, len(res))]
	out := make([]storeHit, len(res))
	for i, r := range res {
		// Result.Metadata aliases the stored document: copy it.
		out[i] = storeHit{ID: r.ID, Similarity: float64(r.Similarity), Metadata: maps.Clone(r.Metadata)}
	}
	return out, nil
}

// probeOrder returns the partitions by decreasing centroid similarity to
// vec (just the one partition when exact).
func (l *storeLayout) probeOrder(vec []float32) []int {
	order := make([]int, len(l.parts))
	for i := range order {
		order[i] = i
	}
	if l.cents == nil {
		return order
	}
	sims := make([]float32, len(l.cents))
	for c, cv := range l.cents {
		sims[c] = dotF32(cv, vec) - l.bias[c]
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(sims[b], sims[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return order
}

// matching returns an upper bound on the members whose metadata equals
// every pair of where (all members when where is nil).
func (p *partition) matching(where map[string]string) int {
	m := len(p.members)
	for k, v := range where {
		m = min(m, p.counts[k+"\x00"+v])
	}
	return m
}

// newPartition builds a chromem-go collection over docs, and their
// signatures when sk is set, copied from prev (a layout with the same
// sketcher, or nil) for every document unchanged there.
func newPartition(ctx context.Context, name string, ef chromem.EmbeddingFunc, docs []storeDoc, sk *sketcher, prev *storeLayout) (*partition, error) {
	p := &partition{members: docs, counts: map[string]int{}}
	if sk != nil {
		p.sk = sk.sketchDocs(docs, prev)
	}
	for _, d := range docs {
		for k, v := range d.Metadata {
			p.counts[k+"\x00"+v]++
		}
	}
	if len(docs) == 0 {
		return p, nil
	}
	// One DB per partition: nothing outlives the snapshots that use it,
	// and the garbage collector frees a replaced partition.
	coll, err := chromem.NewDB().GetOrCreateCollection(name, nil, ef)
	if err != nil {
		return nil, fmt.Errorf("store: create collection %q: %w", name, err)
	}
	for lo := 0; lo < len(docs); lo += storeBatch {
		hi := min(lo+storeBatch, len(docs))
		batch := make([]chromem.Document, 0, hi-lo)
		for _, d := range docs[lo:hi] {
			if d.ID == "" || len(d.Vector) == 0 {
				return nil, fmt.Errorf("store: document %q has no id or no vector", d.ID)
			}
			// The map is the store's own (ownMetadata): chromem-go keeps it.
			batch = append(batch, chromem.Document{ID: d.ID, Embedding: d.Vector, Metadata: d.Metadata})
		}
		if err := coll.AddDocuments(ctx, batch, 2); err != nil {
			return nil, fmt.Errorf("store: add: %w", err)
		}
	}
	p.coll = coll
	return p, nil
}

// hitIDs lists the hits' ids in order.
func hitIDs(hs []storeHit) []string {
	ids := make([]string, len(hs))
	for i, h := range hs {
		ids[i] = h.ID
	}
	return ids
}
