//go:build !unix

package retrieval

import (
	"log/slog"
	"time"
)

// lockDir is a no-op where flock(2) is not available: saves stay atomic
// and checksummed, so two processes sharing a directory can at worst force
// a rebuild, never mixed vectors.
func lockDir(string, time.Duration, *slog.Logger) (func(), error) { return func() {}, nil }
