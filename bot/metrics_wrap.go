package bot

import (
	"context"
	"errors"
	"time"

	"citebot/retrieval"
)

// Searcher wraps s so every Search is timed into citebot_retrieval_seconds
// and counted in citebot_abstentions_total when the corpus had no answer.
// The other methods pass through. cmd wires it between the index and the
// Router.
func (m *Metrics) Searcher(s Searcher) Searcher {
	return measuredSearcher{Searcher: s, m: m}
}

type measuredSearcher struct {
	Searcher
	m *Metrics
}

func (ms measuredSearcher) Search(ctx context.Context, q retrieval.Query) (retrieval.Answer, error) {
	start := time.Now()
	a, err := ms.Searcher.Search(ctx, q)
	if err == nil {
		ms.m.ObserveRetrieval(time.Since(start), a.Abstained, a.Degraded)
	}
	return a, err
}

// Embedder wraps e so each failed embedding call (other than a cancelled
// request) counts in citebot_embedder_errors_total.
func (m *Metrics) Embedder(e retrieval.Embedder) retrieval.Embedder {
	return measuredEmbedder{Embedder: e, m: m}
}

type measuredEmbedder struct {
	retrieval.Embedder
	m *Metrics
}

func (me measuredEmbedder) count(err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		me.m.EmbedderError()
	}
}

func (me measuredEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	v, err := me.Embedder.EmbedDocuments(ctx, texts)
	me.count(err)
	return v, err
}

func (me measuredEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	v, err := me.Embedder.EmbedQuery(ctx, text)
	me.count(err)
	return v, err
}
