package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// rateLimitBuckets counts the rate-limit buckets a discordgo session keeps
// (an unexported map that is never pruned).
func rateLimitBuckets(s *discordgo.Session) int {
	s.Ratelimiter.Lock()
	defer s.Ratelimiter.Unlock()
	return reflect.ValueOf(s.Ratelimiter).Elem().FieldByName("buckets").Len()
}

// TestGatewayBucketsBounded answers many interactions, deferred and edited,
// over one gateway session: the session's rate-limit buckets must not grow
// with them (one per token URL would grow without bound in a long run).
func TestGatewayBucketsBounded(t *testing.T) {
	fd := newFakeDiscord(t)
	f := newFakeSearcher()
	r := NewRouter(f, Config{RateLimit: RateLimit{Events: -1}, InlineBudget: time.Nanosecond})
	cfg := GatewayConfig{Token: "tok", AppID: "app-1", APIURL: fd.srv.URL}
	s, err := newSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- serveGateway(ctx, s, cfg, r) }()
	const n = 30
	for k := range n {
		fd.dispatchInteraction(withToken(loadInteraction(t, "gw_ask"), fmt.Sprintf("tok-%d", k)))
	}
	for k := range n {
		awaitResult(t, fd, fmt.Sprintf("tok-%d", k), 0)
	}
	if b := rateLimitBuckets(s); b > 2 {
		t.Errorf("%d rate-limit buckets after %d interactions, want at most 2 (the gateway lookup)", b, n)
	}
	if err := restPathsOK(fd.allCalls()); err != nil {
		t.Error(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestGatewayShutdownNotice stops the gateway while an answer is deferred
// and still being worked on: the "thinking…" message becomes the restart
// notice instead of staying forever.
func TestGatewayShutdownNotice(t *testing.T) {
	fd := newFakeDiscord(t)
	f := newFakeSearcher()
	f.block = make(chan struct{})
	defer close(f.block)
	r := NewRouter(f, Config{InlineBudget: time.Nanosecond})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- RunGateway(ctx, GatewayConfig{Token: "tok", AppID: "app-1", APIURL: fd.srv.URL}, r)
	}()
	fd.dispatchInteraction(withToken(loadInteraction(t, "gw_ask"), "tok-slow"))
	fd.waitFor("tok-slow", "deferral", func(cs []restCall) bool { return len(cs) == 1 })
	// A grace period that is over at once: the shortest shutdown.
	sctx, scancel := context.WithCancel(context.Background())
	scancel()
	if n := r.Shutdown(sctx); n != 1 {
		t.Errorf("abandoned %d, want 1", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	res := awaitResult(t, fd, "tok-slow", 0)
	if res.Type != 5 || res.Message["content"] != msgRestarted {
		t.Errorf("deferred answer at shutdown: type %d, message %v", res.Type, res.Message)
	}
}

// TestGatewayConnectErrorNamesURL points DISCORD_API_URL at a closed port:
// the error names the URL actually requested, not discord.com.
func TestGatewayConnectErrorNamesURL(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ln.Close()
	r := NewRouter(newFakeSearcher(), Config{})
	err = RunGateway(t.Context(), GatewayConfig{Token: "tok", AppID: "1", APIURL: base, Logger: slog.New(slog.DiscardHandler)}, r)
	if err == nil {
		t.Fatal("RunGateway against a closed port returned nil")
	}
	if want := base + "/api/v10/gateway"; !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "discord.com") {
		t.Errorf("error %q: want it to name %s", err, want)
	}
}
