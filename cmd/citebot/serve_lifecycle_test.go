package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// closedPort returns a 127.0.0.1 URL nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}

// copyCorpus copies the bundled articles to a temporary directory.
func copyCorpus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "corpus", "articles")
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestServeExitsWhenGatewayFails: the gateway cannot connect while the
// corpus directory is watched. serve must not wait for the watch forever:
// it exits non-zero at once, with the error (naming the URL requested)
// printed once.
func TestServeExitsWhenGatewayFails(t *testing.T) {
	api := closedPort(t)
	vars := map[string]string{
		"DISCORD_TOKEN":   "not-a-real-token",
		"DISCORD_APP_ID":  "123",
		"DISCORD_API_URL": api,
		"CITEBOT_CORPUS":  copyCorpus(t),
		"CITEBOT_INDEX":   "off",
	}
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(t.Context(), []string{"citebot", "serve"}, fakeEnv(vars), strings.NewReader(""), io.Discard, &stderr)
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("serve still running 30 s after the gateway failed:\n%s", stderr.String())
	}
	if exitCode(err) != 1 {
		t.Errorf("exit code %d (%v), want 1", exitCode(err), err)
	}
	out := stderr.String()
	if n := strings.Count(out, "connect to discord gateway"); n != 1 {
		t.Errorf("the error appears %d times, want once:\n%s", n, out)
	}
	if !strings.Contains(out, api+"/api/v10/gateway") {
		t.Errorf("the error does not name the URL requested (%s):\n%s", api, out)
	}
	if strings.Contains(out, "not-a-real-token") {
		t.Error("token in the output")
	}
}

// TestServicesFirstFailureStopsAll: when one part fails (the HTTP server
// while the gateway runs), the others are cancelled and the first error is
// the result.
func TestServicesFirstFailureStopsAll(t *testing.T) {
	svc := newServices(context.Background())
	stopped := make(chan struct{})
	svc.run(func(ctx context.Context) error { // the gateway: runs until cancelled
		<-ctx.Done()
		close(stopped)
		return nil
	})
	boom := errors.New("http server: accept: too many open files")
	svc.run(func(context.Context) error { return boom })
	select {
	case <-svc.ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a failed part did not cancel the others")
	}
	<-stopped
	// The gateway part returns right after closing stopped; the bound
	// only matters if it never does (a loaded machine under -race may
	// take a while to run it).
	if !svc.wait(30 * time.Second) {
		t.Fatal("parts did not stop")
	}
	if !errors.Is(svc.err(), boom) {
		t.Errorf("err = %v, want %v", svc.err(), boom)
	}
	svc.run(func(context.Context) error { return errors.New("later") })
	if !svc.wait(30 * time.Second) {
		t.Fatal("the later part did not stop")
	}
	if !errors.Is(svc.err(), boom) {
		t.Errorf("a later error replaced the first: %v", svc.err())
	}
}

// TestServePublicKeyWithoutHTTPAddr: a gateway configuration that also
// carries DISCORD_PUBLIC_KEY (copied from the portal) runs, with a warning.
func TestServePublicKeyWithoutHTTPAddr(t *testing.T) {
	pub, warn, err := checkServeConfig(config{Token: "t", AppID: "1", PublicKey: "abcd"})
	if err != nil || pub != nil {
		t.Fatalf("checkServeConfig: %v", err)
	}
	if len(warn) != 1 || !strings.Contains(warn[0], "DISCORD_PUBLIC_KEY") || !strings.Contains(warn[0], "unused") {
		t.Errorf("warnings %q", warn)
	}
	// Through run: the warning is logged and serve goes on to the gateway
	// (which fails here, against a closed port, with exit 1 rather than 2).
	vars := map[string]string{
		"DISCORD_TOKEN": "t", "DISCORD_APP_ID": "123", "DISCORD_PUBLIC_KEY": strings.Repeat("ab", 32),
		"DISCORD_API_URL": closedPort(t), "CITEBOT_INDEX": "off",
	}
	code, _, stderr := runCmd(t, vars, "serve")
	if code != 1 || !strings.Contains(stderr, "DISCORD_PUBLIC_KEY is set but unused") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	// With neither a token nor an address there is nothing to serve.
	if _, _, err := checkServeConfig(config{PublicKey: "abcd"}); err == nil {
		t.Error("a public key alone was accepted")
	}
}

// TestServeWithEmbeddingServerDown: the embedding server is down at start.
// serve still comes up, from memory (BM25 over every passage), warns, and
// says so in /metrics, instead of exiting.
func TestServeWithEmbeddingServerDown(t *testing.T) {
	pub := strings.Repeat("ab", 32)
	vars := map[string]string{
		"CITEBOT_HTTP_ADDR":   "127.0.0.1:0",
		"DISCORD_PUBLIC_KEY":  pub,
		"CITEBOT_INDEX":       "off",
		"CITEBOT_LOG_FORMAT":  "json",
		"CITEBOT_EMBEDDER":    "ollama",
		"CITEBOT_EMBED_MODEL": "nomic-embed-text",
		"CITEBOT_EMBED_URL":   closedPort(t),
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"citebot", "serve"}, fakeEnv(vars), strings.NewReader(""), io.Discard, &stderr)
	}()
	base := waitForAddr(t, &stderr, done)
	waitReady(t, base)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if regexp.MustCompile(`(?m)^citebot_index_passages_without_vector [1-9]`).Match(b) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics do not show the passages without a vector:\n%s", grepLines(string(b), "citebot_index"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), "serving from memory") {
		t.Errorf("no warning in the log:\n%s", stderr.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v", err)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
