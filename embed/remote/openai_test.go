package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

type openAIItem struct {
	Index     int       `json:"index"`
	Embedding []float32 `json:"embedding"`
}

// replyOpenAI answers like OpenAI, listing the vectors in reverse order so
// that only "index" puts them right.
func replyOpenAI(w http.ResponseWriter, _ *http.Request, _ int, input []string) {
	data := make([]openAIItem, 0, len(input))
	for i := len(input) - 1; i >= 0; i-- {
		data = append(data, openAIItem{Index: i, Embedding: fakeVec(input[i])})
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data, "model": "m"})
}

func newTestOpenAI(t *testing.T, f *fakeEmbedServer, cfg OpenAIConfig) (*OpenAI, *sleepRecorder) {
	t.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = f.srv.URL + "/v1"
	}
	if cfg.Model == "" {
		cfg.Model = "test-model"
	}
	e, err := NewOpenAI(cfg)
	if err != nil {
		t.Fatalf("NewOpenAI: %v", err)
	}
	return e, instant(e.r.http)
}

func makeTexts(n int) []string {
	texts := make([]string, n)
	for i := range texts {
		texts[i] = fmt.Sprintf("passage %d about %s", i, strings.Repeat("x", i%5))
	}
	return texts
}

func TestOpenAIEmbedderRequestShape(t *testing.T) {
	tests := []struct {
		name      string
		cfg       OpenAIConfig
		n         int
		wantSizes []int
		wantAuth  string
		wantDims  string // raw JSON of "dimensions", "" when absent
	}{
		{"one request", OpenAIConfig{}, 3, []int{3}, "", ""},
		{"default batch of 64", OpenAIConfig{}, 130, []int{64, 64, 2}, "", ""},
		{"batch size 2", OpenAIConfig{BatchSize: 2}, 5, []int{2, 2, 1}, "", ""},
		{"exact multiple", OpenAIConfig{BatchSize: 4}, 8, []int{4, 4}, "", ""},
		{"key and dimensions", OpenAIConfig{APIKey: "sk-test", Dimensions: 3}, 2, []int{2}, "Bearer sk-test", "3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEmbedServer(t, replyOpenAI)
			e, _ := newTestOpenAI(t, f, tt.cfg)
			texts := makeTexts(tt.n)
			got, err := e.EmbedDocuments(context.Background(), texts)
			if err != nil {
				t.Fatalf("EmbedDocuments: %v", err)
			}
			if len(got) != len(texts) {
				t.Fatalf("got %d vectors for %d texts", len(got), len(texts))
			}
			for i := range texts {
				assertVec(t, got[i], wantVec(t, texts[i]))
			}
			calls := f.Calls()
			if len(calls) != len(tt.wantSizes) {
				t.Fatalf("%d requests, want %d", len(calls), len(tt.wantSizes))
			}
			next := 0
			for i, c := range calls {
				if c.Method != http.MethodPost || c.Path != "/v1/embeddings" || c.ContentType != "application/json" {
					t.Errorf("request %d: %s %s (%s), want POST /v1/embeddings (application/json)", i, c.Method, c.Path, c.ContentType)
				}
				if string(c.Body["model"]) != `"test-model"` {
					t.Errorf("request %d: model %s", i, c.Body["model"])
				}
				if len(c.Input) != tt.wantSizes[i] {
					t.Fatalf("request %d: %d inputs, want %d", i, len(c.Input), tt.wantSizes[i])
				}
				for j, in := range c.Input {
					if in != texts[next+j] {
						t.Errorf("request %d input %d = %q, want %q", i, j, in, texts[next+j])
					}
				}
				next += len(c.Input)
				if c.Auth != tt.wantAuth {
					t.Errorf("request %d: Authorization %q, want %q", i, c.Auth, tt.wantAuth)
				}
				if got := string(c.Body["dimensions"]); got != tt.wantDims {
					t.Errorf("request %d: dimensions %q, want %q", i, got, tt.wantDims)
				}
			}
			if e.Dim() != 3 {
				t.Errorf("Dim() = %d, want 3", e.Dim())
			}
		})
	}
}

func TestOpenAIEmbedderNoRequestFor(t *testing.T) {
	tests := []struct {
		name    string
		texts   []string
		wantErr bool
	}{
		{"no texts", nil, false},
		{"empty text", []string{"fine", ""}, true},
		{"blank text", []string{" \n\t"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEmbedServer(t, replyOpenAI)
			e, _ := newTestOpenAI(t, f, OpenAIConfig{})
			got, err := e.EmbedDocuments(context.Background(), tt.texts)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && len(got) != 0 {
				t.Errorf("got %d vectors, want none", len(got))
			}
			if n := len(f.Calls()); n != 0 {
				t.Errorf("%d requests, want none", n)
			}
		})
	}
}

func TestOpenAIEmbedderIndexOrder(t *testing.T) {
	texts := []string{"alpha", "beta beta", "gamma gamma gamma"}
	tests := []struct {
		name    string
		data    string // JSON of "data" given the fixed texts
		wantErr string
	}{
		{"in order without index", fmt.Sprintf(`[{"embedding":%s},{"embedding":%s},{"embedding":%s}]`,
			js(fakeVec(texts[0])), js(fakeVec(texts[1])), js(fakeVec(texts[2]))), ""},
		{"shuffled with index", fmt.Sprintf(`[{"index":2,"embedding":%s},{"index":0,"embedding":%s},{"index":1,"embedding":%s}]`,
			js(fakeVec(texts[2])), js(fakeVec(texts[0])), js(fakeVec(texts[1]))), ""},
		{"duplicate index", `[{"index":0,"embedding":[1]},{"index":0,"embedding":[1]},{"index":1,"embedding":[1]}]`, "appears twice"},
		{"index out of range", `[{"index":0,"embedding":[1]},{"index":1,"embedding":[1]},{"index":3,"embedding":[1]}]`, "out of range"},
		{"index on some only", `[{"index":0,"embedding":[1]},{"embedding":[1]},{"index":2,"embedding":[1]}]`, "some vectors only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEmbedServer(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ []string) {
				fmt.Fprintf(w, `{"data":%s}`, tt.data)
			})
			e, _ := newTestOpenAI(t, f, OpenAIConfig{})
			got, err := e.EmbedDocuments(context.Background(), texts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i := range texts {
				assertVec(t, got[i], wantVec(t, texts[i]))
			}
		})
	}
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestOpenAIEmbedderRetry(t *testing.T) {
	type step struct {
		status     int
		retryAfter string
	}
	tests := []struct {
		name       string
		maxRetries int
		steps      []step // answers before success; the last repeats
		wantCalls  int
		wantStatus int // 0: success
		wantTemp   bool
		wantWaits  []time.Duration
	}{
		{"429 with Retry-After then 503 then ok", 0, []step{{429, "7"}, {503, ""}, {200, ""}}, 3, 0, false,
			[]time.Duration{7 * time.Second, time.Second}},
		{"503 until giving up", 2, []step{{503, ""}}, 3, 503, true,
			[]time.Duration{500 * time.Millisecond, time.Second}},
		{"retries disabled", -1, []step{{502, ""}}, 1, 502, true, nil},
		{"no retry on 400", 0, []step{{400, ""}}, 1, 400, false, nil},
		{"no retry on 401", 0, []step{{401, ""}}, 1, 401, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEmbedServer(t, func(w http.ResponseWriter, r *http.Request, call int, input []string) {
				s := tt.steps[min(call, len(tt.steps))-1]
				if s.status == 200 {
					replyOpenAI(w, r, call, input)
					return
				}
				if s.retryAfter != "" {
					w.Header().Set("Retry-After", s.retryAfter)
				}
				writeJSON(w, s.status, map[string]any{"error": map[string]string{"message": "try later"}})
			})
			e, rec := newTestOpenAI(t, f, OpenAIConfig{MaxRetries: tt.maxRetries})
			_, err := e.EmbedQuery(context.Background(), "what happened?")
			if n := len(f.Calls()); n != tt.wantCalls {
				t.Errorf("%d requests, want %d", n, tt.wantCalls)
			}
			if fmt.Sprint(rec.Waits()) != fmt.Sprint(tt.wantWaits) {
				t.Errorf("waits %v, want %v", rec.Waits(), tt.wantWaits)
			}
			if tt.wantStatus == 0 {
				if err != nil {
					t.Fatalf("EmbedQuery: %v", err)
				}
				return
			}
			var ee *Error
			if !errors.As(err, &ee) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if ee.Status != tt.wantStatus || ee.Temporary() != tt.wantTemp || ee.Attempts != tt.wantCalls {
				t.Errorf("status %d temporary %v attempts %d, want %d %v %d", ee.Status, ee.Temporary(), ee.Attempts, tt.wantStatus, tt.wantTemp, tt.wantCalls)
			}
			for _, want := range []string{f.srv.URL + "/v1/embeddings", fmt.Sprint(tt.wantStatus), "try later"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestOpenAIEmbedderCancelDuringBackoff(t *testing.T) {
	f := newFakeEmbedServer(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ []string) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	e, _ := newTestOpenAI(t, f, OpenAIConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	e.r.http.sleep = func(ctx context.Context, _ time.Duration) error {
		cancel()
		return sleepOrDone(ctx, time.Hour)
	}
	_, err := e.EmbedQuery(ctx, "q")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := len(f.Calls()); n != 1 {
		t.Errorf("%d requests, want 1 (no retry after cancellation)", n)
	}
}

func TestOpenAIEmbedderSecretsStayOut(t *testing.T) {
	// The server echoes the Authorization header, as a careless proxy might.
	f := newFakeEmbedServer(t, func(w http.ResponseWriter, r *http.Request, _ int, _ []string) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]string{"message": "bad key " + r.Header.Get("Authorization")}})
	})
	base := strings.Replace(f.srv.URL, "http://", "http://someuser:hunter2@", 1) + "/v1?api-version=secretq"
	e, _ := newTestOpenAI(t, f, OpenAIConfig{BaseURL: base, APIKey: "sk-live-abcdef"})
	_, err := e.EmbedQuery(context.Background(), "q")
	if err == nil {
		t.Fatal("no error from a 401")
	}
	for _, secret := range []string{"sk-live-abcdef", "hunter2", "someuser", "secretq"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q reveals %q", err, secret)
		}
	}
	if !strings.Contains(err.Error(), f.srv.URL+"/v1/embeddings") || !strings.Contains(err.Error(), "401") {
		t.Errorf("error %q does not name the server and status", err)
	}
}

func TestOpenAIEmbedderTimeout(t *testing.T) {
	done := make(chan struct{})
	f := newFakeEmbedServer(t, func(_ http.ResponseWriter, r *http.Request, _ int, _ []string) {
		select { // hang until the client gives up
		case <-r.Context().Done():
		case <-done:
		}
	})
	t.Cleanup(func() { close(done) }) // runs before the server's Close
	e, _ := newTestOpenAI(t, f, OpenAIConfig{Timeout: 50 * time.Millisecond, MaxRetries: -1})
	_, err := e.EmbedQuery(context.Background(), "q")
	var ee *Error
	if !errors.As(err, &ee) || ee.Status != 0 || !ee.Temporary() {
		t.Fatalf("err = %v, want a temporary *Error without status", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no response within 50ms") {
		t.Errorf("err = %v, want a deadline naming the timeout", err)
	}
}

func TestOpenAIEmbedderServerDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	e, err := NewOpenAI(OpenAIConfig{BaseURL: "http://" + addr + "/v1", Model: "m", MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	rec := instant(e.r.http)
	_, err = e.EmbedDocuments(context.Background(), []string{"a"})
	var ee *Error
	if !errors.As(err, &ee) || ee.Status != 0 || !ee.Temporary() || ee.Attempts != 2 {
		t.Fatalf("err = %#v, want a temporary *Error after 2 attempts", err)
	}
	if !strings.Contains(err.Error(), "http://"+addr+"/v1/embeddings") {
		t.Errorf("error %q does not name the server", err)
	}
	if len(rec.Waits()) != 1 {
		t.Errorf("waited %d times, want 1", len(rec.Waits()))
	}
}

func TestOpenAIEmbedderBadResponses(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"malformed JSON", `{"data": [`, "unusable response"},
		{"HTML from a proxy", `<html>gateway</html>`, "gateway"},
		{"no data", `{"object":"list"}`, `no "data"`},
		{"too few vectors", `{"data":[{"index":0,"embedding":[1,2]}]}`, "got 1 vectors for 2 texts"},
		{"base64 vectors", `{"data":[{"index":0,"embedding":"AAAA"},{"index":1,"embedding":"AAAA"}]}`, "unusable response"},
		{"empty vector", `{"data":[{"index":0,"embedding":[]},{"index":1,"embedding":[1]}]}`, "vector 0 is empty"},
		{"missing vector", `{"data":[{"index":0},{"index":1,"embedding":[1]}]}`, "vector 0 is missing"},
		{"ragged", `{"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[1]}]}`, "vector 1 has 1 dimensions"},
		{"zero vector", `{"data":[{"index":0,"embedding":[0,0]},{"index":1,"embedding":[1,0]}]}`, "zero vector"},
		{"too large", `{"data":[{"index":0,"embedding":[` + strings.Repeat("0.125,", 600_000) + `1]}]}`, "response larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEmbedServer(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ []string) {
				fmt.Fprint(w, tt.body)
			})
			e, _ := newTestOpenAI(t, f, OpenAIConfig{})
			_, err := e.EmbedDocuments(context.Background(), []string{"one", "two"})
			var ee *Error
			if !errors.As(err, &ee) || ee.Temporary() {
				t.Fatalf("err = %v, want a permanent *Error", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if n := len(f.Calls()); n != 1 {
				t.Errorf("%d requests, want 1 (bad answers are not retried)", n)
			}
		})
	}
}

func TestOpenAIEmbedderDimension(t *testing.T) {
	dims := []int{3, 3, 4}
	f := newFakeEmbedServer(t, func(w http.ResponseWriter, _ *http.Request, call int, _ []string) {
		v := make([]float32, dims[min(call, len(dims))-1])
		v[0] = 1
		writeJSON(w, http.StatusOK, map[string]any{"data": []openAIItem{{Index: 0, Embedding: v}}})
	})
	e, _ := newTestOpenAI(t, f, OpenAIConfig{})
	if e.Dim() != 0 {
		t.Fatalf("Dim() before any call = %d, want 0", e.Dim())
	}
	for i := range 2 {
		if _, err := e.EmbedQuery(context.Background(), "q"); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	_, err := e.EmbedQuery(context.Background(), "q")
	if err == nil || !strings.Contains(err.Error(), "4 dimensions, want 3") {
		t.Fatalf("err = %v, want a dimension mismatch", err)
	}
	if e.Dim() != 3 {
		t.Errorf("Dim() = %d after a mismatch, want 3", e.Dim())
	}

	// A configured dimension is known before any call and enforced.
	e2, _ := newTestOpenAI(t, f, OpenAIConfig{Dimensions: 256})
	if e2.Dim() != 256 {
		t.Fatalf("Dim() = %d, want the configured 256", e2.Dim())
	}
	if _, err := e2.EmbedQuery(context.Background(), "q"); err == nil || !strings.Contains(err.Error(), "want 256") {
		t.Fatalf("err = %v, want a dimension mismatch against 256", err)
	}
}

func TestOpenAIEmbedderPrefixes(t *testing.T) {
	tests := []struct {
		name             string
		cfg              OpenAIConfig
		wantDoc, wantQry string
	}{
		{"none for unknown model", OpenAIConfig{Model: "my-model"}, "text", "question"},
		{"known model", OpenAIConfig{Model: "nomic-embed-text"}, "search_document: text", "search_query: question"},
		{"configured win", OpenAIConfig{Model: "nomic-embed-text", QueryPrefix: "Q: ", DocumentPrefix: "D: "}, "D: text", "Q: question"},
		{"query only", OpenAIConfig{Model: "nomic-embed-text", QueryPrefix: "Q: "}, "text", "Q: question"},
		{"defaults off", OpenAIConfig{Model: "nomic-embed-text", NoDefaultPrefixes: true}, "text", "question"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEmbedServer(t, replyOpenAI)
			e, _ := newTestOpenAI(t, f, tt.cfg)
			dv, err := e.EmbedDocuments(context.Background(), []string{"text"})
			if err != nil {
				t.Fatal(err)
			}
			qv, err := e.EmbedQuery(context.Background(), "question")
			if err != nil {
				t.Fatal(err)
			}
			calls := f.Calls()
			if len(calls) != 2 || len(calls[0].Input) != 1 || len(calls[1].Input) != 1 {
				t.Fatalf("requests %+v, want two of one text each", calls)
			}
			if calls[0].Input[0] != tt.wantDoc || calls[1].Input[0] != tt.wantQry {
				t.Errorf("sent %q and %q, want %q and %q", calls[0].Input[0], calls[1].Input[0], tt.wantDoc, tt.wantQry)
			}
			assertVec(t, dv[0], wantVec(t, tt.wantDoc))
			assertVec(t, qv, wantVec(t, tt.wantQry))
		})
	}
}

func TestOpenAIEmbedderConcurrent(t *testing.T) {
	f := newFakeEmbedServer(t, replyOpenAI)
	e, _ := newTestOpenAI(t, f, OpenAIConfig{BatchSize: 3})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			texts := makeTexts(i + 1)
			vecs, err := e.EmbedDocuments(context.Background(), texts)
			if err == nil && len(vecs) != len(texts) {
				err = fmt.Errorf("%d vectors for %d texts", len(vecs), len(texts))
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if e.Dim() != 3 {
		t.Errorf("Dim() = %d, want 3", e.Dim())
	}
}

func TestNewOpenAIEmbedderConfig(t *testing.T) {
	tests := []struct {
		name      string
		cfg       OpenAIConfig
		wantErr   string // "" means valid
		forbidden string // must not appear in the error
	}{
		{"defaults", OpenAIConfig{Model: "text-embedding-3-small"}, "", ""},
		{"no model", OpenAIConfig{BaseURL: "http://127.0.0.1:1/v1"}, "CITEBOT_EMBED_MODEL", ""},
		{"blank model", OpenAIConfig{Model: "  "}, "CITEBOT_EMBED_MODEL", ""},
		{"no scheme", OpenAIConfig{Model: "m", BaseURL: "localhost:8080/v1"}, "CITEBOT_EMBED_URL", ""},
		{"wrong scheme", OpenAIConfig{Model: "m", BaseURL: "ftp://host/v1"}, "CITEBOT_EMBED_URL", ""},
		{"unparsable, password hidden", OpenAIConfig{Model: "m", BaseURL: "http://u:hunter2@host:port/v1"}, "CITEBOT_EMBED_URL", "hunter2"},
		{"negative dimensions", OpenAIConfig{Model: "m", Dimensions: -1}, "CITEBOT_EMBED_DIMENSIONS", ""},
		{"negative batch", OpenAIConfig{Model: "m", BatchSize: -1}, "batch size", ""},
		{"negative timeout", OpenAIConfig{Model: "m", Timeout: -time.Second}, "timeout", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := NewOpenAI(tt.cfg)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("NewOpenAI: %v", err)
				}
				c := e.r.http
				if c.endpoint.String() != DefaultOpenAIBaseURL+"/embeddings" || e.r.batchSize != DefaultEmbedBatchSize ||
					c.timeout != DefaultEmbedTimeout || c.maxRetries != DefaultEmbedMaxRetries {
					t.Errorf("defaults: %s batch %d timeout %v retries %d", c.endpoint, e.r.batchSize, c.timeout, c.maxRetries)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one naming %q", err, tt.wantErr)
			}
			if tt.forbidden != "" && strings.Contains(err.Error(), tt.forbidden) {
				t.Errorf("error %q reveals %q", err, tt.forbidden)
			}
		})
	}
}
