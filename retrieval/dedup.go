package retrieval

// Near-duplicate thresholds, measured on the bundled corpus (two pairs of
// articles report the same events). Over every cross-article passage pair:
// the same-fact pairs (Burns–Baradar meeting, Kandahar meeting, Baradar as
// negotiator) have a best sentence pair at 0.32–0.42 IDF-weighted Jaccard
// and whole passages at 0.19–0.42; pairs that merely share names reach
// 0.36 on a short sentence pair but ≤ 0.07 as passages, or 0.30 as
// passages but ≤ 0.30 on sentences. Both must hold.
const (
	dupPassageMin  = 0.15
	dupSentenceMin = 0.31
)

// foldDuplicates walks the first limit candidates in rank order and folds
// each one into an earlier, higher-ranked candidate from a different
// article that reports the same fact. Folded candidates leave the ranking.
func (ix *Index) foldDuplicates(pc *passCache, cands []candidate, limit int) []candidate {
	if limit < 2 {
		return cands
	}
	s := pc.s
	get := func(i int) *analyzed { return pc.get(cands[i].doc) }
	// Each candidate's passage weight, once: it enters every pair.
	weight := make([]float64, min(limit, len(cands)))
	for i := range weight {
		weight[i] = termWeight(s, get(i).all)
	}
	out := make([]candidate, 0, len(cands))
	var keptIdx []int // index into cands of each kept candidate in out
	for i := 0; i < len(cands); i++ {
		folded := false
		if i < limit {
			for k, j := range keptIdx {
				if s.passages[cands[j].doc].DocID == s.passages[cands[i].doc].DocID {
					continue
				}
				if sameFact(s, get(i), get(j), weight[i], weight[j]) {
					out[k].dup = append(out[k].dup, cands[i].doc)
					folded = true
					break
				}
			}
		}
		if !folded {
			out = append(out, cands[i])
			keptIdx = append(keptIdx, i)
		}
	}
	return out
}

// sameFact reports whether two passages share enough rare vocabulary as
// wholes and state it in one sentence each.
// wa and wb are termWeight of a.all and b.all.
func sameFact(s *snapshot, a, b *analyzed, wa, wb float64) bool {
	if jaccardOf(sharedWeight(s, a.all, b.all), wa, wb) < dupPassageMin {
		return false
	}
	for _, x := range a.sents {
		for _, y := range b.sents {
			if weightedJaccard(s, x, y) >= dupSentenceMin {
				return true
			}
		}
	}
	return false
}

// weightedJaccard is Σ idf over shared terms / Σ idf over all terms of a
// and b: shared rare names and numbers weigh most, shared common words little.
func weightedJaccard(s *snapshot, a, b termSet) float64 {
	return jaccardOf(sharedWeight(s, a, b), termWeight(s, a), termWeight(s, b))
}

// jaccardOf is the weighted Jaccard of two sets of weights wa and wb that
// share inter: the union weighs wa + wb − inter.
func jaccardOf(inter, wa, wb float64) float64 {
	union := wa + wb - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// sharedWeight is Σ idf over the terms in both a and b.
func sharedWeight(s *snapshot, a, b termSet) float64 {
	if len(b) < len(a) {
		a, b = b, a
	}
	var w float64
	for t := range a {
		if b[t] {
			w += s.bm25.idf(t)
		}
	}
	return w
}

// termWeight is Σ idf over the terms of a.
func termWeight(s *snapshot, a termSet) float64 {
	var w float64
	for t := range a {
		w += s.bm25.idf(t)
	}
	return w
}
