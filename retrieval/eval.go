package retrieval

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// EvalQuestion is one line of a question set: a question and the gold
// substrings, any of which in a result's passage makes it a hit. Empty Gold
// means the corpus cannot answer and the index must abstain. Context holds
// the earlier questions of a conversation, oldest first, for a follow-up
// (Query.Context); it is optional.
type EvalQuestion struct {
	Q       string   `json:"q"`
	Gold    []string `json:"gold"`
	Context []string `json:"context,omitempty"`
}

// EvalReport is the quality of one Mode over a question set. Recall and
// MRR are over the answerable questions; AbstainAccuracy is the share of
// unanswerable ones that abstained (and FalseAbstain counts answerable ones
// that did).
type EvalReport struct {
	Mode            Mode
	Answerable      int
	Unanswerable    int
	RecallAt1       float64
	RecallAt3       float64
	MRRAt5          float64
	AbstainAccuracy float64
	FalseAbstain    int
	// Misses lists the answerable questions with no hit in the top 3.
	Misses []string
}

// ReadQuestions parses a JSONL question set; blank lines are skipped and an
// error names the offending line.
func ReadQuestions(r io.Reader) ([]EvalQuestion, error) {
	var out []EvalQuestion
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		b := strings.TrimSpace(sc.Text())
		if b == "" {
			continue
		}
		var q EvalQuestion
		dec := json.NewDecoder(strings.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&q); err != nil {
			return nil, fmt.Errorf("questions line %d: %w", line, err)
		}
		if strings.TrimSpace(q.Q) == "" {
			return nil, fmt.Errorf("questions line %d: empty \"q\"", line)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	if len(out) == 0 {
		return nil, errors.New("questions: no questions")
	}
	return out, nil
}

// Evaluate runs every question in Hybrid, DenseOnly and LexicalOnly modes
// and returns one report per mode, in that order.
func Evaluate(ctx context.Context, ix *Index, qs []EvalQuestion) ([]EvalReport, error) {
	var reports []EvalReport
	for _, mode := range []Mode{Hybrid, DenseOnly, LexicalOnly} {
		rep := EvalReport{Mode: mode}
		for _, q := range qs {
			ans, err := ix.Search(ctx, Query{Text: q.Q, K: 5, Mode: mode, Context: q.Context})
			if err != nil {
				return nil, fmt.Errorf("eval %s %q: %w", mode, q.Q, err)
			}
			if len(q.Gold) == 0 {
				rep.Unanswerable++
				if ans.Abstained {
					rep.AbstainAccuracy++
				}
				continue
			}
			rep.Answerable++
			if ans.Abstained {
				rep.FalseAbstain++
			}
			rank := firstHit(ans.Results, q.Gold)
			if rank == 1 {
				rep.RecallAt1++
			}
			if rank >= 1 && rank <= 3 {
				rep.RecallAt3++
			} else {
				rep.Misses = append(rep.Misses, q.Q)
			}
			if rank >= 1 && rank <= 5 {
				rep.MRRAt5 += 1 / float64(rank)
			}
		}
		if rep.Answerable > 0 {
			n := float64(rep.Answerable)
			rep.RecallAt1 /= n
			rep.RecallAt3 /= n
			rep.MRRAt5 /= n
		}
		if rep.Unanswerable > 0 {
			rep.AbstainAccuracy /= float64(rep.Unanswerable)
		}
		reports = append(reports, rep)
	}
	return reports, nil
}

// firstHit returns the 1-based rank of the first result whose passage (or a
// passage folded into it) contains a gold substring, or 0.
func firstHit(rs []Result, gold []string) int {
	for i, r := range rs {
		if isHit(r.Passage.Text, gold) {
			return i + 1
		}
		for _, d := range r.AlsoReportedBy {
			if isHit(d.Passage.Text, gold) {
				return i + 1
			}
		}
	}
	return 0
}

// isHit compares case-insensitively with quotes, apostrophes and spaces
// folded, so typography never decides a hit.
func isHit(text string, gold []string) bool {
	t := foldText(text)
	for _, g := range gold {
		if g = foldText(strings.TrimSpace(g)); g != "" && strings.Contains(t, g) {
			return true
		}
	}
	return false
}
