package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"citebot/corpus"
	"citebot/retrieval"
)

const indexUsage = `Usage: citebot index [-watch | -prune]

Builds the index of the corpus (CITEBOT_CORPUS, or the bundled one) with the
configured embedder, or refreshes the persisted one: only new or changed
passages are embedded, removed ones are deleted, the rest is kept. Prints
what it did. Each embedder configuration (embedder, model, dimension and, for
a remote embedder, its server) keeps its index in a directory of its own
under CITEBOT_INDEX, so trying another one never overwrites or rebuilds it.

With CITEBOT_STORE=weaviate it syncs the corpus into the Weaviate collection
named after the embedder configuration instead (created when missing, with
CITEBOT_WEAVIATE_REPLICATION replicas): adds, updates and deletes by content
hash, so a run with nothing changed writes and embeds nothing.

Flags:
  -watch   (CITEBOT_STORE=weaviate) keep running and sync again whenever a
           file under CITEBOT_CORPUS changes, until SIGINT or SIGTERM
  -prune   instead of indexing, remove the indexes under CITEBOT_INDEX of
           every other embedder configuration, saying what each was first
`

func runIndex(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
	watch := fs.Bool("watch", false, "")
	prune := fs.Bool("prune", false, "")
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
	if *prune {
		if *watch {
			return usagef(indexUsage, "-prune and -watch do not go together")
		}
		return runPrune(e, c)
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
		return fmt.Errorf("saving the index under CITEBOT_INDEX=%s: %w", c.Index, err)
	}
	st := ix.LastStats()
	where := "in memory only (CITEBOT_INDEX=off)"
	if p := ix.Path(); p != "" {
		where = "saved to " + p
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

// runPrune removes the persisted indexes of the other embedder
// configurations under CITEBOT_INDEX, printing each before removing it.
func runPrune(e *env, c config) error {
	if indexOff(c) {
		return usagef(indexUsage, "-prune: CITEBOT_INDEX=off, so there is no index directory")
	}
	emb, err := newEmbedder(c, e.cliLogger(c))
	if err != nil {
		return &configError{fmt.Errorf("CITEBOT_EMBEDDER=%s: %w", c.Embedder, err)}
	}
	keep := retrieval.IndexDir(c.Index, emb)
	dirs, err := retrieval.IndexDirs(c.Index)
	if err != nil {
		return fmt.Errorf("CITEBOT_INDEX=%s: %w", c.Index, err)
	}
	removed := 0
	for _, d := range dirs {
		if d.Path == keep {
			continue
		}
		what := "an index with no readable manifest"
		if d.Embedder != "" {
			what = fmt.Sprintf("the index of %s (%d dims, %d passages)", d.Embedder, d.Dim, d.Passages)
		}
		fmt.Fprintf(e.stdout, "removing %s: %s, %.1f MiB\n", d.Path, what, float64(d.Bytes)/(1<<20))
		if err := retrieval.RemoveIndexDir(d.Path); err != nil {
			return err
		}
		removed++
	}
	fmt.Fprintf(e.stdout, "kept %s (%s); removed %d other index(es)\n", keep, emb.Name(), removed)
	return nil
}
