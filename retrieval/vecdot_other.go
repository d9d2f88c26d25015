//go:build !amd64

package retrieval

var dotImpl = dotUnrolled
