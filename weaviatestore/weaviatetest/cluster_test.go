package weaviatetest

import "testing"

// TestClusterRestart: three nodes start, stop, and start again on their
// data.
func TestClusterRestart(t *testing.T) {
	c := Start(t, Options{Nodes: 3})
	c.Stop()
	c.RestartAll()
	c.Kill(1)
	c.Restart(1)
}
