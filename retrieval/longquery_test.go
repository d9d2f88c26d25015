package retrieval

import (
	"strings"
	"testing"

	"citebot/corpus"
)

// TestLongQueryEvidence checks that a claim pasted inside a chatty message
// keeps most of the evidence the bare claim has in the passage stating it:
// filler words the corpus lacks must not dilute it into an abstention.
func TestLongQueryEvidence(t *testing.T) {
	c, _, err := corpus.Bundled()
	if err != nil {
		t.Fatalf("bundled corpus: %v", err)
	}
	ix := newTestIndex(t, c, nil)
	s := ix.snap.Load()
	doc := -1
	for i, p := range s.passages {
		if strings.Contains(foldText(p.Text), foldText("secret meeting in Kabul with Taliban leader Abdul Ghani Baradar")) {
			doc = i
		}
	}
	if doc < 0 {
		t.Fatal("bundled corpus lacks the Burns–Baradar passage")
	}
	pc := newPassCache(ix, s)
	a := pc.get(doc)
	ev := func(q string) float64 {
		t.Helper()
		qt := ix.queryTerms(s, q)
		return qt.evidenceIn(a.all, pc.contextTerms(doc), a.allTypes)
	}
	short := ev("baradar met the head of the cia in kabul")
	long := ev("lmao my flatmate swears baradar met the head of the cia in kabul, sounds sketchy tbh, bruh gimme receipts whenever ya guys stumble onto anything legit")
	if short < 0.8 {
		t.Errorf("bare claim evidence = %.2f, want ≥ 0.8", short)
	}
	if long < 0.5*short {
		t.Errorf("claim in chatter evidence = %.2f, want ≥ 0.5 × %.2f", long, short)
	}
}
