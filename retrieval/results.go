package retrieval

import (
	"strings"
)

// result builds the Result for candidate c at rank, with its excerpt and
// the near-duplicates folded into it.
func (ix *Index) result(pc *passCache, qt queryTerms, c candidate, rank int) Result {
	s := pc.s
	r := Result{
		Rank: rank, Passage: s.passages[c.doc], Article: s.articles[c.doc],
		Score: c.score, Dense: c.dense, Lexical: c.lexical,
		Excerpt: pickExcerpt(s.passages[c.doc].Text, pc.get(c.doc), qt, pc.sentAlign[c.doc]),
	}
	for _, d := range c.dup {
		r.AlsoReportedBy = append(r.AlsoReportedBy, Result{
			Rank: rank, Passage: s.passages[d], Article: s.articles[d],
			Excerpt: pickExcerpt(s.passages[d].Text, pc.get(d), qt, pc.sentAlign[d]),
		})
	}
	return r
}

// Passage returns one passage by id with its article and an excerpt of its
// opening sentences; ok is false for an unknown id.
func (ix *Index) Passage(id string) (Result, bool) {
	if ix.remote != nil {
		return ix.remotePassage(id)
	}
	s := ix.snap.Load()
	i, ok := s.byID[id]
	if !ok {
		return Result{}, false
	}
	p := s.passages[i]
	return Result{Rank: 1, Passage: p, Article: s.articles[i], Excerpt: openingExcerpt(p.Text, splitSentences(p.Text))}, true
}

// suggestTerms is what Suggest searches for: the analyzed terms of text
// plus the vocabulary terms starting with its last word as typed so far.
func (ix *Index) suggestTerms(v *vocabulary, text string) []string {
	terms := ix.an.terms(text)
	words := foldWords(text)
	if len(words) > 0 && !strings.HasSuffix(text, " ") {
		terms = append(terms, v.withPrefix(words[len(words)-1], maxPrefixExpansions)...)
	}
	return terms
}

// maxPrefixExpansions bounds how many vocabulary terms the last, partly
// typed word expands to in Suggest.
const maxPrefixExpansions = 32

// Suggest returns up to n passages matching partial text, for autocomplete:
// BM25 over the complete words plus the vocabulary terms that start with
// the last word as typed so far. It never calls the embedder. Empty text
// returns the first n passages in corpus order.
func (ix *Index) Suggest(text string, n int) []Result {
	if ix.remote != nil {
		return ix.remoteSuggest(text, n)
	}
	s := ix.snap.Load()
	if n <= 0 {
		return nil
	}
	n = min(n, MaxK)
	text = strings.TrimSpace(text)
	if text == "" {
		out := make([]Result, 0, min(n, len(s.passages)))
		for i := 0; i < len(s.passages) && len(out) < n; i++ {
			p := s.passages[i]
			out = append(out, Result{Rank: i + 1, Passage: p, Article: s.articles[i], Excerpt: openingExcerpt(p.Text, splitSentences(p.Text))})
		}
		return out
	}
	hits := s.bm25.search(ix.suggestTerms(s.vocab, text), nil, n, nil)
	qt := ix.queryTerms(s, text)
	out := make([]Result, 0, len(hits))
	for r, h := range hits {
		p := s.passages[h.doc]
		out = append(out, Result{Rank: r + 1, Passage: p, Article: s.articles[h.doc], Score: h.score, Lexical: h.score,
			Excerpt: pickExcerpt(p.Text, ix.analyzePassage("", p.Text), qt, nil)})
	}
	return out
}
