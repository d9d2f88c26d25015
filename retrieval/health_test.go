package retrieval

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStartWithEmbeddingServerDown: the server is down at start and one
// article is new since the persisted index. The index still starts, from
// memory: persisted vectors plus BM25 over every passage, the new ones
// found by BM25; Health says what is missing, Save refuses to pretend, and
// Run embeds the rest and saves once the server is back.
func TestStartWithEmbeddingServerDown(t *testing.T) {
	dir := t.TempDir()
	full := testCorpus(t)
	old := withoutArticle(full, "wx")
	emb := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
	openPersisted(t, dir, old, emb, nil)

	emb.fail.Store(true)
	var log logBuffer
	ix, err := NewIndex(context.Background(), full, Options{Embedder: emb, Path: dir, Logger: log.logger(), RetryInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatalf("NewIndex with the embedding server down: %v (start-up must not be all-or-nothing)", err)
	}
	newPassages := len(full.Passages) - len(old.Passages)
	h := ix.Health()
	if h.MissingVectors != newPassages || !errors.Is(h.EmbedErr, errEmbedDown) {
		t.Fatalf("health %+v, want %d passages without a vector", h, newPassages)
	}
	if !strings.Contains(log.String(), "serving from memory") {
		t.Errorf("no warning:\n%s", log.String())
	}
	// The new article is found (BM25), the old ones too.
	ans, err := ix.Search(context.Background(), Query{Text: "rain northern hills"})
	if err != nil || len(ans.Results) == 0 || ans.Results[0].Passage.DocID != "wx" {
		t.Errorf("search for the new article: %v %+v", err, ans.Results)
	}
	if err := ix.Save(context.Background()); err == nil {
		t.Error("Save of an index with passages lacking vectors returned nil")
	}
	// A reload of the same corpus must not be skipped as unchanged.
	if st, _ := ix.Update(context.Background(), full); st.Unchanged {
		t.Error("an incomplete index skipped a reload as unchanged")
	}

	emb.fail.Store(false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ix.Run(ctx); close(done) }()
	deadline := time.Now().Add(20 * time.Second)
	for !ix.Health().OK() {
		if time.Now().After(deadline) {
			t.Fatalf("Run did not repair the index: %+v", ix.Health())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	// Saved: a restart embeds nothing.
	emb2 := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
	openPersisted(t, dir, full, emb2, nil)
	if n := emb2.docs.Load(); n != 0 {
		t.Errorf("restart after the repair embedded %d passages, want 0", n)
	}
}

// TestStartWithNothingEmbedded: no persisted index and the server down:
// BM25 alone serves every passage.
func TestStartWithNothingEmbedded(t *testing.T) {
	emb := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
	emb.fail.Store(true)
	c := testCorpus(t)
	ix, err := NewIndex(context.Background(), c, Options{Embedder: emb})
	if err != nil {
		t.Fatalf("NewIndex: %v", err)
	}
	if h := ix.Health(); h.MissingVectors != len(c.Passages) {
		t.Errorf("health %+v", h)
	}
	ans, err := ix.Search(context.Background(), Query{Text: "Kandahar meeting"})
	if err != nil || len(ans.Results) == 0 {
		t.Errorf("BM25-only search: %v %+v", err, ans)
	}
}

// TestStartWithUnusableIndexDir: the index directory cannot be created (here
// its parent is a file; read-only and full disks fail the same way): the
// index serves from memory, Health and Save say why, and a later retry
// saves once the directory is usable.
func TestStartWithUnusableIndexDir(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "blocker")
	if err := os.WriteFile(parent, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "index")
	var log logBuffer
	ix, err := NewIndex(context.Background(), testCorpus(t), Options{Path: dir, Logger: log.logger()})
	if err != nil {
		t.Fatalf("NewIndex with an unusable index directory: %v", err)
	}
	if h := ix.Health(); h.SaveErr == nil || h.MissingVectors != 0 {
		t.Errorf("health %+v, want a save error only", h)
	}
	if err := ix.Save(context.Background()); err == nil {
		t.Error("Save into an unusable directory returned nil")
	}
	if !strings.Contains(log.String(), "serving from memory") {
		t.Errorf("no warning:\n%s", log.String())
	}
	// The disk is fixed: the next retry saves.
	if err := os.Remove(parent); err != nil {
		t.Fatal(err)
	}
	ix.repair(context.Background())
	if h := ix.Health(); !h.OK() {
		t.Errorf("after the directory became usable: %+v", h)
	}
	if _, err := os.Stat(filepath.Join(dir, manifestName)); err != nil {
		t.Errorf("not saved after the retry: %v", err)
	}
}
