package retrieval

import (
	"strings"
	"testing"
	"time"
)

func TestProgressPrinter(t *testing.T) {
	type call struct {
		at          time.Duration // since the run started
		done, total int
	}
	tests := []struct {
		name     string
		terminal bool
		calls    []call
		want     []string // substrings, in order
		lines    int      // output lines (terminal: "\r" redraws; log: records)
	}{
		{"terminal", true, []call{{0, 0, 1000}, {100 * time.Millisecond, 100, 1000}, {time.Second, 500, 1000}, {2 * time.Second, 1000, 1000}},
			[]string{"0/1000", "500/1000 (50%), 500/s, ETA 1s", "embedded 1000 passages in 2s (500/s)"}, 3},
		{"log throttled", false, []call{{0, 0, 100}, {time.Second, 10, 100}, {5 * time.Second, 50, 100}, {11 * time.Second, 90, 100}, {12 * time.Second, 100, 100}},
			[]string{"done=10 total=100", "done=90 total=100 percent=90 per_second=8 eta=1s", "done=100 total=100"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out logBuffer
			base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			var now time.Time
			p := newProgressPrinter(&out, tt.terminal, out.logger(), func() time.Time { return now })
			for _, c := range tt.calls {
				now = base.Add(c.at)
				p(c.done, c.total)
			}
			got := out.String()
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%q", w, got)
				}
				rest = rest[i+len(w):]
			}
			sep := "\n"
			if tt.terminal {
				sep = "\r"
			}
			if n := strings.Count(got, sep); n != tt.lines {
				t.Errorf("%d lines, want %d:\n%q", n, tt.lines, got)
			}
		})
	}
}
