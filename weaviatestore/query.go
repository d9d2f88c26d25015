package weaviatestore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"

	"citebot/corpus"
	"citebot/retrieval"
)

var _ retrieval.Backend = (*Store)(nil)

// Passage properties. terms is what BM25 searches: citebot's analyzed
// terms, whitespace-tokenized, so Weaviate counts exactly the terms the
// in-memory index counts.
var recordFields = []graphql.Field{
	{Name: "passageId"}, {Name: "articleId"}, {Name: "text"}, {Name: "section"}, {Name: "paragraph"}, {Name: "part"},
	{Name: "ord"}, {Name: "title"}, {Name: "source"}, {Name: "author"}, {Name: "published"}, {Name: "url"},
	{Name: "lead"}, {Name: "leadN"}, {Name: "previous"}, {Name: "links"}, {Name: "terms"}, {Name: "contentHash"},
	{Name: "recordHash"},
}

func withAdditional(fields []graphql.Field, extra ...string) []graphql.Field {
	add := graphql.Field{Name: "_additional"}
	for _, e := range extra {
		add.Fields = append(add.Fields, graphql.Field{Name: e})
	}
	return append(append([]graphql.Field(nil), fields...), add)
}

func str(m map[string]any, k string) string {
	v, _ := m[k].(string)
	return v
}

func num(m map[string]any, k string) int {
	switch v := m[k].(type) {
	case float64:
		return int(v)
	case json.Number:
		n, _ := v.Int64()
		return int(n)
	}
	return 0
}

func additional(m map[string]any, k string) (float64, bool) {
	a, _ := m["_additional"].(map[string]any)
	switch v := a[k].(type) {
	case float64:
		return v, true
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil
	}
	return 0, false
}

// recordOf decodes a passage object.
func recordOf(m map[string]any) (retrieval.Record, error) {
	r := retrieval.Record{
		Passage: corpus.Passage{ID: str(m, "passageId"), DocID: str(m, "articleId"), Paragraph: num(m, "paragraph"),
			Part: num(m, "part"), Section: str(m, "section"), Text: str(m, "text")},
		Title: str(m, "title"), Source: str(m, "source"), Author: str(m, "author"), Published: str(m, "published"),
		URL: str(m, "url"), LeadN: num(m, "leadN"), Lead: str(m, "lead"), Previous: str(m, "previous"),
		Ord: num(m, "ord"), ContentHash: str(m, "contentHash"), RecordHash: str(m, "recordHash"),
		Terms: strings.Fields(str(m, "terms")),
	}
	if r.Passage.ID == "" {
		return r, errors.New("weaviatestore: a passage object has no passageId")
	}
	if l := str(m, "links"); l != "" {
		if err := json.Unmarshal([]byte(l), &r.Passage.Links); err != nil {
			return r, fmt.Errorf("weaviatestore: passage %s: links: %w", r.Passage.ID, err)
		}
	}
	return r, nil
}

func records(objs []map[string]any, score func(map[string]any) float64) ([]retrieval.Record, error) {
	out := make([]retrieval.Record, 0, len(objs))
	for _, o := range objs {
		r, err := recordOf(o)
		if err != nil {
			return nil, err
		}
		if score != nil {
			r.Score = score(o)
		}
		out = append(out, r)
	}
	return out, nil
}

func eq(path, value string) *filters.WhereBuilder {
	return filters.Where().WithPath([]string{path}).WithOperator(filters.Equal).WithValueText(value)
}

// where is f as a Weaviate filter, nil when f filters nothing.
func where(f retrieval.Filter) *filters.WhereBuilder {
	var ops []*filters.WhereBuilder
	if f.Source != "" {
		ops = append(ops, eq("sourceKey", f.Source))
	}
	if f.DocID != "" {
		ops = append(ops, eq("articleId", f.DocID))
	}
	switch len(ops) {
	case 0:
		return nil
	case 1:
		return ops[0]
	}
	return filters.Where().WithOperator(filters.And).WithOperands(ops)
}

func (s *Store) get(c *weaviate.Client, class string, fields []graphql.Field) *graphql.GetBuilder {
	return s.level(c.GraphQL().Get().WithClassName(class).WithFields(fields...), s.cfg.Consistency)
}

// Lexical implements retrieval.Backend: BM25 over the analyzed terms.
func (s *Store) Lexical(ctx context.Context, terms []string, n int, f retrieval.Filter) ([]retrieval.Record, error) {
	if n <= 0 || len(terms) == 0 {
		return nil, nil
	}
	objs, err := s.gql(ctx, s.passages, func(c *weaviate.Client) *graphql.GetBuilder {
		b := s.get(c, s.passages, withAdditional(recordFields, "score")).
			WithBM25((&graphql.BM25ArgumentBuilder{}).WithQuery(strings.Join(terms, " ")).WithProperties("terms")).
			WithLimit(n)
		if w := where(f); w != nil {
			b = b.WithWhere(w)
		}
		return b
	})
	if err != nil {
		return nil, err
	}
	return records(objs, func(m map[string]any) float64 { v, _ := additional(m, "score"); return v })
}

// Hybrid implements retrieval.HybridBackend: Weaviate's hybrid query over
// the same terms and vector, with its fusion (Config.Fusion).
func (s *Store) Hybrid(ctx context.Context, terms []string, vec []float32, n int, f retrieval.Filter) ([]retrieval.Record, error) {
	if n <= 0 {
		return nil, nil
	}
	fusion := graphql.RelativeScore
	if s.cfg.Fusion == FusionRanked {
		fusion = graphql.Ranked
	}
	objs, err := s.gql(ctx, s.passages, func(c *weaviate.Client) *graphql.GetBuilder {
		b := s.get(c, s.passages, withAdditional(recordFields, "score")).
			WithHybrid((&graphql.HybridArgumentBuilder{}).WithQuery(strings.Join(terms, " ")).WithVector(vec).
				WithAlpha(0.5).WithProperties([]string{"terms"}).WithFusionType(fusion)).
			WithLimit(n)
		if w := where(f); w != nil {
			b = b.WithWhere(w)
		}
		return b
	})
	if err != nil {
		return nil, err
	}
	return records(objs, func(m map[string]any) float64 { v, _ := additional(m, "score"); return v })
}

// cosine turns Weaviate's cosine distance back into the similarity.
func cosine(m map[string]any) float64 {
	d, _ := additional(m, "distance")
	return 1 - d
}

// Dense implements retrieval.Backend: nearest vectors by cosine.
func (s *Store) Dense(ctx context.Context, vec []float32, n int, f retrieval.Filter) ([]retrieval.Record, error) {
	if n <= 0 {
		return nil, nil
	}
	objs, err := s.gql(ctx, s.passages, func(c *weaviate.Client) *graphql.GetBuilder {
		b := s.get(c, s.passages, withAdditional(recordFields, "distance")).
			WithNearVector((&graphql.NearVectorArgumentBuilder{}).WithVector(vec)).WithLimit(n)
		if w := where(f); w != nil {
			b = b.WithWhere(w)
		}
		return b
	})
	if err != nil {
		return nil, err
	}
	return records(objs, cosine)
}

// Similarity implements retrieval.Backend.
func (s *Store) Similarity(ctx context.Context, vec []float32, ids []string) (map[string]float64, error) {
	out := make(map[string]float64, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	objs, err := s.gql(ctx, s.passages, func(c *weaviate.Client) *graphql.GetBuilder {
		return s.get(c, s.passages, withAdditional([]graphql.Field{{Name: "passageId"}}, "distance")).
			WithNearVector((&graphql.NearVectorArgumentBuilder{}).WithVector(vec)).
			WithWhere(filters.Where().WithPath([]string{"passageId"}).WithOperator(filters.ContainsAny).WithValueText(ids...)).
			WithLimit(len(ids))
	})
	if err != nil {
		return nil, err
	}
	for _, o := range objs {
		out[str(o, "passageId")] = cosine(o)
	}
	return out, nil
}

// Passage implements retrieval.Backend.
func (s *Store) Passage(ctx context.Context, id string) (retrieval.Record, bool, error) {
	objs, err := s.gql(ctx, s.passages, func(c *weaviate.Client) *graphql.GetBuilder {
		return s.get(c, s.passages, recordFields).WithWhere(eq("passageId", id)).WithLimit(1)
	})
	if err != nil || len(objs) == 0 {
		return retrieval.Record{}, false, err
	}
	r, err := recordOf(objs[0])
	return r, err == nil, err
}

// First implements retrieval.Backend.
func (s *Store) First(ctx context.Context, n int) ([]retrieval.Record, error) {
	objs, err := s.gql(ctx, s.passages, func(c *weaviate.Client) *graphql.GetBuilder {
		return s.get(c, s.passages, recordFields).WithSort(graphql.Sort{Path: []string{"ord"}, Order: graphql.Asc}).WithLimit(n)
	})
	if err != nil {
		return nil, err
	}
	return records(objs, nil)
}

// Article implements retrieval.Backend.
func (s *Store) Article(ctx context.Context, id string) (*corpus.Article, bool, error) {
	objs, err := s.gql(ctx, s.articles, func(c *weaviate.Client) *graphql.GetBuilder {
		return s.get(c, s.articles, []graphql.Field{{Name: "data"}}).WithWhere(eq("articleId", id)).WithLimit(1)
	})
	if err != nil || len(objs) == 0 {
		return nil, false, err
	}
	var a corpus.Article
	if err := json.Unmarshal([]byte(str(objs[0], "data")), &a); err != nil {
		return nil, false, fmt.Errorf("weaviatestore: article %s: %w", id, err)
	}
	return &a, true, nil
}

// head is the meta object naming the published statistics.
type head struct {
	Generation string `json:"generation"`
	Chunks     int    `json:"chunks"`
}

const headKey = "head"

func (s *Store) head(ctx context.Context) (head, bool, error) {
	objs, err := s.gql(ctx, s.meta, func(c *weaviate.Client) *graphql.GetBuilder {
		return s.get(c, s.meta, []graphql.Field{{Name: "data"}}).WithWhere(eq("key", headKey)).WithLimit(1)
	})
	if err != nil || len(objs) == 0 {
		return head{}, false, err
	}
	var h head
	if err := json.Unmarshal([]byte(str(objs[0], "data")), &h); err != nil {
		return head{}, false, fmt.Errorf("weaviatestore: %s head: %w", s.meta, err)
	}
	return h, true, nil
}

// Generation implements retrieval.Backend. A collection without published
// statistics (never synced, or made by hand) is missing.
func (s *Store) Generation(ctx context.Context) (string, error) {
	if !s.checked.Load() {
		// Not seen yet (Weaviate was down at start, or the collection was
		// dropped): check it is there and this embedder's.
		if err := s.Check(ctx); err != nil {
			return "", err
		}
	}
	h, ok, err := s.head(ctx)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("%w: %w: %s holds no statistics (run citebot index)", retrieval.ErrUnavailable, ErrCollectionMissing, s.meta)
	}
	return h.Generation, nil
}

// Stats implements retrieval.Backend.
func (s *Store) Stats(ctx context.Context) (*retrieval.Stats, error) {
	h, ok, err := s.head(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %w: %s holds no statistics (run citebot index)", retrieval.ErrUnavailable, ErrCollectionMissing, s.meta)
	}
	objs, err := s.gql(ctx, s.meta, func(c *weaviate.Client) *graphql.GetBuilder {
		return s.get(c, s.meta, []graphql.Field{{Name: "data"}, {Name: "ord"}}).
			WithWhere(filters.Where().WithOperator(filters.And).WithOperands([]*filters.WhereBuilder{
				eq("kind", "stats"), eq("key", h.Generation)})).
			WithLimit(h.Chunks + 1)
	})
	if err != nil {
		return nil, err
	}
	if len(objs) != h.Chunks {
		return nil, fmt.Errorf("%w: %s: generation %s has %d of %d chunks", retrieval.ErrUnavailable, s.meta, h.Generation, len(objs), h.Chunks)
	}
	sort.Slice(objs, func(i, j int) bool { return num(objs[i], "ord") < num(objs[j], "ord") })
	var b strings.Builder
	for _, o := range objs {
		b.WriteString(str(o, "data"))
	}
	raw, err := base64.StdEncoding.DecodeString(b.String())
	if err != nil {
		return nil, fmt.Errorf("weaviatestore: %s stats: %w", s.meta, err)
	}
	return retrieval.DecodeStats(raw)
}
