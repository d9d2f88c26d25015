//go:build unix

package retrieval

import (
	"syscall"
	"time"
)

// cpuTime is the process's user and system CPU time, for benchmarks: on a
// shared machine it varies less than wall time. ok is false where unknown.
func cpuTime() (d time.Duration, ok bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
