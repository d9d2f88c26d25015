package retrieval

// abstainThreshold is the confidence below which the top passage is not
// taken as an answer. Calibrated on testdata/dev_questions.jsonl: see
// calibrate_test.go, which prints the confidence of every dev question.
const abstainThreshold = 0.6

// confidence estimates how likely passage c answers the query, from
// signals that do not depend on the corpus or the question set: the
// IDF-weighted share of the query's content terms that the passage
// contains (exactly or as a spelling variant).
func (ix *Index) confidence(s *snapshot, qt queryTerms, c candidate) float64 {
	return qt.evidence(ix.termSet(passageText(s.passages[c.doc])))
}
