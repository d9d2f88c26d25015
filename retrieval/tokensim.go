package retrieval

import (
	"context"
	"sort"
)

// Late interaction: a sentence embedding is the mean of its word pieces'
// contextual vectors, and a passage that states what a question asks holds,
// for each of the question's pieces, a piece close to it ("attack" and
// "attacked", "Dyrrachium" and "Dyrrachium", "when" and "1185"), where a
// passage that only shares the topic holds close pieces for some. The
// score of a passage is the mean over the question's pieces of the best
// cosine with one of the passage's (MaxSim, as in ColBERT: Khattab and
// Zaharia, 2020), computed at query time for the first candidates of the
// reranked list, from the same model's vectors: no other model, no
// training, nothing fitted to a corpus.

// TokenEmbedder is an Embedder that also gives the contextual vector of
// each word piece of a text (minilm.Model does). EmbedTokens returns, for
// each text, its pieces' L2-normalised vectors in order (an empty list for
// a text with none); it must be safe for concurrent use and honour ctx.
type TokenEmbedder interface {
	EmbedTokens(ctx context.Context, texts []string) ([][][]float32, error)
}

const (
	// tokenDepth is how many reranked candidates are re-scored by MaxSim.
	tokenDepth = 4
	// tokenWeight weighs MaxSim against the rerank score (normalised to
	// the best candidate's). Measured with MiniLM over the first 4
	// candidates (README: quality): at 0.5, 1, 2 SQuAD R@1 .829 → .867,
	// .870, .877; 1 is the weight at which no bundled set loses a hit.
	tokenWeight = 1.0
	// maxTokenCache bounds the passages whose piece vectors a snapshot
	// keeps: about 150 KiB each for a 100-piece passage at 384 dimensions,
	// 390 KiB at the 254-piece limit, so at most ~50 MiB.
	maxTokenCache = 128
)

// tokenEmbedder returns the index's embedder as a TokenEmbedder, looking
// through the query-timeout wrapper, when it is a semantic one that can and
// late interaction is on.
func (ix *Index) tokenEmbedder() (TokenEmbedder, bool) {
	if ix.noTokens || !ix.semantic() {
		return nil, false
	}
	e := ix.emb
	if q, ok := e.(*queryTimeoutEmbedder); ok {
		e = q.Embedder
	}
	te, ok := e.(TokenEmbedder)
	return te, ok
}

// tokenRerank re-scores the first tokenDepth candidates by their MaxSim
// with the question text and re-sorts them (only them: they stay ahead of
// the rest). One EmbedTokens call embeds the question and the passages
// whose vectors the snapshot has not cached; if it fails the ranking stays
// as it was.
func (ix *Index) tokenRerank(ctx context.Context, pc *passCache, text string, cands []candidate) {
	te, ok := ix.tokenEmbedder()
	n := min(len(cands), tokenDepth)
	if !ok || n < 2 {
		return
	}
	texts := []string{text}
	vecs := make([][][]float32, n)
	var need []int
	for i, c := range cands[:n] {
		if v, ok := pc.s.derived.tokenVecs(c.doc); ok {
			vecs[i] = v
			continue
		}
		texts = append(texts, pc.s.passages[c.doc].Text)
		need = append(need, i)
	}
	got, err := te.EmbedTokens(ctx, texts)
	if err != nil || len(got) != len(texts) {
		if ix.log != nil {
			ix.log.Debug("word-piece embedding failed; ranking without late interaction", "err", err)
		}
		return
	}
	q := got[0]
	for k, i := range need {
		vecs[i] = got[k+1]
		pc.s.derived.putTokenVecs(cands[i].doc, got[k+1])
	}
	if len(q) == 0 {
		return
	}
	top := 0.0
	for _, c := range cands[:n] {
		top = max(top, c.score)
	}
	for i := range cands[:n] {
		// Adding top·MaxSim ranks the first n as score/top + MaxSim would,
		// on the scale of the candidates after them.
		cands[i].score += tokenWeight * top * maxSim(q, vecs[i])
	}
	sort.SliceStable(cands[:n], func(i, j int) bool { return cands[i].score > cands[j].score })
}

// maxSim is the mean over q's vectors of the best dot product with one of
// p's (0 when either is empty).
func maxSim(q, p [][]float32) float64 {
	if len(q) == 0 || len(p) == 0 {
		return 0
	}
	var sum float64
	for _, a := range q {
		best := -1.0
		for _, b := range p {
			best = max(best, dot(a, b))
		}
		sum += best
	}
	return sum / float64(len(q))
}

func (d *derivedCache) tokenVecs(doc int) ([][]float32, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	v, ok := d.tv[doc]
	return v, ok
}

func (d *derivedCache) putTokenVecs(doc int, v [][]float32) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tv == nil || len(d.tv) >= maxTokenCache {
		d.tv = make(map[int][][]float32)
	}
	d.tv[doc] = v
}
