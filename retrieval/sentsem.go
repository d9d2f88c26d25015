package retrieval

import (
	"context"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Sentence-level semantic evidence. A semantic embedder trained on
// question–answer pairs (MiniLM) scores the sentence that states an answer
// closer to the question than the passage around it, so the cosine between
// the query and each sentence of the first few candidates is an answer
// signal that depends on no corpus. It is computed at query time in one
// batched EmbedDocuments call, only for the hashing embedder's betters: hash
// vectors are lexical and would repeat the evidence the analyzer already
// has.
const (
	// sentDepth is how many fused candidates get sentence vectors.
	sentDepth = 4
	// maxSentRunes caps each sentence embedded (a run-on "sentence" of a
	// badly split page costs no more than a normal one).
	maxSentRunes = 400
	// sentPerPassage is how many sentences of each are compared.
	sentPerPassage = 3
)

// semantic reports whether the index's embedder gives sentence vectors
// worth comparing (any but the hashing embedder).
func (ix *Index) semantic() bool {
	return ix.emb != nil && !strings.HasPrefix(strings.ToLower(ix.emb.Name()), localName)
}

// sentenceCosines sets, for the first sentDepth candidates, the best
// cosine between the query and one of their sentences (candidate.sentDense),
// over each passage's sentPerPassage sentences with the most lexical
// evidence (the answer's sentence restates some of the question), so one
// query embeds at most sentDepth·sentPerPassage sentences. Sentence vectors
// are cached per snapshot; an embedder failure leaves the search without
// the signal.
func (ix *Index) sentenceCosines(ctx context.Context, pc *passCache, qt queryTerms, qvec []float32, cands []candidate) {
	if qvec == nil || !ix.semantic() {
		return
	}
	n := min(len(cands), sentDepth)
	type need struct{ doc, k int }
	var (
		texts []string
		needs []need
		vecs  = make([][][]float32, n) // by candidate, by sentence (nil: not embedded)
		pick  = make([][]int, n)       // the sentences each candidate is judged on
	)
	for i, c := range cands[:n] {
		a := pc.get(c.doc)
		type ks struct {
			k int
			e float64
		}
		var cand []ks
		for k := range a.spans {
			if e := qt.evidence(a.sents[k], a.types[k]); e > 0 {
				cand = append(cand, ks{k, e})
			}
		}
		sort.SliceStable(cand, func(x, y int) bool { return cand[x].e > cand[y].e })
		cand = cand[:min(len(cand), sentPerPassage)]
		cached, ok := pc.s.derived.sentVecs(c.doc)
		if !ok || len(cached) != len(a.spans) {
			cached = make([][]float32, len(a.spans))
		}
		// The cached slice is shared with concurrent searches: copy before
		// filling.
		v := slices.Clone(cached)
		text := pc.s.passages[c.doc].Text
		for _, x := range cand {
			pick[i] = append(pick[i], x.k)
			if v[x.k] != nil {
				continue
			}
			t := text[a.spans[x.k].start:a.spans[x.k].end]
			if utf8.RuneCountInString(t) > maxSentRunes {
				t = string([]rune(t)[:maxSentRunes])
			}
			texts = append(texts, t)
			needs = append(needs, need{i, x.k})
		}
		vecs[i] = v
	}
	if len(texts) > 0 {
		got, err := ix.emb.EmbedDocuments(ctx, texts)
		if err != nil || len(got) != len(texts) {
			if ix.log != nil {
				ix.log.Debug("sentence embedding failed; no sentence similarity for this search", "err", err)
			}
			return
		}
		for j, nd := range needs {
			vecs[nd.doc][nd.k] = got[j]
		}
		for i, c := range cands[:n] {
			pc.s.derived.putSentVecs(c.doc, vecs[i])
		}
	}
	for i := range cands[:n] {
		c := &cands[i]
		for _, k := range pick[i] {
			if sv := vecs[i][k]; sv != nil {
				cos := dot(qvec, sv)
				if !c.hasSentDense || cos > c.sentDense {
					c.sentDense, c.hasSentDense = cos, true
				}
			}
		}
	}
}
