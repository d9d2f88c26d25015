package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"citebot/corpus"
	"citebot/retrieval"
)

const benchUsage = `Usage: citebot bench [-sizes 1000,10000,100000] [-persist 100000]
                     [-ann 10000,100000] [-probes 4,8,16,32,64] [-candidates 500,1000,2000,4000,8000]
                     [-ann-embedder hash|minilm] [-topic-free]
                     [-ann-index DIR|off] [-ann-prepare] [-ann-queries 40] [-ann-corpus DIR]
       citebot bench -embedder minilm [-sizes 10000]
       citebot bench -store weaviate [-sizes 10000,100000]

Builds synthetic corpora of the given sizes (passages) from a seeded generator
and prints, for each: index build time, passages embedded per second, query
latency p50/p95 for hybrid, chromem-go alone and BM25 alone, and memory. Then,
with a persisted index of -persist passages in a temporary directory: the
restart time (load, diff, no embedding) and the time to take in one changed
article. Then the vector store's approximate layouts against chromem-go's
exact scan, over a synthetic corpus with topics at each -ann size: build time,
and for the exact scan, each sketch candidate count and each probe count the
dense query's p50/p95, its recall@10 and
recall@50 against the exact ranking and the hybrid search's p50/p95; one
changed article and a no-op update; memory (1000000 passages: about 4 GiB and
several minutes). It is a benchmark, not a test: figures depend on the machine.

With -embedder minilm (the model must be installed: citebot model install) it
first measures the model itself — load time, resident memory, passages
embedded per second on the bundled corpus, query embedding p50/p95 — then the
table above with MiniLM vectors (384 dims), every passage embedded by the
model (10k passages take several minutes), and no persistence benchmark.

With -store weaviate (CITEBOT_WEAVIATE_URL; one node is enough) it compares,
at each size (default 10000,100000) in one run, the in-process index and
Weaviate: build time against sync time and import rate, hybrid search
p50/p95 through each, Weaviate's raw kNN and BM25 query times, and this
process's heap. It uses its own CitebotBench… collections and drops them.

Flags:
  -store NAME         memory (default) or weaviate
  -sizes LIST         comma-separated corpus sizes (default 1000,10000,100000;
                      10000 with -embedder minilm)
  -persist N          passages in the persistence benchmark; 0 skips it (default 100000)
  -embedder NAME      hash (the default) or minilm
  -ann LIST           corpus sizes for the partitioned store; 0 skips it (default 10000,100000)
  -probes LIST        probe counts to measure (default 4,8,16,32,64; the calibrated one is added;
                      0 measures no partitions: training them takes minutes at 1000000)
  -candidates LIST    sketch candidate counts to measure (default 500,1000,2000,4000,8000;
                      the calibrated one is added)
  -ann-embedder NAME  hash (default) or minilm (the installed model; slow: a few
                      hundred passages a minute on 2 busy cores)
  -topic-free         also measure the topic-free corpus, the worst case for partitions
  -ann-index DIR      keep the -ann corpora's vectors in persisted indexes under DIR, so
                      a second run embeds nothing (default with -ann-embedder minilm:
                      citebot-bench in the user cache directory; off: no cache)
  -ann-queries N      queries per -ann figure (default 40; fewer at 1000000 passages,
                      where the exact scan takes seconds a query)
  -ann-prepare        only embed the -ann corpora into the -ann-index cache, measuring
                      nothing: a one-off job to run first, e.g. under nice -n 19
  -ann-corpus DIR     measure the partitioned store on this corpus directory (your own
                      articles, any format citebot loads) instead of the synthetic
                      corpora; -ann sizes are then ignored. Made-up words do not cluster
                      for a semantic model: real text shows what partitions give

Example: embed 100k MiniLM vectors once (about half an hour of both cores), then measure:
  nice -n 19 citebot bench -ann 100000 -ann-embedder minilm -ann-prepare
  citebot bench -sizes 1000 -persist 0 -ann 10000,100000 -ann-embedder minilm -probes 4,8,16,32
`

func runBench(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	sizesFlag := fs.String("sizes", "1000,10000,100000", "")
	persist := fs.Int("persist", 100000, "")
	embedder := fs.String("embedder", "hash", "")
	annFlag := fs.String("ann", "10000,100000", "")
	probesFlag := fs.String("probes", "4,8,16,32,64", "")
	candFlag := fs.String("candidates", "500,1000,2000,4000,8000", "")
	annEmb := fs.String("ann-embedder", "hash", "")
	topicFree := fs.Bool("topic-free", false, "")
	annIndex := fs.String("ann-index", "", "")
	annPrepare := fs.Bool("ann-prepare", false, "")
	annQueries := fs.Int("ann-queries", 40, "")
	annCorpus := fs.String("ann-corpus", "", "")
	store := fs.String("store", "memory", "")
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
	switch *store {
	case "memory":
	case "weaviate":
		if !flagSet(fs, "sizes") {
			sizes = []int{10000, 100000}
		}
		return benchWeaviate(ctx, e, sizes)
	default:
		return usagef(benchUsage, "-store: want memory or weaviate, got %q", *store)
	}
	if *embedder == "minilm" {
		return benchMiniLM(ctx, e, sizes)
	}
	if *annQueries < 1 || *annQueries > 10000 {
		return usagef(benchUsage, "-ann-queries: want 1 to 10000, got %d", *annQueries)
	}
	ann := retrieval.BenchANNOptions{TopicFree: *topicFree, PrepareOnly: *annPrepare, Queries: *annQueries}
	if *annCorpus != "" {
		c, warns, err := corpus.LoadDir(*annCorpus)
		if err != nil {
			return fmt.Errorf("-ann-corpus: %w", err)
		}
		if len(warns) > 0 {
			fmt.Fprintf(e.stderr, "-ann-corpus: %d files skipped (first: %v)\n", len(warns), warns[0])
		}
		ann.Corpus, ann.CorpusName = c, filepath.Base(filepath.Clean(*annCorpus))
	}
	if strings.TrimSpace(*annFlag) != "0" {
		if ann.Sizes, err = intList(*annFlag, 100, 1_000_000); err != nil {
			return usagef(benchUsage, "-ann: %v", err)
		}
	}
	if strings.TrimSpace(*probesFlag) == "0" {
		ann.NoIVF = true
	} else if ann.Probes, err = intList(*probesFlag, 1, 100_000); err != nil {
		return usagef(benchUsage, "-probes: %v", err)
	}
	if ann.Candidates, err = intList(*candFlag, 1, 10_000_000); err != nil {
		return usagef(benchUsage, "-candidates: %v", err)
	}
	switch *annEmb {
	case "hash":
	case "minilm":
		c, err := e.config()
		if err != nil {
			return err
		}
		if ann.Embedder, err = loadMiniLM(c); err != nil {
			return fmt.Errorf("-ann-embedder minilm: %w", err)
		}
	default:
		return usagef(benchUsage, "-ann-embedder: want hash or minilm, got %q", *annEmb)
	}
	switch dir := strings.TrimSpace(*annIndex); {
	case strings.EqualFold(dir, "off"):
	case dir != "":
		ann.CacheDir = dir
	case *annEmb == "minilm":
		// Beside the user's indexes, not under them: `citebot index
		// -prune` must not take the bench's vectors for stale indexes.
		if root := defaultIndexDir(e.getenv); root != "off" {
			ann.CacheDir = root + "-bench"
		}
	}
	if ann.PrepareOnly {
		if len(ann.Sizes) == 0 && ann.Corpus == nil {
			return usagef(benchUsage, "-ann-prepare: no -ann sizes to prepare")
		}
		if ann.CacheDir == "" {
			return usagef(benchUsage, "-ann-prepare: needs a cache (-ann-index DIR)")
		}
		return retrieval.BenchANN(ctx, ann, e.stdout)
	}
	if err := retrieval.Bench(ctx, sizes, e.stdout); err != nil {
		return err
	}
	if *persist != 0 {
		fmt.Fprintln(e.stdout)
		if err := retrieval.BenchPersist(ctx, *persist, e.stdout); err != nil {
			return err
		}
	}
	if len(ann.Sizes) == 0 && ann.Corpus == nil {
		return nil
	}
	fmt.Fprintln(e.stdout)
	return retrieval.BenchANN(ctx, ann, e.stdout)
}

// intList parses a comma-separated list of whole numbers in [lo, hi].
func intList(s string, lo, hi int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < lo || n > hi {
			return nil, fmt.Errorf("%q is not a whole number from %d to %d", f, lo, hi)
		}
		out = append(out, n)
	}
	return out, nil
}
