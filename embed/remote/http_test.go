package remote

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeEmbedServer is an embedding server on 127.0.0.1 that records every
// request and answers through reply (call is 1-based).
type fakeEmbedServer struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls []fakeCall
}

type fakeCall struct {
	Method, Path, Auth, ContentType string
	Body                            map[string]json.RawMessage
	Input                           []string
}

type replyFunc func(w http.ResponseWriter, r *http.Request, call int, input []string)

func newFakeEmbedServer(t *testing.T, reply replyFunc) *fakeEmbedServer {
	t.Helper()
	f := &fakeEmbedServer{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		c := fakeCall{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type")}
		_ = json.Unmarshal(raw, &c.Body)
		_ = json.Unmarshal(c.Body["input"], &c.Input)
		f.mu.Lock()
		f.calls = append(f.calls, c)
		n := len(f.calls)
		f.mu.Unlock()
		reply(w, r, n, c.Input)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeEmbedServer) Calls() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.calls...)
}

// fakeVec is the fake servers' raw (unnormalized) vector for text: distinct
// texts get distinct directions.
func fakeVec(text string) []float32 {
	h := fnv.New32a()
	h.Write([]byte(text))
	return []float32{float32(len(text)), float32(h.Sum32()%1000) + 1, 1}
}

func wantVec(t *testing.T, text string) []float32 {
	t.Helper()
	v := fakeVec(text)
	if err := normalizeRemote(v); err != nil {
		t.Fatal(err)
	}
	return v
}

func assertVec(t *testing.T, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("vector length %d, want %d", len(got), len(want))
	}
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > 1e-6 {
			t.Fatalf("vector %v, want %v", got, want)
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// sleepRecorder replaces real waiting so retry tests are instant.
type sleepRecorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// instant makes c wait through a recorder, with jitter always at its maximum.
func instant(c *httpCaller) *sleepRecorder {
	rec := &sleepRecorder{}
	c.sleep = rec.sleep
	c.jitter = func(n int64) int64 { return n - 1 }
	return rec
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt int
		jitter  func(int64) int64
		want    time.Duration
	}{
		{1, func(int64) int64 { return 0 }, 250 * time.Millisecond},
		{1, func(n int64) int64 { return n - 1 }, 500 * time.Millisecond},
		{3, func(int64) int64 { return 0 }, time.Second},
		{3, func(n int64) int64 { return n - 1 }, 2 * time.Second},
		{7, func(n int64) int64 { return n - 1 }, 30 * time.Second}, // 32s capped
		{100, func(int64) int64 { return 0 }, 15 * time.Second},
	}
	for _, tt := range tests {
		c := &httpCaller{jitter: tt.jitter}
		if got := c.backoff(tt.attempt); got != tt.want {
			t.Errorf("backoff(%d) = %v, want %v", tt.attempt, got, tt.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 2 ", 2 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"soon", 0},
		{"99999999999999999", embedMaxRetryAfter},
		{"86400", embedMaxRetryAfter},
		{now.Add(10 * time.Second).Format(http.TimeFormat), 10 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestExcerpt(t *testing.T) {
	c := &httpCaller{apiKey: "sk-secret-123"}
	tests := []struct {
		name, body, want string
	}{
		{"openai error", `{"error":{"message":"Invalid model foo","type":"invalid_request_error"}}`, "Invalid model foo"},
		{"ollama error", `{"error":"model \"foo\" not found, try pulling it first"}`, `model "foo" not found, try pulling it first`},
		{"plain text", "upstream\n  overloaded\t\n", "upstream overloaded"},
		{"key redacted", `{"error":{"message":"Incorrect API key provided: sk-secret-123"}}`, "Incorrect API key provided: [redacted]"},
		{"key in raw text", "bad token Bearer sk-secret-123", "bad token Bearer [redacted]"},
		{"invalid utf-8", "bad \xff byte", "bad \uFFFD byte"},
		{"truncated", strings.Repeat("é", 150), strings.Repeat("é", 100) + "…"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.excerpt([]byte(tt.body)); got != tt.want {
				t.Errorf("excerpt = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEmbedErrorTemporary(t *testing.T) {
	tests := []struct {
		status int
		want   bool
	}{
		{0, true}, {408, true}, {429, true}, {500, true}, {502, true}, {503, true}, {504, true},
		{501, false}, {400, false}, {401, false}, {404, false}, {413, false}, {200, false},
	}
	for _, tt := range tests {
		e := &Error{Server: "http://127.0.0.1:1/v1/embeddings", Status: tt.status}
		if got := e.Temporary(); got != tt.want {
			t.Errorf("Temporary() with status %d = %v, want %v", tt.status, got, tt.want)
		}
	}
}

func TestEmbedErrorText(t *testing.T) {
	cause := errors.New("connection refused")
	e := &Error{Server: "http://127.0.0.1:9/api/embed", Status: 503, Body: "busy", Attempts: 3, Err: cause}
	want := `embedding server http://127.0.0.1:9/api/embed: status 503 Service Unavailable: connection refused: "busy" (after 3 attempts)`
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	if !errors.Is(e, cause) {
		t.Error("errors.Is does not reach the cause")
	}
}

func TestSleepOrDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// A cancelled context must end an hour's wait at once (the test would
	// otherwise hit its deadline).
	if err := sleepOrDone(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("sleepOrDone = %v, want context.Canceled", err)
	}
	if err := sleepOrDone(context.Background(), time.Nanosecond); err != nil {
		t.Fatalf("sleepOrDone = %v, want nil", err)
	}
}

func TestNormalizeRemote(t *testing.T) {
	tests := []struct {
		name    string
		in      []float32
		want    []float32
		wantErr bool
	}{
		{"scales", []float32{3, 4}, []float32{0.6, 0.8}, false},
		{"unit stays", []float32{0, 1, 0}, []float32{0, 1, 0}, false},
		{"zero", []float32{0, 0, 0}, nil, true},
		{"nan", []float32{1, float32(math.NaN())}, nil, true},
		{"inf", []float32{float32(math.Inf(1)), 1}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := normalizeRemote(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil {
				assertVec(t, tt.in, tt.want)
			}
		})
	}
}
