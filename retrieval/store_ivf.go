package retrieval

import (
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"reflect"
	"runtime"
	"sync"
)

// How the partitioned store is laid out and kept (see store.go):
//
//   - k ≈ √N partitions, the usual IVF choice: a query then costs about
//     k centroid dot products plus probes·N/k passage similarities.
//   - An update assigns only new or changed documents, to the nearest
//     existing centroid, and rebuilds only the partitions documents leave
//     or join; every other partition is shared with the previous snapshot.
//   - The centroids are retrained (in the background, see Index.retrain)
//     when the partitions have drifted: the imbalance factor passes
//     maxImbalance, or the corpus has grown or shrunk twofold since
//     training, so k is no longer near √N.
//   - A restart reuses persisted centroids and assignments (ivffile.go):
//     it trains nothing.

// maxImbalance is the imbalance factor (k·Σ nᵢ²/N², 1 when every partition
// is the same size; the expected scan cost relative to a balanced layout)
// past which the centroids are retrained, and maxDrift how far past the
// imbalance measured right after training: vectors that hardly cluster
// give uneven partitions from the start (3.2 measured on hash vectors of
// the topic-free synthetic corpus), which retraining would not improve.
const (
	maxImbalance = 2.5
	maxDrift     = 1.5
)

// storeSeed is a persisted layout a restart starts from: the centroids and,
// for each document whose vector is unchanged, its partition.
type storeSeed struct {
	cents            [][]float32
	bias             []float32
	trainedN         int
	trainedImbalance float64
	probes           int
	scanShare        float64
	part             map[string]int32 // document id → partition
	// With no centroids, skMean is the sketch's mean (sketch.go) and
	// candidates and candRecall its calibration, trained at trainedN
	// passages; nil in an index saved before sketches, whose trainedN
	// recorded that partitions did not pay (its sketch is then trained).
	skMean     []float32
	candidates int
	candRecall float64
}

// numPartitions returns k ≈ √n.
func numPartitions(n int) int { return max(1, int(math.Round(math.Sqrt(float64(n))))) }

// buildStore returns a store of docs. It reuses prev's layout and every
// partition whose members are unchanged (same vector slice, same metadata);
// without prev it starts from seed (persisted centroids and assignments)
// when that fits, else trains centroids when docs are many enough. An
// update that crosses the threshold stays exact until the background
// retrain (needsRetrain) partitions it.
func buildStore(ctx context.Context, emb Embedder, docs []storeDoc, prev *store, seed *storeSeed, cfg storeConfig) (*store, error) {
	s := &store{name: collectionName(emb), cfg: cfg}
	// chromem-go embeds with this function only when a document or query
	// has no vector; we always pass vectors, but it must never be nil.
	s.ef = func(ctx context.Context, text string) ([]float32, error) { return emb.EmbedQuery(ctx, text) }
	docs = ownMetadata(docs)
	var old *storeLayout
	if prev != nil {
		old = prev.layout.Load()
	}
	partitioned := len(docs) >= cfg.minPartitioned()
	var l *storeLayout
	var err error
	switch {
	// Keep the previous layout, except a partitioned one that shrank below
	// half the threshold (hysteresis). An exact one that grew past it stays
	// exact until the background retrain partitions it.
	case old != nil && !(old.cents != nil && len(docs) < cfg.minPartitioned()/2):
		l, err = s.update(ctx, old, docs)
	case seed != nil && partitioned && len(docs) < 2*seed.trainedN && cfg.Probes <= 0 &&
		seed.cents == nil && len(seed.skMean) == len(docs[0].Vector):
		// Persisted: the sketch and its calibration for this size.
		l, err = s.fresh(ctx, docs, nil, nil, 0, nil, newSketcher(seed.skMean))
		if err == nil {
			l.triedN, l.candidates, l.candRecall = seed.trainedN, seed.candidates, seed.candRecall
		}
	case seed != nil && cfg.Probes > 0 && len(docs) >= cfg.minPartitioned()/2 && seed.fits(docs):
		l, err = s.fresh(ctx, docs, seed.cents, seed.bias, seed.trainedN, seed.part, nil)
		if err == nil {
			l.trainedImbalance, l.probes = seed.trainedImbalance, seed.probes
		}
	case partitioned:
		l, err = s.trained(ctx, docs)
	default:
		l, err = s.fresh(ctx, docs, nil, nil, 0, nil, nil)
	}
	if err != nil {
		return nil, err
	}
	s.layout.Store(l)
	return s, nil
}

// trained lays docs out for their size: exact shards with a sketch whose
// mean is trained on docs and whose candidate count is calibrated
// (sketch.go), or, when CITEBOT_ANN_PROBES is set, partitions over newly
// trained centroids, their probe count calibrated for the log and the
// bench.
func (s *store) trained(ctx context.Context, docs []storeDoc) (*storeLayout, error) {
	if s.cfg.trained != nil {
		s.cfg.trained()
	}
	var qs [][]float32
	if s.cfg.Calibration != nil {
		var err error
		if qs, err = s.cfg.Calibration(ctx); err != nil {
			return nil, fmt.Errorf("store: calibration queries: %w", err)
		}
	}
	if s.cfg.Probes <= 0 {
		l, err := s.fresh(ctx, docs, nil, nil, 0, nil, newSketcher(meanVector(vectorsOf(docs))))
		if err != nil {
			return nil, err
		}
		l.triedN = len(docs)
		if len(qs) > 0 {
			if l.candidates, l.candRecall, err = calibrateCandidates(ctx, l, qs); err != nil {
				return nil, err
			}
		}
		return l, nil
	}
	cents, bias, err := trainCentroids(ctx, vectorsOf(docs), numPartitions(len(docs)), 1)
	if err != nil {
		return nil, err
	}
	l, err := s.fresh(ctx, docs, cents, bias, len(docs), nil, nil)
	if err != nil {
		return nil, err
	}
	l.trainedImbalance = l.imbalance()
	if s.cfg.Calibration == nil {
		return l, nil
	}
	probes, share, err := calibrateProbes(ctx, l, qs)
	if err != nil {
		return nil, err
	}
	l.probes, l.scanShare = probes, share
	return l, nil
}

// fits reports whether the seed's centroids match the documents' dimension.
func (sd *storeSeed) fits(docs []storeDoc) bool {
	if len(sd.cents) == 0 {
		return false
	}
	for _, c := range sd.cents {
		if len(docs) > 0 && len(c) != len(docs[0].Vector) {
			return false
		}
	}
	return len(sd.bias) == len(sd.cents)
}

// ownMetadata returns docs with every metadata map replaced by the store's
// own copy (chromem-go v0.7.0 keeps the caller's map: its AddDocument
// copies it and then stores the original). Documents that share a map
// share its copy.
func ownMetadata(docs []storeDoc) []storeDoc {
	out := make([]storeDoc, len(docs))
	copies := map[uintptr]map[string]string{}
	for i, d := range docs {
		out[i] = d
		if d.Metadata == nil {
			continue
		}
		key := reflect.ValueOf(d.Metadata).Pointer()
		m, ok := copies[key]
		if !ok {
			m = maps.Clone(d.Metadata)
			copies[key] = m
		}
		out[i].Metadata = m
	}
	return out
}

func vectorsOf(docs []storeDoc) [][]float32 {
	vs := make([][]float32, len(docs))
	for i, d := range docs {
		vs[i] = d.Vector
	}
	return vs
}

// fresh lays docs out over cents (nil: exact, in shards), taking each
// document's partition from hint where given and in range, else the
// nearest centroid, and builds every partition, signing its members when
// sk is set (an exact layout only).
func (s *store) fresh(ctx context.Context, docs []storeDoc, cents [][]float32, bias []float32, trainedN int, hint map[string]int32, sk *sketcher) (*storeLayout, error) {
	k := max(1, len(cents))
	if cents == nil {
		k = s.cfg.shards(len(docs))
	}
	assign := make([]int32, len(docs))
	if cents == nil {
		for i := range docs {
			assign[i] = shardOf(&docs[i], k)
		}
	} else {
		var todo []int
		for i, d := range docs {
			if p, ok := hint[d.ID]; ok && int(p) < k && p >= 0 {
				assign[i] = p
			} else {
				todo = append(todo, i)
			}
		}
		if err := s.assignDocs(ctx, cents, bias, docs, todo, assign); err != nil {
			return nil, err
		}
	}
	members := make([][]storeDoc, k)
	for i, d := range docs {
		members[assign[i]] = append(members[assign[i]], d)
	}
	l := &storeLayout{cents: cents, bias: bias, parts: make([]*partition, k), n: len(docs), trainedN: trainedN}
	if cents == nil {
		l.sk = sk
	}
	all := make([]int, k)
	for p := range all {
		all[p] = p
	}
	if err := s.buildParts(ctx, l, members, all, nil); err != nil {
		return nil, err
	}
	l.index()
	return l, nil
}

// update lays docs out over old's centroids: unchanged documents stay, new
// and changed ones go to their nearest centroid, and only the partitions
// they leave or join (or that lose a removed document) are rebuilt.
func (s *store) update(ctx context.Context, old *storeLayout, docs []storeDoc) (*storeLayout, error) {
	k := len(old.parts)
	assign := make([]int32, len(docs))
	dirty := make([]bool, k)
	var todo []int
	present := 0 // documents of old still here
	for i := range docs {
		d := &docs[i]
		if at, ok := old.loc[d.ID]; ok {
			present++
			if sameDoc(&old.parts[at.part].members[at.idx], d) {
				assign[i] = at.part
				continue
			}
			dirty[at.part] = true
		}
		todo = append(todo, i)
	}
	var gone []string
	if present != old.n {
		// Some old document is gone: find its partition.
		seen := make(map[string]bool, len(docs))
		for _, d := range docs {
			seen[d.ID] = true
		}
		for id, at := range old.loc {
			if !seen[id] {
				dirty[at.part] = true
				gone = append(gone, id)
			}
		}
	}
	if old.cents != nil {
		if err := s.assignDocs(ctx, old.cents, old.bias, docs, todo, assign); err != nil {
			return nil, err
		}
	} else {
		for _, i := range todo {
			assign[i] = shardOf(&docs[i], k)
		}
	}
	for _, i := range todo {
		dirty[assign[i]] = true
	}
	l := &storeLayout{cents: old.cents, bias: old.bias, parts: make([]*partition, k), n: len(docs), trainedN: old.trainedN,
		trainedImbalance: old.trainedImbalance, probes: old.probes, scanShare: old.scanShare, triedN: old.triedN,
		sk: old.sk, candidates: old.candidates, candRecall: old.candRecall}
	members := make([][]storeDoc, k)
	var rebuild []int
	for p := range k {
		if dirty[p] {
			rebuild = append(rebuild, p)
			members[p] = []storeDoc{}
		} else {
			l.parts[p] = old.parts[p]
		}
	}
	if len(rebuild) > 0 {
		for i, d := range docs {
			if dirty[assign[i]] {
				members[assign[i]] = append(members[assign[i]], d)
			}
		}
		// A rebuilt shard's unchanged members keep their signatures.
		var prev *storeLayout
		if l.sk != nil {
			prev = old
		}
		if err := s.buildParts(ctx, l, members, rebuild, prev); err != nil {
			return nil, err
		}
	}
	l.loc = old.loc // nothing moved
	if len(rebuild) > 0 {
		// Cloning the map and fixing the few documents of rebuilt
		// partitions is several times cheaper than indexing all anew.
		l.loc = maps.Clone(old.loc)
		for _, id := range gone {
			delete(l.loc, id)
		}
		for _, p := range rebuild {
			for i, d := range l.parts[p].members {
				l.loc[d.ID] = docLoc{part: int32(p), idx: int32(i)}
			}
		}
	}
	l.setOffsets()
	return l, nil
}

// assignDocs sets assign[i] to the nearest centroid for every i in todo,
// on every core.
func (s *store) assignDocs(ctx context.Context, cents [][]float32, bias []float32, docs []storeDoc, todo []int, assign []int32) error {
	if len(todo) == 0 {
		return nil
	}
	vecs := make([][]float32, len(todo))
	for j, i := range todo {
		vecs[j] = docs[i].Vector
	}
	got := make([]int32, len(todo))
	for j := range got {
		got[j] = -1
	}
	if _, err := assignNearest(ctx, cents, bias, vecs, got); err != nil {
		return err
	}
	for j, i := range todo {
		assign[i] = got[j]
	}
	return nil
}

// buildParts builds l.parts[p] from members[p] for every p in which, on
// every core (each chromem-go collection fills on one), copying the
// signature of every member unchanged since prev (nil: none) from there.
func (s *store) buildParts(ctx context.Context, l *storeLayout, members [][]storeDoc, which []int, prev *storeLayout) error {
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	next := make(chan int)
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				part, err := newPartition(ctx, s.name, s.ef, members[p], l.sk, prev)
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					continue
				}
				l.parts[p] = part
			}
		}()
	}
	for _, p := range which {
		if ctx.Err() != nil {
			break
		}
		next <- p
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// index fills l.loc and l.offset from the partitions' member lists.
func (l *storeLayout) index() {
	l.loc = make(map[string]docLoc, l.n)
	for p, part := range l.parts {
		for i, d := range part.members {
			l.loc[d.ID] = docLoc{part: int32(p), idx: int32(i)}
		}
	}
	l.setOffsets()
}

// setOffsets fills l.offset from the partitions' sizes.
func (l *storeLayout) setOffsets() {
	l.offset = make([]int, len(l.parts))
	at := 0
	for p, part := range l.parts {
		l.offset[p] = at
		at += len(part.members)
	}
}

// imbalance returns k·Σ nᵢ²/N²: 1 when all partitions are the same size,
// and the expected scan cost of a query relative to that.
func (l *storeLayout) imbalance() float64 {
	if l.n == 0 || len(l.parts) <= 1 {
		return 1
	}
	var sq float64
	for _, p := range l.parts {
		sq += float64(len(p.members)) * float64(len(p.members))
	}
	return float64(len(l.parts)) * sq / (float64(l.n) * float64(l.n))
}

// needsRetrain reports why the store should get new centroids ("" when it
// need not): it crossed the partitioning threshold while exact, its
// partitions drifted past maxImbalance, or its size moved twofold from what
// the centroids were trained for.
func (s *store) needsRetrain() string {
	l := s.layout.Load()
	min := s.cfg.minPartitioned()
	switch {
	case l.cents == nil && l.n >= min && l.n >= 2*l.triedN:
		return fmt.Sprintf("%d passages, sharded and sketched (or partitioned) from %d", l.n, min)
	case l.cents == nil:
		return ""
	case l.n < min/2:
		return fmt.Sprintf("%d passages, below half the partitioning threshold %d", l.n, min)
	case l.imbalance() > max(maxImbalance, maxDrift*l.trainedImbalance):
		return fmt.Sprintf("partition imbalance %.2f, %.2f after training", l.imbalance(), l.trainedImbalance)
	case l.n >= 2*l.trainedN || 2*l.n <= l.trainedN:
		return fmt.Sprintf("%d passages, centroids trained for %d", l.n, l.trainedN)
	}
	return ""
}

// retrained returns a store with the same documents as s laid out over
// newly trained centroids (or exact, when s has become small). It reads s's
// current layout only, never changes s, and is safe to run beside queries.
func (s *store) retrained(ctx context.Context) (*store, error) {
	l := s.layout.Load()
	docs := make([]storeDoc, 0, l.n)
	for _, p := range l.parts {
		docs = append(docs, p.members...)
	}
	ns := &store{name: s.name, ef: s.ef, cfg: s.cfg}
	var nl *storeLayout
	var err error
	if l.n < s.cfg.minPartitioned()/2 || l.n == 0 {
		nl, err = ns.fresh(ctx, docs, nil, nil, 0, nil, nil)
	} else {
		nl, err = ns.trained(ctx, docs)
	}
	if err != nil {
		return nil, err
	}
	ns.layout.Store(nl)
	return ns, nil
}

// seedOf returns the layout s would persist: the centroids and every
// document's partition; nil when exact.
func (s *store) seedOf() *storeSeed {
	l := s.layout.Load()
	if l.cents == nil {
		if l.triedN == 0 {
			return nil
		}
		sd := &storeSeed{trainedN: l.triedN, probes: l.probes, scanShare: l.scanShare}
		if l.sk != nil {
			sd.skMean, sd.candidates, sd.candRecall = l.sk.mean, l.candidates, l.candRecall
		}
		return sd
	}
	sd := &storeSeed{cents: l.cents, bias: l.bias, trainedN: l.trainedN, trainedImbalance: l.trainedImbalance, probes: l.probes,
		scanShare: l.scanShare, part: make(map[string]int32, len(l.loc))}
	for id, at := range l.loc {
		sd.part[id] = at.part
	}
	return sd
}

// rebuilt counts the partitions of b not shared with a.
func rebuilt(a, b *storeLayout) int {
	n := 0
	for p := range b.parts {
		if p >= len(a.parts) || a.parts[p] != b.parts[p] {
			n++
		}
	}
	return n
}

// An exact store of many passages is split into shards of about
// exactShard passages, by article, all scanned by every query: one changed
// article then rebuilds one shard rather than the whole collection, for
// ~0.12 ms of chromem-go overhead per shard (~2% of the scan at 100k).
const exactShard = 4096

// shards returns how many shards an exact store of n documents has: one
// below the partitioning threshold (plain chromem-go, as before).
func (c storeConfig) shards(n int) int {
	if c.single || n < c.minPartitioned() {
		return 1
	}
	return max(1, n/exactShard)
}

// shardOf places d in one of k shards by its article (its id when it has
// none), so an article's passages share a shard.
func shardOf(d *storeDoc, k int) int32 {
	if k <= 1 {
		return 0
	}
	key := d.Metadata[metaDoc]
	if key == "" {
		key = d.ID
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return int32(h.Sum32() % uint32(k))
}
