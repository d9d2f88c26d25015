package retrieval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"sync/atomic"
	"testing"

	"citebot/corpus"
)

// exactBackend is a Backend over records held in memory, with exact BM25
// and exact cosine: what a perfect external store would return. It can be
// switched off to act as a store that is down.
type exactBackend struct {
	recs  []Record
	vecs  [][]float32
	bm    *bm25Index
	stats *Stats
	down  atomic.Bool
	calls atomic.Int64
}

var errBackendDown = fmt.Errorf("test backend: %w", ErrUnavailable)

func newExactBackend(t testing.TB, c *corpus.Corpus, emb Embedder) *exactBackend {
	t.Helper()
	recs, err := BuildRecords(c)
	if err != nil {
		t.Fatal(err)
	}
	texts := make([]string, len(recs))
	docs := make([][]string, len(recs))
	for i, r := range recs {
		texts[i] = EmbedText(r.Passage)
		docs[i] = r.Terms
	}
	vecs, err := emb.EmbedDocuments(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	return &exactBackend{recs: recs, vecs: vecs, bm: newBM25(docs), stats: BuildStats(c, recs)}
}

func (b *exactBackend) check() error {
	b.calls.Add(1)
	if b.down.Load() {
		return errBackendDown
	}
	return nil
}

func (b *exactBackend) Stats(context.Context) (*Stats, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	// Round-trip through the encoding a real store keeps.
	enc, err := b.stats.Encode()
	if err != nil {
		return nil, err
	}
	return DecodeStats(enc)
}

func (b *exactBackend) Generation(context.Context) (string, error) {
	if err := b.check(); err != nil {
		return "", err
	}
	return b.stats.Generation(), nil
}

func (b *exactBackend) keep(f Filter) func(int) bool {
	return func(i int) bool {
		r := b.recs[i]
		return (f.Source == "" || SourceKey(r.Source) == f.Source) && (f.DocID == "" || r.Passage.DocID == f.DocID)
	}
}

func (b *exactBackend) Lexical(_ context.Context, terms []string, n int, f Filter) ([]Record, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	var out []Record
	for _, h := range b.bm.search(terms, nil, n, b.keep(f)) {
		r := b.recs[h.doc]
		r.Score = h.score
		out = append(out, r)
	}
	return out, nil
}

func (b *exactBackend) Dense(_ context.Context, vec []float32, n int, f Filter) ([]Record, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	keep := b.keep(f)
	var out []Record
	for i, r := range b.recs {
		if keep(i) {
			r.Score = float64(float32(dot(vec, b.vecs[i])))
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out[:min(n, len(out))], nil
}

func (b *exactBackend) Similarity(_ context.Context, vec []float32, ids []string) (map[string]float64, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	m := map[string]float64{}
	for _, id := range ids {
		for i, r := range b.recs {
			if r.Passage.ID == id {
				m[id] = dot(vec, b.vecs[i])
			}
		}
	}
	return m, nil
}

func (b *exactBackend) Passage(_ context.Context, id string) (Record, bool, error) {
	if err := b.check(); err != nil {
		return Record{}, false, err
	}
	for _, r := range b.recs {
		if r.Passage.ID == id {
			return r, true, nil
		}
	}
	return Record{}, false, nil
}

func (b *exactBackend) First(_ context.Context, n int) ([]Record, error) {
	if err := b.check(); err != nil {
		return nil, err
	}
	return b.recs[:min(n, len(b.recs))], nil
}

func (b *exactBackend) Article(context.Context, string) (*corpus.Article, bool, error) {
	return nil, false, errors.New("not used")
}

// summary is what a user sees of an answer: which passages, in which
// order, with which quoted sentences, and whether it abstained.
func summary(a Answer) string {
	s := fmt.Sprintf("abstained=%v total=%d", a.Abstained, a.Total)
	for _, r := range a.Results {
		s += fmt.Sprintf(" | %s weak=%v %v", r.Passage.ID, r.Weak, r.Excerpt.Sentences)
		for _, d := range r.AlsoReportedBy {
			s += " +" + d.Passage.ID
		}
	}
	return s
}

// TestRemoteMatchesMemory: the same corpus behind an exact Backend answers
// every dev question, in every mode and with filters, exactly as the
// in-memory index does: only where the candidates come from differs.
func TestRemoteMatchesMemory(t *testing.T) { remoteMatchesMemory(t, NewLocalEmbedder(0)) }

// TestRemoteMatchesMemorySemantic: with an embedder taken as semantic, the
// sentence similarities (sentsem.go) rerank the same way through a Backend.
func TestRemoteMatchesMemorySemantic(t *testing.T) {
	remoteMatchesMemory(t, &semanticFake{Embedder: NewLocalEmbedder(0)})
}

func remoteMatchesMemory(t *testing.T, emb Embedder) {
	c, _, err := corpus.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	mem := newTestIndex(t, c, emb)
	rem, err := NewRemoteIndex(context.Background(), newExactBackend(t, c, emb), RemoteOptions{Embedder: emb})
	if err != nil {
		t.Fatal(err)
	}
	if err := rem.Available(); err != nil {
		t.Fatalf("Available = %v", err)
	}
	raw, err := os.ReadFile("../testdata/dev_questions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var qs []struct {
		Q string `json:"q"`
	}
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var q struct {
			Q string `json:"q"`
		}
		if err := json.Unmarshal(line, &q); err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
	}
	if len(qs) < 30 {
		t.Fatalf("%d dev questions", len(qs))
	}
	ctx := context.Background()
	src := c.Articles[0].Source
	for _, q := range qs {
		for _, query := range []Query{
			{Text: q.Q},
			{Text: q.Q, Mode: LexicalOnly},
			{Text: q.Q, Mode: DenseOnly},
			{Text: q.Q, K: 5, Offset: 2},
			{Text: q.Q, Source: src},
			{Text: q.Q, DocID: c.Articles[1].ID},
			{Text: "and where did it happen?", Context: []string{q.Q}},
		} {
			want, err := mem.Search(ctx, query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := rem.Search(ctx, query)
			if err != nil {
				t.Fatalf("remote %+v: %v", query, err)
			}
			if summary(got) != summary(want) || !reflect.DeepEqual(got.ReadWith, want.ReadWith) {
				t.Errorf("%+v:\nremote %s\nmemory %s", query, summary(got), summary(want))
			}
		}
	}
	for _, text := range []string{"", "kand", "taliban lead", "qatar "} {
		got, want := rem.Suggest(text, 5), mem.Suggest(text, 5)
		if len(got) != len(want) {
			t.Fatalf("Suggest(%q): %d results, memory %d", text, len(got), len(want))
		}
		for i := range got {
			if got[i].Passage.ID != want[i].Passage.ID || !reflect.DeepEqual(got[i].Excerpt, want[i].Excerpt) {
				t.Errorf("Suggest(%q)[%d] = %s, memory %s", text, i, got[i].Passage.ID, want[i].Passage.ID)
			}
		}
	}
	id := c.Passages[3].ID
	got, ok := rem.Passage(id)
	want, _ := mem.Passage(id)
	if !ok || got.Passage.ID != id || got.Passage.Text != want.Passage.Text || got.Article.Title != want.Article.Title {
		t.Errorf("Passage(%s) = %+v, %v", id, got.Passage, ok)
	}
	if !reflect.DeepEqual(rem.Sources(), mem.Sources()) || len(rem.Articles()) != len(mem.Articles()) || rem.Len() != mem.Len() {
		t.Errorf("Sources/Articles/Len differ: %v %v", rem.Sources(), mem.Sources())
	}
	a := c.Articles[2]
	if rem.PassageCount(a.ID) != mem.PassageCount(a.ID) || len(rem.Articles()[2].Paragraphs) != len(a.Paragraphs) {
		t.Errorf("PassageCount/paragraphs of %s differ", a.ID)
	}
}

// TestRemoteUnavailable: a backend that goes down makes searches fail with
// ErrUnavailable and Available report it; it recovers on the next Refresh
// without a new Index.
func TestRemoteUnavailable(t *testing.T) {
	c := testCorpus(t)
	emb := NewLocalEmbedder(0)
	b := newExactBackend(t, c, emb)
	b.down.Store(true)
	ctx := context.Background()
	ix, err := NewRemoteIndex(ctx, b, RemoteOptions{Embedder: emb})
	if err != nil {
		t.Fatalf("NewRemoteIndex with the backend down: %v", err)
	}
	if err := ix.Available(); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Available = %v, want ErrUnavailable", err)
	}
	if _, err := ix.Search(ctx, Query{Text: "Kandahar meeting"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Search = %v, want ErrUnavailable", err)
	}
	b.down.Store(false)
	if err := ix.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	ans, err := ix.Search(ctx, Query{Text: "Kandahar meeting"})
	if err != nil || len(ans.Results) == 0 {
		t.Fatalf("Search after recovery = %v, %v", summary(ans), err)
	}
	b.down.Store(true)
	if _, err := ix.Search(ctx, Query{Text: "Kandahar meeting"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Search = %v, want ErrUnavailable", err)
	}
	if err := ix.Available(); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Available after a failed search = %v, want ErrUnavailable", err)
	}
	if _, ok := ix.Passage(c.Passages[0].ID); ok {
		t.Error("Passage found with the backend down and nothing cached")
	}
	if _, err := ix.Update(ctx, c); err == nil {
		t.Error("Update on a remote index succeeded")
	}
}
