//go:build !unix

package retrieval

// lockDir is a no-op where flock(2) is not available: saves stay atomic
// and checksummed, so two processes sharing a directory can at worst force
// a rebuild, never mixed vectors.
func lockDir(string) (func(), error) { return func() {}, nil }
