package main

import (
	"context"
	"flag"
	"fmt"
	"time"
)

const indexUsage = `Usage: citebot index

Builds the index of the corpus (CITEBOT_CORPUS, or the bundled one) with the
configured embedder, or refreshes the persisted one at CITEBOT_INDEX: only new
or changed passages are embedded, removed ones are deleted, the rest is kept.
Prints what it did.
`

func runIndex(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("index", flag.ContinueOnError)
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
