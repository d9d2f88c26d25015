package retrieval

import (
	"slices"
	"strings"
	"testing"
)

func TestOpposed(t *testing.T) {
	ix := &Index{an: newAnalyzer()}
	for _, tt := range []struct {
		question, sentence string
		want               bool
	}{
		{"How can graphs be encoded indirectly?", "Graphs can be encoded directly via their adjacency matrices.", true},
		{"How can graphs be encoded indirectly?", "Graphs can be encoded indirectly, or directly via their matrices.", false},
		{"How can graphs be encoded directly?", "Graphs can be encoded directly via their adjacency matrices.", false},
		{"What are the least well known resources?", "Time and space are the most well-known complexity resources.", true},
		{"Who won the war?", "The French lost the war in 1871.", true},            // irregular forms: won, lost
		{"When did prices fall?", "Prices rose in 2008 and fell in 2009.", false}, // the word is there too
		{"When did prices fall?", "Prices rose sharply in 2008.", true},
		{"What was the worst year?", "The best year was 1999.", true},
		{"What was the worse year?", "The good years were few.", true},                              // worse: bad, against good
		{"Is a problem abstract or concrete?", "A problem refers to the abstract question.", false}, // asks which
		{"Where did the army go?", "The army marched north in spring.", false},
		{"", "Anything at all.", false},
		{"Where did the army go?", "", false},
	} {
		if got := ix.opposed(ix.oppositions(tt.question), tt.sentence); got != tt.want {
			t.Errorf("opposed(%q, %q) = %v, want %v", tt.question, tt.sentence, got, tt.want)
		}
	}
}

func TestLemmas(t *testing.T) {
	lx := antonymsOnce()
	for _, tt := range []struct {
		word string
		want []string
	}{
		{"increased", []string{"increase", "increased"}}, // the verb, and the adjective
		{"increases", []string{"increase"}},
		{"worse", []string{"bad", "worse"}},
		{"went", []string{"go"}},
		{"southern", []string{"southern"}},
		{"united", []string{"unite", "united"}}, // not "unit", as a stemmer would have it
		{"qatar", nil},
	} {
		got := lx.lemmas(tt.word)
		slices.Sort(got)
		slices.Sort(tt.want)
		if !slices.Equal(got, tt.want) {
			t.Errorf("lemmas(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

// TestOppositesFile checks the embedded WordNet list: its license kept,
// pairs symmetric and irregular forms pointing at words that have
// antonyms.
func TestOppositesFile(t *testing.T) {
	if !strings.Contains(oppositesText, "WordNet 3.0 Copyright 2006 by Princeton University") {
		t.Error("opposites.txt lost WordNet's copyright notice")
	}
	lx := antonymsOnce()
	if n := len(lx.antonyms); n < 4000 {
		t.Errorf("%d words with antonyms, want the ~6,000 of WordNet's single-word pairs", n)
	}
	for w, as := range lx.antonyms {
		for _, a := range as {
			if !slices.Contains(lx.antonyms[a], w) {
				t.Errorf("%q lists antonym %q, which does not list it back", w, a)
			}
		}
	}
	for form, ls := range lx.irregular {
		for _, l := range ls {
			if _, ok := lx.antonyms[l]; !ok {
				t.Errorf("irregular %q → %q, a lemma without antonyms", form, l)
			}
		}
	}
}
