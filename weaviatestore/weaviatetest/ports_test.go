package weaviatetest

import (
	"net"
	"os"
	"strconv"
	"testing"
)

// TestPortsOutsideTheEphemeralRange: the ports of two clusters starting at
// once are distinct, come in Raft pairs where asked, lie outside the range
// the kernel hands to connect() and to listens on port 0, and stay out of
// each other's way while released (each cluster draws from blocks only it
// has locked).
func TestPortsOutsideTheEphemeralRange(t *testing.T) {
	lo, hi := portRange()
	if hi == 0 {
		t.Skip("the kernel's ephemeral range leaves no room: ports come from listens on port 0")
	}
	a, b := newPorts(t), newPorts(t)
	seen := map[int]string{}
	take := func(p *ports, name string, pair bool) {
		got := []int{p.next(pair)}
		if pair {
			got = append(got, got[0]+1)
		}
		for _, q := range got {
			if q < lo || q > hi {
				t.Errorf("%s: port %d outside %d-%d", name, q, lo, hi)
			}
			if other, dup := seen[q]; dup {
				t.Errorf("port %d handed to %s and %s", q, other, name)
			}
			seen[q] = name
		}
	}
	for range 3 * 5 {
		take(a, "a", false)
		take(b, "b", false)
	}
	for range 3 {
		take(a, "a", true)
		take(b, "b", true)
	}
	if a.end == b.end {
		t.Errorf("both clusters draw from the block ending at %d", a.end)
	}
	if fileLocks {
		f, err := os.Open(blockLock(a.end - blockSize))
		if err != nil {
			t.Fatal(err)
		}
		if tryLock(f) {
			t.Errorf("another process could lock the block a draws from (%s)", f.Name())
		}
		f.Close()
	}
	a.release()
	b.release()
	// Released, they are free for the nodes.
	for q := range seen {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(q))
		if err != nil {
			t.Fatalf("port %d still held after release: %v", q, err)
		}
		l.Close()
	}
}
