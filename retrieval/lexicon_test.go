package retrieval

import (
	"slices"
	"testing"
)

func TestLexiconIrregularVerbs(t *testing.T) {
	an := newAnalyzer()
	plain := newPlainAnalyzer()
	tests := []struct {
		a, b string // must analyze to the same terms with the lexicon
	}{
		{"met", "meeting"},
		{"fled", "flee"},
		{"took", "take"},
		{"seized", "seize"}, // regular: the stemmer alone
		{"withdrew", "withdrawal"},
		{"overran", "overrun"},
		{"fell", "falls"},
	}
	for _, tt := range tests {
		ga, gb := an.terms(tt.a), an.terms(tt.b)
		if !slices.Equal(ga, gb) {
			t.Errorf("terms(%q) = %q, terms(%q) = %q, want equal", tt.a, ga, tt.b, gb)
		}
	}
	// The embedder's analyzer keeps the plain stems its persisted vectors
	// were built with.
	if got := plain.terms("met"); !slices.Equal(got, []string{"met"}) {
		t.Errorf("plain terms(met) = %q, want [met]", got)
	}
	// Ambiguous forms are left alone: "found" a party is not "find".
	if got := an.terms("found"); !slices.Equal(got, []string{"found"}) {
		t.Errorf("terms(found) = %q, want [found]", got)
	}
}

func TestLexiconSynonyms(t *testing.T) {
	an := newAnalyzer()
	tests := []struct {
		word, syn string
		want      bool
	}{
		{"jail", "prison", true},
		{"prison", "jail", true},
		{"afraid", "worried", true},
		{"talk", "discuss", true},
		{"meet", "sit", false}, // held only in one bundled article
		{"jail", "airport", false},
		{"kandahar", "doha", false},
	}
	for _, tt := range tests {
		w, s := an.terms(tt.word)[0], an.terms(tt.syn)[0]
		if got := slices.Contains(an.synonyms(w), s); got != tt.want {
			t.Errorf("%q synonym of %q = %v, want %v", tt.syn, tt.word, got, tt.want)
		}
		if slices.Contains(an.synonyms(w), w) {
			t.Errorf("%q lists itself as a synonym", tt.word)
		}
	}
	if got := newPlainAnalyzer().synonyms("jail"); got != nil {
		t.Errorf("plain analyzer synonyms = %q, want none", got)
	}
}
