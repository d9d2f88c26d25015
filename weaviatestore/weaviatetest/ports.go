package weaviatetest

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// ports hands out a cluster's ports. Each is free for TCP and UDP on
// 127.0.0.1 (memberlist gossips over both) when it is chosen, and all stay
// held until release, so no two coincide.
//
// A node binds its ports only after release, and binds them again when it
// is restarted after a kill, so a port must stay free while nobody holds
// it. Two things could take it meanwhile, and failed to start a node with
// "address already in use":
//   - The kernel, which hands ports from its ephemeral range (on Linux
//     32768-60999 by default) to every connect() and every listen on port
//     0. Linux gives connect() the even ones, and Raft's second port (p+1)
//     is even when p came from a listen on port 0: any live connection on
//     the machine could hold it. So ports come from outside that range
//     (10000-32767 on Linux), which the kernel never hands out by itself.
//   - Another test process starting a cluster at the same time (go test
//     runs packages in parallel). So the range is cut into blocks, and a
//     cluster draws only from blocks it holds an exclusive lock on (a file
//     lock in the temporary directory), until its test ends; the lock goes
//     with the process if it dies.
type ports struct {
	t        testing.TB
	lo, hi   int // the range of blocks; hi == 0: listen on port 0 instead
	cur, end int // the block being used: ports [cur, end)
	hold     []io.Closer
}

// blockSize is the number of ports in a block: a 3-node cluster needs 21.
const blockSize = 64

func newPorts(t testing.TB) *ports {
	p := &ports{t: t}
	p.lo, p.hi = portRange()
	return p
}

// portRange is a range of ports the kernel does not hand out by itself, or
// (0, 0) if the ephemeral range leaves none large enough.
func portRange() (lo, hi int) {
	const floor, room = 10000, 4000
	elo, ehi := 32768, 60999 // Linux's default (BSDs, macOS and Windows: 49152-65535)
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			a, err1 := strconv.Atoi(f[0])
			z, err2 := strconv.Atoi(f[1])
			if err1 == nil && err2 == nil && a <= z {
				elo, ehi = a, z
			}
		}
	}
	switch {
	case elo-1-floor >= room:
		return floor, elo - 1
	case 65535-ehi >= room:
		return ehi + 1, 65535
	}
	return 0, 0
}

// claimBlock locks a block of the range nobody else holds and makes it the
// current one; false if there is none.
func (p *ports) claimBlock() bool {
	_ = os.MkdirAll(filepath.Dir(blockLock(0)), 0o777) // an error shows in OpenFile
	n := (p.hi - p.lo + 1) / blockSize
	start := rand.IntN(n)
	for k := range n {
		b := (start + k) % n
		f, err := os.OpenFile(blockLock(p.lo+b*blockSize), os.O_CREATE|os.O_RDWR, 0o666)
		if err != nil {
			continue
		}
		if !tryLock(f) {
			f.Close()
			continue
		}
		p.t.Cleanup(func() { f.Close() }) // after the cluster's Stop: cleanups run last first
		p.cur, p.end = p.lo+b*blockSize, p.lo+(b+1)*blockSize
		return true
	}
	return false
}

// blockLock is the lock file of the block starting at port.
func blockLock(port int) string {
	return filepath.Join(os.TempDir(), "weaviatetest-ports", fmt.Sprintf("%d.lock", port))
}

// bind holds port on 127.0.0.1 for TCP and UDP; false if either is taken.
func (p *ports) bind(port int) bool {
	addr := "127.0.0.1:" + strconv.Itoa(port)
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	u, err := net.ListenPacket("udp", addr)
	if err != nil {
		l.Close()
		return false
	}
	p.hold = append(p.hold, l, u)
	return true
}

// next returns a free port; with pair set, port+1 is free too (Raft uses
// p and p+1).
func (p *ports) next(pair bool) int {
	p.t.Helper()
	if p.hi == 0 {
		return p.listenZero(pair)
	}
	for {
		for p.cur+boolInt(pair) < p.end {
			port := p.cur
			p.cur++
			if !p.bind(port) {
				continue
			}
			if !pair {
				return port
			}
			if p.bind(port + 1) {
				p.cur++
				return port
			}
		}
		if !p.claimBlock() {
			p.t.Fatalf("weaviatetest: no free block of %d ports in %d-%d", blockSize, p.lo, p.hi)
		}
	}
}

// listenZero is next where the kernel leaves no range of its own: a listen
// on port 0 picks.
func (p *ports) listenZero(pair bool) int {
	p.t.Helper()
	for range 1000 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			p.t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if p.bind(port) && (!pair || p.bind(port+1)) {
			return port
		}
	}
	p.t.Fatal("weaviatetest: no free ports on 127.0.0.1")
	return 0
}

// release lets the nodes bind the ports.
func (p *ports) release() {
	for _, c := range p.hold {
		c.Close()
	}
	p.hold = nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
