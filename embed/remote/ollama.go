package remote

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// DefaultOllamaBaseURL is where OllamaConfig points when BaseURL is empty.
const DefaultOllamaBaseURL = "http://localhost:11434"

// OllamaConfig configures an Ollama. Zero values mean the defaults.
type OllamaConfig struct {
	// BaseURL is the Ollama server; default DefaultOllamaBaseURL. A trailing
	// "/api" (chromem-go's convention) is accepted.
	BaseURL string
	// Model is required, e.g. "nomic-embed-text".
	Model string
	// QueryPrefix and DocumentPrefix are prepended to queries and documents.
	// When both are empty, KnownPrefixes(Model) is used unless
	// NoDefaultPrefixes is set.
	QueryPrefix, DocumentPrefix string
	NoDefaultPrefixes           bool
	// BatchSize is the most texts sent in one request; default 64.
	BatchSize int
	// Timeout bounds each request; default 30s. A model that Ollama must
	// load first can take longer on the first request.
	Timeout time.Duration
	// MaxRetries is how many times a request is retried after a temporary
	// failure (no answer, 408, 429, 5xx); 0 means 4, negative means none.
	MaxRetries int
	// HTTPClient is the client to use; nil means a fresh one.
	HTTPClient *http.Client
}

// Ollama embeds text with Ollama's batched POST /api/embed endpoint
// (not the legacy one-text /api/embeddings that chromem-go v0.7.0 calls).
// Retries, timeouts, normalization, errors and concurrency are as for
// OpenAI.
type Ollama struct {
	r *remoteEmbedder
}

// NewOllama checks cfg and returns an embedder; it makes no request.
// Errors name the environment variable that usually carries the setting.
func NewOllama(cfg OllamaConfig) (*Ollama, error) {
	// The batching, retry and vector checks are shared with the
	// OpenAI-compatible client (see remoteEmbedder in remote.go).
	r, err := newRemoteEmbedder("ollama", remoteSettings{
		baseURL: cfg.BaseURL, defaultURL: DefaultOllamaBaseURL, path: "api/embed",
		model:       cfg.Model,
		queryPrefix: cfg.QueryPrefix, docPrefix: cfg.DocumentPrefix, noDefaultPrefixes: cfg.NoDefaultPrefixes,
		batchSize: cfg.BatchSize, timeout: cfg.Timeout, maxRetries: cfg.MaxRetries, client: cfg.HTTPClient,
	})
	if err != nil {
		return nil, err
	}
	model := cfg.Model
	r.encode = func(texts []string) ([]byte, error) {
		return json.Marshal(ollamaEmbedRequest{Model: model, Input: texts})
	}
	r.decode = decodeOllama
	return &Ollama{r: r}, nil
}

// Name is "ollama:<model>", then "+p<hash>" when prefixes are in use.
func (e *Ollama) Name() string { return e.r.name }

// Endpoint is the server's base URL, without credentials: the same model
// name on another server may be another model, so IndexDir keeps their
// vectors apart.
func (e *Ollama) Endpoint() string { return e.r.endpoint }

// Dim is the vector length learned from the first response, 0 before it.
func (e *Ollama) Dim() int { return e.r.Dim() }

// EmbedDocuments embeds texts with the document prefix, in batches of
// BatchSize, and returns one vector per text in order. An empty or blank
// text is an error before any request. On failure it returns no vectors.
func (e *Ollama) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	return e.r.embed(ctx, texts, e.r.docPrefix)
}

// EmbedQuery embeds one query with the query prefix.
func (e *Ollama) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	return e.r.embedOne(ctx, text)
}

// ollamaEmbedRequest and ollamaEmbedResponse are /api/embed's shapes.
type ollamaEmbedRequest struct {
	Model string   `json:"model"`
	Input []string `json:"input"`
}

type ollamaEmbedResponse struct {
	Embeddings [][]float32 `json:"embeddings"`
}

// decodeOllama returns the vectors, which /api/embed gives in input order.
func decodeOllama(body []byte, n int) ([][]float32, error) {
	var resp ollamaEmbedResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	if resp.Embeddings == nil {
		return nil, errors.New(`no "embeddings" field`)
	}
	if len(resp.Embeddings) != n {
		return nil, errMissingVectors(len(resp.Embeddings), n)
	}
	return resp.Embeddings, nil
}
