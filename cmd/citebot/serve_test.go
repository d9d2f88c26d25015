package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server's log and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeHTTPMode runs `citebot serve` as an HTTP interactions endpoint on
// 127.0.0.1, with no DISCORD_TOKEN: it answers health checks, a signed PING
// and a signed /ask inline, refuses a forged request, and on cancellation
// (what SIGINT/SIGTERM do in main) shuts down and returns nil (exit 0).
func TestServeHTTPMode(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"CITEBOT_HTTP_ADDR":  "127.0.0.1:0",
		"DISCORD_PUBLIC_KEY": hex.EncodeToString(pub),
		"CITEBOT_INDEX":      "off",
		"CITEBOT_LOG_FORMAT": "json",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"citebot", "serve"}, fakeEnv(vars), strings.NewReader(""), io.Discard, &stderr)
	}()

	base := waitForAddr(t, &stderr, done)
	waitReady(t, base)

	get := func(path string) int {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := get("/healthz"); c != 200 {
		t.Errorf("/healthz = %d", c)
	}
	if c := get("/articles"); c != 200 {
		t.Errorf("/articles = %d", c)
	}

	post := func(body string, sign bool) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/interactions", strings.NewReader(body))
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		sig := ed25519.Sign(priv, []byte(ts+body))
		if !sign {
			sig[0] ^= 0xff
		}
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
		req.Header.Set("X-Signature-Timestamp", ts)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST /interactions: %v", err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if code, out := post(`{"type":1,"id":"1","application_id":"42","token":"t"}`, true); code != 200 || out["type"] != float64(1) {
		t.Errorf("PING: %d %v", code, out)
	}
	if code, _ := post(`{"type":1,"id":"1","application_id":"42","token":"t"}`, false); code != 401 {
		t.Errorf("forged PING: %d, want 401", code)
	}
	ask := `{"type":2,"id":"2","application_id":"42","token":"tok","channel_id":"5","guild_id":"6",
		"member":{"user":{"id":"7","username":"ann"}},
		"data":{"id":"9","name":"ask","type":1,"options":[{"name":"question","type":3,"value":"Who did Burns meet in Kabul?"}]}}`
	code, out := post(ask, true)
	if code != 200 {
		t.Fatalf("/ask: status %d", code)
	}
	raw, _ := json.Marshal(out)
	if out["type"] != float64(4) || !strings.Contains(string(raw), "Baradar") || !strings.Contains(string(raw), `"parse":[]`) {
		t.Errorf("/ask answered %s", raw)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after cancellation")
	}
	if strings.Contains(stderr.String(), "tok\"") {
		t.Errorf("interaction token in the log")
	}
	if !strings.Contains(stderr.String(), "HTTP interactions endpoint receives no messages") {
		t.Errorf("HTTP-only serve with mentions on does not say they are not served:\n%s", stderr.String())
	}
}

var listenRE = regexp.MustCompile(`"msg":"http server listening","addr":"([^"]+)"`)

// waitForAddr reads the listen address serve logs (it listens on port 0).
func waitForAddr(t *testing.T, log *syncBuffer, done <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenRE.FindStringSubmatch(log.String()); m != nil {
			return "http://" + m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v\n%s", err, log.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("serve never logged its address:\n%s", log.String())
	return ""
}

// waitReady polls /readyz until the index is loaded.
func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("/readyz never answered 200")
}
