//go:build unix

package readerpage

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"citebot/corpus"

	"github.com/gorilla/websocket"
)

// Run with: go test -run TestReaderInChromium ./readerpage/
// It needs Debian's chromium (/usr/bin/chromium, or $CITEBOT_CHROMIUM) and
// writes screenshots to $CITEBOT_ARTIFACTS (else a temporary directory).

// chromiumPath finds the browser. Without one the test is skipped on a
// developer's machine, but fails under CI (CI=true), where .ci/run installs
// it: a browser test that silently stops running would prove nothing.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("CITEBOT_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		msg := fmt.Sprintf("chromium not found at %s (install Debian's chromium package, or set CITEBOT_CHROMIUM): %v", p, err)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// chromiumCommand builds a chromium command in a process group of its own
// and registers, before the caller's t.TempDir removals run, a cleanup that
// kills the whole group and waits: killing only the browser process leaves
// its renderer and zygote children writing into the profile directory,
// which then cannot be removed.
func chromiumCommand(t *testing.T, ctx context.Context, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, chromiumPath(t), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	t.Cleanup(func() {
		if cmd.Process != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			_ = cmd.Wait()
		}
	})
	return cmd
}

func artifactDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("CITEBOT_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// chromiumFlags are the flags of every run: headless, loopback only, phone-sized.
func chromiumFlags(userDir string) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + userDir, "--window-size=412,915"}
}

// citedReader serves the pages over the bundled corpus and returns the
// link to the reader page Link builds (as a citation does) for a paragraph deep in a bundled article
// (so the page must scroll to show it), with the article and paragraph.
func citedReader(t *testing.T) (string, *corpus.Article, corpus.Paragraph) {
	t.Helper()
	c, _, err := corpus.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	var a *corpus.Article
	for _, x := range c.Articles {
		if len(x.Paragraphs) >= 8 && (a == nil || len(x.Paragraphs) > len(a.Paragraphs)) {
			a = x
		}
	}
	if a == nil {
		t.Fatal("no bundled article with 8+ paragraphs")
	}
	para := a.Paragraphs[len(a.Paragraphs)-2]
	quote := splitMarkSentences(para.Text)[0].Text
	mux := http.NewServeMux()
	New(library{c.Articles}, nil, nil).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	u := Link(srv.URL, a.ID, quote, para.N)
	if !strings.Contains(u, fmt.Sprintf("#p%d", para.N)) || !strings.Contains(u, "?q=") {
		t.Fatalf("citation URL %q lacks ?q= or #p%d", u, para.N)
	}
	return u, a, para
}

// TestReaderInChromiumCLI is the plain headless run: screenshot + DOM dump.
// The CLI's --screenshot scrolls to the fragment in a smaller viewport than
// it captures, so reader-cli.png shows the cited paragraph low in the frame
// under blank space; reader-mobile.png (TestReaderInChromium, via DevTools)
// is the faithful phone view.
func TestReaderInChromiumCLI(t *testing.T) {
	u, _, para := citedReader(t)
	shot := filepath.Join(artifactDir(t), "reader-cli.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	args := append(chromiumFlags(t.TempDir()), "--screenshot="+shot, u)
	if out, err := chromiumCommand(t, ctx, args...).CombinedOutput(); err != nil {
		t.Fatalf("chromium --screenshot: %v\n%s", err, out)
	}
	if b, err := os.ReadFile(shot); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Fatalf("no PNG screenshot at %s: %v", shot, err)
	}
	t.Logf("screenshot: %s", shot)

	args = append(chromiumFlags(t.TempDir()), "--dump-dom", u)
	dom, err := chromiumCommand(t, ctx, args...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	d := string(dom)
	start := strings.Index(d, fmt.Sprintf(`<p id="p%d">`, para.N))
	if start < 0 {
		t.Fatalf("DOM lacks paragraph p%d", para.N)
	}
	end := strings.Index(d[start:], "</p>")
	if !strings.Contains(d[start:start+end], "<mark>") {
		t.Fatalf("cited paragraph has no <mark>: %s", d[start:start+end])
	}
	if strings.Count(d, "<script") != 0 {
		t.Fatal("reader page has a script element")
	}
}

// cdp is a minimal Chrome DevTools Protocol client over one page target.
type cdp struct {
	t    *testing.T
	conn *websocket.Conn
	id   int
}

func (c *cdp) call(method string, params any, result any) {
	c.t.Helper()
	c.id++
	if err := c.conn.WriteJSON(map[string]any{"id": c.id, "method": method, "params": params}); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	for {
		var msg struct {
			ID     int             `json:"id"`
			Method string          `json:"method"`
			Result json.RawMessage `json:"result"`
			Error  *struct{ Message string }
		}
		if err := c.conn.ReadJSON(&msg); err != nil {
			c.t.Fatalf("%s: read: %v", method, err)
		}
		if msg.ID != c.id {
			continue // an event
		}
		if msg.Error != nil {
			c.t.Fatalf("%s: %s", method, msg.Error.Message)
		}
		if result != nil {
			if err := json.Unmarshal(msg.Result, result); err != nil {
				c.t.Fatalf("%s: decode: %v", method, err)
			}
		}
		return
	}
}

// eval evaluates a JSON-returning expression in the page; false when it
// threw or returned nothing (the page is still loading).
func (c *cdp) eval(expr string, out any) bool {
	c.t.Helper()
	var r struct {
		Result struct{ Value string } `json:"result"`
	}
	c.call("Runtime.evaluate", map[string]any{"expression": "JSON.stringify(" + expr + ")", "returnByValue": true}, &r)
	return json.Unmarshal([]byte(r.Result.Value), out) == nil
}

// startChromiumCDP launches chromium with remote debugging on 127.0.0.1 and
// connects to its first page.
func startChromiumCDP(t *testing.T) *cdp {
	t.Helper()
	userDir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	args := append(chromiumFlags(userDir), "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank")
	cmd := chromiumCommand(t, ctx, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cancel)

	var port string
	deadline := time.Now().Add(60 * time.Second)
	for port == "" {
		if b, err := os.ReadFile(filepath.Join(userDir, "DevToolsActivePort")); err == nil {
			port, _, _ = strings.Cut(string(b), "\n")
		}
		if time.Now().After(deadline) {
			t.Fatal("chromium did not open its DevTools port")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var targets []struct{ Type, WebSocketDebuggerURL string }
	for len(targets) == 0 || targets[0].WebSocketDebuggerURL == "" {
		res, err := http.Get("http://127.0.0.1:" + port + "/json/list")
		if err == nil {
			var all []struct{ Type, WebSocketDebuggerURL string }
			_ = json.NewDecoder(res.Body).Decode(&all)
			res.Body.Close()
			targets = targets[:0]
			for _, x := range all {
				if x.Type == "page" {
					targets = append(targets, x)
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no page target")
		}
		time.Sleep(50 * time.Millisecond)
	}
	conn, _, err := websocket.DefaultDialer.Dial(targets[0].WebSocketDebuggerURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &cdp{t: t, conn: conn}
}

// TestReaderInChromium loads a citation URL on a phone-sized mobile viewport
// and checks, in the rendered page, that the cited paragraph is the :target,
// is highlighted by the stylesheet (so the CSP hash admits it), lies inside
// the viewport, holds the <mark>ed quote, and that nothing scrolls sideways.
func TestReaderInChromium(t *testing.T) {
	u, _, para := citedReader(t)
	c := startChromiumCDP(t)
	c.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 412, "height": 915, "deviceScaleFactor": 1, "mobile": true}, nil)
	c.call("Page.enable", nil, nil)
	c.call("Page.navigate", map[string]any{"url": u}, nil)

	type state struct {
		Ready      string  `json:"ready"`
		Target     string  `json:"target"`
		Background string  `json:"bg"`
		Border     string  `json:"border"`
		PlainBG    string  `json:"plainBg"`
		Top        float64 `json:"top"`
		Bottom     float64 `json:"bottom"`
		Height     float64 `json:"vh"`
		Width      float64 `json:"vw"`
		ScrollW    float64 `json:"scrollW"`
		ScrollY    float64 `json:"scrollY"`
		Mark       string  `json:"mark"`
		MarkBG     string  `json:"markBg"`
		Scripts    int     `json:"scripts"`
	}
	var s state
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok := c.eval(`(() => {
			const t = document.querySelector(':target'), m = t && t.querySelector('mark');
			const r = t ? t.getBoundingClientRect() : {top: -1, bottom: -1};
			return {ready: document.readyState, target: t ? t.id : '', bg: t ? getComputedStyle(t).backgroundColor : '',
				border: t ? getComputedStyle(t).borderLeftColor : '', plainBg: (p => p ? getComputedStyle(p).backgroundColor : '')(document.querySelector('p[id]:not(:target)')),
				top: r.top, bottom: r.bottom, vh: innerHeight, vw: innerWidth, scrollW: document.documentElement.scrollWidth,
				scrollY: scrollY, mark: m ? m.textContent : '', markBg: m ? getComputedStyle(m).backgroundColor : '',
				scripts: document.scripts.length};
		})()`, &s)
		if ok && s.Ready == "complete" && s.Target != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("page never completed with a :target: %+v", s)
		}
		time.Sleep(50 * time.Millisecond)
	}

	want := fmt.Sprintf("p%d", para.N)
	checks := []struct {
		ok   bool
		what string
	}{
		{s.Target == want, fmt.Sprintf(":target is %q, want %q", s.Target, want)},
		{s.Background != s.PlainBG && s.Background != "rgba(0, 0, 0, 0)", "target background " + s.Background + " is not highlighted (plain " + s.PlainBG + ")"},
		{s.Border != "rgba(0, 0, 0, 0)", "target has no highlight edge: " + s.Border},
		{s.Top >= 0 && s.Top < s.Height && s.Bottom > 0, fmt.Sprintf("target at %.0f–%.0f is outside the %.0f px viewport", s.Top, s.Bottom, s.Height)},
		{s.ScrollY > 0, "the page did not scroll to the cited paragraph"},
		{s.Width <= 420, fmt.Sprintf("layout viewport %.0f px wide: the viewport meta is not honoured", s.Width)},
		{s.ScrollW <= s.Width, fmt.Sprintf("page scrolls sideways: %.0f > %.0f", s.ScrollW, s.Width)},
		{s.Mark != "" && strings.Contains(para.Text, s.Mark), fmt.Sprintf("mark %q is not the quoted sentence", s.Mark)},
		{s.MarkBG != "rgba(0, 0, 0, 0)" && s.MarkBG != "", "mark is not highlighted"},
		{s.Scripts == 0, "page has scripts"},
	}
	for _, ck := range checks {
		if !ck.ok {
			t.Error(ck.what)
		}
	}

	var shot struct{ Data string }
	c.call("Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot: %v", err)
	}
	path := filepath.Join(artifactDir(t), "reader-mobile.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("state %+v; screenshot %s", s, path)
}
