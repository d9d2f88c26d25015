package retrieval

import (
	"context"
	"sync"
	"time"
)

// retrainer rebalances the dense store in the background: after a publish,
// when the store asks for new centroids (store.needsRetrain), one goroutine
// trains them and lays the same documents out anew while queries and
// updates go on, then swaps the new layout into the live snapshot's store
// atomically, if no update replaced that snapshot meanwhile (else it checks
// the newer one). The zero value is ready.
type retrainer struct {
	mu      sync.Mutex
	running bool
	wg      sync.WaitGroup
	logged  string // layoutStamp last described in the log
}

// check logs s's store layout when it is new and starts a retrain of it if
// it needs one and none is running.
func (r *retrainer) check(ix *Index, s *snapshot) {
	if s == nil || s.store == nil {
		return
	}
	r.describe(ix, s)
	why := s.store.needsRetrain()
	if why == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running {
		return
	}
	r.running = true
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		next := ix.retrain(s, why)
		r.mu.Lock()
		r.running = false
		r.mu.Unlock()
		if next != nil {
			r.check(ix, next)
		}
	}()
}

// describe logs how s's vector store is laid out, once per layout.
func (r *retrainer) describe(ix *Index, s *snapshot) {
	stamp := layoutStamp(s)
	r.mu.Lock()
	seen := stamp == r.logged
	r.logged = stamp
	r.mu.Unlock()
	if seen {
		return
	}
	l := s.store.layout.Load()
	switch {
	case l.cents != nil:
		ix.log.Info("vector store partitioned", "passages", l.n, "partitions", len(l.parts),
			"probes", s.store.cfg.probes(l), "calibrated_probes", l.probes, "scan_share", l.scanShare, "imbalance", l.imbalance())
	case l.sk != nil:
		ix.log.Info("vector store exact, with a sketch: each query re-scores its best candidates by their signatures", "passages", l.n,
			"candidates", s.store.cfg.candidates(l), "calibrated_candidates", l.candidates, "calibrated_recall", l.candRecall)
	case l.triedN > 0:
		ix.log.Info("vector store exact: neither a sketch nor partitions would pay for these vectors", "passages", l.n,
			"probes_for_recall", l.probes, "scan_share", l.scanShare)
	}
}

// wait blocks until no retrain runs (tests, bench).
func (r *retrainer) wait() { r.wg.Wait() }

// retrain lays s's store out over new centroids and swaps the layout in if
// s is still live. It returns the live snapshot when s was replaced
// meanwhile, so the caller checks that one instead.
func (ix *Index) retrain(s *snapshot, why string) *snapshot {
	start := time.Now()
	ix.log.Info("retraining vector partitions", "reason", why, "passages", s.store.count())
	// Not the caller's context: this outlives the update that started it.
	ns, err := s.store.retrained(context.Background())
	if err != nil {
		ix.log.Warn("vector partitions not retrained", "err", err)
		return nil
	}
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	if cur := ix.snap.Load(); cur != s {
		return cur
	}
	l := ns.layout.Load()
	s.store.layout.Store(l)
	ix.log.Info("vector partitions retrained", "duration", time.Since(start))
	ix.retrainer.describe(ix, s)
	if ix.per != nil {
		if err := ix.per.saveSnapshot(context.Background(), ix.emb.Name(), s, false); err != nil {
			ix.log.Warn("index not saved", "dir", ix.per.dir, "err", err)
		}
	}
	return nil
}
