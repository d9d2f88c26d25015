package remote

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// replyOllama answers like Ollama's /api/embed.
func replyOllama(w http.ResponseWriter, _ *http.Request, _ int, input []string) {
	vecs := make([][]float32, len(input))
	for i, in := range input {
		vecs[i] = fakeVec(in)
	}
	writeJSON(w, http.StatusOK, map[string]any{"model": "nomic-embed-text", "embeddings": vecs, "total_duration": 1})
}

func newTestOllama(t *testing.T, f *fakeEmbedServer, cfg OllamaConfig) (*Ollama, *sleepRecorder) {
	t.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = f.srv.URL
	}
	if cfg.Model == "" {
		cfg.Model = "test-model"
	}
	e, err := NewOllama(cfg)
	if err != nil {
		t.Fatalf("NewOllama: %v", err)
	}
	return e, instant(e.r.http)
}

func TestOllamaEmbedderRequestShape(t *testing.T) {
	tests := []struct {
		name      string
		base      string // appended to the server URL
		batch     int
		n         int
		wantSizes []int
	}{
		{"one request", "", 0, 3, []int{3}},
		{"batched", "", 2, 5, []int{2, 2, 1}},
		{"trailing slash", "/", 0, 1, []int{1}},
		{"chromem-go style /api", "/api", 0, 1, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEmbedServer(t, replyOllama)
			e, _ := newTestOllama(t, f, OllamaConfig{BaseURL: f.srv.URL + tt.base, BatchSize: tt.batch})
			texts := makeTexts(tt.n)
			got, err := e.EmbedDocuments(context.Background(), texts)
			if err != nil {
				t.Fatalf("EmbedDocuments: %v", err)
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
				if c.Method != http.MethodPost || c.Path != "/api/embed" || c.Auth != "" {
					t.Errorf("request %d: %s %s auth %q, want POST /api/embed without auth", i, c.Method, c.Path, c.Auth)
				}
				if string(c.Body["model"]) != `"test-model"` || len(c.Body) != 2 {
					t.Errorf("request %d: body %v, want just model and input", i, c.Body)
				}
				if fmt.Sprint(c.Input) != fmt.Sprint(texts[next:next+tt.wantSizes[i]]) {
					t.Errorf("request %d: input %q", i, c.Input)
				}
				next += len(c.Input)
			}
			if e.Dim() != 3 {
				t.Errorf("Dim() = %d, want 3", e.Dim())
			}
		})
	}
}

func TestOllamaEmbedderPrefixes(t *testing.T) {
	f := newFakeEmbedServer(t, replyOllama)
	e, _ := newTestOllama(t, f, OllamaConfig{Model: "nomic-embed-text:v1.5"})
	if _, err := e.EmbedDocuments(context.Background(), []string{"doc"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.EmbedQuery(context.Background(), "q"); err != nil {
		t.Fatal(err)
	}
	calls := f.Calls()
	if len(calls) != 2 || calls[0].Input[0] != "search_document: doc" || calls[1].Input[0] != "search_query: q" {
		t.Errorf("requests %+v, want nomic prefixes", calls)
	}
}

func TestOllamaEmbedderErrors(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		wantCalls  int
		wantTemp   bool
		wantInText string
	}{
		{"model not pulled", 404, `{"error":"model \"test-model\" not found, try pulling it first"}`, 1, false, `model \"test-model\" not found`},
		{"overloaded", 503, `{"error":"server busy, please try again.  maximum pending requests exceeded"}`, 3, true, "server busy"},
		{"wrong count", 200, `{"embeddings":[[1,2]]}`, 1, false, "got 1 vectors for 2 texts"},
		{"legacy shape", 200, `{"embedding":[1,2]}`, 1, false, `no "embeddings"`},
		{"malformed", 200, `{"embeddings":[[1,`, 1, false, "unusable response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEmbedServer(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ []string) {
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			})
			e, _ := newTestOllama(t, f, OllamaConfig{MaxRetries: 2})
			_, err := e.EmbedDocuments(context.Background(), []string{"a", "b"})
			var ee *Error
			if !errors.As(err, &ee) || ee.Temporary() != tt.wantTemp {
				t.Fatalf("err = %v, want *Error with Temporary() %v", err, tt.wantTemp)
			}
			if n := len(f.Calls()); n != tt.wantCalls {
				t.Errorf("%d requests, want %d", n, tt.wantCalls)
			}
			for _, want := range []string{f.srv.URL + "/api/embed", fmt.Sprint(tt.status), tt.wantInText} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestNewOllamaEmbedderConfig(t *testing.T) {
	tests := []struct {
		name     string
		cfg      OllamaConfig
		wantErr  string
		wantPath string
	}{
		{"default URL", OllamaConfig{Model: "nomic-embed-text"}, "", DefaultOllamaBaseURL + "/api/embed"},
		{"sub-path kept", OllamaConfig{Model: "m", BaseURL: "https://gw.example/ollama/"}, "", "https://gw.example/ollama/api/embed"},
		{"no model", OllamaConfig{}, "CITEBOT_EMBED_MODEL", ""},
		{"bad URL", OllamaConfig{Model: "m", BaseURL: "localhost:11434"}, "CITEBOT_EMBED_URL", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := NewOllama(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := e.r.http.endpoint.String(); got != tt.wantPath {
				t.Errorf("endpoint %s, want %s", got, tt.wantPath)
			}
		})
	}
}
