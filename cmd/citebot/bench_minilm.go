package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"citebot/corpus"
	"citebot/embed/minilm"
	"citebot/retrieval"
)

// benchMiniLM measures the installed MiniLM model, then the index with its
// vectors at each size.
func benchMiniLM(ctx context.Context, e *env, sizes []int) error {
	c, err := e.config()
	if err != nil {
		return err
	}
	if c.ModelDir == "" {
		return &configError{errNoModelDir}
	}
	rss0 := residentBytes()
	start := time.Now()
	m, err := minilm.Load(c.ModelDir, minilm.Options{})
	if err != nil {
		return fmt.Errorf("bench: %w (install the model with `citebot model install`)", err)
	}
	load := time.Since(start)

	cp, _, err := corpus.Bundled()
	if err != nil {
		return err
	}
	texts := make([]string, len(cp.Passages))
	pieces := 0
	for i, p := range cp.Passages {
		texts[i] = p.Text
		pieces += len(m.Tokenize(p.Text))
	}
	// Passages: the bundled corpus, over and over for at least 5 s.
	start = time.Now()
	done := 0
	for done == 0 || time.Since(start) < 5*time.Second {
		if _, err := m.EmbedDocuments(ctx, texts); err != nil {
			return err
		}
		done += len(texts)
	}
	rate := float64(done) / time.Since(start).Seconds()
	rss := residentBytes()

	// Queries: the first words of each passage.
	var qd []time.Duration
	for _, t := range texts {
		q := strings.Fields(t)
		q = q[:min(len(q), 8)]
		t0 := time.Now()
		if _, err := m.EmbedQuery(ctx, strings.Join(q, " ")); err != nil {
			return err
		}
		qd = append(qd, time.Since(t0))
	}
	slices.Sort(qd)
	fmt.Fprintf(e.stdout, "%s (%s kernel, %d cores): load %v; resident memory %s (model %s)\n",
		m.Name(), minilm.KernelName(), runtime.GOMAXPROCS(0), load.Round(time.Millisecond), mib(rss), mib(rss-rss0))
	fmt.Fprintf(e.stdout, "passages: %.1f/s over %d bundled passages (mean %d word pieces); queries of 8 words: p50 %s, p95 %s\n\n",
		rate, len(texts), pieces/len(texts), fmtMs(qd[len(qd)/2]), fmtMs(qd[len(qd)*95/100]))
	return retrieval.BenchEmbedder(ctx, sizes, m, e.stdout)
}

// residentBytes is this process's resident set size (Linux; 0 elsewhere).
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func mib(b int64) string {
	if b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}

func fmtMs(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}
