package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"citebot/corpus"
	"citebot/retrieval"
)

const indexUsage = `Usage: citebot index [-watch]

Builds the index of the corpus (CITEBOT_CORPUS, or the bundled one) with the
configured embedder, or refreshes the persisted one at CITEBOT_INDEX: only new
or changed passages are embedded, removed ones are deleted, the rest is kept.
Prints what it did.

With CITEBOT_STORE=weaviate it syncs the corpus into the Weaviate collection
named after the embedder configuration instead (created when missing, with
CITEBOT_WEAVIATE_REPLICATION replicas): adds, updates and deletes by content
hash, so a run with nothing changed writes and embeds nothing.

Flags:
  -watch   (CITEBOT_STORE=weaviate) keep running and sync again whenever a
           file under CITEBOT_CORPUS changes, until SIGINT or SIGTERM
`

func runIndex(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
	watch := fs.Bool("watch", false, "")
	pos, err := parseFlags(fs, indexUsage, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef(indexUsage, "unexpected argument %q", pos[0])
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	if c.Store == "weaviate" {
		return runIndexWeaviate(ctx, e, c, *watch)
	}
	if *watch {
		return usagef(indexUsage, "-watch needs CITEBOT_STORE=weaviate (serve follows CITEBOT_CORPUS itself)")
	}
	start := time.Now()
	ix, err := openIndex(ctx, c, e.logger(c), e.stderr, nil)
	if err != nil {
		return err
	}
	if err := ix.Save(ctx); err != nil {
		return fmt.Errorf("saving the index to CITEBOT_INDEX=%s: %w", c.Index, err)
	}
	st := ix.LastStats()
	where := "in memory only (CITEBOT_INDEX=off)"
	if c.Index != "off" {
		where = "saved to " + c.Index
	}
	fmt.Fprintf(e.stdout, "%d passages with %s: %d added, %d changed, %d removed, %d kept (%d embedded) in %v; %s\n",
		ix.Len(), ix.Embedder().Name(), st.Added, st.Changed, st.Removed, st.Kept, st.Embedded,
		time.Since(start).Round(time.Millisecond), where)
	return nil
}

// runIndexWeaviate syncs the corpus into Weaviate, once or (watch) at every
// change of CITEBOT_CORPUS.
func runIndexWeaviate(ctx context.Context, e *env, c config, watch bool) error {
	log := e.logger(c)
	if watch && c.Corpus == "" {
		return usagef(indexUsage, "-watch needs CITEBOT_CORPUS: the bundled corpus never changes")
	}
	st, _, err := openWeaviate(c, log, nil)
	if err != nil {
		return err
	}
	progress := retrieval.NewProgressPrinter(e.stderr, isTerminal(e.stderr), log)
	if !watch {
		cp, err := loadCorpus(c, log)
		if err != nil {
			return err
		}
		_, err = syncWeaviate(ctx, st, cp, e.stdout, progress)
		return err
	}
	// The watcher syncs once at start, then after every change; a failed
	// sync is logged and retried at the next change or rescan.
	err = retrieval.WatchFunc(ctx, c.Corpus, func(ctx context.Context, cp *corpus.Corpus) (retrieval.UpdateStats, error) {
		s, err := syncWeaviate(ctx, st, cp, e.stdout, progress)
		return asUpdateStats(s), err
	}, retrieval.WatchOptions{Logger: log})
	if err != nil {
		return fmt.Errorf("CITEBOT_CORPUS=%s: %w", c.Corpus, err)
	}
	return nil
}
