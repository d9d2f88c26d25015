package retrieval

// dupThreshold is the IDF-weighted term overlap (weighted Jaccard) above
// which two passages from different articles count as reporting the same
// fact. Measured on the bundled corpus (dedup_test.go): the two known pairs
// of same-event reports score well above it, other cross-article passage
// pairs well below.
const dupThreshold = 0.3

// foldDuplicates walks the first limit candidates in rank order and folds
// each one into an earlier, higher-ranked candidate from a different
// article that reports the same fact. Folded candidates leave the ranking.
func (ix *Index) foldDuplicates(s *snapshot, cands []candidate, limit int) []candidate {
	if limit < 2 {
		return cands
	}
	sets := make([]termSet, limit)
	set := func(i int) termSet {
		if sets[i] == nil {
			sets[i] = ix.termSet(passageText(s.passages[cands[i].doc]))
		}
		return sets[i]
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
				if weightedJaccard(s, set(i), set(j)) >= dupThreshold {
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

// weightedJaccard is Σ idf over shared terms / Σ idf over all terms of a
// and b: shared rare names and numbers weigh most, shared common words little.
func weightedJaccard(s *snapshot, a, b termSet) float64 {
	var inter, union float64
	for t := range a {
		w := s.bm25.idf(t)
		union += w
		if b[t] {
			inter += w
		}
	}
	for t := range b {
		if !a[t] {
			union += s.bm25.idf(t)
		}
	}
	if union == 0 {
		return 0
	}
	return inter / union
}
