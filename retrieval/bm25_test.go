package retrieval

import (
	"math"
	"testing"
)

func TestBM25HandComputed(t *testing.T) {
	// N=3, avgdl=2. Scores worked out by hand from
	// idf = ln(1 + (N-df+0.5)/(df+0.5)), tf·(k1+1)/(tf + k1·(1-b+b·dl/avgdl)).
	ix := newBM25([][]string{{"a", "b"}, {"a", "c", "c"}, {"d"}})
	tests := []struct {
		name  string
		query []string
		want  []scored
	}{
		{"rare term, tf 2", []string{"c"}, []scored{{1, 1.1823695104798895}}},
		{"common term, length norm", []string{"a"}, []scored{{0, 0.47000362924573563}, {1, 0.390191692204007}}},
		{"two terms sum", []string{"a", "c"}, []scored{{1, 1.5725612026838964}, {0, 0.47000362924573563}}},
		{"repeated query term counts once", []string{"c", "c"}, []scored{{1, 1.1823695104798895}}},
		{"unknown term", []string{"zzz"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ix.search(tt.query, nil, 10, nil)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i].doc != tt.want[i].doc || math.Abs(got[i].score-tt.want[i].score) > 1e-9 {
					t.Errorf("hit %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestBM25LimitFilterWeights(t *testing.T) {
	ix := newBM25([][]string{{"a"}, {"a"}, {"a", "b"}})
	if got := ix.search([]string{"a"}, nil, 1, nil); len(got) != 1 || got[0].doc != 0 {
		t.Errorf("n=1: got %v, want doc 0 (ties break by lower id)", got)
	}
	if got := ix.search([]string{"a"}, nil, 5, func(d int) bool { return d == 2 }); len(got) != 1 || got[0].doc != 2 {
		t.Errorf("filter: got %v, want only doc 2", got)
	}
	full := ix.search([]string{"b"}, nil, 5, nil)
	half := ix.search([]string{"b"}, []float64{0.5}, 5, nil)
	if len(full) != 1 || math.Abs(half[0].score-full[0].score/2) > 1e-12 {
		t.Errorf("weight 0.5: got %v, want half of %v", half, full)
	}
	if got := newBM25(nil).search([]string{"a"}, nil, 3, nil); got != nil {
		t.Errorf("empty index: got %v", got)
	}
}

// TestPostingPacking: a posting keeps its document number and frequency,
// and a frequency past maxTF saturates, in search and scoreTerms alike.
func TestPostingPacking(t *testing.T) {
	for _, c := range []struct {
		doc      int
		tf, want int32
	}{{0, 1, 1}, {maxSegDocs - 1, maxTF, maxTF}, {12345, maxTF + 40, maxTF}} {
		if p := newPosting(c.doc, c.tf); p.doc() != int32(c.doc) || p.tf() != c.want {
			t.Errorf("newPosting(%d, %d) = doc %d tf %d, want %d %d", c.doc, c.tf, p.doc(), p.tf(), c.doc, c.want)
		}
	}
	long := make([]string, 300)
	for i := range long {
		long[i] = "a"
	}
	ix := newBM25([][]string{long, {"a", "b"}})
	got := ix.search([]string{"a"}, nil, 2, nil)
	if len(got) != 2 || got[0].doc != 0 {
		t.Fatalf("search: %v", got)
	}
	if s := ix.scoreTerms(long, []string{"a"}, nil); s != got[0].score {
		t.Errorf("scoreTerms %v, search %v: a saturated frequency must score alike", s, got[0].score)
	}
}
