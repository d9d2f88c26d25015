package retrieval

import (
	"cmp"
	"context"
	"maps"
	"math"
	"math/bits"
	"math/rand"
	"runtime"
	"slices"
	"sync"
)

// A bit sketch in front of the exact shards. Partitions only pay where a
// query's nearest neighbours gather in a few of them, and measured on hash
// vectors and on MiniLM vectors of real speeches they do not (README, "The
// vector store"). A sketch does not need them to: every passage keeps a
// 2,048-bit signature of its vector, a query compares its own signature
// with all of them (32 XOR-and-popcounts a passage, some 3% of the cost of
// the passage's similarity through chromem-go), and only the best
// `candidates` by that estimate get their exact similarity. The exact top
// 50 is almost always among a few thousand candidates, so the dense
// ranking is the exact scan's, at a fraction of its cost; how many
// candidates that takes is calibrated per index like the probe count
// (calibrateCandidates), and CITEBOT_ANN_CANDIDATES sets it.
//
// The signature is SimHash (Charikar 2002): the signs of the vector's
// projections on random directions, whose Hamming distance h between two
// vectors estimates their angle as π·h/bits. The directions are B/D
// independent random rotations of the D-dimensional space (random signs,
// then the Walsh–Hadamard transform: the randomized Hadamard transform at
// the heart of Ailon & Chazelle's fast Johnson–Lindenstrauss transform),
// O(D log D) a rotation instead of the O(D²) of a Gaussian projection. Document vectors are centred first (the
// mean the sketch was trained with subtracted): text embeddings share a
// large common direction that would otherwise set most bits alike. The
// query is not centred, and the estimate of q·(v−μ) is |v−μ|·cos(π·h/bits):
// it ranks documents as q·v does, since q·μ is the same for all of them.
//
// Measured at 100k passages of the topical synthetic corpus (hash
// vectors, 60 six-word queries): recall@50 0.979 with 1,000 candidates
// and 0.996 with 2,000, against 0.957 for 1,024-bit sketches with 2,000;
// a second rotation round per block changed nothing (0.997).
const (
	sketchBits = 2048
	sketchSeed = 0x5c0de
	// sketchBuckets is the resolution of the histogram that picks the
	// candidates' threshold.
	sketchBuckets = 4096
)

// sketcher computes signatures. It is immutable.
type sketcher struct {
	dim   int       // vector dimension
	pad   int       // dim rounded up to a power of two, at least 64
	words int       // uint64 words a signature
	mean  []float32 // subtracted from document vectors
	signs []float32 // words*64/pad rotations × pad random signs
	cos   []float32 // cos(π·h/bits) for h = 0..bits
}

// newSketcher returns the sketcher for vectors of mean's dimension,
// centring them on mean. The random rotations come from a fixed seed, so
// a persisted mean is all a restart needs.
func newSketcher(mean []float32) *sketcher {
	pad := 64
	for pad < len(mean) {
		pad <<= 1
	}
	nbits := max(sketchBits, pad)
	sk := &sketcher{dim: len(mean), pad: pad, words: nbits / 64, mean: mean, signs: make([]float32, nbits)}
	rng := rand.New(rand.NewSource(sketchSeed))
	for i := range sk.signs {
		sk.signs[i] = float32(1 - 2*rng.Intn(2))
	}
	sk.cos = make([]float32, nbits+1)
	for h := range sk.cos {
		sk.cos[h] = float32(math.Cos(math.Pi * float64(h) / float64(nbits)))
	}
	return sk
}

// meanVector returns the mean of vecs (all of one dimension).
func meanVector(vecs [][]float32) []float32 {
	if len(vecs) == 0 {
		return nil
	}
	sum := make([]float64, len(vecs[0]))
	for _, v := range vecs {
		for d, x := range v {
			sum[d] += float64(x)
		}
	}
	mu := make([]float32, len(sum))
	for d, x := range sum {
		mu[d] = float32(x / float64(len(vecs)))
	}
	return mu
}

// sign writes the signature of v (centred on the mean when centre) into
// out (sk.words long, zeroed) and returns the norm of the vector it
// signed. buf is scratch of 2·sk.pad floats.
func (sk *sketcher) sign(v []float32, centre bool, out []uint64, buf []float32) float32 {
	c, buf := buf[:sk.pad:sk.pad], buf[sk.pad:2*sk.pad:2*sk.pad]
	var norm float64
	for d, x := range v {
		if centre {
			x -= sk.mean[d]
		}
		c[d] = x
		norm += float64(x) * float64(x)
	}
	clear(c[len(v):])
	for r := 0; r*sk.pad < len(sk.signs); r++ {
		sg := sk.signs[r*sk.pad : (r+1)*sk.pad : (r+1)*sk.pad]
		for d, x := range c {
			buf[d] = x * sg[d]
		}
		walshHadamard(buf)
		// One bit a projection, set when its sign bit is clear (+0 counts
		// as positive), without a branch: the signs are random, and a
		// mispredicted branch a bit cost more than the transform.
		words := out[r*sk.pad/64 : (r+1)*sk.pad/64]
		for w := range words {
			var acc uint64
			for i, x := range buf[w*64 : w*64+64 : w*64+64] {
				acc |= uint64(^math.Float32bits(x)>>31) << i
			}
			words[w] |= acc
		}
	}
	return float32(math.Sqrt(norm))
}

// walshHadamard transforms a (length a power of two, at least 8) in place,
// unnormalized. The first three levels run as one 8-point transform per
// group of eight: the general loop's short inner runs cost more than the
// arithmetic there.
func walshHadamard(a []float32) {
	for i := 0; i+8 <= len(a); i += 8 {
		x := (*[8]float32)(a[i : i+8])
		a0, a1 := x[0]+x[1], x[0]-x[1]
		a2, a3 := x[2]+x[3], x[2]-x[3]
		a4, a5 := x[4]+x[5], x[4]-x[5]
		a6, a7 := x[6]+x[7], x[6]-x[7]
		b0, b2 := a0+a2, a0-a2
		b1, b3 := a1+a3, a1-a3
		b4, b6 := a4+a6, a4-a6
		b5, b7 := a5+a7, a5-a7
		x[0], x[4] = b0+b4, b0-b4
		x[1], x[5] = b1+b5, b1-b5
		x[2], x[6] = b2+b6, b2-b6
		x[3], x[7] = b3+b7, b3-b7
	}
	for h := 8; h < len(a); h <<= 1 {
		for i := 0; i < len(a); i += h << 1 {
			x, y := a[i:i+h:i+h], a[i+h:i+2*h:i+2*h]
			for j := range x {
				x[j], y[j] = x[j]+y[j], x[j]-y[j]
			}
		}
	}
}

// partSketch holds the signatures of one partition's members, in member
// order, and the norms of their centred vectors.
type partSketch struct {
	codes   []uint64
	norms   []float32
	maxNorm float32
}

// sketchDocs signs docs, copying the signature of each document that prev
// (a layout signed by sk, or nil) holds unchanged: an update re-signs only
// the passages it changed, not the whole shard they are in.
func (sk *sketcher) sketchDocs(docs []storeDoc, prev *storeLayout) *partSketch {
	w := sk.words
	ps := &partSketch{codes: make([]uint64, len(docs)*w), norms: make([]float32, len(docs))}
	buf := make([]float32, 2*sk.pad)
	for i := range docs {
		d := &docs[i]
		out := ps.codes[i*w : (i+1)*w]
		if at, ok := prev.locate(d); ok && prev.sk == sk {
			from := prev.parts[at.part].sk
			copy(out, from.codes[int(at.idx)*w:int(at.idx+1)*w])
			ps.norms[i] = from.norms[at.idx]
		} else {
			ps.norms[i] = sk.sign(d.Vector, true, out, buf)
		}
		ps.maxNorm = max(ps.maxNorm, ps.norms[i])
	}
	return ps
}

// locate returns where l holds d unchanged (same vector slice and
// metadata) with a signature; false when l is nil or does not.
func (l *storeLayout) locate(d *storeDoc) (docLoc, bool) {
	if l == nil {
		return docLoc{}, false
	}
	at, ok := l.loc[d.ID]
	if !ok || l.parts[at.part].sk == nil || !sameDoc(&l.parts[at.part].members[at.idx], d) {
		return docLoc{}, false
	}
	return at, true
}

// estimates writes, for every member of the partitions, the sketch's
// estimate of its similarity to the query whose signature is qc, into est
// at the partition's offset; members that do not match where (and every
// member of a partition without a match) get -Inf. It runs on every core.
func (l *storeLayout) estimates(qc []uint64, where map[string]string, est []float32) {
	sk := l.sk
	work := func(p int) {
		part := l.parts[p]
		out := est[l.offset[p] : l.offset[p]+len(part.members)]
		if part.matching(where) == 0 || part.sk == nil {
			for i := range out {
				out[i] = float32(math.Inf(-1))
			}
			return
		}
		w := sk.words
		codes, norms := part.sk.codes, part.sk.norms
		for i := range out {
			c := codes[i*w : i*w+w : i*w+w]
			h := 0
			for j, x := range c {
				h += bits.OnesCount64(x ^ qc[j])
			}
			out[i] = norms[i] * sk.cos[h]
		}
		if where != nil {
			for i, d := range part.members {
				if !metaMatches(d.Metadata, where) {
					out[i] = float32(math.Inf(-1))
				}
			}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(l.parts))
	if workers <= 1 {
		for p := range l.parts {
			work(p)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int, len(l.parts))
	for p := range l.parts {
		next <- p
	}
	close(next)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				work(p)
			}
		}()
	}
	wg.Wait()
}

// metaMatches reports whether m has every pair of where.
func metaMatches(m, where map[string]string) bool {
	for k, v := range where {
		if got, ok := m[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// sketchThreshold returns the lowest histogram bucket whose members, with every
// higher bucket's, number at least r (bucket 0 when all together number
// fewer), and the bucket of each estimate through bucket. lim bounds
// |est| for every finite estimate.
func sketchThreshold(est []float32, r int, lim float32) (th int, bucket func(float32) int) {
	if lim <= 0 || math.IsNaN(float64(lim)) {
		lim = 1
	}
	scale := float32(sketchBuckets-1) / (2 * lim)
	bucket = func(e float32) int { return max(0, min(sketchBuckets-1, int((e+lim)*scale))) }
	var hist [sketchBuckets]int32
	for _, e := range est {
		if !math.IsInf(float64(e), -1) {
			hist[bucket(e)]++
		}
	}
	cum := 0
	for b := sketchBuckets - 1; b >= 0; b-- {
		cum += int(hist[b])
		if cum >= r {
			return b, bucket
		}
	}
	return 0, bucket
}

// estPool holds per-query estimate buffers (4 bytes a passage: 4 MB at
// 1M passages, which would otherwise be garbage after every query).
var estPool = sync.Pool{New: func() any { return new([]float32) }}

// sketchQuery returns up to n nearest documents to vec matching where, by
// exact similarity among the (at least) cand best by the sketch's
// estimate.
func (l *storeLayout) sketchQuery(ctx context.Context, vec []float32, n, cand int, where map[string]string) ([]storeHit, error) {
	sk := l.sk
	qc := make([]uint64, sk.words)
	sk.sign(vec, false, qc, make([]float32, 2*sk.pad))
	buf := estPool.Get().(*[]float32)
	defer estPool.Put(buf)
	if cap(*buf) < l.n {
		*buf = make([]float32, l.n)
	}
	est := (*buf)[:l.n]
	l.estimates(qc, where, est)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var lim float32
	for _, p := range l.parts {
		if p.sk != nil {
			lim = max(lim, p.sk.maxNorm)
		}
	}
	th, bucket := sketchThreshold(est, max(cand, n), lim)
	type scored struct {
		d   *storeDoc
		sim float32
	}
	var top []scored
	for p, part := range l.parts {
		out := est[l.offset[p] : l.offset[p]+len(part.members)]
		for i, e := range out {
			if math.IsInf(float64(e), -1) || bucket(e) < th {
				continue
			}
			d := &part.members[i]
			top = append(top, scored{d, dotF32(vec, d.Vector)})
		}
	}
	slices.SortFunc(top, func(a, b scored) int {
		if c := cmp.Compare(b.sim, a.sim); c != 0 {
			return c
		}
		return cmp.Compare(a.d.ID, b.d.ID)
	})
	top = top[:min(n, len(top))]
	out := make([]storeHit, len(top))
	for i, t := range top {
		out[i] = storeHit{ID: t.d.ID, Similarity: float64(t.sim), Metadata: maps.Clone(t.d.Metadata)}
	}
	return out, nil
}

// calibrateCandidates returns the fewest candidates, from a doubling
// ladder, for which the mean recall of the exact top calibDepth over
// queries reaches calibRecall (every document when none less does), and
// that recall. A truth document is found with r candidates when fewer
// than r documents have a higher estimate.
func calibrateCandidates(ctx context.Context, l *storeLayout, queries [][]float32) (int, float64, error) {
	depth := min(calibDepth, l.n)
	if l.sk == nil || len(queries) == 0 || depth == 0 {
		return l.n, 1, nil
	}
	var ladder []int
	for r := 256; r < l.n; r *= 2 {
		ladder = append(ladder, r)
	}
	ladder = append(ladder, l.n)
	found := make([]float64, len(ladder))
	est := make([]float32, l.n)
	qc := make([]uint64, l.sk.words)
	buf := make([]float32, 2*l.sk.pad)
	for _, q := range queries {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		top := exactTop(l, q, depth)
		clear(qc)
		l.sk.sign(q, false, qc, buf)
		l.estimates(qc, nil, est)
		// Each truth document's rank by the estimate: how many documents
		// estimate higher.
		ests := make([]float32, len(top))
		for i, at := range top {
			ests[i] = est[l.offset[at.part]+int(at.idx)]
		}
		slices.Sort(ests)
		// below[j] counts the documents above exactly j of the truth
		// estimates (ests[:j]); above[k] then counts those above ests[k].
		below := make([]int, len(ests)+1)
		for _, e := range est {
			j, _ := slices.BinarySearch(ests, e)
			below[j]++
		}
		above := make([]int, len(ests))
		for k, acc := len(ests)-1, 0; k >= 0; k-- {
			acc += below[k+1]
			above[k] = acc
		}
		for r, cand := range ladder {
			got := 0
			for _, a := range above {
				if a < cand {
					got++
				}
			}
			found[r] += float64(got) / float64(len(top))
		}
	}
	for r, cand := range ladder {
		if rec := found[r] / float64(len(queries)); rec >= calibRecall {
			return cand, rec, nil
		}
	}
	return l.n, 1, nil
}

// exactTop returns where the depth documents most similar to q are, best
// first (citebot's own dot product over every vector).
func exactTop(l *storeLayout, q []float32, depth int) []docLoc {
	type sim struct {
		at  docLoc
		id  string
		sim float32
	}
	byBest := func(a, b sim) int {
		if c := cmp.Compare(b.sim, a.sim); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	}
	top := make([]sim, 0, depth+1)
	for p, part := range l.parts {
		for i, d := range part.members {
			s := sim{docLoc{int32(p), int32(i)}, d.ID, dotF32(q, d.Vector)}
			if len(top) == depth && s.sim <= top[depth-1].sim {
				continue
			}
			j, _ := slices.BinarySearchFunc(top, s, byBest)
			top = slices.Insert(top, j, s)
			if len(top) > depth {
				top = top[:depth]
			}
		}
	}
	out := make([]docLoc, len(top))
	for i, s := range top {
		out[i] = s.at
	}
	return out
}
