package retrieval

import "sort"

// rerankDepth is how many fused candidates are re-scored with evidence.
const rerankDepth = 15

// Rerank weights: the fused rank score (normalized to the best candidate),
// the share of query evidence in the whole passage, and in its best
// sentence. Sentence evidence rewards passages where the query's terms
// occur together, the way an answering sentence states them. At 0.5 each
// (tuned on the bundled sets) the reranker lost to plain fusion on the SQuAD
// articles (Recall@1 .771 vs .799 with MiniLM, .747 vs .771 with the hash
// embedder); at 0.25 it beats plain fusion on every set measured (README:
// quality), so evidence only breaks near-ties of the fused ranking.
var rerankWeights = [3]float64{1, 0.25, 0.25}

// sentRerankWeight weighs the best sentence cosine (sentsem.go) in the
// rerank score. Measured with MiniLM (README: quality): at 0.25 SQuAD R@1
// .812 → .819 and no bundled set loses an answer; at 0.5 and 1 SQuAD gains
// more (.829, .840) but the follow-up set loses one and two answers.
const sentRerankWeight = 0.25

// rerank re-scores the first rerankDepth candidates by fused score plus
// query evidence, and records each one's evidence for abstention.
func (ix *Index) rerank(pc *passCache, qt queryTerms, cands []candidate) {
	n := min(len(cands), rerankDepth)
	if n == 0 {
		return
	}
	top, floor, sem := 0.0, 0.0, false
	for _, c := range cands[:n] {
		top = max(top, c.score)
		if c.hasSentDense {
			floor, sem = c.sentDense, true
		}
	}
	for _, c := range cands[:n] {
		if c.hasSentDense {
			floor = min(floor, c.sentDense)
		}
	}
	for i := range cands[:n] {
		c := &cands[i]
		a := pc.get(c.doc)
		ctx := pc.contextTerms(c.doc)
		c.evidence = qt.evidenceIn(a.all, ctx, a.allTypes)
		c.scoredEvidence = true
		c.sentence = 0
		for k, ts := range a.sents {
			c.sentence = max(c.sentence, qt.evidenceIn(ts, ctx, a.types[k]))
		}
		norm := 0.0
		if top > 0 {
			norm = c.score / top
		}
		c.score = rerankWeights[0]*norm + rerankWeights[1]*c.evidence + rerankWeights[2]*c.sentence
		if sem {
			// Candidates past sentDepth count as the weakest scored one.
			sd := floor
			if c.hasSentDense {
				sd = c.sentDense
			}
			c.score += sentRerankWeight * sd
		}
	}
	sort.SliceStable(cands[:n], func(i, j int) bool { return cands[i].score > cands[j].score })
}
