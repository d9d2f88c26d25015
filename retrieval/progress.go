package retrieval

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Throttles for NewProgressPrinter: a terminal line is redrawn at most
// this often, a log line written at most this often.
const (
	progressTermEvery = 200 * time.Millisecond
	progressLogEvery  = 10 * time.Second
)

// NewProgressPrinter returns an Options.Progress callback that reports
// embedding progress as "passages done/total, rate, ETA": on a terminal
// (isTerminal) as one line on w redrawn in place at most every 200ms and
// ended with a newline when done; otherwise as an Info line on log at most
// every 10s and at the end. A call with done == 0 starts a new run. Safe
// for concurrent use; w and log may be nil.
func NewProgressPrinter(w io.Writer, isTerminal bool, log *slog.Logger) func(done, total int) {
	return newProgressPrinter(w, isTerminal, log, time.Now)
}

func newProgressPrinter(w io.Writer, isTerminal bool, log *slog.Logger, now func() time.Time) func(done, total int) {
	var (
		mu    sync.Mutex
		start time.Time
		last  time.Time
	)
	return func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		t := now()
		if done == 0 || start.IsZero() {
			start, last = t, time.Time{}
		}
		finished := done >= total
		every := progressLogEvery
		if isTerminal {
			every = progressTermEvery
		}
		if !finished && !last.IsZero() && t.Sub(last) < every {
			return
		}
		if !finished && done == 0 && !isTerminal {
			return // nothing to say yet
		}
		last = t
		elapsed := t.Sub(start)
		rate, eta := 0.0, time.Duration(0)
		if elapsed > 0 && done > 0 {
			rate = float64(done) / elapsed.Seconds()
			eta = time.Duration(float64(total-done) / rate * float64(time.Second))
		}
		if isTerminal {
			if w == nil {
				return
			}
			if finished {
				fmt.Fprintf(w, "\rembedded %d passages in %s (%.0f/s)%30s\n", total, elapsed.Round(time.Millisecond), rate, "")
				return
			}
			fmt.Fprintf(w, "\rembedding passages %d/%d (%.0f%%), %.0f/s, ETA %s   ", done, total, pctOf(done, total), rate, eta.Round(time.Second))
			return
		}
		if log != nil {
			log.Info("embedding passages", "done", done, "total", total, "percent", fmt.Sprintf("%.0f", pctOf(done, total)),
				"per_second", fmt.Sprintf("%.0f", rate), "eta", eta.Round(time.Second).String())
		}
	}
}

func pctOf(done, total int) float64 {
	if total <= 0 {
		return 100
	}
	return 100 * float64(done) / float64(total)
}
