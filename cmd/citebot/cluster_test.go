package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"citebot/retrieval"
	"citebot/weaviatestore"
	"citebot/weaviatestore/weaviatetest"
)

// fakeWebhooks records the edits of deferred interactions by token.
type fakeWebhooks struct {
	mu    sync.Mutex
	edits map[string]string
}

func (f *fakeWebhooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	parts := strings.Split(r.URL.Path, "/")
	// /api/v10/webhooks/{app}/{token}/messages/@original
	if len(parts) >= 6 {
		f.mu.Lock()
		f.edits[parts[5]] = string(b)
		f.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"id":"1"}`)
}

func (f *fakeWebhooks) get(token string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.edits[token]
	return s, ok
}

// replica is one `citebot serve` HTTP replica running in this process.
type replica struct {
	name   string
	base   string
	cancel context.CancelFunc
	done   chan error
	log    *syncBuffer
}

type clusterRig struct {
	t     *testing.T
	priv  ed25519.PrivateKey
	pub   string
	hooks *fakeWebhooks
	api   string
	seq   atomic.Int64
}

func (rig *clusterRig) serve(name string, vars map[string]string) *replica {
	t := rig.t
	t.Helper()
	env := map[string]string{
		"CITEBOT_HTTP_ADDR": "127.0.0.1:0", "DISCORD_PUBLIC_KEY": rig.pub, "DISCORD_API_URL": rig.api,
		"CITEBOT_INDEX": "off", "CITEBOT_LOG_FORMAT": "json", "CITEBOT_RATE_LIMIT": "100000/1s",
	}
	for k, v := range vars {
		env[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{name: name, cancel: cancel, done: make(chan error, 1), log: &syncBuffer{}}
	go func() {
		r.done <- run(ctx, []string{"citebot", "serve"}, fakeEnv(env), strings.NewReader(""), io.Discard, r.log)
	}()
	r.base = waitForAddr(t, r.log, r.done)
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("%s: serve returned %v", name, err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("%s did not stop", name)
		}
		if t.Failed() {
			t.Logf("%s log:\n%s", name, tail(r.log.String(), 3000))
		}
	})
	return r
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// ask posts a signed /ask and returns what the user ends up seeing: the
// inline reply's data, or the edit of a deferred one.
func (rig *clusterRig) ask(r *replica, question string) (string, error) {
	tok := fmt.Sprintf("tok%d", rig.seq.Add(1))
	q, _ := json.Marshal(question)
	body := `{"type":2,"id":"` + tok[3:] + `","application_id":"42","token":"` + tok + `","channel_id":"5","guild_id":"6",` +
		`"member":{"user":{"id":"7","username":"ann"}},` +
		`"data":{"id":"9","name":"ask","type":1,"options":[{"name":"question","type":3,"value":` + string(q) + `}]}}`
	req, _ := http.NewRequest("POST", r.base+"/interactions", strings.NewReader(body))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(rig.priv, []byte(ts+body))))
	req.Header.Set("X-Signature-Timestamp", ts)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		return "", fmt.Errorf("%s: status %d, %v", r.name, resp.StatusCode, err)
	}
	switch out.Type {
	case 4:
		return string(out.Data), nil
	case 5:
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if e, ok := rig.hooks.get(tok); ok {
				return e, nil
			}
			time.Sleep(20 * time.Millisecond)
		}
		return "", fmt.Errorf("%s: deferred reply never edited", r.name)
	}
	return "", fmt.Errorf("%s: response type %d", r.name, out.Type)
}

// embeds is the answer as shown: the embeds, without the buttons (their
// custom ids carry the time they were issued).
func embeds(t *testing.T, data string) string {
	t.Helper()
	var d struct {
		Content string            `json:"content"`
		Embeds  []json.RawMessage `json:"embeds"`
	}
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		t.Fatalf("reply %q: %v", data, err)
	}
	b, _ := json.Marshal(d)
	return string(b)
}

func readyz(r *replica) int {
	resp, err := http.Get(r.base + "/readyz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func waitStatus(t *testing.T, r *replica, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if readyz(r) == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s /readyz never %d within %v (now %d)", r.name, want, within, readyz(r))
}

const (
	clusterUnavailable = "The index is unavailable right now"
	clusterInternal    = "something went wrong"
)

// TestWeaviateCluster runs citebot against a real 3-node Weaviate cluster on
// 127.0.0.1 (replication factor 3): two HTTP replicas pointed at different
// nodes answer signed /ask exactly as each other and as the in-process
// index; an edit synced by citebot index reaches both; a node SIGKILLed
// under load costs no interaction; it catches up after a restart; with
// every node down each interaction gets the unavailable message and
// /readyz 503; when they return, answers resume without restarting citebot.
func TestWeaviateCluster(t *testing.T) {
	cl := weaviatetest.Start(t, weaviatetest.Options{Nodes: 3})
	pub, priv, err := ed25519.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{9}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	hooks := &fakeWebhooks{edits: map[string]string{}}
	api := httptest.NewServer(hooks)
	defer api.Close()
	rig := &clusterRig{t: t, priv: priv, pub: hex.EncodeToString(pub), hooks: hooks, api: api.URL}
	dir := copyCorpus(t)
	urls := func(first int) string { return strings.Join(cl.URLs(first), ",") }
	writer := map[string]string{
		"CITEBOT_STORE": "weaviate", "CITEBOT_WEAVIATE_URL": urls(0), "CITEBOT_WEAVIATE_REPLICATION": "3",
		"CITEBOT_CORPUS": dir, "CITEBOT_INDEX": "off",
	}
	code, out, errOut := runCmd(t, writer, "index")
	if code != 0 || !strings.Contains(out, "51 added") {
		t.Fatalf("citebot index: exit %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ := runCmd(t, writer, "index"); code != 0 || !strings.Contains(out, "nothing changed") {
		t.Fatalf("second citebot index: exit %d: %s", code, out)
	}

	mem := rig.serve("memory", map[string]string{"CITEBOT_CORPUS": dir})
	a := rig.serve("replica-a", map[string]string{"CITEBOT_STORE": "weaviate", "CITEBOT_WEAVIATE_URL": urls(0)})
	b := rig.serve("replica-b", map[string]string{"CITEBOT_STORE": "weaviate", "CITEBOT_WEAVIATE_URL": urls(1)})
	for _, r := range []*replica{mem, a, b} {
		waitStatus(t, r, 200, 30*time.Second)
	}

	questions := []string{
		"Who did Qatar's prime minister meet in Kandahar?",
		"Who did Burns meet in Kabul?",
		"When did the meeting in Kandahar happen?",
		"What did the Taliban say about girls' education?",
		"What is the price of bitcoin?",
	}
	t.Run("replicas answer alike", func(t *testing.T) {
		for _, q := range questions {
			var got [3]string
			for i, r := range []*replica{mem, a, b} {
				data, err := rig.ask(r, q)
				if err != nil {
					t.Fatal(err)
				}
				got[i] = embeds(t, data)
			}
			if got[1] != got[0] || got[2] != got[0] {
				t.Errorf("%q:\nmemory    %s\nreplica-a %s\nreplica-b %s", q, got[0], got[1], got[2])
			}
			if strings.Contains(got[1], clusterUnavailable) {
				t.Errorf("%q: unavailable", q)
			}
		}
	})

	// An edit: a new sentence no question above touches.
	file := filepath.Join(dir, "000_937560379df2ce3c.txt")
	orig, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	const fact = "The zebra council convened in Lisbon on a rainy Tuesday."
	edited := strings.Replace(string(orig), "two sources familiar with the meeting confirmed to CNN.",
		"two sources familiar with the meeting confirmed to CNN. "+fact, 1)
	if edited == string(orig) {
		t.Fatal("edit did not apply")
	}
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCmd(t, writer, "index"); code != 0 || !strings.Contains(out, "1 changed") || !strings.Contains(out, "(1 embedded)") {
		t.Fatalf("citebot index after the edit: exit %d\n%s\n%s", code, out, errOut)
	}
	t.Run("both replicas quote the edit", func(t *testing.T) {
		for _, r := range []*replica{a, b} {
			deadline := time.Now().Add(10 * time.Second)
			for {
				data, err := rig.ask(r, "Where did the zebra council convene?")
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(data, "zebra council convened in Lisbon") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s does not quote the edit: %s", r.name, data)
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
	})

	t.Run("SIGKILL a node under load", func(t *testing.T) {
		const total = 90
		var failed, done atomic.Int64
		var wg sync.WaitGroup
		var firstErr atomic.Value
		killed := make(chan struct{})
		for w := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < total; i += 3 {
					r := a
					if i%2 == 1 {
						r = b
					}
					data, err := rig.ask(r, questions[i%len(questions)])
					if err == nil && (strings.Contains(data, clusterUnavailable) || strings.Contains(data, clusterInternal)) {
						err = fmt.Errorf("%s answered %s", r.name, data)
					}
					if err != nil {
						failed.Add(1)
						firstErr.CompareAndSwap(nil, err.Error())
					}
					if done.Add(1) == total/3 {
						close(killed)
					}
				}
			}()
		}
		<-killed
		cl.Kill(0) // replica-a's first node
		wg.Wait()
		if n := failed.Load(); n != 0 {
			t.Fatalf("%d of %d interactions failed with node1 killed; first: %v", n, total, firstErr.Load())
		}
		if !strings.Contains(a.log.String(), "weaviate: failed over") {
			t.Error("replica-a never failed over from the killed node")
		}
	})

	// A write while node1 is down (QUORUM of 3 holds), then node1 returns
	// and must catch up.
	const fact2 = "The zebra council adjourned in Porto."
	if err := os.WriteFile(file, []byte(strings.Replace(edited, fact, fact+" "+fact2, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCmd(t, writer, "index"); code != 0 || !strings.Contains(out, "1 changed") {
		t.Fatalf("citebot index with node1 down: exit %d\n%s\n%s", code, out, errOut)
	}
	t.Run("a restarted node catches up", func(t *testing.T) {
		cl.Restart(0)
		st, err := weaviatestore.New(weaviatestore.Config{URLs: cl.URLs(0)}, retrieval.NewLocalEmbedder(0))
		if err != nil {
			t.Fatal(err)
		}
		// The object as node1 itself holds it (node_name pins the read to
		// its local replica): async replication brings it up to date.
		url := st.PassageURL(cl.Nodes[0].URL, "000_937560379df2ce3c:p1.1") + "?node_name=" + cl.Nodes[0].Name
		deadline := time.Now().Add(90 * time.Second)
		for {
			resp, err := http.Get(url)
			if err == nil {
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 && strings.Contains(string(body), "adjourned in Porto") {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("node1 has not caught up after 90s (GET %s)", url)
			}
			time.Sleep(time.Second)
		}
		// replica-a quotes it once its statistics (refreshed every 2s)
		// are those of the write: it reads from node2 since the failover.
		deadline = time.Now().Add(10 * time.Second)
		for {
			data, err := rig.ask(a, "Where did the zebra council adjourn?")
			if err != nil {
				t.Fatalf("replica-a after node1's return: %v", err)
			}
			if strings.Contains(data, "adjourned in Porto") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica-a after node1's return does not quote the write: %s", data)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})

	t.Run("all nodes down, then back", func(t *testing.T) {
		cl.Stop()
		for _, r := range []*replica{a, b} {
			data, err := rig.ask(r, questions[0])
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(data, clusterUnavailable) || !strings.Contains(data, `"flags":64`) {
				t.Errorf("%s with Weaviate down answered %s, want the private unavailable message", r.name, data)
			}
			waitStatus(t, r, 503, 10*time.Second)
			// The interaction is counted once its reply is written, which
			// can be just after the client has read it.
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				resp, err := http.Get(r.base + "/metrics")
				if err != nil {
					t.Fatal(err)
				}
				m, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if strings.Contains(string(m), `outcome="unavailable"`) {
					break
				}
				if time.Now().After(deadline) {
					t.Errorf("%s /metrics does not count unavailable interactions", r.name)
					break
				}
			}
		}
		cl.RestartAll()
		for _, r := range []*replica{a, b} {
			waitStatus(t, r, 200, 60*time.Second)
			data, err := rig.ask(r, questions[0])
			if err != nil || strings.Contains(data, clusterUnavailable) || !strings.Contains(data, "Kandahar") {
				t.Errorf("%s after Weaviate's return: %v %s", r.name, err, data)
			}
		}
	})
}
