package retrieval

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strconv"

	chromem "github.com/philippgille/chromem-go"
)

// store is the only code that touches chromem-go. It wraps one in-memory DB
// with one collection whose name comes from the embedder's identity, and
// guards against chromem-go's traps (see shared/notes/chromem-go.md):
// never a nil EmbeddingFunc (that silently means OpenAI), never more
// results than documents, Delete never called with a filter or without ids,
// metadata copied rather than aliased, and adds in bounded batches.
// Persistence does not export this store: persist.go saves the vectors
// and the store is rebuilt from them.
type store struct {
	db   *chromem.DB
	coll *chromem.Collection
	name string
}

// storeBatch bounds how many documents one AddDocuments call spawns
// goroutines for (chromem-go starts one per document up front).
const storeBatch = 1024

// errNoIDs is returned by delete without ids: chromem-go would otherwise
// delete every document.
var errNoIDs = errors.New("store: delete needs at least one id")

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// collectionName derives the collection name from the embedder identity so
// vectors from two embedders or dimensions never share a collection.
func collectionName(emb Embedder) string {
	return unsafeName.ReplaceAllString(emb.Name(), "_") + "-" + strconv.Itoa(emb.Dim())
}

// newStore creates an empty store for vectors of emb.
func newStore(emb Embedder) (*store, error) {
	db := chromem.NewDB()
	name := collectionName(emb)
	// chromem-go embeds with this function only when a document or query has
	// no vector; we always pass vectors, but it must never be nil.
	ef := func(ctx context.Context, text string) ([]float32, error) {
		return emb.EmbedQuery(ctx, text)
	}
	coll, err := db.GetOrCreateCollection(name, nil, ef)
	if err != nil {
		return nil, fmt.Errorf("store: create collection %q: %w", name, err)
	}
	return &store{db: db, coll: coll, name: name}, nil
}

// storeDoc is one vector to add, with metadata used for filtering.
type storeDoc struct {
	ID       string
	Vector   []float32
	Metadata map[string]string
}

// add inserts docs in bounded batches. Every vector must be non-empty.
// On error some documents may already be in the store.
func (s *store) add(ctx context.Context, docs []storeDoc) error {
	for lo := 0; lo < len(docs); lo += storeBatch {
		hi := min(lo+storeBatch, len(docs))
		batch := make([]chromem.Document, 0, hi-lo)
		for _, d := range docs[lo:hi] {
			if d.ID == "" || len(d.Vector) == 0 {
				return fmt.Errorf("store: document %q has no id or no vector", d.ID)
			}
			batch = append(batch, chromem.Document{ID: d.ID, Embedding: d.Vector, Metadata: maps.Clone(d.Metadata)})
		}
		if err := s.coll.AddDocuments(ctx, batch, 2); err != nil {
			return fmt.Errorf("store: add: %w", err)
		}
	}
	return nil
}

// count returns the number of stored vectors.
func (s *store) count() int { return s.coll.Count() }

// storeHit is one nearest-neighbour result.
type storeHit struct {
	ID         string
	Similarity float64
	Metadata   map[string]string
}

// query returns up to n nearest documents to vec (cosine similarity),
// restricted to documents whose metadata equals every pair in where. n is
// capped at the collection size; an empty collection returns no hits.
func (s *store) query(ctx context.Context, vec []float32, n int, where map[string]string) ([]storeHit, error) {
	n = min(n, s.coll.Count())
	if n <= 0 {
		return nil, nil
	}
	if len(where) == 0 {
		where = nil
	}
	res, err := s.coll.QueryEmbedding(ctx, vec, n, where, nil)
	if err != nil {
		return nil, fmt.Errorf("store: query: %w", err)
	}
	out := make([]storeHit, len(res))
	for i, r := range res {
		// Result.Metadata aliases the stored document: copy it.
		out[i] = storeHit{ID: r.ID, Similarity: float64(r.Similarity), Metadata: maps.Clone(r.Metadata)}
	}
	return out, nil
}

// delete removes exactly the given ids. It refuses an empty list and never
// passes a filter: chromem-go deletes everything on an empty filter map and
// ignores ids whenever a filter is given.
func (s *store) delete(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return errNoIDs
	}
	for _, id := range ids {
		if id == "" {
			return fmt.Errorf("store: delete: %w", errors.New("empty id"))
		}
	}
	if err := s.coll.Delete(ctx, nil, nil, ids...); err != nil {
		return fmt.Errorf("store: delete: %w", err)
	}
	return nil
}
