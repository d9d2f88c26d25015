package retrieval

import (
	"context"
	"testing"

	"citebot/corpus"
)

// TestNearDuplicatesBundled checks that the bundled corpus's two pairs of
// same-event reports fold into one result, and that different facts do not.
func TestNearDuplicatesBundled(t *testing.T) {
	c, _, err := corpus.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	ix := newTestIndex(t, c, nil)
	tests := []struct {
		q string
	}{
		{"who did qatar's prime minister meet in kandahar"},
		{"cia director burns secret meeting with baradar in kabul"},
	}
	for _, tt := range tests {
		ans, err := ix.Search(context.Background(), Query{Text: tt.q, K: 5})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Abstained || len(ans.Results) == 0 {
			t.Fatalf("%q abstained", tt.q)
		}
		top := ans.Results[0]
		if len(top.AlsoReportedBy) == 0 {
			t.Errorf("%q: top %s has no AlsoReportedBy", tt.q, top.Passage.ID)
			continue
		}
		got := map[string]bool{top.Passage.DocID: true}
		for _, d := range top.AlsoReportedBy {
			got[d.Passage.DocID] = true
			if d.Passage.DocID == top.Passage.DocID {
				t.Errorf("%q: folded a passage of the same article", tt.q)
			}
			for _, r := range ans.Results {
				if r.Passage.ID == d.Passage.ID {
					t.Errorf("%q: folded passage %s still listed", tt.q, d.Passage.ID)
				}
			}
		}
		t.Logf("%q: %v", tt.q, got)
	}
	// Different facts from different articles must stay apart.
	ans, _ := ix.Search(context.Background(), Query{Text: "taliban fighters exchanged gunfire with iranian border guards", K: 5})
	if len(ans.Results) > 0 && len(ans.Results[0].AlsoReportedBy) != 0 {
		t.Errorf("gunfire passage folded %s", ans.Results[0].AlsoReportedBy[0].Passage.ID)
	}
}
