// Package weaviatetest runs real Weaviate servers on 127.0.0.1 for tests: a
// single node or a cluster of several, each a child process started and
// stopped by pid, with its data in the test's temporary directory.
//
// The server binary is $CITEBOT_WEAVIATE_SERVER, else
// ${XDG_CACHE_HOME:-$HOME/.cache}/citebot-ci/bin/weaviate-server (where
// .ci/run installs it with go install). Without it, tests are skipped,
// except under CI=true, where they fail.
package weaviatetest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Version is the Weaviate release the tests and the compose example use.
const Version = "v1.35.2"

// Binary returns the server binary's path, skipping t (failing it under
// CI=true) when there is none.
func Binary(t testing.TB) string {
	t.Helper()
	p := os.Getenv("CITEBOT_WEAVIATE_SERVER")
	if p == "" {
		dir := os.Getenv("XDG_CACHE_HOME")
		if dir == "" {
			home, _ := os.UserHomeDir()
			dir = filepath.Join(home, ".cache")
		}
		p = filepath.Join(dir, "citebot-ci", "bin", "weaviate-server")
	}
	if _, err := os.Stat(p); err != nil {
		msg := fmt.Sprintf("no Weaviate server at %s (go install github.com/weaviate/weaviate/cmd/weaviate-server@%s, or set CITEBOT_WEAVIATE_SERVER)", p, Version)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// Options configures a cluster.
type Options struct {
	// Nodes is the number of nodes; 0 means 1.
	Nodes int
	// APIKey, when set, turns anonymous access off and allows only this key.
	APIKey string
}

// Node is one server.
type Node struct {
	Name string
	// URL is the node's HTTP base URL.
	URL string

	env  []string
	dir  string
	log  string
	http int
	gossip,
	raft int
	mu  sync.Mutex
	cmd *exec.Cmd
	// exited is closed when the process has been reaped.
	exited chan struct{}
}

// Cluster is a set of nodes started together.
type Cluster struct {
	Nodes []*Node
	bin   string
	t     testing.TB
}

// Start starts a cluster and waits until every node is ready; it is
// stopped when the test ends.
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	bin := Binary(t)
	n := max(1, opts.Nodes)
	c := &Cluster{bin: bin, t: t}
	pp := newPorts(t)
	ports := make([]int, 5*n)
	for i := range ports {
		ports[i] = pp.next(false)
	}
	raft := make([]int, n)
	for i := range raft {
		raft[i] = pp.next(true)
	}
	pp.release()
	root := t.TempDir()
	var raftJoin []string
	for i := range n {
		raftJoin = append(raftJoin, fmt.Sprintf("node%d:%d", i+1, raft[i]))
	}
	for i := range n {
		p := ports[5*i : 5*i+5]
		nd := &Node{Name: fmt.Sprintf("node%d", i+1), http: p[0], gossip: p[1], raft: raft[i],
			dir: filepath.Join(root, fmt.Sprintf("node%d", i+1))}
		nd.URL = fmt.Sprintf("http://127.0.0.1:%d", nd.http)
		nd.log = nd.dir + ".log"
		nd.env = []string{
			"CLUSTER_HOSTNAME=" + nd.Name,
			"CLUSTER_ADVERTISE_ADDR=127.0.0.1",
			"CLUSTER_BIND_ADDR=127.0.0.1",
			"CLUSTER_IN_LOCALHOST=true",
			"CLUSTER_GOSSIP_BIND_PORT=" + strconv.Itoa(p[1]),
			"CLUSTER_DATA_BIND_PORT=" + strconv.Itoa(p[2]),
			"RAFT_PORT=" + strconv.Itoa(raft[i]),
			"RAFT_INTERNAL_RPC_PORT=" + strconv.Itoa(raft[i]+1),
			"RAFT_JOIN=" + strings.Join(raftJoin, ","),
			"RAFT_BOOTSTRAP_EXPECT=" + strconv.Itoa(n),
			"GRPC_PORT=" + strconv.Itoa(p[3]),
			"GO_PROFILING_PORT=" + strconv.Itoa(p[4]),
			"PERSISTENCE_DATA_PATH=" + nd.dir,
			"DEFAULT_VECTORIZER_MODULE=none",
			"DISABLE_TELEMETRY=true",
			"LOG_LEVEL=warning",
			"QUERY_DEFAULTS_LIMIT=25",
			"GOMAXPROCS=2",
			// Weaviate 1.35.2's BlockMax WAND drops matches of terms still
			// in the memtable from limited BM25 queries (weaviate#11780,
			// fixed upstream); the classic inverted index ranks exactly.
			"USE_INVERTED_SEARCHABLE=false",
			// Async replication (of replicated collections) compares a
			// node's objects with the others' every 30s by default, skips
			// objects written in the last 30s, and after a failed
			// comparison waits for the next period. A restarted node
			// caught up in 33-40s, against TestWeaviateCluster's 90s:
			// two more failed comparisons on a loaded machine would pass
			// it. Every 2s, on objects older than 1s, it takes ~3s and a
			// failure costs seconds; the deadline stays.
			"ASYNC_REPLICATION_FREQUENCY=2s",
			"ASYNC_REPLICATION_PROPAGATION_DELAY=1s",
		}
		if opts.APIKey != "" {
			nd.env = append(nd.env, "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=false",
				"AUTHENTICATION_APIKEY_ENABLED=true", "AUTHENTICATION_APIKEY_ALLOWED_KEYS="+opts.APIKey,
				"AUTHENTICATION_APIKEY_USERS=citebot")
		} else {
			nd.env = append(nd.env, "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true")
		}
		c.Nodes = append(c.Nodes, nd)
	}
	t.Cleanup(c.Stop)
	for i := range c.Nodes {
		c.start(i)
	}
	for i := range c.Nodes {
		c.WaitReady(i, 60*time.Second)
	}
	return c
}

// URLs returns the nodes' base URLs, starting with node first.
func (c *Cluster) URLs(first int) []string {
	var out []string
	for k := range c.Nodes {
		out = append(out, c.Nodes[(first+k)%len(c.Nodes)].URL)
	}
	return out
}

// start launches node i, joining the gossip of the others.
func (c *Cluster) start(i int) {
	c.t.Helper()
	nd := c.Nodes[i]
	var join []string
	for k, o := range c.Nodes {
		if k != i && (k < i || o.running()) {
			join = append(join, fmt.Sprintf("127.0.0.1:%d", o.gossip))
		}
	}
	logf, err := os.OpenFile(nd.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(c.bin, "--host", "127.0.0.1", "--port", strconv.Itoa(nd.http), "--scheme", "http")
	cmd.Env = append(append(os.Environ(), nd.env...), "CLUSTER_JOIN="+strings.Join(join, ","))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		c.t.Fatalf("start %s: %v", nd.Name, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(exited)
	}()
	nd.mu.Lock()
	nd.cmd, nd.exited = cmd, exited
	nd.mu.Unlock()
	// The next node joins this one's gossip, and a node whose join fails
	// exits: wait until it listens.
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", nd.gossip), time.Second)
		if err == nil {
			conn.Close()
			return
		}
		if !nd.running() || time.Now().After(deadline) {
			c.t.Fatalf("%s never listened on its gossip port:\n%s", nd.Name, c.Log(i))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (nd *Node) running() bool {
	nd.mu.Lock()
	defer nd.mu.Unlock()
	if nd.cmd == nil {
		return false
	}
	select {
	case <-nd.exited:
		return false
	default:
		return true
	}
}

// WaitReady waits for node i's /v1/.well-known/ready.
func (c *Cluster) WaitReady(i int, timeout time.Duration) {
	c.t.Helper()
	nd := c.Nodes[i]
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if !nd.running() {
			c.t.Fatalf("%s exited:\n%s", nd.Name, c.Log(i))
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, _ := http.NewRequestWithContext(ctx, "GET", nd.URL+"/v1/.well-known/ready", nil)
		resp, err := http.DefaultClient.Do(req)
		cancel()
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	var logs strings.Builder
	for k := range c.Nodes {
		fmt.Fprintf(&logs, "--- %s (running %v):\n%s\n", c.Nodes[k].Name, c.Nodes[k].running(), c.Log(k))
	}
	c.t.Fatalf("%s not ready after %v:\n%s", nd.Name, timeout, logs.String())
}

// Kill sends SIGKILL to node i and waits until it is gone.
func (c *Cluster) Kill(i int) { c.signal(i, syscall.SIGKILL, 0) }

// Restart starts node i again on its data and waits until it is ready.
func (c *Cluster) Restart(i int) {
	c.t.Helper()
	if c.Nodes[i].running() {
		c.t.Fatalf("%s is still running", c.Nodes[i].Name)
	}
	c.start(i)
	c.WaitReady(i, 60*time.Second)
}

// RestartAll starts every stopped node again on its data and waits until
// all are ready (a Raft cluster needs its quorum back before any is).
func (c *Cluster) RestartAll() {
	c.t.Helper()
	for i, nd := range c.Nodes {
		if !nd.running() {
			c.start(i)
		}
	}
	for i := range c.Nodes {
		c.WaitReady(i, 90*time.Second)
	}
}

// signal sends sig to node i's process and waits for it to exit, killing
// it after grace (0: wait without a grace limit beyond 30s).
func (c *Cluster) signal(i int, sig syscall.Signal, grace time.Duration) {
	nd := c.Nodes[i]
	nd.mu.Lock()
	cmd, exited := nd.cmd, nd.exited
	nd.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	if grace <= 0 {
		grace = 30 * time.Second
	}
	select {
	case <-exited:
	case <-time.After(grace):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// Stop stops every node (SIGTERM, SIGKILL after 10s).
func (c *Cluster) Stop() {
	var wg sync.WaitGroup
	for i := range c.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.signal(i, syscall.SIGTERM, 10*time.Second)
		}()
	}
	wg.Wait()
}

// Log returns the tail of node i's log, for failure messages.
func (c *Cluster) Log(i int) string {
	b, _ := os.ReadFile(c.Nodes[i].log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
