package bot

import (
	"context"

	"citebot/corpus"
	"citebot/retrieval"
)

// Searcher is what the bot needs from the retrieval index. *retrieval.Index
// implements it; tests may use a fake.
type Searcher interface {
	// Search ranks passages for q. It returns an error only for bad input
	// (empty or too long query) or when every ranking failed.
	Search(ctx context.Context, q retrieval.Query) (retrieval.Answer, error)
	// Passage returns one passage by id, with its article and an excerpt of
	// its opening sentences; ok is false when the id is unknown (for example
	// after a corpus update removed it).
	Passage(id string) (r retrieval.Result, ok bool)
	// Suggest returns up to n passages matching partial text, fast enough for
	// autocomplete (no remote embedding call).
	Suggest(text string, n int) []retrieval.Result
	// Articles lists the corpus articles in a stable order.
	Articles() []*corpus.Article
	// Article returns one article by id.
	Article(id string) (*corpus.Article, bool)
	// Sources lists the distinct publishers.
	Sources() []string
	// PassageCount is how many passages the article was cut into (0 for an
	// unknown id).
	PassageCount(docID string) int
}
