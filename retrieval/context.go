package retrieval

import "citebot/corpus"

// News paragraphs lean on what came before: "the two men discussed", "the
// discussions likely involved", "he said". The subject is named in the
// article's title, its lead paragraph or the paragraph just before. A query
// term found only there is weak evidence that the passage is about what
// the question asks: it counts at contextCredit of a term in the passage.
const contextCredit = 0.5

// contextSet is a passage's context: the article's title and lead, shared
// by every passage of the article, and the text just before the passage.
type contextSet struct {
	article, prev termSet
}

func (c contextSet) has(t string) bool { return c.article[t] || c.prev[t] }

// contextTerms returns the terms of passage doc's context: its article's
// title and lead paragraph and the paragraph (or part) before it. The
// passage's own paragraph is excluded, so a lead passage's context is the
// title and the part before it, if any.
func (pc *passCache) contextTerms(doc int) contextSet {
	if c, ok := pc.ctx[doc]; ok {
		return c
	}
	if c, ok := pc.s.derived.context(doc); ok {
		pc.ctx[doc] = c
		return c
	}
	s := pc.s
	p := s.passages[doc]
	var c contextSet
	if a := s.articles[doc]; a != nil {
		lead := len(a.Paragraphs) > 0 && a.Paragraphs[0].N != p.Paragraph
		key := articleKey{a, lead}
		ts, ok := pc.arts[key]
		if !ok {
			ts = pc.ix.termSet(a.Title)
			if lead {
				for _, t := range pc.ix.an.terms(a.Paragraphs[0].Text) {
					ts[t] = true
				}
			}
			pc.arts[key] = ts
		}
		c.article = ts
		if s.prevText != nil {
			if prev := s.prevText[doc]; prev != "" {
				c.prev = pc.ix.termSet(prev)
			}
		} else if prev, ok := previousText(s, a, p); ok {
			c.prev = pc.ix.termSet(prev)
		}
	}
	pc.ctx[doc] = c
	pc.s.derived.putContext(doc, c)
	return c
}

// articleKey names an article's shared context, with or without its lead.
type articleKey struct {
	a    *corpus.Article
	lead bool
}

// previousText returns the text just before passage p in article a: the
// previous part of the same paragraph, else the previous paragraph.
func previousText(s *snapshot, a *corpus.Article, p corpus.Passage) (string, bool) {
	if p.Part > 1 {
		if i, ok := s.byID[corpus.PassageID(p.DocID, p.Paragraph, p.Part-1)]; ok {
			return s.passages[i].Text, true
		}
	}
	if p.Part > 1 || p.Paragraph < 2 {
		return "", false
	}
	// Paragraph numbers count from 1 in reading order, so paragraph N-1
	// usually sits at index N-2; fall back to a scan when it does not.
	if k := p.Paragraph - 2; k < len(a.Paragraphs) && a.Paragraphs[k].N == p.Paragraph-1 {
		return a.Paragraphs[k].Text, true
	}
	for _, para := range a.Paragraphs {
		if para.N == p.Paragraph-1 {
			return para.Text, true
		}
	}
	return "", false
}

// evidenceIn is evidence (see queryTerms.evidence) where a term missing
// from ts but present in the context ctx counts at contextCredit.
func (qt queryTerms) evidenceIn(ts termSet, ctx contextSet, m typeMask) float64 {
	if qt.total == 0 {
		return 0
	}
	var got float64
	for i := range qt.terms {
		got += qt.weights[i] * qt.matchIn(i, ts, ctx)
	}
	if m.has(qt.atype) {
		got += qt.typeWeight
	}
	return min(1, got/qt.total)
}

// matchIn is match in ts, else contextCredit times the match in ctx.
func (qt queryTerms) matchIn(i int, ts termSet, ctx contextSet) float64 {
	if v := qt.match(i, ts); v > 0 {
		return v
	}
	if ctx.has(qt.terms[i]) {
		return qt.contextCreditOf(i)
	}
	for _, v := range qt.variants[i] {
		if v.term != qt.terms[i] && ctx.has(v.term) {
			return qt.contextCreditOf(i) * v.sim
		}
	}
	return 0
}
