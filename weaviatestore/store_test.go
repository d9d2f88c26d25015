package weaviatestore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"citebot/corpus"
	"citebot/retrieval"
	"citebot/weaviatestore"
	"citebot/weaviatestore/weaviatetest"
)

const testKey = "test-key-1"

// countingEmbedder counts embedded passages; name overrides the name.
type countingEmbedder struct {
	retrieval.Embedder
	docs atomic.Int64
	name string
}

func (c *countingEmbedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	c.docs.Add(int64(len(texts)))
	return c.Embedder.EmbedDocuments(ctx, texts)
}

func (c *countingEmbedder) Name() string {
	if c.name != "" {
		return c.name
	}
	return c.Embedder.Name()
}

func bundled(t *testing.T) *corpus.Corpus {
	t.Helper()
	c, _, err := corpus.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// clone deep-copies what the tests edit.
func clone(c *corpus.Corpus) *corpus.Corpus {
	out := &corpus.Corpus{Passages: append([]corpus.Passage(nil), c.Passages...)}
	for _, a := range c.Articles {
		b := *a
		b.Paragraphs = append([]corpus.Paragraph(nil), a.Paragraphs...)
		out.Articles = append(out.Articles, &b)
	}
	return out
}

func mustRecords(t *testing.T, c *corpus.Corpus) []retrieval.Record {
	t.Helper()
	r, err := retrieval.BuildRecords(c)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func newStore(t *testing.T, urls []string, key string, emb retrieval.Embedder) *weaviatestore.Store {
	t.Helper()
	s, err := weaviatestore.New(weaviatestore.Config{URLs: urls, APIKey: key, Timeout: 5 * time.Second}, emb)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func devQuestions(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../testdata/dev_questions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var qs []string
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
		qs = append(qs, q.Q)
	}
	return qs
}

// summary is what a user sees of an answer.
func summary(a retrieval.Answer) string {
	s := fmt.Sprintf("abstained=%v total=%d", a.Abstained, a.Total)
	for _, r := range a.Results {
		s += fmt.Sprintf(" | %s weak=%v %v", r.Passage.ID, r.Weak, r.Excerpt.Sentences)
		for _, d := range r.AlsoReportedBy {
			s += " +" + d.Passage.ID
		}
	}
	return s
}

// TestStore runs against one real Weaviate node with API-key auth: the
// sync is incremental, readers answer exactly as the in-process index, and
// every misconfiguration names its cause.
func TestStore(t *testing.T) {
	cl := weaviatetest.Start(t, weaviatetest.Options{APIKey: testKey})
	ctx := context.Background()
	c := bundled(t)
	emb := &countingEmbedder{Embedder: retrieval.NewLocalEmbedder(0)}
	st := newStore(t, cl.URLs(0), testKey, emb)

	t.Run("collection missing before the first sync", func(t *testing.T) {
		if err := st.Check(ctx); !errors.Is(err, weaviatestore.ErrCollectionMissing) || !strings.Contains(err.Error(), "citebot index") {
			t.Fatalf("Check = %v, want ErrCollectionMissing saying to run citebot index", err)
		}
	})

	s1, err := st.Sync(ctx, c, weaviatestore.SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s1.Added != len(c.Passages) || s1.Embedded != len(c.Passages) || !s1.StatsWritten || s1.ArticlesWritten != len(c.Articles) {
		t.Fatalf("first sync = %+v, want %d added and embedded", s1, len(c.Passages))
	}

	t.Run("no-op sync writes and embeds nothing", func(t *testing.T) {
		before := emb.docs.Load()
		s, err := st.Sync(ctx, c, weaviatestore.SyncOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if s.Wrote() || s.Kept != len(c.Passages) || emb.docs.Load() != before {
			t.Fatalf("second sync = %+v, embedded %d, want nothing written or embedded", s, emb.docs.Load()-before)
		}
	})

	t.Run("answers as the in-process index", func(t *testing.T) {
		compare(t, ctx, c, st, emb)
	})

	t.Run("incremental edit", func(t *testing.T) {
		ed := clone(c)
		// One passage's text changes, one article's title changes (its
		// passages are rewritten with their stored vectors), the last
		// article goes away.
		ed.Passages[0].Text += " An added sentence about zebras."
		for k, para := range ed.Articles[0].Paragraphs {
			if para.N == ed.Passages[0].Paragraph {
				ed.Articles[0].Paragraphs[k].Text += " An added sentence about zebras."
			}
		}
		if ed.Passages[0].DocID != ed.Articles[0].ID {
			t.Fatal("the first passage is not from the first article")
		}
		ed.Articles[1].Title += " (updated)"
		gone := ed.Articles[len(ed.Articles)-1]
		ed.Articles = ed.Articles[:len(ed.Articles)-1]
		var keep []corpus.Passage
		removed, retitled := 0, 0
		for _, p := range ed.Passages {
			switch p.DocID {
			case gone.ID:
				removed++
				continue
			case ed.Articles[1].ID:
				retitled++
			}
			keep = append(keep, p)
		}
		ed.Passages = keep
		before := emb.docs.Load()
		s, err := st.Sync(ctx, ed, weaviatestore.SyncOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// Passage 0's paragraph is the lead, so its article's other
		// passages see a new lead (context) and are rewritten too.
		if s.Changed != 1 || s.Removed != removed || s.Updated < retitled || emb.docs.Load()-before != 1 || s.Embedded != 1 ||
			s.ArticlesWritten != 2 || s.ArticlesRemoved != 1 || !s.StatsWritten {
			t.Fatalf("edit sync = %+v (embedded %d), want 1 changed, ≥%d updated, %d removed, 1 embedded", s, emb.docs.Load()-before, retitled, removed)
		}
		compare(t, ctx, ed, st, emb)
		if _, err := st.Sync(ctx, c, weaviatestore.SyncOptions{}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("a sync cut short resumes, never a passage without its vector", func(t *testing.T) {
		big := retrieval.SyntheticCorpus(600, 3)
		bs := newStore(t, cl.URLs(0), testKey, emb)
		ctx, cancel := context.WithCancel(ctx)
		_, err := bs.Sync(ctx, big, weaviatestore.SyncOptions{Batch: 50, Progress: func(done, _ int) {
			if done >= 150 {
				cancel()
			}
		}})
		cancel()
		if err == nil {
			t.Fatal("a cancelled sync reported success")
		}
		// The statistics still describe the earlier corpus: readers keep
		// answering from it while the sync is incomplete.
		gen, err := bs.Generation(context.Background())
		if err != nil || gen != retrieval.BuildStats(c, mustRecords(t, c)).Generation() {
			t.Fatalf("generation after a cut sync = %q, %v; want the previous corpus's", gen, err)
		}
		before := emb.docs.Load()
		s, err := bs.Sync(context.Background(), big, weaviatestore.SyncOptions{Batch: 50})
		if err != nil {
			t.Fatal(err)
		}
		written := len(big.Passages) - s.Added
		if written < 150 || s.Kept != written || s.Embedded != s.Added || int(emb.docs.Load()-before) != s.Added {
			t.Fatalf("resumed sync = %+v after %d written, want the rest added and embedded, the written kept", s, written)
		}
		// Every passage object has its vector: the nearest-vector search
		// reaches all of them.
		vec, _ := emb.EmbedQuery(context.Background(), "anything")
		all, err := bs.Dense(context.Background(), vec, 1000, retrieval.Filter{})
		if err != nil || len(all) != len(big.Passages) {
			t.Fatalf("%d of %d passages reachable by vector (%v)", len(all), len(big.Passages), err)
		}
		if _, err := st.Sync(context.Background(), c, weaviatestore.SyncOptions{}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("wrong API key", func(t *testing.T) {
		bad := newStore(t, cl.URLs(0), "wrong", emb)
		err := bad.Check(ctx)
		if !errors.Is(err, weaviatestore.ErrUnauthorized) || !strings.Contains(err.Error(), "CITEBOT_WEAVIATE_API_KEY") || strings.Contains(err.Error(), "wrong") {
			t.Fatalf("Check with a wrong key = %v, want ErrUnauthorized naming CITEBOT_WEAVIATE_API_KEY (and not the key)", err)
		}
	})

	t.Run("unreachable URL, then failover", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		dead := "http://" + l.Addr().String()
		l.Close()
		err = newStore(t, []string{dead}, testKey, emb).Check(ctx)
		if !errors.Is(err, retrieval.ErrUnavailable) || !strings.Contains(err.Error(), dead) {
			t.Fatalf("Check on a closed port = %v, want ErrUnavailable naming %s", err, dead)
		}
		if err := newStore(t, []string{dead, cl.Nodes[0].URL}, testKey, emb).Check(ctx); err != nil {
			t.Fatalf("Check with a dead URL first = %v, want failover to the live one", err)
		}
	})

	t.Run("collection made by another embedder", func(t *testing.T) {
		// Another name that maps to the same class name.
		other := &countingEmbedder{Embedder: retrieval.NewLocalEmbedder(0), name: strings.ReplaceAll(emb.Name(), "-", ".")}
		s := newStore(t, cl.URLs(0), testKey, other)
		if s.Collection() != st.Collection() {
			t.Fatalf("collections %s and %s differ; the test needs a clash", s.Collection(), st.Collection())
		}
		for _, err := range []error{s.Check(ctx), func() error { _, err := s.Sync(ctx, c, weaviatestore.SyncOptions{}); return err }()} {
			if !errors.Is(err, weaviatestore.ErrOtherEmbedder) || !strings.Contains(err.Error(), emb.Name()) {
				t.Fatalf("= %v, want ErrOtherEmbedder naming %s", err, emb.Name())
			}
		}
		if other.docs.Load() != 0 {
			t.Error("embedded passages for another embedder's collection")
		}
	})
}

// compare checks a remote index over st answers the dev questions (hybrid,
// each side alone, filtered) exactly as an in-process index over c.
func compare(t *testing.T, ctx context.Context, c *corpus.Corpus, st *weaviatestore.Store, emb retrieval.Embedder) {
	t.Helper()
	mem, err := retrieval.NewIndex(ctx, c, retrieval.Options{Embedder: emb})
	if err != nil {
		t.Fatal(err)
	}
	rem, err := retrieval.NewRemoteIndex(ctx, st, retrieval.RemoteOptions{Embedder: emb})
	if err != nil {
		t.Fatal(err)
	}
	if err := rem.Available(); err != nil {
		t.Fatal(err)
	}
	diffs := 0
	for _, q := range devQuestions(t) {
		for _, query := range []retrieval.Query{
			{Text: q}, {Text: q, Mode: retrieval.LexicalOnly}, {Text: q, Mode: retrieval.DenseOnly},
			{Text: q, Source: c.Articles[0].Source}, {Text: q, DocID: c.Articles[1].ID},
		} {
			want, err := mem.Search(ctx, query)
			if err != nil {
				t.Fatal(err)
			}
			got, err := rem.Search(ctx, query)
			if err != nil {
				t.Fatalf("%+v: %v", query, err)
			}
			if summary(got) != summary(want) {
				diffs++
				t.Errorf("%+v:\nweaviate  %s\nin-memory %s", query, summary(got), summary(want))
			}
		}
	}
	for _, text := range []string{"", "kand", "taliban lead"} {
		got, want := rem.Suggest(text, 5), mem.Suggest(text, 5)
		if len(got) != len(want) {
			t.Fatalf("Suggest(%q): %d results, in-memory %d", text, len(got), len(want))
		}
		for i := range got {
			if got[i].Passage.ID != want[i].Passage.ID {
				t.Errorf("Suggest(%q)[%d] = %s, in-memory %s", text, i, got[i].Passage.ID, want[i].Passage.ID)
			}
		}
	}
	a := c.Articles[0]
	got, ok := rem.Article(a.ID)
	if !ok || got.Title != a.Title || len(got.Paragraphs) != len(a.Paragraphs) || got.Paragraphs[0].Text != a.Paragraphs[0].Text {
		t.Errorf("Article(%s) = %v, %v", a.ID, got, ok)
	}
	p := c.Passages[len(c.Passages)/2]
	if r, ok := rem.Passage(p.ID); !ok || r.Passage.Text != p.Text || r.Article == nil || r.Article.ID != p.DocID {
		t.Errorf("Passage(%s) = %+v, %v", p.ID, r.Passage, ok)
	}
	if rem.Len() != len(c.Passages) || len(rem.Articles()) != len(c.Articles) || len(rem.Sources()) != len(c.Sources()) {
		t.Errorf("Len %d, Articles %d, Sources %v; want %d, %d, %v", rem.Len(), len(rem.Articles()), rem.Sources(), len(c.Passages), len(c.Articles), c.Sources())
	}
}
