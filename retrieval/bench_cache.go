package retrieval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"citebot/corpus"
)

// The partitioned-store bench with a slow embedder (MiniLM: ~55 passages/s
// on two cores, half an hour for 100k) keeps the vectors it embeds in a
// persisted index (persist.go) per corpus and embedder, so a second run
// embeds nothing. The cache is an ordinary index directory: vectors keyed
// by passage content hash, saved atomically and checksummed; a damaged or
// foreign one is rebuilt, never trusted. It is filled in steps of
// benchCacheStep passages, each saved, so an interrupted one-off embedding
// loses at most one step.

// benchCacheStep is how many passages are embedded between two saves.
const benchCacheStep = 5000

// benchCacheDir is the cache directory of one corpus (kind, n passages) for
// emb under root.
func benchCacheDir(root, kind string, n int, emb Embedder) string {
	return IndexDir(filepath.Join(root, fmt.Sprintf("%s-%d", kind, n)), emb)
}

// cachedVectors returns an embedder that answers EmbedDocuments for c's
// passages from the cache under root, after embedding with emb whatever the
// cache lacks, saving every step passages, and how many passages that took. Any other text
// (queries, sentences, an edited passage) goes to emb. The cache index is
// exact and kept only while filling: the bench builds its own index over the
// returned embedder, so its build, training and calibration are measured
// as on a fresh corpus, without the embedding.
func cachedVectors(ctx context.Context, c *corpus.Corpus, kind, root string, emb Embedder, step int, w io.Writer) (Embedder, int, error) {
	dir := benchCacheDir(root, kind, len(c.Passages), emb)
	have := map[string]bool{}
	m, err := readManifest(dir, emb.Name(), emb.Dim())
	if err == nil {
		err = m.listEntries(dir)
	}
	switch {
	case err == nil:
		for _, e := range m.Entries {
			have[e.Hash] = true
		}
	case !errors.Is(err, errNoManifest):
		fmt.Fprintf(w, "  vector cache %s not usable (%v): embedding again\n", dir, err)
	}
	var cached, todo []int
	for i, p := range c.Passages {
		if have[p.Hash()] {
			cached = append(cached, i)
		} else {
			todo = append(todo, i)
		}
	}
	fmt.Fprintf(w, "  vector cache %s: %d of %d passages cached\n", dir, len(cached), len(c.Passages))
	opts := Options{Embedder: emb, Path: dir, QueryEmbedTimeout: -1,
		// The cache is a vector store only: one exact collection, never
		// partitioned (no training at each step).
		ANNMinPassages: len(c.Passages) + 1}
	var ix *Index
	embedded := 0
	start := time.Now()
	for first := true; ix == nil || len(todo) > 0; first = false {
		if !first || len(cached) == 0 {
			k := min(len(todo), step)
			cached, todo = append(cached, todo[:k]...), todo[k:]
		}
		sub := subCorpus(c, cached)
		var st UpdateStats
		if ix == nil {
			if ix, err = NewIndex(ctx, sub, opts); err != nil {
				return nil, 0, fmt.Errorf("bench: vector cache: %w", err)
			}
			st = ix.LastStats()
		} else if st, err = ix.Update(ctx, sub); err != nil {
			return nil, 0, fmt.Errorf("bench: vector cache: %w", err)
		}
		if err := ix.Save(ctx); err != nil {
			return nil, 0, fmt.Errorf("bench: vector cache: %w", err)
		}
		embedded += st.Embedded
		if st.Embedded > 0 {
			el := time.Since(start)
			rate := float64(embedded) / el.Seconds()
			fmt.Fprintf(w, "  vector cache: %d of %d passages, embedded %d in %v (%.1f/s), %v to go\n",
				len(sub.Passages), len(c.Passages), embedded, el.Round(time.Second), rate,
				(time.Duration(float64(len(todo))/rate) * time.Second).Round(time.Second))
		}
	}
	s := ix.snap.Load()
	vecs := make(map[string][]float32, len(s.passages))
	for i, p := range s.passages {
		vecs[passageText(p)] = s.vecs[i]
	}
	return &cacheEmbedder{Embedder: emb, vecs: vecs}, embedded, nil
}

// subCorpus returns c with only the passages at idx, in c's order (so a
// step's corpus is the previous one plus more), and every article.
func subCorpus(c *corpus.Corpus, idx []int) *corpus.Corpus {
	in := make([]bool, len(c.Passages))
	for _, i := range idx {
		in[i] = true
	}
	ps := make([]corpus.Passage, 0, len(idx))
	for i, p := range c.Passages {
		if in[i] {
			ps = append(ps, p)
		}
	}
	return &corpus.Corpus{Articles: c.Articles, Passages: ps}
}

// cacheEmbedder answers EmbedDocuments from vecs (by text) where it can
// and asks the wrapped embedder for the rest; queries always go to it. It
// keeps the wrapped embedder's name and dimension, so an index over it is
// the one the wrapped embedder would build.
type cacheEmbedder struct {
	Embedder
	vecs map[string][]float32
}

func (e *cacheEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var miss []string
	var at []int
	for i, t := range texts {
		if v, ok := e.vecs[t]; ok {
			out[i] = v
		} else {
			miss = append(miss, t)
			at = append(at, i)
		}
	}
	if len(miss) == 0 {
		return out, nil
	}
	vs, err := e.Embedder.EmbedDocuments(ctx, miss)
	if err != nil {
		return nil, err
	}
	if len(vs) != len(miss) {
		return nil, fmt.Errorf("embedder %s returned %d vectors for %d texts", e.Name(), len(vs), len(miss))
	}
	for k, i := range at {
		out[i] = vs[k]
	}
	return out, nil
}
