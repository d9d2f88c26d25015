package retrieval

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"citebot/corpus"
)

// TestPersistTwoWritersShareADirectory: two indexes on one directory (as
// `citebot index` beside a running `serve`) saving at the same time must
// leave a manifest that names complete files of its own, so the next start
// loads without a rebuild.
func TestPersistTwoWritersShareADirectory(t *testing.T) {
	dir := t.TempDir()
	base, _, err := corpus.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	// Two corpora that differ in one article, so every Update saves.
	other := withoutArticle(base, base.Articles[0].ID)
	var log logBuffer
	a := openPersisted(t, dir, base, NewLocalEmbedder(0), log.logger())
	b := openPersisted(t, dir, base, NewLocalEmbedder(0), log.logger())

	var wg sync.WaitGroup
	for w, ix := range []*Index{a, b} {
		wg.Add(1)
		go func(ix *Index) {
			defer wg.Done()
			// Out of step: at any moment the two save different contents.
			for i := w; i < w+15; i++ {
				c := base
				if i%2 == 0 {
					c = other
				}
				if _, err := ix.Update(context.Background(), c); err != nil {
					t.Errorf("Update: %v", err)
					return
				}
			}
		}(ix)
	}
	wg.Wait()

	var after logBuffer
	ix := openPersisted(t, dir, base, NewLocalEmbedder(0), after.logger())
	if s := after.String(); strings.Contains(s, "not usable") {
		t.Fatalf("the shared directory was left inconsistent:\n%s", s)
	}
	if st := ix.LastStats(); st.Kept == 0 {
		t.Errorf("nothing reused after concurrent saves: %+v", st)
	}
	if s := log.String(); strings.Contains(s, "not saved") || strings.Contains(s, "level=ERROR") {
		t.Errorf("a save failed:\n%s", s)
	}
}

// TestLockWaitLogsHolderAndTimesOut: while another process holds the index
// lock, a save says who it waits for and gives up with a clear error
// instead of blocking forever.
func TestLockWaitLogsHolderAndTimesOut(t *testing.T) {
	dir := t.TempDir()
	base, _, err := corpus.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	ix := openPersisted(t, dir, base, NewLocalEmbedder(0), nil)
	unlock, err := lockDir(dir, time.Second, nil) // "the other process"
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	var log logBuffer
	ix.per.log, ix.per.lockWait = log.logger(), 100*time.Millisecond
	_, err = ix.Update(context.Background(), withoutArticle(base, base.Articles[0].ID))
	if err != nil {
		t.Fatalf("Update: %v (the index in memory must not depend on the lock)", err)
	}
	err = ix.per.saveSnapshot(context.Background(), ix.emb.Name(), ix.snap.Load(), true)
	if !errors.Is(err, ErrIndexLocked) {
		t.Fatalf("save under a held lock: %v, want ErrIndexLocked", err)
	}
	pid := fmt.Sprintf("pid %d", os.Getpid())
	if !strings.Contains(err.Error(), pid) || !strings.Contains(err.Error(), "gave up after 100ms") {
		t.Errorf("error %q: want the holder (%s) and the timeout", err, pid)
	}
	if s := log.String(); !strings.Contains(s, "waiting for the index lock held by "+pid) {
		t.Errorf("no waiting message in the log:\n%s", s)
	}
	unlock()
	if err := ix.Save(context.Background()); err != nil {
		t.Errorf("Save once the lock is free: %v", err)
	}
}
