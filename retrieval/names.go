package retrieval

import (
	"slices"
	"strings"
	"unicode"
)

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

// namesFromPassages marks, for a question typed without capitals ("when
// did the normans attack dyrrachium"), which of its own terms the corpus
// writes as a name: terms that the first candidates' sentences write
// capitalised past their first word, and never in lower case. Case in the
// corpus's own text is the cue, as case in the question is for a question
// typed with it; nothing is fitted to a corpus. It returns nil when the
// question has a capital (nameTerms decides then) or no term is found to
// be a name; the question's numbers stay names.
func (ix *Index) namesFromPassages(pc *passCache, qt queryTerms, question string, cands []candidate) []bool {
	if strings.IndexFunc(question, unicode.IsUpper) >= 0 || len(qt.names) == 0 {
		return nil
	}
	want := make(map[string]int, len(qt.names))
	for i := range qt.names {
		want[qt.terms[i]] = i
	}
	upper := make([]bool, len(qt.names))
	lower := make([]bool, len(qt.names))
	for _, c := range cands[:min(len(cands), rerankDepth)] {
		text := pc.s.passages[c.doc].Text
		for _, sp := range pc.get(c.doc).spans {
			for k, t := range sentenceTokens(text[sp.start:sp.end]) {
				if t.digit {
					continue
				}
				for _, term := range ix.an.terms(t.lower) {
					i, ok := want[term]
					if !ok {
						continue
					}
					switch {
					case !t.upper:
						lower[i] = true
					case k > 0:
						upper[i] = true
					}
				}
			}
		}
	}
	var out []bool
	for i := range qt.names {
		if upper[i] && !lower[i] && !qt.names[i] {
			if out == nil {
				out = slices.Clone(qt.names)
			}
			out[i] = true
		}
	}
	return out
}
