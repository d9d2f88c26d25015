package retrieval

import (
	"context"
	"errors"
	"testing"
)

func TestStoreGuards(t *testing.T) {
	ctx := context.Background()
	e := NewLocalEmbedder(16)
	s, err := newStore(e)
	if err != nil {
		t.Fatal(err)
	}
	if s.name != "local-hash-v1-16" {
		t.Errorf("collection name %q, want local-hash-v1-16", s.name)
	}
	if hits, err := s.query(ctx, mustEmbed(t, e, "x"), 5, nil); err != nil || len(hits) != 0 {
		t.Errorf("query on empty store: %v, %v; want no hits, no error", hits, err)
	}
	meta := map[string]string{metaDoc: "a"}
	docs := []storeDoc{
		{ID: "a1", Vector: mustEmbed(t, e, "alpha"), Metadata: meta},
		{ID: "b1", Vector: mustEmbed(t, e, "beta"), Metadata: map[string]string{metaDoc: "b"}},
		{ID: "b2", Vector: mustEmbed(t, e, "gamma"), Metadata: map[string]string{metaDoc: "b"}},
	}
	if err := s.add(ctx, docs); err != nil {
		t.Fatal(err)
	}
	meta[metaDoc] = "changed after add"
	hits, err := s.query(ctx, mustEmbed(t, e, "alpha"), 99, nil)
	if err != nil || len(hits) != 3 {
		t.Fatalf("query n=99 over 3 docs: %d hits, %v; want 3 (capped)", len(hits), err)
	}
	if hits[0].ID != "a1" || hits[0].Metadata[metaDoc] != "a" {
		t.Errorf("top hit %+v, want a1 with its metadata as added", hits[0])
	}
	hits[0].Metadata[metaDoc] = "mutated"
	again, _ := s.query(ctx, mustEmbed(t, e, "alpha"), 1, nil)
	if again[0].Metadata[metaDoc] != "a" {
		t.Errorf("metadata aliased: store now holds %q", again[0].Metadata[metaDoc])
	}
	if hits, _ := s.query(ctx, mustEmbed(t, e, "alpha"), 5, map[string]string{metaDoc: "b"}); len(hits) != 2 {
		t.Errorf("where doc=b: %d hits, want 2", len(hits))
	}
	if err := s.delete(ctx); !errors.Is(err, errNoIDs) {
		t.Errorf("delete() = %v, want errNoIDs", err)
	}
	if err := s.delete(ctx, ""); err == nil {
		t.Errorf("delete(\"\"): no error")
	}
	if s.count() != 3 {
		t.Fatalf("refused deletes removed documents: count %d", s.count())
	}
	if err := s.delete(ctx, "b1"); err != nil || s.count() != 2 {
		t.Errorf("delete(b1): %v, count %d, want 2", err, s.count())
	}
	if err := s.add(ctx, []storeDoc{{ID: "z"}}); err == nil {
		t.Errorf("add without vector: no error")
	}
}

func mustEmbed(t *testing.T, e Embedder, s string) []float32 {
	t.Helper()
	v, err := e.EmbedQuery(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
