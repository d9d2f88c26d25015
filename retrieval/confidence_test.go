package retrieval

import (
	"context"
	"testing"
)

// TestConfidenceAnswerType checks abstention on constructed passages: a
// question whose words a passage shares, but whose asked answer type (an
// amount, an age, a date) it does not state, must not be answered.
func TestConfidenceAnswerType(t *testing.T) {
	ix := newTestIndex(t, testCorpus(t), nil)
	tests := []struct {
		q       string
		abstain bool
	}{
		{"when did the Qatari prime minister meet Akhundzada in Kandahar", false},
		{"where did Haibatullah Akhundzada meet Qatar's prime minister", false},
		{"how much did the Kandahar meeting cost", true},
		{"how old is Haibatullah Akhundzada", true},
		{"how many fighters clashed with Iranian border guards", true},
		{"when was Akhundzada born", true},
	}
	for _, tt := range tests {
		ans, err := ix.Search(context.Background(), Query{Text: tt.q})
		if err != nil {
			t.Fatalf("Search(%q): %v", tt.q, err)
		}
		if ans.Abstained != tt.abstain {
			t.Errorf("Search(%q).Abstained = %v, want %v", tt.q, ans.Abstained, tt.abstain)
		}
	}
}

// TestConfidenceFactors checks confidence on one constructed passage
// against the same question with and without the features that scale it.
func TestConfidenceFactors(t *testing.T) {
	ix := newTestIndex(t, testCorpus(t), nil)
	s := ix.snap.Load()
	pc := newPassCache(ix, s)
	doc := s.byID["cnn:p1.1"] // "…in Kandahar on May 12, between … Akhundzada and Qatar's Prime Minister…"
	conf := func(q string) float64 {
		t.Helper()
		c, _ := ix.confidence(pc, ix.queryTerms(s, q), []candidate{{doc: doc}}, 0)
		return c
	}
	tests := []struct {
		name        string
		base, other string
		ratio       float64 // other / base, within 1e-9
	}{
		// A date is there: asking "when" changes nothing but the type term,
		// which matches, so confidence does not drop.
		{"date present", "Akhundzada Kandahar meeting", "when was the Akhundzada Kandahar meeting", -1},
		// No amount of money: halved.
		{"money absent", "Akhundzada Kandahar meeting", "how much did the Akhundzada Kandahar meeting cost", -1},
	}
	for _, tt := range tests {
		b, o := conf(tt.base), conf(tt.other)
		switch tt.name {
		case "date present":
			if o < b {
				t.Errorf("%s: conf %.3f < %.3f without the question word", tt.name, o, b)
			}
		case "money absent":
			if o >= ix.threshold || o > b*typeMissFactor+1e-9 {
				t.Errorf("%s: conf %.3f, want ≤ %.3f and below threshold %.2f", tt.name, o, b*typeMissFactor, ix.threshold)
			}
		}
	}
	// A passage lacking the question's rarest word is scaled by keyMissFactor.
	with := conf("Akhundzada Kandahar")
	without := conf("Akhundzada Zanzibar")
	if without >= with*keyMissFactor {
		t.Errorf("conf without the rarest word = %.3f, want < %.3f", without, with*keyMissFactor)
	}
}

// TestPromoteConfident checks that a title shared by two people cannot keep
// the passage about the other one first and make the search abstain.
func TestPromoteConfident(t *testing.T) {
	ix := newTestIndex(t, testCorpus(t), nil)
	s := ix.snap.Load()
	pc := newPassCache(ix, s)
	qt := ix.queryTerms(s, "who did Sheikh Mohammed visit in Kandahar")
	weak, strong := s.byID["cnn:p2.1"], s.byID["nat:p1.1"]
	cands := []candidate{{doc: weak}, {doc: strong}}
	if c, _ := ix.confidence(pc, qt, cands, 0); c >= ix.threshold {
		t.Fatalf("constructed first candidate is already confident")
	}
	conf, _ := ix.promoteConfident(pc, qt, cands)
	if cands[0].doc != strong || conf < ix.threshold {
		t.Errorf("after promotion first = %s (conf %.2f), want %s above %.2f", s.passages[cands[0].doc].ID, conf, "nat:p1.1", ix.threshold)
	}
}
