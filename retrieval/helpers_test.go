package retrieval

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"citebot/corpus"
)

// testCorpus builds a small hand-made corpus: two articles on the same
// event from different publishers, and one unrelated article.
func testCorpus(t *testing.T) *corpus.Corpus {
	t.Helper()
	arts := []*corpus.Article{
		{ID: "cnn", Title: "Qatar PM meets Taliban leader", Source: "CNN"},
		{ID: "nat", Title: "Qatar and the Taliban", Source: "The National"},
		{ID: "wx", Title: "Weather", Source: "Daily Sky"},
	}
	texts := map[string][]string{
		"cnn": {
			"The meeting happened in the southern city of Kandahar on May 12, between the Taliban Supreme Leader, Haibatullah Akhundzada and Qatar’s Prime Minister. It was secret.",
			"CNN has reached out to the US State Department for comment. No reply came.",
		},
		"nat": {
			"Sheikh Mohammed bin Abdulrahman, also the Foreign Minister of Qatar, visited Haibatullah Akhundzada on May 12 in Kandahar, where the Taliban was started. The talks were about isolation.",
			"Taliban fighters also exchanged gunfire with Iranian border guards on Saturday.",
		},
		"wx": {
			"Rain is expected over the northern hills tomorrow. Farmers welcome the rain after a dry spring.",
			"The harvest festival opens on Friday with music and dancing in the square.",
		},
	}
	c := &corpus.Corpus{Articles: arts}
	for _, a := range arts {
		for i, tx := range texts[a.ID] {
			p := corpus.Passage{ID: corpus.PassageID(a.ID, i+1, 1), DocID: a.ID, Paragraph: i + 1, Part: 1, Text: tx}
			a.Paragraphs = append(a.Paragraphs, corpus.Paragraph{N: i + 1, Text: tx})
			c.Passages = append(c.Passages, p)
		}
	}
	// Unrelated filler, so document frequencies resemble a real corpus
	// rather than six passages where every shared word looks common.
	filler := SyntheticCorpus(10, 3)
	c.Articles = append(c.Articles, filler.Articles...)
	c.Passages = append(c.Passages, filler.Passages...)
	return c
}

func newTestIndex(t *testing.T, c *corpus.Corpus, emb Embedder) *Index {
	t.Helper()
	ix, err := NewIndex(context.Background(), c, Options{Embedder: emb})
	if err != nil {
		t.Fatalf("NewIndex: %v", err)
	}
	return ix
}

// countingEmbedder wraps an embedder, counts embedded documents and can be
// switched to fail.
type countingEmbedder struct {
	Embedder
	docs atomic.Int64
	fail atomic.Bool
}

var errEmbedDown = errors.New("embedding server down")

func (c *countingEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	if c.fail.Load() {
		return nil, errEmbedDown
	}
	c.docs.Add(int64(len(texts)))
	return c.Embedder.EmbedDocuments(ctx, texts)
}

func (c *countingEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	if c.fail.Load() {
		return nil, errEmbedDown
	}
	return c.Embedder.EmbedQuery(ctx, text)
}
