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
// Zaharia, 2020), half over the whole passage and half over its best two
// consecutive sentences, computed at query time for the first candidates
// of the reranked list, from the same model's vectors: no other model, no
// training, nothing fitted to a corpus. Each sentence's own MaxSim also
// helps choose the quoted sentence (pickExcerpt).

// TokenEmbedder is an Embedder that also gives the contextual vector of
// each word piece of a text (minilm.Model does). EmbedTokens returns, for
// each text, its pieces' L2-normalised vectors in order (an empty list for
// a text with none); it must be safe for concurrent use and honour ctx.
// Pieces returns how many vectors EmbedTokens gives for text (truncation
// included), so a caller can tell which of a passage's pieces belong to
// which sentence by counting the pieces of the text up to each sentence's
// end.
type TokenEmbedder interface {
	EmbedTokens(ctx context.Context, texts []string) ([][][]float32, error)
	Pieces(text string) int
}

const (
	// tokenDepth is how many reranked candidates are re-scored by MaxSim,
	// and tokenWeight weighs MaxSim against the rerank score (normalised
	// to the best candidate's). Measured with MiniLM (README: quality), on
	// the sets they were chosen on: at weight 1, 2, 3 over 4 candidates
	// SQuAD R@1 .874, .881, .881, and at weight 2 over 6 and 8 .887, .887;
	// weight 3 loses dev and follow-up answers, 2.5 a follow-up, and 8
	// candidates lose dev categories' R@5. Six candidates cost two more
	// passages embedded per query the first time they are seen.
	tokenDepth  = 6
	tokenWeight = 2.0
	// windowSents and windowShare: the score is MaxSim over the whole
	// passage blended, at windowShare, with the best MaxSim over
	// windowSents consecutive sentences of it (their pieces' vectors
	// taken from the passage's own pass, so "he" still carries the name
	// in the sentence before). A passage that states the answer matches
	// the question's pieces close together; one that only shares the
	// topic matches them sentences apart. Measured with MiniLM (README:
	// quality): one sentence or two, at 0.3, 0.5 and 1, every blend raised
	// SQuAD R@1 (.853 → .860–.867); two sentences at 0.3 or 0.5 is the
	// only choice that loses no bundled set an answer.
	windowSents = 2
	windowShare = 0.5
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
	vecs := make([]pieceVecs, n)
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
		vecs[i] = pieceVecs{vecs: got[k+1], ends: sentencePieceEnds(te, pc, cands[i].doc, len(got[k+1]))}
		pc.s.derived.putTokenVecs(cands[i].doc, vecs[i])
	}
	if len(q) == 0 {
		return
	}
	pc.sentAlign = make(map[int][]float64, n)
	top := 0.0
	for _, c := range cands[:n] {
		top = max(top, c.score)
	}
	for i := range cands[:n] {
		// Adding top·MaxSim ranks the first n as score/top + MaxSim would,
		// on the scale of the candidates after them.
		score, sents := alignment(q, vecs[i])
		pc.sentAlign[cands[i].doc] = sents
		cands[i].score += tokenWeight * top * score
	}
	sort.SliceStable(cands[:n], func(i, j int) bool { return cands[i].score > cands[j].score })
}

// pieceVecs are a passage's word-piece vectors and, for each of its
// sentences, the index just past its last piece.
type pieceVecs struct {
	vecs [][]float32
	ends []int
}

// sentencePieceEnds counts the pieces of the passage's text up to each
// sentence's end (the tokenizer splits at the spaces between sentences, so
// a prefix's pieces are the passage's first pieces), capped at n, the
// pieces the passage was given.
func sentencePieceEnds(te TokenEmbedder, pc *passCache, doc, n int) []int {
	text := pc.s.passages[doc].Text
	spans := pc.get(doc).spans
	ends := make([]int, 0, len(spans))
	for _, sp := range spans {
		ends = append(ends, min(te.Pieces(text[:sp.end]), n))
	}
	return ends
}

// alignment scores how well a passage's pieces p match the question's q:
// MaxSim over the whole passage, blended at windowShare with the best
// MaxSim over windowSents consecutive sentences. It also returns each
// sentence's own MaxSim (one per p.ends, -1 for a sentence with no pieces,
// past truncation; nil without sentence ends), which pickExcerpt uses.
// Each question piece's dot product with each passage piece is computed
// once.
func alignment(q [][]float32, p pieceVecs) (float64, []float64) {
	if len(q) == 0 || len(p.vecs) == 0 {
		return 0, nil
	}
	ends := p.ends
	if len(ends) == 0 || ends[len(ends)-1] < len(p.vecs) {
		ends = append(ends[:len(ends):len(ends)], len(p.vecs)) // the pieces past them: a last sentence
	}
	// best[k*len(q)+i] is question piece i's best dot product in sentence k.
	best := make([]float64, len(ends)*len(q))
	for i := range best {
		best[i] = -1
	}
	var whole float64
	for i, a := range q {
		top, k := -1.0, 0
		for j, b := range p.vecs {
			for k < len(ends)-1 && j >= ends[k] {
				k++
			}
			d := dot(a, b)
			top = max(top, d)
			best[k*len(q)+i] = max(best[k*len(q)+i], d)
		}
		whole += top
	}
	whole /= float64(len(q))
	// mean is the MaxSim over sentences first..last.
	mean := func(first, last int) float64 {
		var sum float64
		for i := range q {
			b := -1.0
			for k := first; k <= last; k++ {
				b = max(b, best[k*len(q)+i])
			}
			sum += b
		}
		return sum / float64(len(q))
	}
	window := -1.0
	var sents []float64
	if len(p.ends) > 0 {
		sents = make([]float64, len(p.ends))
	}
	for last := range ends {
		empty := last == 0 && ends[0] == 0 || last > 0 && ends[last-1] == ends[last]
		if last < len(sents) {
			sents[last] = -1
			if !empty {
				sents[last] = mean(last, last)
			}
		}
		if !empty {
			window = max(window, mean(max(0, last-windowSents+1), last))
		}
	}
	return (1-windowShare)*whole + windowShare*window, sents
}

func (d *derivedCache) tokenVecs(doc int) (pieceVecs, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	v, ok := d.tv[doc]
	return v, ok
}

func (d *derivedCache) putTokenVecs(doc int, v pieceVecs) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.tv == nil || len(d.tv) >= maxTokenCache {
		d.tv = make(map[int]pieceVecs)
	}
	d.tv[doc] = v
}
