package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// DefaultOpenAIBaseURL is where OpenAIConfig points when BaseURL is empty.
const DefaultOpenAIBaseURL = "https://api.openai.com/v1"

// OpenAIConfig configures an OpenAI. Zero values mean the defaults.
type OpenAIConfig struct {
	// BaseURL is the API root the client appends "/embeddings" to; default
	// DefaultOpenAIBaseURL. Any OpenAI-compatible server works: vLLM,
	// LocalAI, llama.cpp server, Ollama's "http://host:11434/v1".
	BaseURL string
	// Model is required.
	Model string
	// APIKey is sent as "Authorization: Bearer <key>" when set; local
	// servers usually need none. It never appears in errors.
	APIKey string
	// Dimensions, when > 0, asks the model for shorter vectors (OpenAI's
	// text-embedding-3 models) and is then the only length accepted.
	Dimensions int
	// QueryPrefix and DocumentPrefix are prepended to queries and documents.
	// When both are empty, KnownPrefixes(Model) is used unless
	// NoDefaultPrefixes is set.
	QueryPrefix, DocumentPrefix string
	NoDefaultPrefixes           bool
	// BatchSize is the most texts sent in one request; default 64.
	BatchSize int
	// Timeout bounds each request (not the whole call); default 30s.
	Timeout time.Duration
	// MaxRetries is how many times a request is retried after a temporary
	// failure (no answer, 408, 429, 5xx); 0 means 4, negative means none.
	MaxRetries int
	// HTTPClient is the client to use; nil means a fresh one. Its own
	// Timeout, if any, also applies.
	HTTPClient *http.Client
}

// OpenAI embeds text through an OpenAI-compatible POST /embeddings
// endpoint, several texts per request. It retries temporary failures with
// exponential backoff (honouring Retry-After), returns L2-normalized vectors
// and is safe for concurrent use. Failures that involve the server are
// *Error.
type OpenAI struct {
	r *remoteEmbedder
}

// NewOpenAI checks cfg and returns an embedder; it makes no request.
// Errors name the setting at fault by the environment variable that usually
// carries it (CITEBOT_EMBED_URL, CITEBOT_EMBED_MODEL, ...).
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	if cfg.Dimensions < 0 {
		return nil, fmt.Errorf("openai embedder: dimensions (CITEBOT_EMBED_DIMENSIONS) is %d, want > 0 or 0 for the model's own", cfg.Dimensions)
	}
	r, err := newRemoteEmbedder("openai", remoteSettings{
		baseURL: cfg.BaseURL, defaultURL: DefaultOpenAIBaseURL, path: "embeddings",
		model: cfg.Model, apiKey: cfg.APIKey, dims: cfg.Dimensions,
		queryPrefix: cfg.QueryPrefix, docPrefix: cfg.DocumentPrefix, noDefaultPrefixes: cfg.NoDefaultPrefixes,
		batchSize: cfg.BatchSize, timeout: cfg.Timeout, maxRetries: cfg.MaxRetries, client: cfg.HTTPClient,
	})
	if err != nil {
		return nil, err
	}
	model, dims := cfg.Model, cfg.Dimensions
	r.encode = func(texts []string) ([]byte, error) {
		return json.Marshal(openAIRequest{Model: model, Input: texts, Dimensions: dims})
	}
	r.decode = decodeOpenAI
	return &OpenAI{r: r}, nil
}

// Name is "openai:<model>", then "@<dimensions>" when set and "+p<hash>"
// when prefixes are in use, so any change to them changes the index identity.
func (e *OpenAI) Name() string { return e.r.name }

// Endpoint is the server's base URL, without credentials: the same model
// name on another server may be another model, so IndexDir keeps their
// vectors apart.
func (e *OpenAI) Endpoint() string { return e.r.endpoint }

// Dim is the vector length: Dimensions when configured, else learned from
// the first response and 0 before it.
func (e *OpenAI) Dim() int { return e.r.Dim() }

// EmbedDocuments embeds texts with the document prefix, in batches of
// BatchSize, and returns one vector per text in order. An empty or blank
// text is an error before any request. On failure it returns no vectors:
// callers that want to keep progress should pass batch-sized slices.
func (e *OpenAI) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	return e.r.embed(ctx, texts, e.r.docPrefix)
}

// EmbedQuery embeds one query with the query prefix.
func (e *OpenAI) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	return e.r.embedOne(ctx, text)
}

// openAIRequest and openAIResponse follow OpenAI's embeddings API (the same
// shapes chromem-go uses, with a list as input).
type openAIRequest struct {
	Model      string   `json:"model"`
	Input      []string `json:"input"`
	Dimensions int      `json:"dimensions,omitempty"`
}

type openAIResponse struct {
	Data []struct {
		Index     *int      `json:"index"`
		Embedding []float32 `json:"embedding"`
	} `json:"data"`
}

// decodeOpenAI returns the vectors in input order. The API does not promise
// that data is in input order, so "index" decides; a server that omits it
// everywhere is taken to answer in order.
func decodeOpenAI(body []byte, n int) ([][]float32, error) {
	var resp openAIResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, err
	}
	if resp.Data == nil {
		return nil, errors.New(`no "data" field`)
	}
	if len(resp.Data) != n {
		return nil, errMissingVectors(len(resp.Data), n)
	}
	out := make([][]float32, n)
	indexed := resp.Data[0].Index != nil
	for i, d := range resp.Data {
		if (d.Index != nil) != indexed {
			return nil, errors.New(`"index" is set on some vectors only`)
		}
		at := i
		if indexed {
			at = *d.Index
		}
		if at < 0 || at >= n {
			return nil, fmt.Errorf("index %d out of range for %d texts", at, n)
		}
		if out[at] != nil {
			return nil, fmt.Errorf("index %d appears twice", at)
		}
		if d.Embedding == nil {
			return nil, fmt.Errorf("vector %d is missing", at)
		}
		out[at] = d.Embedding
	}
	return out, nil
}

func errMissingVectors(got, want int) error {
	return fmt.Errorf("got %d vectors for %d texts", got, want)
}
