package retrieval

import (
	"context"
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
