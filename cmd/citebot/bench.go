package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"citebot/retrieval"
)

const benchUsage = `Usage: citebot bench [-sizes 1000,10000,100000] [-persist 100000]
       citebot bench -embedder minilm [-sizes 10000]

Builds synthetic corpora of the given sizes (passages) from a seeded generator
and prints, for each: index build time, passages embedded per second, query
latency p50/p95 for hybrid, chromem-go alone and BM25 alone, and memory. Then,
with a persisted index of -persist passages in a temporary directory: the
restart time (load, diff, no embedding) and the time to take in one changed
article. It is a benchmark, not a test: figures depend on the machine.

With -embedder minilm (the model must be installed: citebot model install) it
first measures the model itself — load time, resident memory, passages
embedded per second on the bundled corpus, query embedding p50/p95 — then the
table above with MiniLM vectors (384 dims), every passage embedded by the
model (10k passages take several minutes), and no persistence benchmark.

Flags:
  -sizes LIST      comma-separated corpus sizes (default 1000,10000,100000;
                   10000 with -embedder minilm)
  -persist N       passages in the persistence benchmark; 0 skips it (default 100000)
  -embedder NAME   hash (the default) or minilm
`

func runBench(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	sizesFlag := fs.String("sizes", "1000,10000,100000", "")
	persist := fs.Int("persist", 100000, "")
	embedder := fs.String("embedder", "hash", "")
	pos, err := parseFlags(fs, benchUsage, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef(benchUsage, "unexpected argument %q", pos[0])
	}
	if *embedder != "hash" && *embedder != "minilm" {
		return usagef(benchUsage, "-embedder: want hash or minilm, got %q", *embedder)
	}
	if *embedder == "minilm" && !flagSet(fs, "sizes") {
		*sizesFlag = "10000"
	}
	var sizes []int
	for _, s := range strings.Split(*sizesFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 10 || n > 1_000_000 {
			return usagef(benchUsage, "-sizes: %q is not a size between 10 and 1000000", s)
		}
		sizes = append(sizes, n)
	}
	if *persist < 0 || *persist > 1_000_000 {
		return usagef(benchUsage, "-persist: want 0 to 1000000 passages, got %d", *persist)
	}
	if *embedder == "minilm" {
		return benchMiniLM(ctx, e, sizes)
	}
	if err := retrieval.Bench(ctx, sizes, e.stdout); err != nil {
		return err
	}
	if *persist == 0 {
		return nil
	}
	fmt.Fprintln(e.stdout)
	return retrieval.BenchPersist(ctx, *persist, e.stdout)
}
