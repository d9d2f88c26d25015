package remote

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// remoteEmbedder is what the OpenAI-compatible and Ollama clients share:
// prefixes, batching, response checks, normalization and the learned
// dimension. Only the wire format (encode, decode) differs.
type remoteEmbedder struct {
	name        string
	queryPrefix string
	docPrefix   string
	batchSize   int
	dim         atomic.Int64
	http        *httpCaller
	// endpoint is the server's base URL without credentials (Endpoint).
	endpoint string
	// encode builds one request body; decode returns one vector per text in
	// input order.
	encode func(texts []string) ([]byte, error)
	decode func(body []byte, n int) ([][]float32, error)
}

// remoteSettings is the provider-independent part of a config.
type remoteSettings struct {
	baseURL, defaultURL, path string
	model, apiKey             string
	dims                      int
	queryPrefix, docPrefix    string
	noDefaultPrefixes         bool
	batchSize, maxRetries     int
	timeout                   time.Duration
	client                    *http.Client
}

func newRemoteEmbedder(provider string, s remoteSettings) (*remoteEmbedder, error) {
	if strings.TrimSpace(s.model) == "" {
		return nil, fmt.Errorf("%s embedder: model is required (CITEBOT_EMBED_MODEL)", provider)
	}
	base, err := parseEmbedBaseURL(s.baseURL, s.defaultURL)
	if err != nil {
		return nil, fmt.Errorf("%s embedder: base URL (CITEBOT_EMBED_URL): %w", provider, err)
	}
	if provider == "ollama" {
		// Accept chromem-go's style of Ollama URL, which ends in /api.
		base.Path = strings.TrimSuffix(base.Path, "/api")
	}
	switch {
	case s.batchSize < 0:
		return nil, fmt.Errorf("%s embedder: batch size is %d, want > 0 or 0 for %d", provider, s.batchSize, DefaultEmbedBatchSize)
	case s.batchSize == 0:
		s.batchSize = DefaultEmbedBatchSize
	}
	switch {
	case s.timeout < 0:
		return nil, fmt.Errorf("%s embedder: timeout is %v, want > 0 or 0 for %v", provider, s.timeout, DefaultEmbedTimeout)
	case s.timeout == 0:
		s.timeout = DefaultEmbedTimeout
	}
	switch {
	case s.maxRetries < 0:
		s.maxRetries = 0
	case s.maxRetries == 0:
		s.maxRetries = DefaultEmbedMaxRetries
	}
	qp, dp := resolvePrefixes(s.model, s.queryPrefix, s.docPrefix, s.noDefaultPrefixes)
	r := &remoteEmbedder{
		name:        remoteName(provider, s.model, s.dims, qp, dp),
		queryPrefix: qp,
		docPrefix:   dp,
		batchSize:   s.batchSize,
		http:        newHTTPCaller(s.client, base.JoinPath(strings.Split(s.path, "/")...), s.timeout, s.maxRetries, s.apiKey),
	}
	r.dim.Store(int64(s.dims))
	ep := *base
	ep.User = nil
	ep.Host = strings.ToLower(ep.Host)
	r.endpoint = strings.TrimRight(ep.String(), "/")
	return r, nil
}

// parseEmbedBaseURL checks that raw (or def when raw is empty) is an absolute
// http(s) URL. Its errors never repeat the URL's password.
func parseEmbedBaseURL(raw, def string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // ue's text would quote the whole URL
		}
		return nil, fmt.Errorf("does not parse: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s)://host[:port][/path] URL", redactURL(u))
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// Dim is the configured or learned vector length, 0 before it is known.
func (r *remoteEmbedder) Dim() int { return int(r.dim.Load()) }

func (r *remoteEmbedder) embedOne(ctx context.Context, text string) ([]float32, error) {
	vecs, err := r.embed(ctx, []string{text}, r.queryPrefix)
	if err != nil {
		return nil, err
	}
	return vecs[0], nil
}

func (r *remoteEmbedder) embed(ctx context.Context, texts []string, prefix string) ([][]float32, error) {
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			return nil, fmt.Errorf("embed: text %d is empty", i)
		}
	}
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += r.batchSize {
		end := min(start+r.batchSize, len(texts))
		batch := make([]string, end-start)
		for i, t := range texts[start:end] {
			batch[i] = prefix + t
		}
		vecs, err := r.embedBatch(ctx, batch)
		if err != nil {
			if len(texts) > r.batchSize {
				return nil, fmt.Errorf("embed texts %d to %d of %d: %w", start, end-1, len(texts), err)
			}
			return nil, err
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (r *remoteEmbedder) embedBatch(ctx context.Context, batch []string) ([][]float32, error) {
	payload, err := r.encode(batch)
	if err != nil {
		return nil, fmt.Errorf("embed: encoding request: %w", err)
	}
	// Room for 8k dimensions at JSON's ~30 bytes per float, plus overhead.
	limit := int64(1<<20) + int64(len(batch))*(256<<10)
	body, status, err := r.http.post(ctx, payload, limit)
	if err != nil {
		return nil, err
	}
	vecs, err := r.decode(body, len(batch))
	if err != nil {
		return nil, &Error{Server: r.http.server, Status: status, Body: r.http.excerpt(body), Err: fmt.Errorf("unusable response: %w", err)}
	}
	if err := r.check(vecs); err != nil {
		return nil, &Error{Server: r.http.server, Status: status, Err: err}
	}
	return vecs, nil
}

// check requires one length for all vectors, equal to the known dimension
// (learning it on the first response), and normalizes them in place.
func (r *remoteEmbedder) check(vecs [][]float32) error {
	for i, v := range vecs {
		if len(v) == 0 {
			return fmt.Errorf("vector %d is empty", i)
		}
		if len(v) != len(vecs[0]) {
			return fmt.Errorf("vector %d has %d dimensions, vector 0 has %d", i, len(v), len(vecs[0]))
		}
	}
	n := int64(len(vecs[0]))
	if !r.dim.CompareAndSwap(0, n) {
		if want := r.dim.Load(); want != n {
			return fmt.Errorf("vectors have %d dimensions, want %d (did the server's model change?)", n, want)
		}
	}
	for i, v := range vecs {
		if err := normalizeRemote(v); err != nil {
			return fmt.Errorf("vector %d: %w", i, err)
		}
	}
	return nil
}

// normalizeRemote scales v to unit length in place. A zero or non-finite
// vector has no direction and is an error (chromem-go would store NaNs).
func normalizeRemote(v []float32) error {
	var sum float64
	for i, x := range v {
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("component %d is %v", i, x)
		}
		sum += f * f
	}
	if sum == 0 {
		return errors.New("zero vector")
	}
	norm := math.Sqrt(sum)
	for i := range v {
		v[i] = float32(float64(v[i]) / norm)
	}
	return nil
}
