package retrieval

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"citebot/corpus"
)

func bundledIndex(t *testing.T) *Index {
	t.Helper()
	c, _, err := corpus.Bundled()
	if err != nil {
		t.Fatalf("bundled corpus: %v", err)
	}
	return newTestIndex(t, c, nil)
}

func followupSet(t *testing.T) []EvalQuestion {
	t.Helper()
	f, err := os.Open("../testdata/followup_questions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, err := ReadQuestions(f)
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// TestFollowupContext measures the follow-up set with and without the
// earlier questions. Floors sit a little under the measured figures
// (hybrid with context R@1 .793, R@3 .862, 1 of 29 wrongly abstained;
// without .621 / .793 / 3 of 29). The set was written before the method
// but the method was revised once after a first run on it, so it is a
// development set, not a held-out one.
func TestFollowupContext(t *testing.T) {
	ix := bundledIndex(t)
	qs := followupSet(t)
	if len(qs) < 30 {
		t.Fatalf("%d follow-up questions, want ≥ 30", len(qs))
	}
	bare := make([]EvalQuestion, len(qs))
	for i, q := range qs {
		if len(q.Context) == 0 {
			t.Fatalf("line %d has no context", i+1)
		}
		bare[i] = EvalQuestion{Q: q.Q, Gold: q.Gold}
	}
	with, err := Evaluate(t.Context(), ix, qs)
	if err != nil {
		t.Fatal(err)
	}
	without, err := Evaluate(t.Context(), ix, bare)
	if err != nil {
		t.Fatal(err)
	}
	w, o := with[0], without[0]
	t.Logf("with context:    R@1 %.3f R@3 %.3f MRR@5 %.3f abstained-when-unanswerable %.2f wrongly abstained %d of %d", w.RecallAt1, w.RecallAt3, w.MRRAt5, w.AbstainAccuracy, w.FalseAbstain, w.Answerable)
	t.Logf("without context: R@1 %.3f R@3 %.3f MRR@5 %.3f abstained-when-unanswerable %.2f wrongly abstained %d of %d", o.RecallAt1, o.RecallAt3, o.MRRAt5, o.AbstainAccuracy, o.FalseAbstain, o.Answerable)
	if w.RecallAt1 < 0.75 || w.RecallAt3 < 0.82 {
		t.Errorf("with context R@1 %.3f R@3 %.3f, want ≥ 0.75 and ≥ 0.82", w.RecallAt1, w.RecallAt3)
	}
	if w.RecallAt1 < o.RecallAt1+0.1 {
		t.Errorf("context lifts R@1 only from %.3f to %.3f", o.RecallAt1, w.RecallAt1)
	}
	if w.AbstainAccuracy < 1 || w.FalseAbstain > 2 {
		t.Errorf("with context: %.2f of unanswerable follow-ups abstained, %d answerable ones wrongly", w.AbstainAccuracy, w.FalseAbstain)
	}
}

func TestFollowupReadWith(t *testing.T) {
	ix := bundledIndex(t)
	ctx := context.Background()
	first := "who met Baradar in Kabul?"
	a, err := ix.Search(ctx, Query{Text: "when was that?", Context: []string{"who is Sirajuddin Haqqani?", first}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Abstained || len(a.Results) == 0 || !strings.Contains(a.Results[0].Passage.Text, "Baradar in Kabul on Monday") {
		t.Fatalf("follow-up answered with %+v", a.Results)
	}
	if !slices.Equal(a.ReadWith, []string{first}) {
		t.Errorf("ReadWith = %q, want only %q", a.ReadWith, first)
	}

	// Without context nothing is read with anything, and a question that
	// needs none keeps its answer under an unrelated context.
	plain := Query{Text: "how many people were evacuated from Kabul airport on Monday?"}
	a0, err := ix.Search(ctx, plain)
	if err != nil {
		t.Fatal(err)
	}
	if len(a0.ReadWith) != 0 {
		t.Errorf("ReadWith without context = %q", a0.ReadWith)
	}
	plain.Context = []string{"what did Beth Sanner say about ISIS-K?"}
	a1, err := ix.Search(ctx, plain)
	if err != nil {
		t.Fatal(err)
	}
	if len(a1.Results) == 0 || a1.Results[0].Passage.ID != a0.Results[0].Passage.ID {
		t.Errorf("an unrelated earlier question changed the answer")
	}

	// An off-corpus follow-up still abstains with context.
	a, err = ix.Search(ctx, Query{Text: "what did China say about it?", Context: []string{first}})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Abstained || len(a.ReadWith) != 0 {
		t.Errorf("off-corpus follow-up: abstained %v, ReadWith %q", a.Abstained, a.ReadWith)
	}
}

func TestContextQuestions(t *testing.T) {
	long := strings.Repeat("x", MaxQueryRunes+10)
	got := contextQuestions([]string{"a", " ", "b", "c", long})
	if len(got) != 3 || got[0] != "b" || got[1] != "c" || len([]rune(got[2])) != MaxQueryRunes {
		t.Errorf("contextQuestions = %d items %q…", len(got), got[:min(2, len(got))])
	}
	if contextQuestions(nil) != nil {
		t.Error("no context gives questions")
	}
	// A huge context is no error and no slower than its cut.
	ix := bundledIndex(t)
	if _, err := ix.Search(context.Background(), Query{Text: "when?", Context: []string{long, long, long, long}}); err != nil {
		t.Errorf("long context: %v", err)
	}
}
