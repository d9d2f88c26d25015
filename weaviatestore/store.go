// Package weaviatestore keeps citebot's index in a Weaviate collection, so
// that many stateless citebot replicas can share one index past the size of
// one machine. It is the only citebot package that imports the Weaviate
// client.
//
// One writer (citebot index) syncs the corpus into three collections named
// from the embedder configuration: the passages with citebot's own vectors
// (vectorizer none) and BM25 over citebot's analyzed terms, the articles
// (for the reader page), and a small meta collection holding the corpus
// statistics readers need (see retrieval.Stats). Readers implement
// retrieval.Backend over them.
package weaviatestore

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/go-openapi/strfmt"
	"github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/fault"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"
	"github.com/weaviate/weaviate/entities/models"

	"citebot/retrieval"
)

// Weaviate's hybrid fusions (Config.Fusion).
const (
	FusionRelative = "relative"
	FusionRanked   = "ranked"
)

// Consistency levels a read may ask for.
const (
	One    = "ONE"
	Quorum = "QUORUM"
	All    = "ALL"
)

// Config is how to reach Weaviate.
type Config struct {
	// URLs are base URLs of Weaviate nodes ("http://host:8080"); a request
	// that cannot reach one tries the next.
	URLs []string
	// APIKey, when set, is sent as a bearer token. It is never logged.
	APIKey string
	// Replication is the replication factor of collections citebot
	// creates; 0 means 1.
	Replication int
	// Consistency is the read consistency level (One, Quorum, All); ""
	// means One. Writes use Quorum.
	Consistency string
	// Timeout bounds one request to one node; 0 means 10s.
	Timeout time.Duration
	// Logger receives failovers; nil discards them.
	Logger *slog.Logger
	// Fusion picks how hybrid searches fuse BM25 and vectors when the
	// reader asks the store to (retrieval.RemoteOptions.BackendFusion):
	// FusionRelative (Weaviate's default) or FusionRanked.
	Fusion string
	// Prefix starts the collection names; "" means "Citebot". Another
	// prefix keeps a second corpus (an evaluation set) apart.
	Prefix string
}

// Errors Open and the queries return; test with errors.Is. Every failure to
// reach Weaviate also wraps retrieval.ErrUnavailable.
var (
	// ErrUnauthorized: Weaviate refused the API key (or wants one).
	ErrUnauthorized = errors.New("weaviate refused the API key")
	// ErrCollectionMissing: the collection has not been created (run
	// citebot index).
	ErrCollectionMissing = errors.New("collection missing")
	// ErrOtherEmbedder: the collection holds vectors of another embedder.
	ErrOtherEmbedder = errors.New("collection made by another embedder")
)

// ParseURLs splits a comma-separated list of base URLs and checks each.
func ParseURLs(s string) ([]string, error) {
	var out []string
	for _, u := range strings.Split(s, ",") {
		u = strings.TrimRight(strings.TrimSpace(u), "/")
		if u == "" {
			continue
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || (p.Path != "" && p.Path != "/") {
			return nil, fmt.Errorf("want http(s)://host:port base URLs, got %q", u)
		}
		out = append(out, u)
	}
	if len(out) == 0 {
		return nil, errors.New("no URL given")
	}
	return out, nil
}

// ParseConsistency checks a consistency level name (case-insensitive);
// "" means One.
func ParseConsistency(s string) (string, error) {
	switch v := strings.ToUpper(strings.TrimSpace(s)); v {
	case "":
		return One, nil
	case One, Quorum, All:
		return v, nil
	default:
		return "", fmt.Errorf("want ONE, QUORUM or ALL, got %q", s)
	}
}

// node is one Weaviate node's client.
type node struct {
	url    string
	client *weaviate.Client
}

// Store is a citebot index in Weaviate. It implements retrieval.Backend and
// is safe for concurrent use.
type Store struct {
	cfg   Config
	emb   retrieval.Embedder
	nodes []node
	// next is the node tried first: the last one that answered.
	next atomic.Int64
	log  *slog.Logger
	// Class names.
	passages, articles, meta string
	// checked is set once Check or the writer has seen this embedder's
	// collection; replicated when its replication factor is above 1
	// (only then does Weaviate take a consistency level on reads).
	checked, replicated atomic.Bool
}

// level is the consistency argument for reads: lvl on a replicated
// collection, else none (Weaviate refuses it there).
func (s *Store) level(b *graphql.GetBuilder, lvl string) *graphql.GetBuilder {
	if s.replicated.Load() {
		return b.WithConsistencyLevel(lvl)
	}
	return b
}

// New returns a Store for the collections of emb's vectors. It does not
// contact Weaviate: see Check (readers) and Sync (the writer).
func New(cfg Config, emb retrieval.Embedder) (*Store, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("weaviatestore: no URL")
	}
	if cfg.Replication <= 0 {
		cfg.Replication = 1
	}
	lvl, err := ParseConsistency(cfg.Consistency)
	if err != nil {
		return nil, fmt.Errorf("weaviatestore: %w", err)
	}
	cfg.Consistency = lvl
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	s := &Store{cfg: cfg, emb: emb, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.passages = CollectionName(emb)
	if cfg.Prefix != "" {
		s.passages = notClassChar.ReplaceAllString(cfg.Prefix, "") + strings.TrimPrefix(s.passages, "Citebot")
	}
	s.articles = s.passages + "Articles"
	s.meta = s.passages + "Meta"
	headers := map[string]string{}
	if cfg.APIKey != "" {
		headers["Authorization"] = "Bearer " + cfg.APIKey
	}
	for _, u := range cfg.URLs {
		p, err := url.Parse(u)
		if err != nil {
			return nil, fmt.Errorf("weaviatestore: %q: %w", u, err)
		}
		// Each node gets its own transport so a dead node's connections
		// never hold up another's.
		hc := &http.Client{Timeout: cfg.Timeout, Transport: &http.Transport{
			Proxy: nil, MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second,
			ResponseHeaderTimeout: cfg.Timeout,
		}}
		c, err := weaviate.NewClient(weaviate.Config{Host: p.Host, Scheme: p.Scheme, Headers: headers,
			ConnectionClient: hc, Timeout: cfg.Timeout})
		if err != nil {
			return nil, fmt.Errorf("weaviatestore: client for %s: %w", u, err)
		}
		s.nodes = append(s.nodes, node{url: u, client: c})
	}
	return s, nil
}

// Collection is the passages collection's name.
func (s *Store) Collection() string { return s.passages }

var notClassChar = regexp.MustCompile(`[^A-Za-z0-9]+`)

// CollectionName is the passages collection for emb's vectors: the
// embedder's name and dimensions in Weaviate's class-name alphabet, e.g.
// "CitebotLocalHash512". The exact name and dimensions are also kept in
// the collection's description and checked on every open, since two
// embedder names may map to one class name.
func CollectionName(emb retrieval.Embedder) string {
	var b strings.Builder
	b.WriteString("Citebot")
	for _, w := range notClassChar.Split(emb.Name(), -1) {
		if w == "" {
			continue
		}
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	b.WriteString(strconv.Itoa(emb.Dim()))
	return b.String()
}

// description identifies the embedder in the collection's description.
func (s *Store) description() string {
	return fmt.Sprintf("citebot passages; embedder=%q dims=%d", s.emb.Name(), s.emb.Dim())
}

// statusOf digs the HTTP status out of the client's nested errors (0 when
// the request never got an answer).
func statusOf(err error) int {
	for depth := 0; err != nil && depth < 8; depth++ {
		var we *fault.WeaviateClientError
		if !errors.As(err, &we) {
			return 0
		}
		if we.IsUnexpectedStatusCode {
			return we.StatusCode
		}
		err = we.DerivedFromError
	}
	return 0
}

// clientError is the client's error without its wrapping: the innermost
// cause ("dial tcp …: connection refused") or Weaviate's message, with
// the status when there is one.
type clientError struct {
	status int
	msg    string
	cause  error
}

func (e *clientError) Error() string {
	if e.status > 0 {
		return fmt.Sprintf("status %d: %s", e.status, e.msg)
	}
	return e.msg
}

func (e *clientError) Unwrap() error { return e.cause }

func simplify(err error) error {
	var we *fault.WeaviateClientError
	if !errors.As(err, &we) {
		return err
	}
	for depth := 0; depth < 8; depth++ {
		if we.IsUnexpectedStatusCode {
			return &clientError{status: we.StatusCode, msg: strings.TrimSpace(we.Msg), cause: err}
		}
		next := we.DerivedFromError
		var inner *fault.WeaviateClientError
		if next == nil {
			return &clientError{msg: we.Msg, cause: err}
		}
		if !errors.As(next, &inner) {
			return &clientError{msg: next.Error(), cause: next}
		}
		we = inner
	}
	return err
}

// nodeError names the node and classifies err.
func nodeError(u string, err error) error {
	err = simplify(err)
	switch st := statusOf(err); {
	case st == http.StatusUnauthorized || st == http.StatusForbidden:
		return fmt.Errorf("weaviate at %s: %w (CITEBOT_WEAVIATE_API_KEY; status %d)", u, ErrUnauthorized, st)
	case errors.Is(err, ErrCollectionMissing), errors.Is(err, ErrOtherEmbedder):
		return err
	}
	return fmt.Errorf("weaviate at %s: %w", u, err)
}

// permanent errors are not worth another node: the cluster agrees on them.
func permanent(err error) bool {
	return errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrOtherEmbedder) || errors.Is(err, context.Canceled)
}

// do runs f against one node after another, starting with the last one
// that answered, until one succeeds or f's error is permanent. Errors wrap
// retrieval.ErrUnavailable unless they are the caller's cancellation.
func (s *Store) do(ctx context.Context, f func(c *weaviate.Client) error) error {
	start := int(s.next.Load())
	var errs []error
	for k := range s.nodes {
		i := (start + k) % len(s.nodes)
		n := s.nodes[i]
		err := f(n.client)
		if err == nil {
			if k > 0 {
				s.next.Store(int64(i))
				s.log.Info("weaviate: failed over", "to", n.url)
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		err = nodeError(n.url, err)
		errs = append(errs, err)
		if permanent(err) || errors.Is(err, ErrCollectionMissing) {
			break
		}
	}
	return fmt.Errorf("%w: %w", retrieval.ErrUnavailable, errors.Join(errs...))
}

// gql runs a GraphQL query built by q on the nodes in turn and returns the
// objects of class it found.
func (s *Store) gql(ctx context.Context, class string, q func(c *weaviate.Client) *graphql.GetBuilder) ([]map[string]any, error) {
	var out []map[string]any
	err := s.do(ctx, func(c *weaviate.Client) error {
		resp, err := q(c).Do(ctx)
		if err != nil {
			return err
		}
		if len(resp.Errors) > 0 {
			msg := resp.Errors[0].Message
			if strings.Contains(msg, "Cannot query field") || strings.Contains(msg, "class not found") || strings.Contains(msg, "could not find class") {
				s.checked.Store(false)
				return fmt.Errorf("%w: %s (run citebot index to create it)", ErrCollectionMissing, class)
			}
			return fmt.Errorf("graphql: %s", msg)
		}
		get, _ := resp.Data["Get"].(map[string]any)
		list, _ := get[class].([]any)
		out = out[:0]
		for _, o := range list {
			if m, ok := o.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return nil
	})
	return out, err
}

// objectID is the object's UUID: name-based (SHA-1, version 5) over the
// class and key, so re-syncing a passage overwrites it in place.
func objectID(class, key string) string {
	h := sha1.Sum([]byte("citebot/" + class + "/" + key))
	h[6] = (h[6] & 0x0f) | 0x50
	h[8] = (h[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// Check makes sure Weaviate answers, accepts the key, and holds this
// embedder's collection. Readers call it at start to fail clearly.
func (s *Store) Check(ctx context.Context) error {
	return s.do(ctx, func(c *weaviate.Client) error {
		cls, err := c.Schema().ClassGetter().WithClassName(s.passages).Do(ctx)
		if err != nil {
			if statusOf(err) == http.StatusNotFound {
				return fmt.Errorf("%w: %s (run citebot index with this embedder configuration to create it)", ErrCollectionMissing, s.passages)
			}
			return err
		}
		return s.checkClass(cls)
	})
}

func (s *Store) checkClass(cls *models.Class) error {
	if cls == nil {
		return fmt.Errorf("%w: %s", ErrCollectionMissing, s.passages)
	}
	if cls.Description != s.description() {
		s.checked.Store(false)
		return fmt.Errorf("%w: %s says %q, this configuration is embedder=%q dims=%d (another CITEBOT_EMBEDDER/MODEL/DIMENSIONS made it)",
			ErrOtherEmbedder, s.passages, cls.Description, s.emb.Name(), s.emb.Dim())
	}
	s.replicated.Store(cls.ReplicationConfig != nil && cls.ReplicationConfig.Factor > 1)
	if cls.InvertedIndexConfig != nil && cls.InvertedIndexConfig.UsingBlockMaxWAND && !s.checked.Load() {
		s.log.Warn("collection uses BlockMax WAND, which in Weaviate 1.35.2 can drop recent matches from BM25 results; "+
			"create it on servers run with USE_INVERTED_SEARCHABLE=false (see README)", "collection", s.passages)
	}
	s.checked.Store(true)
	return nil
}

func strfmtUUID(s string) strfmt.UUID { return strfmt.UUID(s) }

// PassageURL is the REST address of passage id's object on the node at
// base (for operators inspecting one replica: add ?node_name=NODE).
func (s *Store) PassageURL(base, id string) string {
	return strings.TrimRight(base, "/") + "/v1/objects/" + s.passages + "/" + objectID(s.passages, id)
}
