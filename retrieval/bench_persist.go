package retrieval

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"citebot/corpus"
)

// BenchPersist measures the persisted index over a synthetic corpus of n
// passages (n ≤ 0 means 100k) with the local embedder, in a temporary
// directory it removes afterwards, and writes: the first build and save,
// the index file size, a restart (load manifest, import, diff, BM25 build,
// publish; no passage embedded — checked), and an incremental update after
// one article (10 passages) changed, save included, and a no-op reload (the
// same corpus again, which must rebuild nothing).
func BenchPersist(ctx context.Context, n int, w io.Writer) error {
	if n <= 0 {
		n = 100000
	}
	dir, err := os.MkdirTemp("", "citebot-bench-index-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	c := SyntheticCorpus(n, 42)

	start := time.Now()
	if _, err := NewIndex(ctx, c, Options{Path: dir}); err != nil {
		return fmt.Errorf("bench: first build: %w", err)
	}
	build := time.Since(start)
	var size int64
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if info, err := e.Info(); err == nil && isGenerationFile(e.Name()) {
			size += info.Size()
		}
	}

	emb := &benchCounter{Embedder: NewLocalEmbedder(0)}
	start = time.Now()
	ix, err := NewIndex(ctx, c, Options{Path: dir, Embedder: emb})
	if err != nil {
		return fmt.Errorf("bench: restart: %w", err)
	}
	restart := time.Since(start)
	if got := emb.n.Load(); got != 0 {
		return fmt.Errorf("bench: restart embedded %d passages, want 0", got)
	}

	edited := &corpus.Corpus{Articles: c.Articles, Passages: slices.Clone(c.Passages)}
	doc := edited.Passages[len(edited.Passages)/2].DocID
	for i := range edited.Passages {
		if edited.Passages[i].DocID == doc {
			edited.Passages[i].Text += " A correction was appended."
		}
	}
	start = time.Now()
	st, err := ix.Update(ctx, edited)
	if err != nil {
		return fmt.Errorf("bench: incremental update: %w", err)
	}
	update := time.Since(start)

	// A reload of unchanged files: a fresh corpus value, every string
	// copied as a new load from disk would make it.
	same := cloneCorpus(edited)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start = time.Now()
	noop, err := ix.Update(ctx, same)
	if err != nil {
		return fmt.Errorf("bench: no-op reload: %w", err)
	}
	reload := time.Since(start)
	runtime.ReadMemStats(&after)
	if !noop.Unchanged {
		return fmt.Errorf("bench: an unchanged corpus was rebuilt: %+v", noop)
	}

	fmt.Fprintf(w, "persisted index, %d passages (%s, %d dims)\n", n, ix.Embedder().Name(), ix.Embedder().Dim())
	fmt.Fprintf(w, "  first build + save       %v\n", build.Round(time.Millisecond))
	fmt.Fprintf(w, "  index files              %.1f MiB\n", float64(size)/(1<<20))
	fmt.Fprintf(w, "  restart (0 embedded)     %v\n", restart.Round(time.Millisecond))
	fmt.Fprintf(w, "  one article changed      %v (embedded %d, kept %d, save included)\n", update.Round(time.Millisecond), st.Embedded, st.Kept)
	fmt.Fprintf(w, "  no-op reload             %v (corpus unchanged: nothing rebuilt, %.1f MiB allocated)\n",
		reload.Round(100*time.Microsecond), float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
	return nil
}

// cloneCorpus deep-copies c, strings included.
func cloneCorpus(c *corpus.Corpus) *corpus.Corpus {
	out := &corpus.Corpus{Articles: make([]*corpus.Article, len(c.Articles)), Passages: make([]corpus.Passage, len(c.Passages))}
	for i, a := range c.Articles {
		b := *a
		b.ID, b.Title, b.Source, b.URL, b.File = strings.Clone(a.ID), strings.Clone(a.Title), strings.Clone(a.Source), strings.Clone(a.URL), strings.Clone(a.File)
		b.Author, b.Published = strings.Clone(a.Author), strings.Clone(a.Published)
		b.Paragraphs = make([]corpus.Paragraph, len(a.Paragraphs))
		for j, p := range a.Paragraphs {
			p.Text, p.Section = strings.Clone(p.Text), strings.Clone(p.Section)
			b.Paragraphs[j] = p
		}
		out.Articles[i] = &b
	}
	for i, p := range c.Passages {
		p.ID, p.DocID, p.Text, p.Section = strings.Clone(p.ID), strings.Clone(p.DocID), strings.Clone(p.Text), strings.Clone(p.Section)
		out.Passages[i] = p
	}
	return out
}

// benchCounter counts embedded passages.
type benchCounter struct {
	Embedder
	n atomic.Int64
}

func (b *benchCounter) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	b.n.Add(int64(len(texts)))
	return b.Embedder.EmbedDocuments(ctx, texts)
}
