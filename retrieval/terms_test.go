package retrieval

import (
	"math"
	"slices"
	"testing"

	"citebot/corpus"
)

// TestBM25CountsMatches pins that an index built from reused term counts
// equals one built by tokenizing everything.
func TestBM25CountsMatches(t *testing.T) {
	c := testCorpus(t)
	ix := newTestIndex(t, c, nil)
	s := ix.snap.Load()
	want := newBM25(ix.allTerms(s.passages))
	tests := []struct {
		name  string
		reuse *termTable
	}{
		{"nothing reused", nil},
		{"all reused", invertBM25(s)},
		{"some reused", func() *termTable {
			tt := invertBM25(s)
			for h := range tt.byHash {
				if h < "8" {
					delete(tt.byHash, h)
				}
			}
			return tt
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ix.buildBM25(s, tt.reuse)
			sameBM25(t, got, want)
		})
	}
}

func sameBM25(t *testing.T, got, want *bm25Index) {
	t.Helper()
	if !slices.Equal(got.docLen, want.docLen) || math.Abs(got.avgLen-want.avgLen) > 1e-9 || len(got.postings) != len(want.postings) {
		t.Fatalf("docLen/avgLen/terms differ: %v %v %d vs %v %v %d", got.docLen, got.avgLen, len(got.postings), want.docLen, want.avgLen, len(want.postings))
	}
	for term, ps := range want.postings {
		if !slices.Equal(got.postings[term], ps) {
			t.Errorf("postings of %q: %v, want %v", term, got.postings[term], ps)
		}
	}
}

// TestUpdateReusesTerms checks an Update after an edit ranks exactly like a
// fresh index of the edited corpus.
func TestUpdateReusesTerms(t *testing.T) {
	c := testCorpus(t)
	ix := newTestIndex(t, c, nil)
	edited := &corpus.Corpus{Articles: c.Articles, Passages: slices.Clone(c.Passages)}
	edited.Passages[1].Text = "A brand new sentence about volcanic ash over Reykjavik."
	edited.Passages = slices.Delete(edited.Passages, 3, 4)
	if _, err := ix.Update(t.Context(), edited); err != nil {
		t.Fatal(err)
	}
	fresh := newTestIndex(t, edited, nil)
	sameBM25(t, ix.snap.Load().bm25, fresh.snap.Load().bm25)
}
