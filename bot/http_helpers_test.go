package bot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// httpTestNow is the fixed clock of the HTTP tests.
var httpTestNow = time.Date(2024, 5, 20, 12, 0, 0, 0, time.UTC)

// httpTestKey is a key pair from a fixed seed, so failures reproduce.
func httpTestKey(seed byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
	return priv.Public().(ed25519.PublicKey), priv
}

// interactionHandlerFunc adapts a function to InteractionHandler.
type interactionHandlerFunc func(ctx context.Context, i *discordgo.Interaction, resp Responder)

func (f interactionHandlerFunc) Handle(ctx context.Context, i *discordgo.Interaction, resp Responder) {
	f(ctx, i, resp)
}

func readHTTPTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signedInteraction builds a POST /interactions signed by priv at ts.
func signedInteraction(t *testing.T, url string, priv ed25519.PrivateKey, ts time.Time, body []byte) *http.Request {
	t.Helper()
	stamp := strconv.FormatInt(ts.Unix(), 10)
	sig := ed25519.Sign(priv, append([]byte(stamp), body...))
	req, err := http.NewRequest("POST", url+"/interactions", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	req.Header.Set("X-Signature-Timestamp", stamp)
	return req
}

// do sends req and returns status and body.
func doHTTP(t *testing.T, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

// wireResponse is the part of an interaction response the tests read
// (discordgo cannot unmarshal components, an interface type).
type wireResponse struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data *struct {
		Content string                                      `json:"content"`
		Flags   discordgo.MessageFlags                      `json:"flags"`
		Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	} `json:"data"`
}

// decodeInteractionResponse parses an interaction response body.
func decodeInteractionResponse(t *testing.T, b []byte) wireResponse {
	t.Helper()
	var r wireResponse
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("response %q is not an interaction response: %v", b, err)
	}
	return r
}

// webhookCall is one request the fake Discord REST server received.
type webhookCall struct {
	Method, Path, Auth string
	Body               map[string]any
}

// fakeWebhookAPI is Discord's REST API on 127.0.0.1: it records every call and
// answers with the queued statuses (then 204).
type fakeWebhookAPI struct {
	*httptest.Server
	mu       sync.Mutex
	calls    []webhookCall
	statuses []int
	arrived  chan webhookCall
}

func newFakeWebhookAPI(t *testing.T, statuses ...int) *fakeWebhookAPI {
	t.Helper()
	f := &fakeWebhookAPI{statuses: statuses, arrived: make(chan webhookCall, 16)}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := webhookCall{Method: r.Method, Path: r.URL.EscapedPath(), Auth: r.Header.Get("Authorization")}
		if err := json.NewDecoder(r.Body).Decode(&c.Body); err != nil {
			t.Errorf("REST %s %s: body is not JSON: %v", r.Method, r.URL.Path, err)
		}
		f.mu.Lock()
		f.calls = append(f.calls, c)
		status := http.StatusNoContent
		if len(f.statuses) > 0 {
			status, f.statuses = f.statuses[0], f.statuses[1:]
		}
		f.mu.Unlock()
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0.01")
		}
		w.WriteHeader(status)
		if status >= 400 {
			_, _ = w.Write([]byte(`{"message":"nope","code":10062}`))
		}
		f.arrived <- c
	}))
	t.Cleanup(f.Close)
	return f
}

// next waits for the next REST call.
func (f *fakeWebhookAPI) next(t *testing.T) webhookCall {
	t.Helper()
	select {
	case c := <-f.arrived:
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no REST call arrived")
		return webhookCall{}
	}
}

// newInteractionServer starts the HTTP handler on 127.0.0.1 with the test key.
func newInteractionServer(t *testing.T, h InteractionHandler, mutate func(*HTTPConfig)) (*httptest.Server, ed25519.PrivateKey, *Metrics) {
	t.Helper()
	pub, priv := httpTestKey(1)
	m := NewMetrics()
	cfg := HTTPConfig{
		PublicKey: pub,
		Handler:   h,
		Metrics:   m,
		Now:       func() time.Time { return httpTestNow },
	}
	if mutate != nil {
		mutate(&cfg)
	}
	srv := httptest.NewServer(NewHTTPHandler(cfg))
	t.Cleanup(srv.Close)
	return srv, priv, m
}
