package retrieval

import (
	"context"
	"os"
	"testing"

	"citebot/corpus"
)

// TestQualityTargets checks the quality targets on the dev set over
// the bundled corpus: hybrid Recall@1 ≥ 0.85, Recall@3 ≥ 0.95, hybrid ≥
// BM25-only on every metric, and every unanswerable question abstains.
func TestQualityTargets(t *testing.T) {
	c, _, err := corpus.Bundled()
	if err != nil {
		t.Fatalf("bundled corpus: %v", err)
	}
	ix := newTestIndex(t, c, nil)
	f, err := os.Open("../testdata/dev_questions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, err := ReadQuestions(f)
	if err != nil {
		t.Fatal(err)
	}
	reps, err := Evaluate(context.Background(), ix, qs)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 3 || reps[0].Mode != Hybrid || reps[2].Mode != LexicalOnly {
		t.Fatalf("reports = %+v, want hybrid, dense, bm25", reps)
	}
	for _, r := range reps {
		t.Logf("%-6s R@1 %.3f R@3 %.3f MRR@5 %.3f abstain %.3f (false abstentions %d) misses %q",
			r.Mode, r.RecallAt1, r.RecallAt3, r.MRRAt5, r.AbstainAccuracy, r.FalseAbstain, r.Misses)
	}
	h, b := reps[0], reps[2]
	if h.Answerable < 30 || h.Unanswerable < 6 {
		t.Errorf("dev set has %d answerable and %d unanswerable questions, want ≥ 30 and ≥ 6", h.Answerable, h.Unanswerable)
	}
	checks := []struct {
		name      string
		got, want float64
	}{
		{"hybrid Recall@1", h.RecallAt1, 0.85},
		{"hybrid Recall@3", h.RecallAt3, 0.95},
		{"hybrid abstention accuracy", h.AbstainAccuracy, 1},
		{"hybrid Recall@1 vs bm25", h.RecallAt1, b.RecallAt1},
		{"hybrid Recall@3 vs bm25", h.RecallAt3, b.RecallAt3},
		{"hybrid MRR@5 vs bm25", h.MRRAt5, b.MRRAt5},
		{"hybrid abstention vs bm25", h.AbstainAccuracy, b.AbstainAccuracy},
	}
	for _, c := range checks {
		if c.got < c.want {
			t.Errorf("%s = %.3f, want ≥ %.3f", c.name, c.got, c.want)
		}
	}
}

// TestQualityGeneralisation guards against tuning to the dev set: it runs
// the held-out set (testdata/holdout_questions.jsonl, written before the
// method changes and never tuned on) and the dev category questions
// (testdata/dev_categories.jsonl: titles and partial names, absent
// attributes, when/where/how-many) with looser bounds than the dev
// targets. Measured when the bounds were set: held-out hybrid R@1 0.805,
// R@3 0.878, MRR@5 0.854, 80% abstentions, 6 of 41 false abstentions
// (before the method changes: 0.732, 0.878, 0.806, 60%, 10 of 41). The
// bounds sit a question or two below that, so noise from one changed
// question passes and a real loss of generalisation fails.
// The blind set (testdata/blind_questions.jsonl: Discord-style phrasing,
// claims to check, long chatty messages, and unanswerables built from
// corpus words that never occur together) was written and measured before
// the round-2 changes and not looked at question by question until they
// were done: before hybrid R@1 0.775, R@3 0.875, MRR@5 0.838, 62%
// abstentions, 8 of 40 false; after 0.775, 0.925, 0.844, 62%, 7 of 40.
func TestQualityGeneralisation(t *testing.T) {
	c, _, err := corpus.Bundled()
	if err != nil {
		t.Fatalf("bundled corpus: %v", err)
	}
	ix := newTestIndex(t, c, nil)
	tests := []struct {
		file                    string
		r1, r3, mrr, abstain    float64
		maxFalseAbstainFraction float64
	}{
		{"../testdata/holdout_questions.jsonl", 0.75, 0.82, 0.80, 0.70, 0.20},
		{"../testdata/dev_categories.jsonl", 0.80, 0.80, 0.80, 1, 0.1},
		{"../testdata/blind_questions.jsonl", 0.72, 0.87, 0.80, 0.55, 0.22},
	}
	for _, tt := range tests {
		f, err := os.Open(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		qs, err := ReadQuestions(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		reps, err := Evaluate(context.Background(), ix, qs)
		if err != nil {
			t.Fatal(err)
		}
		h, b := reps[0], reps[2]
		t.Logf("%s hybrid R@1 %.3f R@3 %.3f MRR@5 %.3f abstain %.3f (false %d) misses %q",
			tt.file, h.RecallAt1, h.RecallAt3, h.MRRAt5, h.AbstainAccuracy, h.FalseAbstain, h.Misses)
		checks := []struct {
			name      string
			got, want float64
		}{
			{"hybrid Recall@1", h.RecallAt1, tt.r1},
			{"hybrid Recall@3", h.RecallAt3, tt.r3},
			{"hybrid MRR@5", h.MRRAt5, tt.mrr},
			{"hybrid abstention accuracy", h.AbstainAccuracy, tt.abstain},
			{"hybrid Recall@1 vs bm25", h.RecallAt1, b.RecallAt1},
			{"hybrid MRR@5 vs bm25", h.MRRAt5, b.MRRAt5},
			{"hybrid answered share", 1 - float64(h.FalseAbstain)/float64(h.Answerable), 1 - tt.maxFalseAbstainFraction},
		}
		for _, c := range checks {
			if c.got < c.want {
				t.Errorf("%s: %s = %.3f, want ≥ %.3f", tt.file, c.name, c.got, c.want)
			}
		}
	}
}
