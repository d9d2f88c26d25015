package retrieval

// nameTerms returns the analyzed terms of the words of a question written
// as a name or a number: capitalised past the first word ("Dyrrachium",
// "Norman") or holding a digit ("1185"). A question that names a person,
// place or year the passage never mentions asks about something else —
// the way a look-alike question is made, by swapping one name or date —
// however much of the rest it shares. Case is the only cue: a question
// typed all in lower case has no names, and the signal stays silent.
func (ix *Index) nameTerms(question string) map[string]bool {
	var out map[string]bool
	for i, t := range sentenceTokens(question) {
		if !t.digit && !(t.upper && i > 0) {
			continue
		}
		for _, term := range ix.an.terms(t.lower) {
			if out == nil {
				out = map[string]bool{}
			}
			out[term] = true
		}
	}
	return out
}

// nameMiss is the share of the weight of the question's own name and
// number terms that the passage (ts) and its context lack: 0 when all are
// there or the question names none, 1 when none is. A name in the context
// (the article's title or lead, the paragraph before) counts as there: the
// passage is about it even where it says "the group"; a close spelling in
// the passage counts as its similarity.
func (qt queryTerms) nameMiss(ts termSet, ctx contextSet) float64 {
	var all, missing float64
	for i, isName := range qt.names {
		if !isName {
			continue
		}
		w := qt.weights[i]
		all += w
		m := qt.match(i, ts)
		if m == 0 && qt.matchIn(i, ts, ctx) > 0 {
			m = 1
		}
		missing += w * (1 - m)
	}
	if all == 0 {
		return 0
	}
	return missing / all
}
