package retrieval

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// semanticFake passes for a semantic embedder (its name is not the hashing
// embedder's) and records each EmbedDocuments batch; failDocs makes them
// fail while queries still embed.
type semanticFake struct {
	Embedder
	mu       sync.Mutex
	batches  []int
	failDocs bool
}

func (f *semanticFake) Name() string { return "fake-semantic-v1" }

func (f *semanticFake) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	f.mu.Lock()
	f.batches = append(f.batches, len(texts))
	fail := f.failDocs
	f.mu.Unlock()
	if fail {
		return nil, errors.New("documents down")
	}
	return f.Embedder.EmbedDocuments(ctx, texts)
}

func (f *semanticFake) take() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := f.batches
	f.batches = nil
	return b
}

const sentQuery = "Where did Qatar's prime minister meet the Taliban leader?"

func TestSentenceCosinesOneBoundedBatchThenCached(t *testing.T) {
	emb := &semanticFake{Embedder: NewLocalEmbedder(0)}
	ix := newTestIndex(t, testCorpus(t), emb)
	emb.take() // the index build
	ans, err := ix.Search(context.Background(), Query{Text: sentQuery})
	if err != nil {
		t.Fatal(err)
	}
	b := emb.take()
	if len(b) != 1 || b[0] == 0 || b[0] > sentDepth*sentPerPassage {
		t.Fatalf("sentence batches %v, want one of 1..%d texts", b, sentDepth*sentPerPassage)
	}
	if len(ans.Results) == 0 || ans.Signals.SentDense <= 0 {
		t.Fatalf("first result's sentence similarity %v (results %d), want > 0", ans.Signals.SentDense, len(ans.Results))
	}
	again, err := ix.Search(context.Background(), Query{Text: sentQuery})
	if err != nil {
		t.Fatal(err)
	}
	if b := emb.take(); len(b) != 0 {
		t.Errorf("repeated search embedded %v, want nothing (sentence vectors cached)", b)
	}
	if again.Signals != ans.Signals || again.Results[0].Passage.ID != ans.Results[0].Passage.ID {
		t.Errorf("cached search differs: %+v vs %+v", again.Signals, ans.Signals)
	}
}

func TestSentenceCosinesEmbedderFailureKeepsSearching(t *testing.T) {
	emb := &semanticFake{Embedder: NewLocalEmbedder(0)}
	ix := newTestIndex(t, testCorpus(t), emb)
	emb.failDocs = true
	ans, err := ix.Search(context.Background(), Query{Text: sentQuery})
	if err != nil {
		t.Fatalf("search with sentence embedding down: %v", err)
	}
	if len(ans.Results) == 0 || ans.Signals.SentDense != 0 || ans.Signals.SentMargin != 0 || ans.Degraded {
		t.Errorf("got %d results, signals %+v, degraded %v; want results without sentence signals, not degraded",
			len(ans.Results), ans.Signals, ans.Degraded)
	}
}

func TestSentenceCosinesNotForHashingEmbedder(t *testing.T) {
	emb := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
	ix := newTestIndex(t, testCorpus(t), emb)
	before := emb.docs.Load()
	ans, err := ix.Search(context.Background(), Query{Text: sentQuery})
	if err != nil {
		t.Fatal(err)
	}
	if n := emb.docs.Load() - before; n != 0 || ans.Signals.SentDense != 0 {
		t.Errorf("hashing embedder: %d sentences embedded at query time, sentence similarity %v; want none", n, ans.Signals.SentDense)
	}
}
