package retrieval

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// A follow-up ("when was that?", "who attended?") names little of what it
// asks about; the conversation's earlier questions do. They join the query
// as extra terms and a share of the query vector, always at a lower weight
// than the follow-up's own words, so that a self-contained follow-up is
// still answered on its own terms and an earlier question only fills in
// what the follow-up leaves out.

// maxContextQuestions is how many earlier questions a search reads (the
// most recent ones).
const maxContextQuestions = 3

// contextDecay is the weight of the most recent earlier question's terms
// relative to the same terms in the question itself; each older question
// weighs contextDecay times the next one (0.5, 0.25, 0.125). Chosen before
// measuring, as "half, and fading": the follow-up's own word always counts
// double an earlier question's.
const contextDecay = 0.5

// contextDenseWeight is the earlier questions' share of the query vector:
// the follow-up's own embedding plus this times the embedding of the
// earlier questions, renormalised.
const contextDenseWeight = contextDecay

// convContext is the analyzed earlier questions of one search.
type convContext struct {
	// questions are the earlier questions used, oldest first.
	questions []string
	// text is what the dense side embeds for them.
	text string
	// owner[k] is the index in questions of the question that added
	// term k of the extended queryTerms (-1 for the follow-up's own).
	owner []int
}

// contextQuestions keeps the last maxContextQuestions non-empty earlier
// questions, each cut to MaxQueryRunes (a caller's long history is not the
// user's error).
func contextQuestions(qs []string) []string {
	var out []string
	for _, q := range qs {
		q = strings.TrimSpace(q)
		if q == "" {
			continue
		}
		if utf8.RuneCountInString(q) > MaxQueryRunes {
			q = string([]rune(q)[:MaxQueryRunes])
		}
		out = append(out, q)
	}
	if len(out) > maxContextQuestions {
		out = out[len(out)-maxContextQuestions:]
	}
	return out
}

// withContext extends qt (the follow-up's own terms) with the terms of the
// earlier questions qs that the follow-up does not already have, each at
// contextDecay^age of its weight in its own question. The answer type, the
// heaviest term and the focus stay the follow-up's: it is what is asked.
func (ix *Index) withContext(s *snapshot, qt queryTerms, qs []string) (queryTerms, convContext) {
	qs = contextQuestions(qs)
	cc := convContext{questions: qs}
	if len(qs) == 0 {
		return qt, cc
	}
	cc.owner = make([]int, len(qt.terms), len(qt.terms)+8)
	for i := range cc.owner {
		cc.owner[i] = -1
	}
	have := make(map[string]bool, len(qt.terms))
	for _, t := range qt.terms {
		have[t] = true
	}
	haveLex := make(map[string]bool, len(qt.lex))
	for _, t := range qt.lex {
		haveLex[t] = true
	}
	// Copy the slices: qt's backing arrays must not be shared with callers.
	qt.terms = append([]string(nil), qt.terms...)
	qt.weights = append([]float64(nil), qt.weights...)
	qt.variants = append([][]variant(nil), qt.variants...)
	qt.lex = append([]string(nil), qt.lex...)
	qt.lexWeights = append([]float64(nil), qt.lexWeights...)
	// Most recent first, so a term shared by two earlier questions takes
	// the weight of the more recent one.
	for j := len(qs) - 1; j >= 0; j-- {
		cw := math.Pow(contextDecay, float64(len(qs)-j))
		ct := ix.queryTerms(s, qs[j])
		for k, t := range ct.terms {
			if have[t] || len(qt.terms) >= 2*maxQueryTerms {
				continue
			}
			have[t] = true
			w := cw * ct.weights[k]
			qt.terms = append(qt.terms, t)
			qt.weights = append(qt.weights, w)
			qt.variants = append(qt.variants, ct.variants[k])
			qt.total += w
			cc.owner = append(cc.owner, j)
		}
		for k, t := range ct.lex {
			if haveLex[t] {
				continue
			}
			haveLex[t] = true
			qt.lex = append(qt.lex, t)
			qt.lexWeights = append(qt.lexWeights, cw*ct.lexWeights[k])
		}
	}
	qt.earlier = make([]bool, len(qt.terms))
	for k, j := range cc.owner {
		qt.earlier[k] = j >= 0
	}
	cc.text = strings.Join(qs, "\n")
	return qt, cc
}

// earlierContextCredit is how much an earlier question's word counts when
// it is found only in a passage's context: more than a follow-up's own
// word there (contextCredit), because the earlier question says which
// story is meant and the follow-up which sentence of it ("who attended?"
// after a question about a meeting is answered by a paragraph of that
// meeting's article that need not name the meeting again); less than the
// word in the passage itself, so that of two paragraphs of the story the
// one that states it wins.
const earlierContextCredit = 0.75

// contextCreditOf is how much term i counts when it is found only in a
// passage's context (its article's title and lead, the paragraph before).
func (qt queryTerms) contextCreditOf(i int) float64 {
	if i < len(qt.earlier) && qt.earlier[i] {
		return earlierContextCredit
	}
	return contextCredit
}

// embedWithContext embeds text, blended with the earlier questions'
// embedding at contextDenseWeight when there are any.
func (ix *Index) embedWithContext(ctx context.Context, text string, cc convContext) ([]float32, error) {
	vec, err := ix.emb.EmbedQuery(ctx, text)
	if err != nil || cc.text == "" {
		return vec, err
	}
	cv, err := ix.emb.EmbedQuery(ctx, cc.text)
	if err != nil {
		return nil, err
	}
	if len(cv) != len(vec) {
		return nil, fmt.Errorf("context embedding has %d dimensions, the query's %d", len(cv), len(vec))
	}
	out := make([]float32, len(vec))
	var norm float64
	for i := range vec {
		v := vec[i] + contextDenseWeight*cv[i]
		out[i] = v
		norm += float64(v) * float64(v)
	}
	if norm == 0 {
		return vec, nil
	}
	inv := float32(1 / math.Sqrt(norm))
	for i := range out {
		out[i] *= inv
	}
	return out, nil
}

// readWith returns the earlier questions (oldest first) whose added terms
// the answering passage contains: those the answer was read with. Nothing
// when the answer rests on the follow-up's own words alone.
func (cc convContext) readWith(qt queryTerms, a *analyzed) []string {
	if len(cc.questions) == 0 || a == nil {
		return nil
	}
	used := make([]bool, len(cc.questions))
	for k, j := range cc.owner {
		if j >= 0 && !used[j] && qt.match(k, a.all) > 0 {
			used[j] = true
		}
	}
	var out []string
	for j, q := range cc.questions {
		if used[j] {
			out = append(out, q)
		}
	}
	return out
}
