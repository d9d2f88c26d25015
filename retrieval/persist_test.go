package retrieval

import (
	"bytes"
	embedremote "citebot/embed/remote"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"citebot/corpus"
)

// logBuffer collects log output from any goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// openPersisted builds an index persisted in dir and fails the test on error.
func openPersisted(t *testing.T, dir string, c *corpus.Corpus, emb Embedder, log *slog.Logger) *Index {
	t.Helper()
	ix, err := NewIndex(context.Background(), c, Options{Embedder: emb, Path: dir, Logger: log})
	if err != nil {
		t.Fatalf("NewIndex(%s): %v", dir, err)
	}
	return ix
}

// withoutArticle returns c without the article docID and its passages.
func withoutArticle(c *corpus.Corpus, docID string) *corpus.Corpus {
	out := &corpus.Corpus{}
	for _, a := range c.Articles {
		if a.ID != docID {
			out.Articles = append(out.Articles, a)
		}
	}
	for _, p := range c.Passages {
		if p.DocID != docID {
			out.Passages = append(out.Passages, p)
		}
	}
	return out
}

func TestPersistRestartReusesVectors(t *testing.T) {
	dir := t.TempDir()
	c := testCorpus(t)
	first := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
	ix := openPersisted(t, dir, c, first, nil)
	if got := first.docs.Load(); got != int64(len(c.Passages)) {
		t.Fatalf("first start embedded %d passages, want %d", got, len(c.Passages))
	}
	want, err := ix.Search(context.Background(), Query{Text: "Kandahar meeting Qatar"})
	if err != nil {
		t.Fatal(err)
	}
	second := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
	ix2 := openPersisted(t, dir, testCorpus(t), second, nil)
	if got := second.docs.Load(); got != 0 {
		t.Errorf("second start embedded %d passages, want 0", got)
	}
	st := ix2.LastStats()
	if st.Kept != len(c.Passages) || st.Added+st.Changed+st.Removed+st.Embedded != 0 {
		t.Errorf("second start stats %+v, want all %d kept", st, len(c.Passages))
	}
	got, err := ix2.Search(context.Background(), Query{Text: "Kandahar meeting Qatar"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Results) != len(want.Results) || got.Results[0].Passage.ID != want.Results[0].Passage.ID ||
		got.Results[0].Score != want.Results[0].Score {
		t.Errorf("after restart top result %+v, before %+v", got.Results[0], want.Results[0])
	}
	files, _ := filepath.Glob(filepath.Join(dir, "seg-*.vec"))
	if len(files) != 1 {
		t.Errorf("index files %v, want exactly one", files)
	}
}

func TestPersistIncremental(t *testing.T) {
	dir := t.TempDir()
	base := testCorpus(t)
	openPersisted(t, dir, base, NewLocalEmbedder(0), nil)

	edited := testCorpus(t)
	for i, p := range edited.Passages {
		if p.DocID == "wx" {
			edited.Passages[i].Text += " Updated at noon."
		}
	}
	emb := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
	ix := openPersisted(t, dir, edited, emb, nil)
	st := ix.LastStats()
	if emb.docs.Load() != 2 || st.Changed != 2 || st.Kept != len(base.Passages)-2 || st.Added+st.Removed != 0 {
		t.Errorf("editing article wx: embedded %d, stats %+v; want its 2 passages only", emb.docs.Load(), st)
	}

	removed := withoutArticle(edited, "nat")
	emb = &countingEmbedder{Embedder: NewLocalEmbedder(0)}
	ix = openPersisted(t, dir, removed, emb, nil)
	st = ix.LastStats()
	if emb.docs.Load() != 0 || st.Removed != 2 || st.Kept != len(removed.Passages) {
		t.Errorf("removing article nat: embedded %d, stats %+v; want 2 removed, rest kept", emb.docs.Load(), st)
	}
	if n := ix.snap.Load().store.count(); n != len(removed.Passages) {
		t.Errorf("store holds %d vectors, want %d", n, len(removed.Passages))
	}
	for _, p := range edited.Passages {
		_, ok := ix.Passage(p.ID)
		if want := p.DocID != "nat"; ok != want {
			t.Errorf("passage %s served %v, want %v", p.ID, ok, want)
		}
	}
	// The saved index lists exactly the remaining passages.
	seed, err := (&persister{dir: dir}).load(context.Background(), NewLocalEmbedder(0))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id := range seed.byID {
		ids = append(ids, id)
	}
	for _, p := range removed.Passages {
		if !slices.Contains(ids, p.ID) {
			t.Errorf("manifest lacks kept passage %s", p.ID)
		}
	}
	if len(ids) != len(removed.Passages) {
		t.Errorf("manifest lists %d passages, want %d", len(ids), len(removed.Passages))
	}
}

// renamedEmbedder is the local embedder under another name.
type renamedEmbedder struct{ Embedder }

func (renamedEmbedder) Name() string { return "other-model" }

func TestPersistRebuilds(t *testing.T) {
	rewriteManifest := func(f func(m map[string]any)) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			t.Helper()
			path := filepath.Join(dir, manifestName)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			f(m)
			b, _ = json.Marshal(m)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	indexFile := func(t *testing.T, dir string) string {
		t.Helper()
		files, _ := filepath.Glob(filepath.Join(dir, "seg-*.vec"))
		if len(files) != 1 {
			t.Fatalf("index files %v", files)
		}
		return files[0]
	}
	tests := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		emb    Embedder
		reason string
	}{
		{"corrupt index file", func(t *testing.T, dir string) {
			f := indexFile(t, dir)
			b, _ := os.ReadFile(f)
			b[len(b)/2] ^= 0xff
			os.WriteFile(f, b, 0o644)
		}, nil, "checksum"},
		{"truncated index file with matching checksum", func(t *testing.T, dir string) {
			f := indexFile(t, dir)
			b, _ := os.ReadFile(f)
			os.WriteFile(f, b[:len(b)/2], 0o644)
			sum := fmt.Sprintf("%x", sha256.Sum256(b[:len(b)/2]))
			rewriteManifest(func(m map[string]any) { m["segments"].([]any)[0].(map[string]any)["sha256"] = sum })(t, dir)
		}, nil, "bytes of vectors"},
		{"vector file of another dimension", func(t *testing.T, dir string) {
			f := indexFile(t, dir)
			b, _ := os.ReadFile(f)
			b[8] = 7
			os.WriteFile(f, b, 0o644)
			sum := fmt.Sprintf("%x", sha256.Sum256(b))
			rewriteManifest(func(m map[string]any) { m["segments"].([]any)[0].(map[string]any)["sha256"] = sum })(t, dir)
		}, nil, "manifest says"},
		{"missing index file", func(t *testing.T, dir string) { os.Remove(indexFile(t, dir)) }, nil, "no such file"},
		{"corrupt manifest", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, manifestName), []byte(`{"format_version": 1, "entr`), 0o644)
		}, nil, "corrupt manifest"},
		{"future format", rewriteManifest(func(m map[string]any) { m["format_version"] = 99 }), nil, "newer than this build"},
		{"manifest pointing outside", rewriteManifest(func(m map[string]any) { m["segments"].([]any)[0].(map[string]any)["file"] = "../x.vec" }), nil, "corrupt manifest"},
		{"other embedder", func(*testing.T, string) {}, renamedEmbedder{NewLocalEmbedder(0)}, "index was built with embedder"},
		{"other dimension", func(*testing.T, string) {}, NewLocalEmbedder(64), "index has 512 dimensions, embedder has 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c := testCorpus(t)
			openPersisted(t, dir, c, NewLocalEmbedder(0), nil)
			tt.break_(t, dir)
			inner := tt.emb
			if inner == nil {
				inner = NewLocalEmbedder(0)
			}
			emb := &countingEmbedder{Embedder: inner}
			var logs logBuffer
			ix := openPersisted(t, dir, c, emb, logs.logger())
			if got := emb.docs.Load(); got != int64(len(c.Passages)) {
				t.Errorf("embedded %d passages, want a full rebuild of %d", got, len(c.Passages))
			}
			out := logs.String()
			if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "rebuilding") || !strings.Contains(out, tt.reason) {
				t.Errorf("log lacks a warning with reason %q:\n%s", tt.reason, out)
			}
			if ans, err := ix.Search(context.Background(), Query{Text: "rain northern hills"}); err != nil || ans.Abstained {
				t.Errorf("rebuilt index does not answer: %v %+v", err, ans)
			}
			// The rebuild was saved and is used by the next start.
			again := &countingEmbedder{Embedder: inner}
			openPersisted(t, dir, c, again, nil)
			if again.docs.Load() != 0 {
				t.Errorf("start after rebuild embedded %d passages, want 0", again.docs.Load())
			}
		})
	}
}

// flakyServer is an OpenAI-compatible embedding server on 127.0.0.1 that
// answers with the local embedder's vectors and, while down, fails every
// request once it has embedded limit texts.
type flakyServer struct {
	srv      *httptest.Server
	emb      atomic.Pointer[LocalEmbedder]
	embedded atomic.Int64
	limit    atomic.Int64
}

func newFlakyServer(t *testing.T, limit int64) *flakyServer {
	t.Helper()
	f := &flakyServer{}
	f.emb.Store(NewLocalEmbedder(0))
	f.limit.Store(limit)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if lim := f.limit.Load(); lim >= 0 && f.embedded.Load()+int64(len(req.Input)) > lim {
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		vecs, err := f.emb.Load().EmbedDocuments(r.Context(), req.Input)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		f.embedded.Add(int64(len(req.Input)))
		type item struct {
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		data := make([]item, len(vecs))
		for i, v := range vecs {
			data[i] = item{Index: i, Embedding: v}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"data": data})
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func TestPersistKeepsProgressWhenEmbedderFails(t *testing.T) {
	dir := t.TempDir()
	c := testCorpus(t)
	srv := newFlakyServer(t, 8)
	newEmb := func() Embedder {
		e, err := embedremote.NewOpenAI(embedremote.OpenAIConfig{BaseURL: srv.srv.URL + "/v1", Model: "m", MaxRetries: -1, NoDefaultPrefixes: true})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	var logs logBuffer
	var progress []int
	opts := Options{Embedder: newEmb(), Path: dir, EmbedBatch: 4, Logger: logs.logger(),
		Progress: func(done, total int) { progress = append(progress, done) }}
	// The index starts anyway, from memory (see health_test.go), with 8
	// passages embedded and the rest found by BM25 only.
	ix0, err := NewIndex(context.Background(), c, opts)
	if err != nil {
		t.Fatalf("NewIndex with the server failing after 8 passages: %v", err)
	}
	if h := ix0.Health(); h.MissingVectors != len(c.Passages)-8 {
		t.Fatalf("health %+v, want %d passages without a vector", h, len(c.Passages)-8)
	}
	if got := srv.embedded.Load(); got != 8 {
		t.Fatalf("server embedded %d passages before failing, want 8", got)
	}
	if !slices.Equal(progress, []int{0, 4, 8}) {
		t.Errorf("progress calls %v, want [0 4 8]", progress)
	}
	if !strings.Contains(logs.String(), "indexing progress saved") {
		t.Errorf("no log of the saved progress:\n%s", logs.String())
	}

	// The server recovers; a new process embeds only the rest.
	srv.limit.Store(-1)
	opts.Embedder, opts.Progress = newEmb(), nil
	ix, err := NewIndex(context.Background(), c, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.embedded.Load() - 8; got != int64(len(c.Passages)-8) {
		t.Errorf("second run embedded %d passages, want the remaining %d", got, len(c.Passages)-8)
	}
	if st := ix.LastStats(); st.Kept != 8 || st.Added != len(c.Passages)-8 {
		t.Errorf("second run stats %+v, want 8 kept and the rest added", st)
	}
	if ans, err := ix.Search(context.Background(), Query{Text: "harvest festival music"}); err != nil || ans.Abstained || ans.Degraded {
		t.Errorf("index after recovery: %v %+v", err, ans)
	}
}

func TestPersistInMemoryRetryKeepsProgress(t *testing.T) {
	srv := newFlakyServer(t, -1)
	emb, err := embedremote.NewOpenAI(embedremote.OpenAIConfig{BaseURL: srv.srv.URL + "/v1", Model: "m", MaxRetries: -1, NoDefaultPrefixes: true})
	if err != nil {
		t.Fatal(err)
	}
	c := testCorpus(t)
	ix, err := NewIndex(context.Background(), c, Options{Embedder: emb, EmbedBatch: 4})
	if err != nil {
		t.Fatal(err)
	}
	big := testCorpus(t)
	extra := SyntheticCorpus(12, 9)
	for _, a := range extra.Articles {
		a.ID = "x" + a.ID
	}
	big.Articles = append(big.Articles, extra.Articles...)
	for _, p := range extra.Passages {
		p.ID, p.DocID = "x"+p.ID, "x"+p.DocID
		big.Passages = append(big.Passages, p)
	}
	before := srv.embedded.Load()
	srv.limit.Store(before + 8)
	if _, err := ix.Update(context.Background(), big); err == nil {
		t.Fatal("update with the server failing: no error")
	}
	srv.limit.Store(-1)
	if _, err := ix.Update(context.Background(), big); err != nil {
		t.Fatal(err)
	}
	if got := srv.embedded.Load() - before; got != 12 {
		t.Errorf("failed then retried update embedded %d passages in all, want 12 (no passage twice)", got)
	}
}

// TestPersistServerModelChanged: a remote embedder learns its dimension from
// the first answer. If the server's model changed under the same name, new
// vectors do not match the persisted ones, and the index is rebuilt rather
// than mixed.
func TestPersistServerModelChanged(t *testing.T) {
	dir := t.TempDir()
	c := testCorpus(t)
	srv := newFlakyServer(t, -1)
	newEmb := func() Embedder {
		e, err := embedremote.NewOpenAI(embedremote.OpenAIConfig{BaseURL: srv.srv.URL + "/v1", Model: "m", NoDefaultPrefixes: true})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	openPersisted(t, dir, c, newEmb(), nil)
	srv.emb.Store(NewLocalEmbedder(64))
	before := srv.embedded.Load()
	c.Passages[0].Text += " Edited."
	var logs logBuffer
	ix := openPersisted(t, dir, c, newEmb(), logs.logger())
	if got := srv.embedded.Load() - before; got != int64(1+len(c.Passages)) {
		t.Errorf("embedded %d passages, want 1 then a rebuild of all %d", got, len(c.Passages))
	}
	if !strings.Contains(logs.String(), "rebuilding") || !strings.Contains(logs.String(), "different dimensions") {
		t.Errorf("log lacks the rebuild and its reason:\n%s", logs.String())
	}
	for _, v := range ix.snap.Load().vecs {
		if len(v) != 64 {
			t.Fatalf("vector of %d dimensions after the rebuild, want 64", len(v))
		}
	}
}

func TestPersistNoRewriteWhenNothingEmbedded(t *testing.T) {
	dir := t.TempDir()
	c := testCorpus(t)
	emb := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
	ix := openPersisted(t, dir, c, emb, nil)
	before, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		t.Fatal(err)
	}
	emb.fail.Store(true)
	c.Passages[0].Text += " Edited."
	for range 2 {
		if _, err := ix.Update(context.Background(), c); err == nil {
			t.Fatal("update with the embedder down: no error")
		}
	}
	after, _ := os.ReadFile(filepath.Join(dir, manifestName))
	if !bytes.Equal(before, after) {
		t.Errorf("failed updates that embedded nothing rewrote the manifest")
	}
}
