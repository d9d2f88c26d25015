package retrieval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"citebot/corpus"
)

// WatchOptions configures Watch. The zero value is usable.
type WatchOptions struct {
	// Debounce is how long the directory must stay quiet after a change
	// before it is reloaded, so a burst of writes costs one update; 0 means
	// 300ms.
	Debounce time.Duration
	// Rescan is how often file sizes and modification times are compared
	// in case an event was missed (network file systems, overflowing
	// queues); 0 means 30s, < 0 disables it.
	Rescan time.Duration
	// Logger receives reloads, skipped files and failures; nil discards them.
	Logger *slog.Logger
	// OnUpdate, if set, is called after each reload attempt with its stats
	// or error (for tests and metrics).
	OnUpdate func(UpdateStats, error)
}

// Watch keeps ix in step with the corpus directory dir until ctx is done,
// then returns nil. Once its watches are in place it reloads once, so
// changes made while ix was being built are not missed (an unchanged corpus
// embeds nothing and is not saved again); after that, changes — a file
// added, edited, removed, in dir or any subdirectory, including new ones —
// are picked up by fsnotify, plus a periodic rescan as a fallback. Each change reloads the corpus (corpus.LoadDir; files that fail
// to parse are skipped with a warning) and calls ix.Update, which embeds only
// new or changed passages, swaps the snapshot atomically and saves it. If the
// whole load or the update fails, the current index keeps serving and the
// reload is retried at the next change or rescan. Watch returns an error
// only when dir cannot be watched at all.
func Watch(ctx context.Context, dir string, ix *Index, opts WatchOptions) error {
	if ix == nil {
		return errors.New("watch: nil index")
	}
	return WatchFunc(ctx, dir, ix.Update, opts)
}

// WatchFunc is Watch for any consumer of the corpus: apply is called with
// each reloaded corpus (for example a sync into an external store) and must
// keep what it serves when it fails.
func WatchFunc(ctx context.Context, dir string, apply func(context.Context, *corpus.Corpus) (UpdateStats, error), opts WatchOptions) error {
	if opts.Debounce <= 0 {
		opts.Debounce = 300 * time.Millisecond
	}
	if opts.Rescan == 0 {
		opts.Rescan = 30 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	defer w.Close()
	if err := watchTree(w, dir); err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	wt := &watcher{dir: dir, apply: apply, log: log, onUpdate: opts.OnUpdate}
	wt.reload(ctx)

	debounce := time.NewTimer(time.Hour)
	debounce.Stop()
	var rescan <-chan time.Time
	if opts.Rescan > 0 {
		t := time.NewTicker(opts.Rescan)
		defer t.Stop()
		rescan = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if ev.Has(fsnotify.Create) {
				if info, err := os.Stat(ev.Name); err == nil && info.IsDir() && !hidden(ev.Name) {
					// Files created before the watch is in place are
					// caught by the reload this event triggers.
					if err := watchTree(w, ev.Name); err != nil {
						log.Warn("corpus watch: cannot watch new directory", "dir", ev.Name, "err", err)
					}
				}
			}
			if !hidden(ev.Name) && !ev.Has(fsnotify.Chmod) {
				debounce.Reset(opts.Debounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			// An overflow means lost events: reload to be sure.
			log.Warn("corpus watch: event error; reloading", "dir", dir, "err", err)
			debounce.Reset(opts.Debounce)
		case <-debounce.C:
			wt.reload(ctx)
		case <-rescan:
			if now := scanTree(dir); wt.dirty || !maps.Equal(now, wt.seen) {
				wt.reload(ctx)
			}
		}
	}
}

// watcher is Watch's state between events.
type watcher struct {
	dir      string
	apply    func(context.Context, *corpus.Corpus) (UpdateStats, error)
	log      *slog.Logger
	onUpdate func(UpdateStats, error)
	seen     map[string]fileStamp // files as of the last reload
	dirty    bool                 // the last reload failed: retry at the next rescan
}

// reload loads the corpus and updates the index, keeping the current
// snapshot on any failure.
func (wt *watcher) reload(ctx context.Context) {
	wt.seen = scanTree(wt.dir)
	st, err := wt.update(ctx)
	wt.dirty = err != nil && ctx.Err() == nil
	if err != nil && ctx.Err() == nil {
		wt.log.Error("corpus reload failed; still serving the previous index", "dir", wt.dir, "err", err)
	}
	if wt.onUpdate != nil {
		wt.onUpdate(st, err)
	}
}

func (wt *watcher) update(ctx context.Context) (UpdateStats, error) {
	c, warns, err := corpus.LoadDir(wt.dir)
	for _, w := range warns {
		wt.log.Warn("corpus file skipped", "file", w.File, "err", w.Err)
	}
	if err != nil {
		return UpdateStats{}, err
	}
	return wt.apply(ctx, c)
}

// fileStamp is what the rescan compares.
type fileStamp struct {
	size, mtime int64
}

// scanTree stamps every regular file under dir; unreadable parts are left
// out (the reload reports them).
func scanTree(dir string) map[string]fileStamp {
	out := map[string]fileStamp{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if path != dir && hidden(path) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				out[path] = fileStamp{size: info.Size(), mtime: info.ModTime().UnixNano()}
			}
		}
		return nil
	})
	return out
}

// watchTree adds dir and its subdirectories to w, skipping hidden ones as
// corpus.Load does.
func watchTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			return nil
		}
		if !d.IsDir() {
			return nil
		}
		if path != dir && hidden(path) {
			return fs.SkipDir
		}
		return w.Add(path)
	})
}

// hidden reports names corpus.Load ignores (".git", editor swap files)
// and editor backups ("x.md~").
func hidden(path string) bool {
	base := filepath.Base(path)
	return strings.HasPrefix(base, ".") || strings.HasSuffix(base, "~")
}
