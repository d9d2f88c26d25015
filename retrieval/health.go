package retrieval

import (
	"context"
	"time"
)

// Health is what a local index lacks while it serves from memory, after a
// start-up that could not do everything: an embedding server that was down
// (some passages have no vector yet), an index directory that is read-only
// or full (the index is not saved). Index.Run retries both.
type Health struct {
	// MissingVectors counts passages without a dense vector: BM25 finds
	// them, the vector search does not, until a retry embeds them.
	MissingVectors int
	// EmbedErr is why they are missing.
	EmbedErr error
	// SaveErr is the last failed save; nil when the persisted index is up
	// to date or the index is memory-only.
	SaveErr error
}

// OK reports whether nothing is lacking.
func (h Health) OK() bool { return h.MissingVectors == 0 && h.SaveErr == nil }

// Health reports what the index lacks (always OK for a remote index).
func (ix *Index) Health() Health {
	if ix.remote != nil {
		return Health{}
	}
	s := ix.snap.Load()
	h := Health{MissingVectors: s.missing, EmbedErr: s.embedErr}
	if p := ix.saveErr.Load(); p != nil {
		h.SaveErr = *p
	}
	return h
}

// noteSave records the outcome of a save for Health.
func (ix *Index) noteSave(err error) {
	if err == nil {
		ix.saveErr.Store(nil)
		return
	}
	ix.saveErr.Store(&err)
}

// DefaultRetryInterval is how often Run retries what a degraded start
// could not do.
const DefaultRetryInterval = time.Minute

// repair retries, once, what Health says is lacking: embedding the
// passages without a vector (a rebuild of the live corpus, which publishes
// a complete snapshot when the server answers again) and saving.
func (ix *Index) repair(ctx context.Context) {
	h := ix.Health()
	if h.MissingVectors > 0 {
		ix.updateMu.Lock()
		live := ix.snap.Load()
		if live.missing > 0 {
			if _, err := ix.updateFrom(ctx, live.corpus, live); err != nil && ctx.Err() == nil {
				ix.log.Warn("embedding retry failed; still serving from memory", "error", err)
			}
		}
		ix.updateMu.Unlock()
		h = ix.Health()
	}
	if h.MissingVectors == 0 && h.SaveErr != nil && ix.per != nil {
		if err := ix.Save(ctx); err != nil {
			ix.log.Warn("index save retry failed; still serving from memory", "dir", ix.per.dir, "error", err)
		} else {
			ix.log.Info("index saved after an earlier failure", "dir", ix.per.dir)
		}
	}
}

// runLocal is Run for a local index: every interval, repair what is
// lacking, until ctx ends.
func (ix *Index) runLocal(ctx context.Context) {
	t := time.NewTicker(ix.retryEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if !ix.Health().OK() {
				ix.repair(ctx)
			}
		}
	}
}
