//go:build !unix

package retrieval

import "time"

// cpuTime is unknown here (see cputime_unix.go).
func cpuTime() (time.Duration, bool) { return 0, false }
