package retrieval

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
)

// tokenFake is a semantic embedder with word-piece vectors: each word of a
// text is a piece, and a piece's vector is the unit vector of its word's
// bucket, so MaxSim counts the share of the question's words the passage
// has. boost, when set, is a word every passage holding it matches for
// every question piece (a stand-in for a passage that states the answer).
type tokenFake struct {
	semanticFake
	mu    sync.Mutex
	calls [][]string
	boost string
	// mark, when set, is a word whose pieces match every question piece
	// (a sentence holding it aligns with the question; others do not).
	mark string
	fail bool
}

func (f *tokenFake) EmbedTokens(ctx context.Context, texts []string) ([][][]float32, error) {
	f.mu.Lock()
	f.calls = append(f.calls, texts)
	fail := f.fail
	f.mu.Unlock()
	if fail {
		return nil, errors.New("tokens down")
	}
	const dim = 64
	out := make([][][]float32, len(texts))
	for i, t := range texts {
		words := strings.Fields(strings.ToLower(t))
		boosted := f.boost != "" && strings.Contains(strings.ToLower(t), f.boost)
		for _, w := range words {
			v := make([]float32, dim)
			if boosted || f.mark != "" && strings.Trim(w, ".,?") == f.mark {
				v[0] = 1 // every piece of a boosted passage matches every query piece in bucket 0
			} else {
				v[1+int(hashWord(w)%(dim-1))] = 1
			}
			out[i] = append(out[i], v)
		}
	}
	// Query pieces all in bucket 0 match a boosted passage fully.
	if f.boost != "" || f.mark != "" {
		for _, v := range out[0] {
			clear(v)
			v[0] = 1
		}
	}
	return out, nil
}

// Pieces counts the words EmbedTokens makes pieces of.
func (f *tokenFake) Pieces(text string) int { return len(strings.Fields(text)) }

func hashWord(w string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(w); i++ {
		h = (h ^ uint32(w[i])) * 16777619
	}
	return h
}

func (f *tokenFake) take() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

func TestTokenRerankPromotesTheMaxSimPassage(t *testing.T) {
	emb := &tokenFake{semanticFake: semanticFake{Embedder: NewLocalEmbedder(0)}}
	ix := newTestIndex(t, testCorpus(t), emb)
	ctx := context.Background()
	base, err := ix.Search(ctx, Query{Text: sentQuery, K: tokenDepth, KeepRanking: true})
	if err != nil {
		t.Fatal(err)
	}
	calls := emb.take()
	if len(calls) != 1 || calls[0][0] != sentQuery || len(calls[0]) > 1+tokenDepth {
		t.Fatalf("EmbedTokens calls %d (first %q), want one with the question and at most %d passages", len(calls), calls, tokenDepth)
	}
	if len(base.Results) < 2 {
		t.Fatalf("%d results, want ≥ 2", len(base.Results))
	}
	// Make the second result's passage the one every question piece
	// matches: it must now lead.
	second := base.Results[1].Passage
	emb.boost = strings.ToLower(strings.Fields(second.Text)[0] + " " + strings.Fields(second.Text)[1])
	ix2 := newTestIndex(t, testCorpus(t), emb)
	emb.take()
	got, err := ix2.Search(ctx, Query{Text: sentQuery, K: tokenDepth, KeepRanking: true})
	if err != nil {
		t.Fatal(err)
	}
	if got.Results[0].Passage.ID != second.ID {
		t.Errorf("first result %s, want %s (the passage whose pieces match the question's)", got.Results[0].Passage.ID, second.ID)
	}
	// Cached: the same question embeds only itself again.
	if _, err := ix2.Search(ctx, Query{Text: sentQuery, K: tokenDepth, KeepRanking: true}); err != nil {
		t.Fatal(err)
	}
	calls = emb.take()
	if len(calls) != 2 || len(calls[1]) != 1 {
		t.Errorf("repeated search embedded %v, want the question alone (passage pieces cached)", calls[1:])
	}
}

func TestTokenRerankFailureKeepsRanking(t *testing.T) {
	emb := &tokenFake{semanticFake: semanticFake{Embedder: NewLocalEmbedder(0)}}
	ix := newTestIndex(t, testCorpus(t), emb)
	ctx := context.Background()
	emb.fail = true
	down, err := ix.Search(ctx, Query{Text: sentQuery, K: 3})
	if err != nil {
		t.Fatalf("search with word-piece embedding down: %v", err)
	}
	plain := newTestIndex(t, testCorpus(t), &semanticFake{Embedder: NewLocalEmbedder(0)})
	want, err := plain.Search(ctx, Query{Text: sentQuery, K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(down.Results) != len(want.Results) || down.Results[0].Passage.ID != want.Results[0].Passage.ID || down.Degraded {
		t.Errorf("with EmbedTokens failing: %d results, first %s, degraded %v; want the ranking without it (%d, %s)",
			len(down.Results), down.Results[0].Passage.ID, down.Degraded, len(want.Results), want.Results[0].Passage.ID)
	}
}

func TestAlignment(t *testing.T) {
	u := func(i int) []float32 { v := make([]float32, 3); v[i] = 1; return v }
	q := [][]float32{u(0), u(1)}
	tests := []struct {
		name string
		q    [][]float32
		p    pieceVecs
		want float64
	}{
		{"one sentence, every piece matched", q, pieceVecs{vecs: [][]float32{u(0), u(1), u(2)}}, 1},
		{"one sentence, half matched", q, pieceVecs{vecs: [][]float32{u(0)}}, 0.5},
		{"no passage pieces", q, pieceVecs{}, 0},
		{"no question pieces", nil, pieceVecs{vecs: [][]float32{u(0)}}, 0},
		// The question's pieces in adjacent sentences: the best two-sentence
		// window matches both, as the whole passage does.
		{"matches adjacent", q, pieceVecs{vecs: [][]float32{u(0), u(1), u(2), u(2)}, ends: []int{1, 2, 3, 4}}, 1},
		// Three sentences apart: every window matches one of the two, so
		// the window half of the score is 0.5.
		{"matches apart", q, pieceVecs{vecs: [][]float32{u(0), u(2), u(2), u(1)}, ends: []int{1, 2, 3, 4}}, 0.75},
		// Sentences past truncation have no pieces; ends that stop short of
		// the pieces get the rest as a last sentence.
		{"truncated", q, pieceVecs{vecs: [][]float32{u(0), u(1)}, ends: []int{1, 2, 2}}, 1},
		{"short ends", q, pieceVecs{vecs: [][]float32{u(0), u(2), u(2), u(1)}, ends: []int{1}}, 1},
	}
	for _, tt := range tests {
		if got, _ := alignment(tt.q, tt.p); got != tt.want {
			t.Errorf("%s: alignment = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestNoLateInteraction(t *testing.T) {
	emb := &tokenFake{semanticFake: semanticFake{Embedder: NewLocalEmbedder(0)}}
	ix, err := NewIndex(context.Background(), testCorpus(t), Options{Embedder: emb, NoLateInteraction: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Search(context.Background(), Query{Text: sentQuery}); err != nil {
		t.Fatal(err)
	}
	if calls := emb.take(); len(calls) != 0 {
		t.Errorf("EmbedTokens called %d times with NoLateInteraction, want 0", len(calls))
	}
}

// TestExcerptFollowsAlignment checks that a sentence's alignment with the
// question decides between sentences with query evidence, and never marks
// one without any.
func TestExcerptFollowsAlignment(t *testing.T) {
	ix := newTestIndex(t, testCorpus(t), nil)
	text := "The council met on Monday to discuss the budget. Rain fell over the hills all week. " +
		"After a long debate the council approved the budget."
	qt := ix.queryTerms(ix.snap.Load(), "What did the council do about the budget?")
	a := ix.analyzePassage("", text)
	if len(a.spans) != 3 {
		t.Fatalf("%d sentences, want 3", len(a.spans))
	}
	answer := func(ex Excerpt) string {
		for _, s := range ex.Sentences {
			if s.Answer {
				return s.Text
			}
		}
		return ""
	}
	sentence := func(k int) string { return text[a.spans[k].start:a.spans[k].end] }
	for _, k := range []int{0, 2} {
		align := []float64{0.2, 0.2, 0.2}
		align[k] = 0.9
		if got := answer(pickExcerpt(text, a, qt, align)); got != sentence(k) {
			t.Errorf("alignment favouring sentence %d: answer %q, want %q", k, got, sentence(k))
		}
	}
	if got := answer(pickExcerpt(text, a, qt, []float64{0.2, 1, 0.2})); got == sentence(1) {
		t.Errorf("the sentence without query evidence was marked as the answer: %q", got)
	}
	// Without one value per sentence the choice is lexical alone.
	if got, want := pickExcerpt(text, a, qt, []float64{1}), pickExcerpt(text, a, qt, nil); answer(got) != answer(want) {
		t.Errorf("a short alignment list changed the excerpt: %q, want %q", answer(got), answer(want))
	}
}

// TestSentenceAlignments checks the per-sentence MaxSim alignment returns
// for the excerpt: one value per sentence end, -1 for a sentence with no
// pieces, nil without sentence ends.
func TestSentenceAlignments(t *testing.T) {
	u := func(i int) []float32 { v := make([]float32, 4); v[i] = 1; return v }
	q := [][]float32{u(1), u(2)}
	_, got := alignment(q, pieceVecs{vecs: [][]float32{u(0), u(1), u(1), u(2)}, ends: []int{1, 3, 3, 4}})
	want := []float64{0, 0.5, -1, 0.5}
	if !slices.Equal(got, want) {
		t.Errorf("sentence alignments %v, want %v", got, want)
	}
	if _, got := alignment(q, pieceVecs{vecs: [][]float32{u(1)}}); got != nil {
		t.Errorf("without sentence ends: %v, want nil", got)
	}
}

// TestSearchExcerptUsesAlignment checks the wiring: in a search, the quoted
// sentence of a re-scored passage follows its sentences' alignment.
func TestSearchExcerptUsesAlignment(t *testing.T) {
	const q = "Where did Qatar's foreign minister meet Akhundzada for talks?"
	marked := func(emb Embedder, noLI bool) string {
		t.Helper()
		ix, err := NewIndex(context.Background(), testCorpus(t), Options{Embedder: emb, NoLateInteraction: noLI})
		if err != nil {
			t.Fatal(err)
		}
		ans, err := ix.Search(context.Background(), Query{Text: q, K: tokenDepth, KeepRanking: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ans.Results {
			if r.Passage.DocID != "nat" || r.Passage.Paragraph != 1 {
				continue
			}
			for _, s := range r.Excerpt.Sentences {
				if s.Answer {
					return s.Text
				}
			}
		}
		t.Fatalf("the nat article's first passage is not among %d results, or has no sentence marked", len(ans.Results))
		return ""
	}
	// "isolation" is in the passage's second sentence; its first states
	// more of the question's words, so lexical evidence alone quotes it.
	emb := &tokenFake{semanticFake: semanticFake{Embedder: NewLocalEmbedder(0)}, mark: "isolation"}
	lexical := marked(emb, true)
	if !strings.HasPrefix(lexical, "Sheikh Mohammed") {
		t.Fatalf("without late interaction the answer is %q, want the first sentence (the test's premise)", lexical)
	}
	if got := marked(emb, false); got != "The talks were about isolation." {
		t.Errorf("with late interaction the answer is %q, want the sentence aligned with the question", got)
	}
}
