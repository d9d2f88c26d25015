package retrieval

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"citebot/corpus"
)

// TestSaveWritesOnlyChangedSegments: after one article changes, the save
// writes that article's segment only; the others stay the files the first
// save wrote, and a restart from the mix embeds and tokenizes nothing and
// ranks exactly like a fresh build.
func TestSaveWritesOnlyChangedSegments(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	c := SyntheticCorpus(1200, 9)
	opts := Options{Path: dir, segSize: 100}
	ix, err := NewIndex(ctx, c, opts)
	if err != nil {
		t.Fatal(err)
	}
	first := generationNames(t, dir)
	if len(first) != 2*12 {
		t.Fatalf("first save wrote %v, want 12 segments of two files", first)
	}
	doc := c.Passages[600].DocID
	edited := &corpus.Corpus{Articles: c.Articles, Passages: slices.Clone(c.Passages)}
	for i := range edited.Passages {
		if edited.Passages[i].DocID == doc {
			edited.Passages[i].Text += " A correction."
		}
	}
	if _, err := ix.Update(ctx, edited); err != nil {
		t.Fatal(err)
	}
	if err := ix.Save(ctx); err != nil {
		t.Fatal(err)
	}
	second := generationNames(t, dir)
	var kept, fresh []string
	for _, f := range second {
		if slices.Contains(first, f) {
			kept = append(kept, f)
		} else {
			fresh = append(fresh, f)
		}
	}
	g := segOf(doc, 12)
	want := []string{fmt.Sprintf("seg-%d-g2.terms", g), fmt.Sprintf("seg-%d-g2.vec", g)}
	if !slices.Equal(fresh, want) || len(kept) != 22 {
		t.Errorf("the save after one article changed wrote %v and kept %d files; want %v and 22 kept", fresh, len(kept), want)
	}

	emb := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
	var logs logBuffer
	re, err := NewIndex(ctx, edited, Options{Path: dir, segSize: 100, Embedder: emb, Logger: logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	if emb.docs.Load() != 0 || strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("restart embedded %d passages:\n%s", emb.docs.Load(), logs.String())
	}
	fresh2, err := NewIndex(ctx, edited, Options{segSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	sameBM25(t, re.snap.Load().bm25, fresh2.snap.Load().bm25, [][]string{re.an.terms("a correction"), re.an.terms(c.Passages[3].Text)})
	if got := generationNames(t, dir); !slices.Equal(got, second) {
		t.Errorf("a restart with nothing changed rewrote files: %v, before %v", got, second)
	}
}

// TestLoadFormat1 starts from an index saved by the previous format (one
// vector file, every passage in the manifest): its vectors and terms are
// used, and the next save converts it to segments and removes the old files.
func TestLoadFormat1(t *testing.T) {
	dir := t.TempDir()
	c := testCorpus(t)
	old := newTestIndex(t, c, nil)
	s := old.snap.Load()
	write := func(name string, f func(w io.Writer) error) string {
		var buf bytes.Buffer
		if err := f(&buf); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x", sha256.Sum256(buf.Bytes()))
	}
	m := manifest{FormatVersion: manifestFormatV1, Embedder: old.emb.Name(), Dim: 512, Gen: 3, IndexFile: "index-3.vec",
		TermsFile: "terms-3.bin", Passages: len(c.Passages), Saved: time.Now()}
	m.SHA256 = write(m.IndexFile, func(w io.Writer) error { return writeVectors(w, 512, s.vecs) })
	m.TermsSHA256 = write(m.TermsFile, func(w io.Writer) error { return writeTerms(w, invertBM25(s), s.hashes) })
	for i, p := range s.passages {
		m.Entries = append(m.Entries, manifestEntry{ID: p.ID, Hash: s.hashes[i]})
	}
	write(manifestName, func(w io.Writer) error { return json.NewEncoder(w).Encode(m) })

	emb := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
	var logs logBuffer
	ix := openPersisted(t, dir, c, emb, logs.logger())
	if emb.docs.Load() != 0 || strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "format 1") {
		t.Errorf("format 1 index: embedded %d, log:\n%s", emb.docs.Load(), logs.String())
	}
	sameBM25(t, ix.snap.Load().bm25, s.bm25, [][]string{ix.an.terms("Taliban leader Kandahar")})
	got, err := readManifest(dir, old.emb.Name(), 512)
	if err != nil || got.FormatVersion != manifestFormat || got.Gen != 4 {
		t.Fatalf("manifest after the first save: %+v, %v", got, err)
	}
	for _, f := range []string{"index-3.vec", "terms-3.bin"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s not removed after the conversion", f)
		}
	}
}
