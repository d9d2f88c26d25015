package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"citebot/corpus"
	"citebot/retrieval"
	"citebot/weaviatestore"
)

// openWeaviate builds the store for CITEBOT_WEAVIATE_* and the embedder
// its collection is named after. wrap, when not nil, wraps the embedder.
func openWeaviate(c config, log *slog.Logger, wrap func(retrieval.Embedder) retrieval.Embedder) (*weaviatestore.Store, retrieval.Embedder, error) {
	return openWeaviatePrefix(c, log, wrap, "")
}

// openWeaviatePrefix is openWeaviate for collections named with prefix
// instead of "Citebot" (eval keeps its corpora apart from the real one).
func openWeaviatePrefix(c config, log *slog.Logger, wrap func(retrieval.Embedder) retrieval.Embedder, prefix string) (*weaviatestore.Store, retrieval.Embedder, error) {
	emb, err := newEmbedder(c, log)
	if err != nil {
		return nil, nil, &configError{fmt.Errorf("CITEBOT_EMBEDDER=%s: %w", c.Embedder, err)}
	}
	if wrap != nil {
		emb = wrap(emb)
	}
	st, err := newWeaviateStore(c, log, emb, prefix)
	if err != nil {
		return nil, nil, err
	}
	return st, emb, nil
}

// newWeaviateStore is the store for CITEBOT_WEAVIATE_* and emb's vectors.
func newWeaviateStore(c config, log *slog.Logger, emb retrieval.Embedder, prefix string) (*weaviatestore.Store, error) {
	st, err := weaviatestore.New(weaviatestore.Config{
		URLs: c.WeaviateURLs, APIKey: c.WeaviateKey, Replication: c.WeaviateReplication,
		Consistency: c.WeaviateConsistency, Logger: log, Prefix: prefix, Fusion: c.WeaviateFusion,
	}, emb)
	if err != nil {
		return nil, &configError{fmt.Errorf("CITEBOT_WEAVIATE_URL: %w", err)}
	}
	return st, nil
}

// openRemoteIndex is openIndex with CITEBOT_STORE=weaviate: the index is
// read from the collection, with no local corpus. With lenient (serve) an
// unreachable Weaviate is not fatal: the index reports itself unavailable
// and recovers when Weaviate answers (the caller runs ix.Run). A refused API
// key or another embedder's collection always is.
func openRemoteIndex(ctx context.Context, c config, log *slog.Logger, wrap func(retrieval.Embedder) retrieval.Embedder, lenient bool, onLoad func(int)) (*retrieval.Index, error) {
	st, emb, err := openWeaviate(c, log, wrap)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	err = st.Check(cctx)
	cancel()
	if err != nil {
		if !lenient || errors.Is(err, weaviatestore.ErrUnauthorized) || errors.Is(err, weaviatestore.ErrOtherEmbedder) {
			return nil, fmt.Errorf("CITEBOT_STORE=weaviate (CITEBOT_WEAVIATE_URL=%s): %w", joinURLs(c.WeaviateURLs), err)
		}
		log.Warn("weaviate not ready; serving 'index unavailable' until it is", "error", err)
	}
	cal, err := loadCalibration(c, emb.Name(), log)
	if err != nil {
		return nil, err
	}
	ix, err := retrieval.NewRemoteIndex(ctx, st, retrieval.RemoteOptions{
		Embedder: emb, Logger: log, Calibration: cal, AbstainThreshold: c.AbstainThreshold,
		BackendFusion: c.WeaviateFusion != "citebot", OnLoad: onLoad, NoLateInteraction: !c.LateInteraction,
	})
	if err != nil {
		return nil, err
	}
	if err := ix.Available(); err != nil && !lenient {
		return nil, fmt.Errorf("CITEBOT_STORE=weaviate (CITEBOT_WEAVIATE_URL=%s): %w", joinURLs(c.WeaviateURLs), err)
	}
	return ix, nil
}

func joinURLs(us []string) string {
	s := ""
	for i, u := range us {
		if i > 0 {
			s += ","
		}
		s += u
	}
	return s
}

// syncWeaviate is citebot index with CITEBOT_STORE=weaviate: one sync of
// the corpus into the collection, reported on out.
func syncWeaviate(ctx context.Context, st *weaviatestore.Store, cp *corpus.Corpus, out io.Writer, progress func(done, total int)) (weaviatestore.SyncStats, error) {
	s, err := st.Sync(ctx, cp, weaviatestore.SyncOptions{Progress: progress})
	if err != nil {
		return s, fmt.Errorf("syncing the corpus into Weaviate collection %s: %w", st.Collection(), err)
	}
	what := "nothing changed"
	if s.Wrote() {
		what = "statistics unchanged"
		if s.StatsWritten {
			what = "statistics published"
		}
	}
	_, err = fmt.Fprintf(out, "%d passages in Weaviate collection %s: %d added, %d changed, %d updated (same text), %d removed, %d kept (%d embedded); %d articles written, %d removed; %s in %v\n",
		len(cp.Passages), st.Collection(), s.Added, s.Changed, s.Updated, s.Removed, s.Kept, s.Embedded,
		s.ArticlesWritten, s.ArticlesRemoved, what, s.Duration.Round(time.Millisecond))
	return s, err
}

// asUpdateStats reports a sync as the watcher's UpdateStats.
func asUpdateStats(s weaviatestore.SyncStats) retrieval.UpdateStats {
	return retrieval.UpdateStats{Added: s.Added, Changed: s.Changed + s.Updated, Removed: s.Removed, Kept: s.Kept,
		Embedded: s.Embedded, Duration: s.Duration}
}
