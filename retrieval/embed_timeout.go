package retrieval

import (
	"context"
	"time"
)

// DefaultQueryEmbedTimeout bounds embedding one query when
// Options.QueryEmbedTimeout is 0. A remote client would otherwise retry
// with backoff for tens of seconds before Search could fall back to BM25.
const DefaultQueryEmbedTimeout = 3 * time.Second

// queryTimeoutEmbedder gives every EmbedQuery a deadline; indexing
// (EmbedDocuments) keeps the client's own timeouts and retries.
type queryTimeoutEmbedder struct {
	Embedder
	d time.Duration
}

// withQueryTimeout wraps emb so queries time out after d (0 means
// DefaultQueryEmbedTimeout, < 0 means no deadline).
func withQueryTimeout(emb Embedder, d time.Duration) Embedder {
	if d < 0 {
		return emb
	}
	if d == 0 {
		d = DefaultQueryEmbedTimeout
	}
	return &queryTimeoutEmbedder{Embedder: emb, d: d}
}

func (q *queryTimeoutEmbedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	ctx, cancel := context.WithTimeout(ctx, q.d)
	defer cancel()
	return q.Embedder.EmbedQuery(ctx, text)
}
