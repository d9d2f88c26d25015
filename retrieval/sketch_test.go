package retrieval

import (
	"bytes"
	"context"
	"math/bits"
	"math/rand"
	"slices"
	"testing"
)

// TestWalshHadamard checks the fast transform against the Hadamard
// matrix, H[i][j] = (-1)^popcount(i&j).
func TestWalshHadamard(t *testing.T) {
	for _, n := range []int{8, 64, 512} {
		rng := rand.New(rand.NewSource(int64(n)))
		a := make([]float32, n)
		for i := range a {
			a[i] = float32(rng.Intn(21) - 10) // integers: sums are exact
		}
		want := make([]float32, n)
		for i := range want {
			for j, x := range a {
				if bits.OnesCount(uint(i&j))%2 == 1 {
					x = -x
				}
				want[i] += x
			}
		}
		walshHadamard(a)
		if !slices.Equal(a, want) {
			t.Fatalf("n=%d: got %v, want %v", n, a[:8], want[:8])
		}
	}
}

// sketchStore builds a sketch store of docs calibrated on queries drawn
// from the documents' own vectors, perturbed, over shards (MinPartitioned
// low), with cand candidates forced when cand > 0.
func sketchStore(t *testing.T, e Embedder, docs []storeDoc, cand int) *store {
	t.Helper()
	rng := rand.New(rand.NewSource(2))
	var qs [][]float32
	for range 24 {
		qs = append(qs, perturbed(rng, docs[rng.Intn(len(docs))].Vector))
	}
	cfg := storeConfig{MinPartitioned: 1000, Candidates: cand,
		Calibration: func(context.Context) ([][]float32, error) { return qs, nil }}
	s, err := buildStore(context.Background(), e, docs, nil, nil, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if l := s.layout.Load(); l.sk == nil || l.cents != nil {
		t.Fatalf("store of %d with Candidates %d: sketch %v, partitioned %v; want a sketch over exact shards",
			len(docs), cand, l.sk != nil, l.cents != nil)
	}
	return s
}

// perturbed returns v plus noise, renormalized: a query near a document.
func perturbed(rng *rand.Rand, v []float32) []float32 {
	q := make([]float32, len(v))
	for i, x := range v {
		q[i] = x + 0.15*float32(rng.NormFloat64())/8
	}
	return unitFrom32(q)
}

// TestSketchQuery: with as many candidates as documents the sketch ranks
// exactly as the exact scan (with and without filters); with the
// calibrated count its recall@50 on other queries is the calibration's
// within a margin; filters only return matching documents, and a filter
// leaving few documents is answered exactly.
func TestSketchQuery(t *testing.T) {
	ctx := context.Background()
	e := NewLocalEmbedder(64)
	docs := ivfDocs(t, e, 9000)
	exact, err := buildStore(ctx, e, docs, nil, nil, storeConfig{MinPartitioned: 100000})
	if err != nil {
		t.Fatal(err)
	}
	full := sketchStore(t, e, docs, len(docs))
	if got := len(full.layout.Load().parts); got != 9000/exactShard {
		t.Fatalf("%d shards, want %d", got, 9000/exactShard)
	}
	cal := sketchStore(t, e, docs, 0)
	l := cal.layout.Load()
	if l.candidates <= 0 || l.candidates >= len(docs) || l.candRecall < calibRecall {
		t.Fatalf("calibrated %d candidates at recall %.3f; want fewer than %d reaching %.2f",
			l.candidates, l.candRecall, len(docs), calibRecall)
	}
	rng := rand.New(rand.NewSource(9))
	var recall float64
	const nq = 30
	for q := range nq {
		vec := perturbed(rng, docs[rng.Intn(len(docs))].Vector)
		for _, where := range []map[string]string{nil, {metaSource: "2"}, {metaDoc: docs[q*100].Metadata[metaDoc]}} {
			want, _ := exact.query(ctx, vec, 50, where)
			got, err := full.query(ctx, vec, 50, where)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(hitIDs(got), hitIDs(want)) {
				t.Fatalf("query %d where %v: all candidates %v, exact %v", q, where, hitIDs(got)[:5], hitIDs(want)[:5])
			}
			for i := range got {
				if d := got[i].Similarity - want[i].Similarity; d > 1e-5 || d < -1e-5 {
					t.Fatalf("similarity of %s: %v, chromem-go %v", got[i].ID, got[i].Similarity, want[i].Similarity)
				}
			}
			some, err := cal.query(ctx, vec, 50, where)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range some {
				if where != nil && h.Metadata[metaSource] != where[metaSource] && h.Metadata[metaDoc] != where[metaDoc] {
					t.Fatalf("where %v returned %s with %v", where, h.ID, h.Metadata)
				}
			}
			switch {
			case where == nil:
				recall += recallAt(hitIDs(want), hitIDs(some), 50)
			case where[metaDoc] != "" && !slices.Equal(hitIDs(some), hitIDs(want)):
				t.Errorf("article filter: %v, exact %v", hitIDs(some), hitIDs(want))
			}
		}
	}
	if r := recall / nq; r < 0.97 {
		t.Errorf("recall@50 with %d calibrated candidates %.3f on other queries; calibrated %.3f", l.candidates, r, l.candRecall)
	}
	findsItself(t, cal, &docs[0])
}

// findsItself checks that d's own vector finds d first in s.
func findsItself(t *testing.T, s *store, d *storeDoc) {
	t.Helper()
	if hits, _ := s.query(context.Background(), d.Vector, 1, nil); len(hits) != 1 || hits[0].ID != d.ID {
		t.Errorf("the vector of %s finds %v", d.ID, hitIDs(hits))
	}
}

// TestSketchUpdate: a changed article rebuilds only its shard (the other
// shards keep their signatures), and the changed passage is found by its
// new vector.
func TestSketchUpdate(t *testing.T) {
	ctx := context.Background()
	e := NewLocalEmbedder(64)
	docs := ivfDocs(t, e, 9000)
	s0 := sketchStore(t, e, docs, 0)
	changed := slices.Clone(docs)
	changed[4321].Vector = mustEmbed(t, e, "an entirely different passage about harbour cranes and tides")
	s1, err := buildStore(ctx, e, changed, s0, nil, s0.cfg)
	if err != nil {
		t.Fatal(err)
	}
	l0, l1 := s0.layout.Load(), s1.layout.Load()
	if l1.sk != l0.sk || l1.candidates != l0.candidates {
		t.Fatalf("update dropped the sketch or its calibration")
	}
	if n := rebuilt(l0, l1); n != 1 {
		t.Errorf("%d shards rebuilt, want 1", n)
	}
	for p := range l1.parts {
		if l1.parts[p] == l0.parts[p] {
			continue
		}
		if l1.parts[p].sk == nil || len(l1.parts[p].sk.norms) != len(l1.parts[p].members) {
			t.Fatalf("rebuilt shard %d has no signatures for its members", p)
		}
		// Copied and new signatures alike are the members' own.
		w := l1.sk.words
		want := l1.sk.sketchDocs(l1.parts[p].members, nil)
		if !slices.Equal(l1.parts[p].sk.codes, want.codes) || !slices.Equal(l1.parts[p].sk.norms, want.norms) {
			t.Fatalf("rebuilt shard %d: signatures differ from signing its members afresh", p)
		}
		if at := l1.loc[changed[4321].ID]; at.part != int32(p) || slices.Equal(l1.parts[p].sk.codes[int(at.idx)*w:int(at.idx+1)*w],
			l0.parts[p].sk.codes[int(at.idx)*w:int(at.idx+1)*w]) {
			t.Fatalf("changed passage at %+v kept its old signature", at)
		}
	}
	findsItself(t, s1, &changed[4321])
}

// TestSketchPersist: the sketch's mean and calibration survive the layout
// file, and a store started from that seed has the same sketch without
// calibrating again.
func TestSketchPersist(t *testing.T) {
	ctx := context.Background()
	e := NewLocalEmbedder(64)
	docs := ivfDocs(t, e, 3000)
	s0 := sketchStore(t, e, docs, 0)
	sd := s0.seedOf()
	if sd == nil || sd.skMean == nil || sd.candidates != s0.layout.Load().candidates {
		t.Fatalf("seed %+v carries no sketch", sd)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	var buf bytes.Buffer
	if err := writeLayout(&buf, sd, ids); err != nil {
		t.Fatal(err)
	}
	got, err := readLayout(buf.Bytes(), ids, 64)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.skMean, sd.skMean) || got.candidates != sd.candidates || got.candRecall != sd.candRecall || got.trainedN != 3000 {
		t.Fatalf("read back %d-dim mean, %d candidates, recall %v, trainedN %d", len(got.skMean), got.candidates, got.candRecall, got.trainedN)
	}
	if _, err := readLayout(buf.Bytes(), ids, 32); err == nil {
		t.Error("a sketch of 64 dimensions read for vectors of 32")
	}
	calls := 0
	cfg := s0.cfg
	cfg.Calibration = func(context.Context) ([][]float32, error) { calls++; return nil, nil }
	s1, err := buildStore(ctx, e, docs, nil, got, cfg)
	if err != nil {
		t.Fatal(err)
	}
	l1 := s1.layout.Load()
	if l1.sk == nil || calls != 0 || l1.candidates != sd.candidates || s1.needsRetrain() != "" {
		t.Fatalf("restart: sketch %v, %d calibrations, %d candidates, retrain %q", l1.sk != nil, calls, l1.candidates, s1.needsRetrain())
	}
	q := docs[17].Vector
	a, _ := s0.query(ctx, q, 20, nil)
	b, _ := s1.query(ctx, q, 20, nil)
	if !slices.Equal(hitIDs(a), hitIDs(b)) {
		t.Errorf("restarted sketch ranks %v, before %v", hitIDs(b), hitIDs(a))
	}
}

// BenchmarkSketchSign is the cost of one document's signature at 512
// dimensions.
func BenchmarkSketchSign(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	v := make([]float32, 512)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	sk := newSketcher(make([]float32, 512))
	out := make([]uint64, sk.words)
	buf := make([]float32, 2*sk.pad)
	for b.Loop() {
		clear(out)
		sk.sign(v, true, out, buf)
	}
}

// TestSketchRetrainWhenDoubled: a sketched store asks for retraining once
// its corpus has doubled since the sketch was trained, and the retrained
// store has a sketch trained on all of it.
func TestSketchRetrainWhenDoubled(t *testing.T) {
	ctx := context.Background()
	e := NewLocalEmbedder(64)
	docs := ivfDocs(t, e, 6000)
	s0 := sketchStore(t, e, docs[:3000], 0)
	grown, err := buildStore(ctx, e, docs[:5000], s0, nil, s0.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if why := grown.needsRetrain(); why != "" {
		t.Fatalf("5000 of a sketch trained at 3000 asks for retraining: %s", why)
	}
	doubled, err := buildStore(ctx, e, docs, grown, nil, s0.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if doubled.needsRetrain() == "" {
		t.Fatal("6000 of a sketch trained at 3000 does not ask for retraining")
	}
	re, err := doubled.retrained(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := re.layout.Load()
	if l.sk == nil || l.sk == doubled.layout.Load().sk || l.triedN != 6000 || re.needsRetrain() != "" {
		t.Fatalf("retrained: sketch %v (new %v), trained at %d, retrain %q", l.sk != nil, l.sk != doubled.layout.Load().sk, l.triedN, re.needsRetrain())
	}
	findsItself(t, re, &docs[5999])
}
