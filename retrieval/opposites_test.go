package retrieval

import (
	"slices"
	"strings"
	"testing"

	"citebot/corpus"
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
		{"Which was the larger city?", "The smaller city was Ghent.", true},
		{"Which route is the shortest?", "The longest and the shortest routes run north.", false}, // the word is there too
		{"Which route is the shortest?", "The longest route runs north.", true},
		{"Who bought the rights?", "Jean sold the rights in 1418.", false}, // verbs: a converse restates the fact
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
		{"increased", []string{"increased"}}, // the adjective
		{"larger", []string{"large"}},
		{"shortest", []string{"short"}},
		{"worse", []string{"bad", "worse"}}, // WordNet's exception list
		{"best", []string{"best", "good", "well"}},
		{"southern", []string{"southern"}},
		{"went", nil}, // a verb: no adjective or adverb pairs
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
	if n := len(lx.antonyms); n < 3500 {
		t.Errorf("%d words with antonyms, want the ~3,800 of WordNet's single-word adjective and adverb pairs", n)
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

// TestOppositeSignal checks the signal through Search's analysis: the
// answering sentence holds the antonym ("dry" for "wet"), unless it is
// negated, which may state the opposite.
func TestOppositeSignal(t *testing.T) {
	for _, tt := range []struct {
		text, question string
		want           float64
	}{
		{"The spring was dry in the northern hills.", "was the spring wet in the northern hills", 1},
		{"The spring was not dry in the northern hills.", "was the spring wet in the northern hills", 0},
		{"The spring was wet in the northern hills.", "was the spring wet in the northern hills", 0},
	} {
		c := &corpus.Corpus{Articles: []*corpus.Article{{ID: "a", Title: "Weather", Source: "Sky"}}}
		c.Passages = []corpus.Passage{{ID: corpus.PassageID("a", 1, 1), DocID: "a", Paragraph: 1, Part: 1, Text: tt.text}}
		c.Articles[0].Paragraphs = []corpus.Paragraph{{N: 1, Text: tt.text}}
		ix := newTestIndex(t, c, nil)
		s := ix.snap.Load()
		pc := newPassCache(ix, s)
		if got := ix.signals(pc, ix.queryTerms(s, tt.question), []candidate{{doc: 0}}, 0).Opposite; got != tt.want {
			t.Errorf("%q over %q: opposite %v, want %v", tt.question, tt.text, got, tt.want)
		}
	}
}
