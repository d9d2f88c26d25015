package retrieval

// The answer/abstain decision: Search takes the first result as an answer
// when the calibrated model's probability that it answers (see
// calibration.go) reaches the threshold. The model is fitted by `citebot
// calibrate` on questions from several corpora, over the Signals below; no
// factor or threshold here is set by hand.

// Signals are the features of one candidate answer that the answer/abstain
// decision rests on. None depends on a corpus's size or vocabulary: shares
// are normalised by the query's own weight, scores by the best candidate's.
type Signals struct {
	// Evidence is the IDF-weighted share of the query's terms (and its
	// answer type) the passage holds, a term only in its context counting
	// half; Sentence the same for the passage's best sentence.
	Evidence float64 `json:"evidence"`
	Sentence float64 `json:"sentence"`
	// Dense is the passage's cosine similarity to the query (0 without a
	// query vector).
	Dense float64 `json:"dense"`
	// Margin is how far the candidate's ranking score is above the best
	// other candidate's among the first few, relative to its own score.
	Margin float64 `json:"margin"`
	// KeyMatch is how well the query's heaviest (rarest) term is present:
	// 1 exactly, a spelling variant's similarity, 0 absent (1 for a
	// one-term query).
	KeyMatch float64 `json:"key_match"`
	// TypeMiss is 1 when the question asks for a date, number, amount, age,
	// duration or measure and the passage states none; TypeHit 1 when it
	// does state one.
	TypeMiss float64 `json:"type_miss"`
	TypeHit  float64 `json:"type_hit"`
	// FocusMiss is 1 when the attribute asked for ("the capital of X")
	// is missing from the passage and its context.
	FocusMiss float64 `json:"focus_miss"`
	// NameMiss is the share of the weight of the question's names and
	// numbers (words capitalised past the first, or with a digit) that the
	// passage and its context lack (see names.go).
	NameMiss float64 `json:"name_miss"`
	// Unknown is the share of the question's own weight (earlier questions
	// of a conversation aside) in words the corpus never uses in any
	// spelling.
	Unknown float64 `json:"unknown"`
	// SentDense is the query's best cosine with one of the passage's
	// sentences, and SentMargin how far it is above the best other
	// candidate's among the first few; both 0 unless the embedder is
	// semantic (sentsem.go).
	SentDense  float64 `json:"sent_dense"`
	SentMargin float64 `json:"sent_margin"`
	// NegMiss is 1 when the question states a negation ("never", "not",
	// "didn't") and the passage's sentence with the most query evidence
	// states none (negation.go).
	NegMiss float64 `json:"neg_miss"`
	// Opposite is 1 when that sentence, not negated, holds a WordNet
	// antonym of a question word and not the word ("directly" for
	// "indirectly"; opposites.go).
	Opposite float64 `json:"opposite"`
}

// signals computes the Signals of candidate i of cands.
func (ix *Index) signals(pc *passCache, qt queryTerms, cands []candidate, i int) Signals {
	c := cands[i]
	a := pc.get(c.doc)
	ctx := pc.contextTerms(c.doc)
	var s Signals
	s.Evidence, s.Sentence = c.evidence, c.sentence
	if !c.scoredEvidence {
		s.Evidence = qt.evidenceIn(a.all, ctx, a.allTypes)
		for k, ts := range a.sents {
			s.Sentence = max(s.Sentence, qt.evidenceIn(ts, ctx, a.types[k]))
		}
	}
	s.Dense = c.dense
	if c.hasSentDense {
		s.SentDense = c.sentDense
		other := 0.0
		for j := range cands[:min(len(cands), confidentWindow+1)] {
			if j != i && cands[j].hasSentDense {
				other = max(other, cands[j].sentDense)
			}
		}
		s.SentMargin = c.sentDense - other
	}
	other := 0.0
	for j := range cands[:min(len(cands), confidentWindow+1)] {
		if j != i {
			other = max(other, cands[j].score)
		}
	}
	if c.score > 0 {
		s.Margin = (c.score - other) / c.score
	}
	s.KeyMatch = 1
	if k := qt.heaviest; k >= 0 {
		s.KeyMatch = qt.matchIn(k, a.all, ctx)
	}
	if qt.atype.strict() {
		if a.allTypes.has(qt.atype) {
			s.TypeHit = 1
		} else {
			s.TypeMiss = 1
		}
	}
	if f := qt.focus; f >= 0 && qt.matchIn(f, a.all, ctx) == 0 {
		s.FocusMiss = 1
	}
	s.NameMiss = qt.nameMiss(a.all, ctx)
	if qt.negated || len(qt.opposites) > 0 {
		best, bestE := -1, 0.0
		for k, ts := range a.sents {
			if e := qt.evidence(ts, a.types[k]); best < 0 || e > bestE {
				best, bestE = k, e
			}
		}
		if best >= 0 && !a.neg[best] {
			if qt.negated {
				s.NegMiss = 1
			}
			sp := a.spans[best]
			if ix.opposed(qt.opposites, pc.s.passages[c.doc].Text[sp.start:sp.end]) {
				s.Opposite = 1
			}
		}
	}
	if qt.own > 0 {
		s.Unknown = qt.unknown / qt.own
	}
	return s
}

// confidence is the calibrated probability that candidate i answers the
// query, and the signals it was computed from.
func (ix *Index) confidence(pc *passCache, qt queryTerms, cands []candidate, i int) (float64, Signals) {
	s := ix.signals(pc, qt, cands, i)
	if qt.total == 0 || s.Unknown >= 1-1e-9 {
		// No content word ("hello", "what?"), or none the corpus uses in
		// any spelling ("what did China say about it?" over a corpus that
		// never mentions China): nothing here can answer.
		return 0, s
	}
	if pc.lexOnly {
		return ix.calibLex.Confidence(s), s
	}
	return ix.calib.Confidence(s), s
}

// cut is the threshold for the search pc belongs to.
func (ix *Index) cut(pc *passCache) float64 {
	if pc.lexOnly {
		return ix.thresholdLex
	}
	return ix.threshold
}

// confidentWindow is how many of the top candidates may carry the answer:
// when the first one is below the threshold but one of the next is above,
// that one leads, because a title or a partial name ("Mullah" shared by two
// people) can rank a passage about someone else first.
const confidentWindow = 3

// promoteConfident moves the most confident of the first confidentWindow
// candidates to the front when the first is below the threshold, and
// returns the confidence and signals of the new first candidate.
func (ix *Index) promoteConfident(pc *passCache, qt queryTerms, cands []candidate) (float64, Signals) {
	if len(cands) == 0 {
		return 0, Signals{}
	}
	best := 0
	bestConf, bestSig := ix.confidence(pc, qt, cands, 0)
	if bestConf >= ix.cut(pc) {
		return bestConf, bestSig
	}
	for i := 1; i < min(len(cands), confidentWindow); i++ {
		if c, sig := ix.confidence(pc, qt, cands, i); c > bestConf {
			best, bestConf, bestSig = i, c, sig
		}
	}
	if best > 0 && bestConf >= ix.cut(pc) {
		c := cands[best]
		copy(cands[1:best+1], cands[:best])
		cands[0] = c
		return bestConf, bestSig
	}
	// Nothing reaches the threshold: the first stays first and its own
	// confidence is what the abstention reports.
	return ix.confidence(pc, qt, cands, 0)
}

// Threshold is the answer confidence below which Search abstains (when
// the dense side answers; BM25-only searches use the calibration without
// the dense signal and its threshold).
func (ix *Index) Threshold() float64 { return ix.threshold }

// LexicalThreshold is the threshold of searches without a query vector.
func (ix *Index) LexicalThreshold() float64 { return ix.thresholdLex }
