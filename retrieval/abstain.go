package retrieval

// defaultAbstainThreshold is the confidence below which the top passage is
// not taken as an answer. Calibrated on testdata/dev_questions.jsonl with
// the local embedder: unanswerable questions score 0–0.48 ("did akhundzada
// ever visit china" is the highest: a corpus name plus a word the corpus
// never uses), answerable ones 0.53–1.5 with one outlier at 0.27 (a
// question phrased entirely in words the corpus does not use). 0.5 sits
// in that gap; missing an abstention was counted worse than a false one,
// because an abstention still shows the nearest passages, marked weak.
// Other embedders put the dense cosine on another scale: set
// Options.AbstainThreshold after running `citebot eval` with them.
const defaultAbstainThreshold = 0.5

// denseWeight scales the top passage's cosine similarity in the confidence.
const denseWeight = 0.5

// confidence estimates how likely candidate c answers the query, from
// signals that do not depend on the question set: the IDF-weighted share of
// the query's content terms the passage contains (exactly or as a spelling
// variant; words the corpus never uses weigh most), plus half its cosine
// similarity to the query.
func (ix *Index) confidence(pc *passCache, qt queryTerms, c candidate) float64 {
	ev := c.evidence
	if !c.scoredEvidence {
		ev = qt.evidence(pc.get(c.doc).all)
	}
	return ev + denseWeight*max(0, c.dense)
}
