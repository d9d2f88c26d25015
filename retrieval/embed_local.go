package retrieval

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	chromem "github.com/philippgille/chromem-go"
)

// LocalEmbedder is an offline, deterministic embedder: signed feature
// hashing of stemmed words, adjacent word pairs and boundary-marked
// character 3–5-grams of each word into a fixed-length vector. The n-grams
// make spelling variants ("Akhunzada"/"Akhundzada", "Haibatallah"/
// "Haibatullah") land close together; word pairs reward phrase matches.
// It needs no model download and is safe for concurrent use.
type LocalEmbedder struct {
	dim int
	an  *analyzer
}

// Feature weights. A word's unigram dominates; its n-grams together weigh
// a bit less so that an exact word match still beats a near spelling, and
// pairs add phrase evidence without swamping single words.
const (
	localUnigramWeight = 1.0
	localNgramWeight   = 0.8 // total L2 mass of one word's n-grams
	localPairWeight    = 0.5
	localDefaultDim    = 512
	localName          = "local-hash-v1"
)

// Compile-time check that LocalEmbedder satisfies Embedder.
var _ Embedder = (*LocalEmbedder)(nil)

// NewLocalEmbedder returns a local embedder producing dim-length vectors;
// dim ≤ 0 means 512.
func NewLocalEmbedder(dim int) *LocalEmbedder {
	if dim <= 0 {
		dim = localDefaultDim
	}
	return &LocalEmbedder{dim: dim, an: newPlainAnalyzer()}
}

// Name identifies the feature scheme (hash, features, weights); Dim is
// reported separately and is part of the index identity too.
func (e *LocalEmbedder) Name() string { return localName }

// Dim returns the vector length.
func (e *LocalEmbedder) Dim() int { return e.dim }

// EmbedQuery embeds one query; it never fails except on a cancelled ctx.
func (e *LocalEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return e.embed(text), nil
}

// EmbedDocuments embeds texts in order, spread over the available cores.
func (e *LocalEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(texts)/64))
	var wg sync.WaitGroup
	chunk := (len(texts) + workers - 1) / max(workers, 1)
	for w := 0; w < workers; w++ {
		lo, hi := w*chunk, min((w+1)*chunk, len(texts))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				if i%256 == 0 && ctx.Err() != nil {
					return
				}
				out[i] = e.embed(texts[i])
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("local embedder: %w", err)
	}
	return out, nil
}

// EmbeddingFunc adapts the embedder to chromem-go, which calls it for
// documents and queries alike.
func (e *LocalEmbedder) EmbeddingFunc() chromem.EmbeddingFunc {
	return func(ctx context.Context, text string) ([]float32, error) {
		return e.EmbedQuery(ctx, text)
	}
}

// embed computes the normalized feature vector of text.
func (e *LocalEmbedder) embed(text string) []float32 {
	v := make([]float32, e.dim)
	terms := e.an.terms(text)
	if len(terms) == 0 {
		return fixedUnit(v)
	}
	// Count in first-occurrence order: float addition is not associative,
	// so map order would make vectors differ between runs.
	tf := make(map[string]int, len(terms))
	order := make([]string, 0, len(terms))
	for _, t := range terms {
		if tf[t] == 0 {
			order = append(order, t)
		}
		tf[t]++
	}
	for _, t := range order {
		n := tf[t]
		// Sublinear tf: a word said five times is not five times as relevant.
		w := localUnigramWeight * (1 + math.Log(float64(n)))
		e.add(v, hashString(fnvOffset^'w', t), w)
		e.addNgrams(v, t, w*localNgramWeight/localUnigramWeight)
	}
	for i := 1; i < len(terms); i++ {
		h := hashString(fnvOffset^'p', terms[i-1])
		h = hashByte(h, 0)
		h = hashString(h, terms[i])
		e.add(v, h, localPairWeight)
	}
	var norm float64
	for _, x := range v {
		norm += float64(x) * float64(x)
	}
	if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return fixedUnit(v)
	}
	inv := float32(1 / math.Sqrt(norm))
	for i := range v {
		v[i] *= inv
	}
	return v
}

// addNgrams adds the boundary-marked character 3–5-grams of term with a
// total L2 mass of mass, so long words do not outweigh short ones.
func (e *LocalEmbedder) addNgrams(v []float32, term string, mass float64) {
	rs := make([]rune, 0, len(term)+2)
	rs = append(rs, '<')
	rs = append(rs, []rune(term)...)
	rs = append(rs, '>')
	count := 0
	for n := 3; n <= 5; n++ {
		if len(rs) >= n {
			count += len(rs) - n + 1
		}
	}
	if count == 0 {
		return
	}
	w := mass / math.Sqrt(float64(count))
	for n := 3; n <= 5; n++ {
		for i := 0; i+n <= len(rs); i++ {
			h := uint64(fnvOffset ^ uint64('0'+n))
			for _, r := range rs[i : i+n] {
				h = hashRune(h, r)
			}
			e.add(v, h, w)
		}
	}
}

// add puts weight w at the hashed position with a hashed sign, so
// collisions cancel out on average instead of piling up.
func (e *LocalEmbedder) add(v []float32, h uint64, w float64) {
	h = mix64(h)
	idx := h % uint64(e.dim)
	if h>>63 == 1 {
		w = -w
	}
	v[idx] += float32(w)
}

// fixedUnit fills v with the same unit vector every time: text without
// features still gets a valid, comparable embedding (never NaN).
func fixedUnit(v []float32) []float32 {
	x := float32(1 / math.Sqrt(float64(len(v))))
	for i := range v {
		v[i] = x
	}
	return v
}

// FNV-1a 64, a fixed hash: vectors must be identical across processes and
// releases (unlike maphash, which is seeded per process).
const (
	fnvOffset uint64 = 14695981039346656037
	fnvPrime  uint64 = 1099511628211
)

func hashByte(h uint64, b byte) uint64 { return (h ^ uint64(b)) * fnvPrime }

func hashString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

func hashRune(h uint64, r rune) uint64 {
	if r < 0x80 {
		return hashByte(h, byte(r))
	}
	for _, b := range []byte(string(r)) {
		h = hashByte(h, b)
	}
	return h
}

// mix64 is the SplitMix64 finalizer; FNV's low bits alone spread poorly
// over a small modulus.
func mix64(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}
