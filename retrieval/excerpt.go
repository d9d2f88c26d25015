package retrieval

import "unicode/utf8"

// Excerpt shaping.
const (
	maxQuoteSentences = 3
	// nearlyAsGood marks a second, adjacent sentence as answering when its
	// score is at least this share of the best one.
	nearlyAsGood = 0.8
	// shortSentence: a lone answering sentence shorter than this (in runes)
	// is quoted with a neighbour for context. The answer is often in the
	// sentence next to the one that restates the question: at 80 the
	// quoted excerpt missed the answer for 10% of the SQuAD questions whose
	// passage held it, at 160 for 5% (bundled sets unchanged or better).
	shortSentence = 160
	// openingShort: an opening sentence shorter than this is quoted with
	// the next one when no sentence matches.
	openingShort = 160
	// alignWeight weighs a sentence's alignment with the question (the
	// MaxSim of the question's word pieces over the sentence's, when late
	// interaction scored the passage) against its lexical evidence. It
	// finds the answering sentence that restates few of the question's
	// words ("What all these models have in common is…" for "What
	// commonality do the models share"). Measured with MiniLM (README:
	// quality): at 0.5 and 1 SQuAD's excerpt gained one answer, at 2 and 4
	// three, with the held-out and blind sets one each; at 8 it fell back.
	alignWeight = 2
)

// pickExcerpt quotes the 1–3 consecutive sentences of text that best answer
// qt, marking the answering one(s). A sentence's score is its query
// evidence, plus alignWeight times align[i] when align has a value for
// each sentence (alignment's, tokensim.go) and the sentence has some
// evidence. With no matching sentence (or no query terms) it quotes the
// opening sentences unmarked.
func pickExcerpt(text string, a *analyzed, qt queryTerms, align []float64) Excerpt {
	spans := a.spans
	if len(spans) == 0 {
		return Excerpt{}
	}
	scores := make([]float64, len(spans))
	best := -1
	for i := range spans {
		scores[i] = qt.evidence(a.sents[i], a.types[i])
		if scores[i] > 0 && len(align) == len(spans) {
			scores[i] += alignWeight * max(align[i], 0)
		}
		if scores[i] > 0 && (best < 0 || scores[i] > scores[best]) {
			best = i
		}
	}
	if best < 0 {
		return openingExcerpt(text, spans)
	}
	marked := map[int]bool{best: true}
	lo, hi := best, best
	// A second answering sentence only if adjacent and nearly as good.
	for _, j := range []int{best - 1, best + 1} {
		if j >= 0 && j < len(spans) && scores[j] >= nearlyAsGood*scores[best] && len(marked) < 2 {
			marked[j] = true
			lo, hi = min(lo, j), max(hi, j)
		}
	}
	// One short answering sentence reads better with its neighbour: the
	// better-scoring one, preferring the next sentence on a tie.
	if len(marked) == 1 && utf8.RuneCountInString(text[spans[best].start:spans[best].end]) < shortSentence {
		prev, next := best-1, best+1
		switch {
		case next < len(spans) && (prev < 0 || scores[next] >= scores[prev]):
			hi = next
		case prev >= 0:
			lo = prev
		}
	}
	var ex Excerpt
	for i := lo; i <= hi && len(ex.Sentences) < maxQuoteSentences; i++ {
		ex.Sentences = append(ex.Sentences, Sentence{Text: text[spans[i].start:spans[i].end], Answer: marked[i]})
	}
	return ex
}

// openingExcerpt quotes the first sentence, and the second too when the
// first is short, without marking an answer.
func openingExcerpt(text string, spans []span) Excerpt {
	if len(spans) == 0 {
		return Excerpt{}
	}
	ex := Excerpt{Sentences: []Sentence{{Text: text[spans[0].start:spans[0].end]}}}
	if len(spans) > 1 && spans[0].end-spans[0].start < openingShort {
		ex.Sentences = append(ex.Sentences, Sentence{Text: text[spans[1].start:spans[1].end]})
	}
	return ex
}
