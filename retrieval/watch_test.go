package retrieval

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"citebot/corpus"
)

// watchDeadline only bounds a test that would otherwise hang; nothing is
// asserted about how fast an update arrives.
const watchDeadline = 60 * time.Second

// watchHarness runs Watch on a temp corpus directory with searches going
// on concurrently.
type watchHarness struct {
	t       *testing.T
	dir     string
	ix      *Index
	emb     *countingEmbedder
	logs    *logBuffer
	updates chan error
	failed  atomic.Int64 // reloads that returned an error
	done    chan error
	stop    context.CancelFunc
}

func writeArticle(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func startWatch(t *testing.T) *watchHarness {
	t.Helper()
	dir := t.TempDir()
	writeArticle(t, filepath.Join(dir, "rain.txt"), "Rain is expected over the northern hills tomorrow, forecasters said on Monday.\n\nFarmers welcome the rain after a long and dry spring in the valley.\n")
	writeArticle(t, filepath.Join(dir, "port.txt"), "The harbour authority reopened the eastern port after the storm passed on Tuesday.\n\nShipping companies said delays would last until the weekend.\n")
	c, _, err := corpus.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := &watchHarness{t: t, dir: dir, emb: &countingEmbedder{Embedder: NewLocalEmbedder(0)}, logs: &logBuffer{},
		updates: make(chan error, 100), done: make(chan error, 1)}
	h.ix, err = NewIndex(context.Background(), c, Options{Embedder: h.emb, Path: t.TempDir(), Logger: h.logs.logger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	go func() {
		h.done <- Watch(ctx, dir, h.ix, WatchOptions{Debounce: 50 * time.Millisecond, Rescan: 200 * time.Millisecond,
			Logger: h.logs.logger(), OnUpdate: func(_ UpdateStats, err error) {
				if err != nil {
					h.failed.Add(1)
				}
				h.updates <- err
			}})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-h.done; err != nil {
			t.Errorf("Watch returned %v, want nil after cancel", err)
		}
	})
	// The first reload tells the watches are in place.
	select {
	case err := <-h.updates:
		if err != nil {
			t.Fatalf("initial reload: %v", err)
		}
	case <-time.After(watchDeadline):
		t.Fatalf("Watch never started; log:\n%s", h.logs.String())
	}
	if st := h.ix.LastStats(); st.Kept != 4 || st.Embedded != 0 {
		t.Errorf("initial reload of an unchanged corpus: %+v, want 4 kept, 0 embedded", st)
	}
	return h
}

// waitFor waits for reloads until cond holds.
func (h *watchHarness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(watchDeadline)
	for !cond() {
		select {
		case <-h.updates:
		case <-deadline:
			h.t.Fatalf("index never reached state %q; log:\n%s", what, h.logs.String())
		}
	}
}

// searchUntil runs searches from several goroutines until stop is closed,
// checking every answer comes from one consistent snapshot.
func searchUntil(t *testing.T, ix *Index, stop <-chan struct{}, wg *sync.WaitGroup, n *atomic.Int64) {
	for g := 0; g < 3; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				ans, err := ix.Search(context.Background(), Query{Text: "rain harbour storm festival", K: 10})
				if err != nil {
					t.Error(err)
					return
				}
				for _, r := range ans.Results {
					if r.Article == nil || r.Passage.DocID != r.Article.ID {
						t.Errorf("inconsistent result %+v", r)
					}
				}
				n.Add(1)
			}
		}()
	}
}

func TestWatchLiveUpdates(t *testing.T) {
	h := startWatch(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var once sync.Once
	var searches atomic.Int64
	searchUntil(t, h.ix, stop, &wg, &searches)
	stopSearches := func() { once.Do(func() { close(stop) }); wg.Wait() }
	defer stopSearches()

	hasArticle := func(id string) func() bool {
		return func() bool { _, ok := h.ix.Article(id); return ok }
	}
	base := h.emb.docs.Load()

	// A file added in a new subdirectory.
	fest := filepath.Join(h.dir, "local", "festival.txt")
	writeArticle(t, fest, "The harvest festival opens on Friday with music and dancing in the square.\n")
	h.waitFor("festival added", hasArticle("local/festival"))
	if got := h.emb.docs.Load() - base; got != 1 {
		t.Errorf("adding a one-passage article embedded %d passages, want 1", got)
	}
	ans, err := h.ix.Search(context.Background(), Query{Text: "harvest festival dancing"})
	if err != nil || len(ans.Results) == 0 || ans.Results[0].Passage.DocID != "local/festival" {
		t.Errorf("new article not found: %v %+v", err, ans)
	}

	// Edited: only its passage is embedded again.
	base = h.emb.docs.Load()
	writeArticle(t, fest, "The harvest festival opens on Saturday with fireworks over the river.\n")
	h.waitFor("festival edited", func() bool {
		p, ok := h.ix.Passage("local/festival:p1.1")
		return ok && strings.Contains(p.Passage.Text, "fireworks")
	})
	if got := h.emb.docs.Load() - base; got != 1 {
		t.Errorf("editing a one-passage article embedded %d passages, want 1", got)
	}

	// A file that fails to parse is skipped; the rest keeps serving.
	writeArticle(t, filepath.Join(h.dir, "broken.txt"), "binary\x00junk")
	h.waitFor("broken file skipped", func() bool { return strings.Contains(h.logs.String(), "broken.txt") })
	if _, ok := h.ix.Article("port"); !ok || h.ix.Len() != 5 {
		t.Errorf("after a bad file: %d passages, want 5 and article port", h.ix.Len())
	}

	// Removed.
	if err := os.Remove(fest); err != nil {
		t.Fatal(err)
	}
	h.waitFor("festival removed", func() bool { return !hasArticle("local/festival")() })
	// fsnotify may report the removal twice; the second reload finds the
	// corpus unchanged and says so in the stats instead of the removal.
	if st := h.ix.LastStats(); h.ix.Len() != 4 || (st.Removed != 1 && !st.Unchanged) {
		t.Errorf("after removal: %d passages, stats %+v; want 4 and 1 removed", h.ix.Len(), st)
	}
	if _, ok := h.ix.Passage("local/festival:p1.1"); ok {
		t.Errorf("removed passage still served")
	}
	stopSearches()
	if searches.Load() == 0 {
		t.Errorf("no search ran during the updates")
	}
}

func TestWatchKeepsIndexWhenLoadFails(t *testing.T) {
	h := startWatch(t)
	before := h.ix.Len()
	for _, f := range []string{"rain.txt", "port.txt"} {
		if err := os.Remove(filepath.Join(h.dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	h.waitFor("load failure reported", func() bool { return h.failed.Load() > 0 })
	if h.ix.Len() != before {
		t.Errorf("after a failed load the index has %d passages, want the previous %d", h.ix.Len(), before)
	}
	if ans, err := h.ix.Search(context.Background(), Query{Text: "rain northern hills"}); err != nil || len(ans.Results) == 0 {
		t.Errorf("index stopped serving: %v %+v", err, ans)
	}
	// The corpus comes back: the watcher recovers.
	writeArticle(t, filepath.Join(h.dir, "rain.txt"), "Rain is expected over the northern hills tomorrow, forecasters said on Monday.\n")
	h.waitFor("recovered", func() bool { return h.ix.Len() == 1 })
}
