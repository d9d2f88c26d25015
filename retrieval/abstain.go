package retrieval

// defaultAbstainThreshold is the confidence below which the top passage is
// not taken as an answer. Calibrated on testdata/dev_questions.jsonl and
// dev_categories.jsonl with the local embedder: unanswerable questions
// score 0–0.48 (a corpus name plus a word or answer type the corpus lacks),
// answerable ones 0.69–1.3 with two outliers at 0.36–0.49 (questions
// phrased in words neither the corpus nor the synonym lexicon has). 0.5
// sits in that gap; missing an abstention was counted worse than a false
// one, because an abstention still shows the nearest passages, marked weak.
// Other embedders put the dense cosine on another scale: set
// Options.AbstainThreshold after running `citebot eval` with them.
const defaultAbstainThreshold = 0.5

// denseWeight scales the top passage's cosine similarity in the confidence.
const denseWeight = 0.5

// typeMissFactor scales the confidence of a passage that holds no
// expression of the strict answer type the question asks for: a passage
// about the evacuation with no amount in it cannot say what it cost, however
// many of the question's words it shares.
const typeMissFactor = 0.4

// confidence estimates how likely candidate c answers the query, from
// signals that do not depend on the question set: the IDF-weighted share of
// the query's content terms the passage contains (exactly, as a spelling
// variant or a synonym; words the corpus never uses weigh most, and the
// asked answer type counts as a term), plus half its cosine similarity to
// the query; scaled by typeMissFactor when the question asks for a date,
// number, amount, age, duration or measure and the passage states none, and
// by keyMissFactor when it lacks the question's heaviest term.
func (ix *Index) confidence(pc *passCache, qt queryTerms, c candidate) float64 {
	a := pc.get(c.doc)
	ctx := pc.contextTerms(c.doc)
	ev := c.evidence
	if !c.scoredEvidence {
		ev = qt.evidenceIn(a.all, ctx, a.allTypes)
	}
	conf := ev + denseWeight*max(0, c.dense)
	if qt.atype.strict() && !a.allTypes.has(qt.atype) {
		conf *= typeMissFactor
	}
	if k := qt.heaviest; k >= 0 && qt.matchIn(k, a.all, ctx) == 0 {
		conf *= keyMissFactor
	}
	if f := qt.focus; f >= 0 && qt.matchIn(f, a.all, ctx) == 0 {
		conf *= focusMissFactor
	}
	return conf
}

// keyMissFactor scales the confidence of a passage that lacks the
// question's heaviest term (its rarest word, or a word the corpus never
// uses), in any spelling or synonym. Names and rare topic words are the
// words users cannot paraphrase, so a passage without one is usually about
// something else that merely shares the question's other words ("the
// capital of X" answered by a passage about another capital).
const keyMissFactor = 0.8

// confidentWindow is how many of the top candidates may carry the answer:
// when the first one is below the threshold but one of the next is above,
// that one leads, because a title or a partial name ("Mullah" shared by two
// people) can rank a passage about someone else first.
const confidentWindow = 3

// promoteConfident moves the most confident of the first confidentWindow
// candidates to the front when the first is below the threshold, and
// returns the confidence of the new first candidate.
func (ix *Index) promoteConfident(pc *passCache, qt queryTerms, cands []candidate) float64 {
	if len(cands) == 0 {
		return 0
	}
	best, bestConf := 0, ix.confidence(pc, qt, cands[0])
	if bestConf >= ix.threshold {
		return bestConf
	}
	for i := 1; i < min(len(cands), confidentWindow); i++ {
		if c := ix.confidence(pc, qt, cands[i]); c > bestConf {
			best, bestConf = i, c
		}
	}
	if best > 0 && bestConf >= ix.threshold {
		c := cands[best]
		copy(cands[1:best+1], cands[:best])
		cands[0] = c
	}
	return bestConf
}
