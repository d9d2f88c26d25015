package retrieval

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"citebot/corpus"
)

// bm25Postings is an index's content independent of its segmentation:
// every live term's postings as (passage index, tf), in passage order.
func bm25Postings(bm *bm25Index) map[string][][2]int32 {
	out := map[string][][2]int32{}
	for g, seg := range bm.segs {
		for k, id := range seg.ids {
			t := bm.dict.terms[id]
			for _, p := range seg.post[seg.offs[k]:seg.offs[k+1]] {
				out[t] = append(out[t], [2]int32{bm.docs[g][p.doc()], p.tf()})
			}
		}
	}
	for _, ps := range out {
		slices.SortFunc(ps, func(a, b [2]int32) int { return int(a[0] - b[0]) })
	}
	return out
}

// sameBM25 fails unless got and want index the same postings with the same
// statistics, and score and rank every query exactly alike.
func sameBM25(t *testing.T, got, want *bm25Index, queries [][]string) {
	t.Helper()
	if got.n != want.n || got.total != want.total || got.avgLen != want.avgLen {
		t.Fatalf("n/total/avgLen %d %d %v, want %d %d %v", got.n, got.total, got.avgLen, want.n, want.total, want.avgLen)
	}
	gp, wp := bm25Postings(got), bm25Postings(want)
	if len(gp) != len(wp) || got.live != len(wp) {
		t.Fatalf("%d terms (%d live), want %d", len(gp), got.live, len(wp))
	}
	for term, ps := range wp {
		if !slices.Equal(gp[term], ps) {
			t.Fatalf("postings of %q: %v, want %v", term, gp[term], ps)
		}
		if got.df(term) != want.df(term) {
			t.Fatalf("df(%q) = %d, want %d", term, got.df(term), want.df(term))
		}
	}
	for _, q := range queries {
		if g, w := got.search(q, nil, 20, nil), want.search(q, nil, 20, nil); !slices.Equal(g, w) {
			t.Fatalf("search %q:\n got %v\nwant %v", q, g, w)
		}
	}
}

// TestBM25SegmentsMatchFromScratch applies a sequence of updates (an
// article edited, one removed, one added with new words, those words
// removed again) to an index of many segments and checks after each that
// BM25 — postings, statistics, every score and rank — and the vocabulary
// equal those of an index built from scratch, in segments and in one, and
// that only the changed article's segment was rebuilt.
func TestBM25SegmentsMatchFromScratch(t *testing.T) {
	ctx := context.Background()
	c := SyntheticCorpus(1500, 3)
	opts := Options{segSize: 100}
	ix, err := NewIndex(ctx, c, opts)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ix.snap.Load().bm25.segs); n != 15 {
		t.Fatalf("%d segments, want 15", n)
	}
	mid := c.Passages[len(c.Passages)/2].DocID
	edit := func(c *corpus.Corpus, doc, suffix string) *corpus.Corpus {
		out := &corpus.Corpus{Articles: c.Articles, Passages: slices.Clone(c.Passages)}
		for i := range out.Passages {
			if out.Passages[i].DocID == doc {
				out.Passages[i].Text += suffix
			}
		}
		return out
	}
	added := &corpus.Article{ID: "new-article", Title: "New", Source: "Elsewhere"}
	steps := []struct {
		name    string
		corpus  func(prev *corpus.Corpus) *corpus.Corpus
		rebuilt int // segments not shared with the previous snapshot
	}{
		{"edit one article", func(p *corpus.Corpus) *corpus.Corpus { return edit(p, mid, " Zorblax quintessence.") }, 1},
		{"remove an article", func(p *corpus.Corpus) *corpus.Corpus { return withoutArticle(p, c.Passages[0].DocID) }, 1},
		{"add an article", func(p *corpus.Corpus) *corpus.Corpus {
			out := &corpus.Corpus{Articles: append(slices.Clone(p.Articles), added), Passages: slices.Clone(p.Passages)}
			for k := range 3 {
				out.Passages = append(out.Passages, corpus.Passage{ID: corpus.PassageID(added.ID, k, 1), DocID: added.ID, Paragraph: k, Part: 1,
					Text: fmt.Sprintf("Frobnicated widgets number %d met the quux council.", k)})
			}
			return out
		}, 1},
		{"undo the edit", func(p *corpus.Corpus) *corpus.Corpus {
			out := edit(p, mid, "")
			for i := range out.Passages {
				if out.Passages[i].DocID == mid {
					out.Passages[i].Text = out.Passages[i].Text[:len(out.Passages[i].Text)-len(" Zorblax quintessence.")]
				}
			}
			return out
		}, 1},
	}
	queries := [][]string{{"zorblax"}, {"frobnic", "widget", "quux"}, {"council", "the"}}
	for _, w := range ix.an.terms(passageText(c.Passages[10])) {
		queries = append(queries, []string{w})
	}
	queries = append(queries, ix.an.terms(passageText(c.Passages[20])))
	cur := c
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			before := ix.snap.Load()
			cur = step.corpus(cur)
			if _, err := ix.Update(ctx, cur); err != nil {
				t.Fatal(err)
			}
			after := ix.snap.Load()
			shared := 0
			for g := range after.bm25.segs {
				if g < len(before.bm25.segs) && after.bm25.segs[g] == before.bm25.segs[g] {
					shared++
				}
			}
			if got := len(after.bm25.segs) - shared; got != step.rebuilt {
				t.Errorf("%d segments rebuilt, want %d", got, step.rebuilt)
			}
			if after.bm25.dict == before.bm25.dict && step.name == "add an article" {
				t.Error("new terms but the dictionary was not forked")
			}
			for _, o := range []Options{opts, {segSize: 1 << 30}} {
				fresh, err := NewIndex(ctx, cur, o)
				if err != nil {
					t.Fatal(err)
				}
				fs := fresh.snap.Load()
				sameBM25(t, after.bm25, fs.bm25, queries)
				for _, w := range []string{"zorblx", "frobnicatd", "councl", "widgts"} {
					if g, w2 := after.vocab.variants(w, 5), fs.vocab.variants(w, 5); !slices.Equal(g, w2) {
						t.Errorf("variants(%q) = %v, from scratch %v", w, g, w2)
					}
				}
				for _, p := range []string{"zor", "frob", "c", "qu"} {
					if g, w2 := after.vocab.withPrefix(p, 8), fs.vocab.withPrefix(p, 8); !slices.Equal(g, w2) {
						t.Errorf("withPrefix(%q) = %v, from scratch %v", p, g, w2)
					}
				}
			}
		})
	}
	// The words the edit brought in are gone again: no lookup finds them.
	s := ix.snap.Load()
	if s.bm25.df("zorblax") != 0 || len(s.vocab.withPrefix("zorbl", 5)) != 0 || len(s.vocab.variants("zorblx", 5)) != 0 {
		t.Error("a term no passage uses any more is still found")
	}
}

// TestBM25ReusedCountsMatch pins that an index built from persisted term
// counts (a restart) or partly from them equals one built by tokenizing
// everything.
func TestBM25ReusedCountsMatch(t *testing.T) {
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
			tt.byHash = maps.Clone(tt.byHash)
			for h := range tt.byHash {
				if h < "8" {
					delete(tt.byHash, h)
				}
			}
			return tt
		}()},
	}
	queries := [][]string{ix.an.terms("Taliban leader meeting in Kandahar"), ix.an.terms("weather")}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seed := &snapshot{byID: s.byID, hashes: s.hashes, vecs: s.vecs, terms: tt.reuse}
			next := &snapshot{passages: s.passages, hashes: s.hashes}
			if err := segmentPassages(next, 1); err != nil {
				t.Fatal(err)
			}
			got, extended := ix.buildBM25(next, seed)
			if extended {
				t.Error("a seed's terms extended a dictionary")
			}
			sameBM25(t, got, want, queries)
		})
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
	sameBM25(t, ix.snap.Load().bm25, fresh.snap.Load().bm25, [][]string{ix.an.terms("volcanic ash Reykjavik"), ix.an.terms("Taliban")})
}
