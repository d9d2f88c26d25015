package retrieval

import "context"

// Embedder turns text into vectors for the dense side of the index.
//
// Implementations must return L2-normalized vectors of length Dim() (a zero
// vector for text with no features is not allowed: return an error or a
// fixed unit vector), be safe for concurrent use, and honour ctx.
type Embedder interface {
	// Name identifies the model and everything that changes its vectors
	// (provider, model, prefixes). Together with Dim it names the chromem-go
	// collection and the persisted index, so vectors of two embedders never mix.
	Name() string
	// Dim is the vector length. Remote embedders may learn it from the first
	// call; before that it returns 0.
	Dim() int
	// EmbedDocuments embeds passages for indexing, batched where the backend allows.
	EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error)
	// EmbedQuery embeds a search query (some models want a different prefix
	// for queries than for documents).
	EmbedQuery(ctx context.Context, text string) ([]float32, error)
}
