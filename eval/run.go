package eval

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"citebot/retrieval"
)

// Depth is how many results each question asks for: Recall@5 and MRR@5
// need five.
const Depth = 5

// Outcome is what one question got.
type Outcome struct {
	Q          string  `json:"q"`
	Answerable bool    `json:"answerable"`
	Abstained  bool    `json:"abstained"`
	Confidence float64 `json:"confidence"`
	// Rank is the 1-based rank of the first hit in the ranking, whether or
	// not the index abstained; 0 when none of the top Depth is a hit.
	Rank int `json:"rank"`
	// ExcerptHolds is true when the first result is a hit and the excerpt
	// quoted from it holds an answer span (it counts only if answered).
	ExcerptHolds bool `json:"excerpt_holds"`
	// Signals are the abstention features of the first result.
	Signals retrieval.Signals `json:"signals"`
}

// Correct reports whether the first result is a hit (answerable questions
// only): what the confidence is meant to predict.
func (o Outcome) Correct() bool { return o.Answerable && o.Rank == 1 }

// Report is the quality of one configuration over a question set.
//
// The answer figures never count an abstention as a hit:
// AnsweredCorrectly1 is the share of answerable questions answered (not
// abstained) with a hit at rank 1, and Excerpt the share whose quoted
// excerpt also holds the answer. RecallAt1, RecallAt5 and MRRAt5 measure the
// ranking alone, whatever the decision, so that fusion and reranking can be
// judged apart from abstention.
type Report struct {
	Config       string  `json:"config"`
	Questions    int     `json:"questions"`
	Answerable   int     `json:"answerable"`
	Unanswerable int     `json:"unanswerable"`
	Threshold    float64 `json:"threshold"`

	AnsweredCorrectly1 float64 `json:"answered_correctly_at_1"`
	RecallAt1          float64 `json:"recall_at_1"`
	RecallAt5          float64 `json:"recall_at_5"`
	MRRAt5             float64 `json:"mrr_at_5"`
	Excerpt            float64 `json:"excerpt_holds_answer"`
	// WronglyAbstained is the share of answerable questions abstained on;
	// UnanswerableAbstained the share of unanswerable ones.
	WronglyAbstained      float64 `json:"wrongly_abstained"`
	UnanswerableAbstained float64 `json:"unanswerable_abstained"`

	// Curve is the risk–coverage curve of the confidence over every
	// question; AURC its area (lower is better), AtThreshold the point the
	// current threshold gives.
	Curve       []Point `json:"curve"`
	AURC        float64 `json:"aurc"`
	AtThreshold Point   `json:"at_threshold"`

	Outcomes []Outcome `json:"outcomes,omitempty"`
}

// Run asks every question in mode and measures the outcomes. The index's
// own threshold decides abstentions.
func Run(ctx context.Context, ix *retrieval.Index, qs []Question, mode retrieval.Mode) (Report, error) {
	outs := make([]Outcome, 0, len(qs))
	for _, q := range qs {
		ans, err := ix.Search(ctx, retrieval.Query{Text: q.Q, K: Depth, Mode: mode, Context: q.Context, KeepRanking: true})
		if err != nil {
			return Report{}, fmt.Errorf("eval %s %q: %w", mode, q.Q, err)
		}
		outs = append(outs, outcome(q, ans))
	}
	thr := ix.Threshold()
	if mode == retrieval.LexicalOnly {
		thr = ix.LexicalThreshold()
	}
	return Summarize(mode.String(), thr, outs), nil
}

// outcome scores one answer against its question.
func outcome(q Question, ans retrieval.Answer) Outcome {
	o := Outcome{Q: q.Q, Answerable: q.Answerable(), Abstained: ans.Abstained, Confidence: ans.Confidence, Signals: ans.Signals}
	if !o.Answerable {
		return o
	}
	gold := foldAll(q.Gold)
	for i, r := range ans.Results[:min(len(ans.Results), Depth)] {
		if hit(q, r, gold) {
			o.Rank = i + 1
			break
		}
	}
	if o.Rank == 1 {
		o.ExcerptHolds = containsAny(fold(ans.Results[0].Excerpt.Text()), gold)
	}
	return o
}

// hit reports whether result r, or a near-duplicate folded into it, is a
// passage (of the question's paragraph, when it names one) holding a gold
// span.
func hit(q Question, r retrieval.Result, gold []string) bool {
	ok := func(r retrieval.Result) bool {
		if q.DocID != "" && (r.Passage.DocID != q.DocID || r.Passage.Paragraph != q.Paragraph) {
			return false
		}
		return containsAny(fold(r.Passage.Text), gold)
	}
	if ok(r) {
		return true
	}
	for _, d := range r.AlsoReportedBy {
		if ok(d) {
			return true
		}
	}
	return false
}

// Summarize computes a Report from outcomes; threshold is only recorded
// and marked on the curve (the outcomes already carry the decisions).
func Summarize(config string, threshold float64, outs []Outcome) Report {
	rep := Report{Config: config, Questions: len(outs), Threshold: threshold, Outcomes: outs}
	var ac, r1, r5, mrr, ex, wrong, unAbst float64
	for _, o := range outs {
		if !o.Answerable {
			rep.Unanswerable++
			if o.Abstained {
				unAbst++
			}
			continue
		}
		rep.Answerable++
		if o.Abstained {
			wrong++
		} else if o.Rank == 1 {
			ac++
		}
		if o.Rank == 1 {
			r1++
		}
		if o.Rank >= 1 {
			r5++
			mrr += 1 / float64(o.Rank)
		}
		if o.ExcerptHolds && !o.Abstained {
			ex++
		}
	}
	if n := float64(rep.Answerable); n > 0 {
		rep.AnsweredCorrectly1, rep.RecallAt1, rep.RecallAt5, rep.MRRAt5 = ac/n, r1/n, r5/n, mrr/n
		rep.Excerpt, rep.WronglyAbstained = ex/n, wrong/n
	}
	if n := float64(rep.Unanswerable); n > 0 {
		rep.UnanswerableAbstained = unAbst / n
	}
	rep.Curve, rep.AURC = RiskCoverage(outs)
	rep.AtThreshold = pointAt(outs, threshold)
	return rep
}

// fold makes typography irrelevant to a match: NFKD with combining marks
// dropped, curly quotes and dashes straightened, spaces collapsed, lower case.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == '\u2018' || r == '\u2019' || r == '\u201B' || r == '\u2032' || r == '\u02BC' || r == '`':
			r = '\''
		case r == '\u201C' || r == '\u201D' || r == '\u201E' || r == '\u2033':
			r = '"'
		case r == '\u2010' || r == '\u2011' || r == '\u2012' || r == '\u2013' || r == '\u2014' || r == '\u2212':
			r = '-'
		case unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func foldAll(gold []string) []string {
	var out []string
	for _, g := range gold {
		if g = fold(g); g != "" {
			out = append(out, g)
		}
	}
	return out
}

func containsAny(text string, gold []string) bool {
	for _, g := range gold {
		if strings.Contains(text, g) {
			return true
		}
	}
	return false
}
