package bot

import (
	"context"
	"crypto/ed25519"
	"io"
	"log/slog"
	"net/http"
	"time"

	"citebot/readerpage"

	"github.com/bwmarrin/discordgo"
)

// InteractionHandler serves one interaction: it must call resp.Respond exactly
// once (inline, or a deferral followed by resp.Edit) and may keep working
// after that; the HTTP endpoint runs it in its own goroutine. *Router
// implements it.
type InteractionHandler interface {
	Handle(ctx context.Context, i *discordgo.Interaction, resp Responder)
}

// HTTPConfig is everything the HTTP server needs. Zero values are safe
// defaults unless noted.
type HTTPConfig struct {
	// PublicKey is the application's Ed25519 public key (DISCORD_PUBLIC_KEY,
	// hex-decoded). When nil, POST /interactions answers 503 "not
	// configured"; the reader and operations endpoints still work.
	PublicKey ed25519.PublicKey
	// Handler serves verified interactions (the Router). When nil,
	// /interactions answers 503 as for a missing PublicKey.
	Handler InteractionHandler
	// Searcher gives the reader its articles; nil while the index loads
	// (the reader then answers 503).
	Searcher Searcher
	// Ready reports whether the index is loaded (GET /readyz). Nil means
	// ready as soon as Searcher is set.
	Ready func() bool
	// Links builds citation URLs; the reader uses it for its own links.
	Links Links
	// Metrics is served at GET /metrics and counts refused requests; nil
	// serves 404 there.
	Metrics *Metrics
	// Logger receives one line per refused request and per REST failure.
	// Nil discards. Tokens are never logged.
	Logger *slog.Logger
	// APIURL is Discord's base URL for webhook edits and follow-ups
	// (DISCORD_API_URL); default "https://discord.com".
	APIURL string
	// AppID is used when an interaction lacks application_id.
	AppID string
	// Token (DISCORD_TOKEN) is optional: the webhook endpoints are
	// authorized by the interaction token, so edits work without it. When
	// set it is sent as "Authorization: Bot …" for REST proxies that want it.
	Token string
	// HTTPClient sends REST calls; default a client with a 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock for signature timestamps and latencies; default time.Now.
	Now func() time.Time
	// AckDeadline is how long /interactions waits for the Handler's first
	// response before answering with a deferral itself; default 2.5 s,
	// inside Discord's 3 s limit.
	AckDeadline time.Duration
	// MaxRemembered bounds the interaction ids remembered against replays;
	// default MaxRememberedInteractions.
	MaxRemembered int
}

// DefaultAPIURL is Discord's REST base URL.
const DefaultAPIURL = "https://discord.com"

// withDefaults fills the zero fields of cfg.
func (cfg HTTPConfig) withDefaults() HTTPConfig {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AckDeadline <= 0 {
		cfg.AckDeadline = 2500 * time.Millisecond
	}
	if cfg.MaxRemembered <= 0 {
		cfg.MaxRemembered = MaxRememberedInteractions
	}
	if cfg.Ready == nil {
		s := cfg.Searcher
		cfg.Ready = func() bool { return s != nil }
	}
	return cfg
}

// NewHTTPHandler returns citebot's HTTP server: every route in one place.
//
//	POST /interactions      Discord interactions (Ed25519-verified)
//	GET  /articles          reader: list of articles
//	GET  /articles/{id...}  reader: one article (ids may contain '/')
//	GET  /healthz           200 while the process is up
//	GET  /readyz            200 once the index is loaded, else 503
//	GET  /metrics           Prometheus exposition
func NewHTTPHandler(cfg HTTPConfig) http.Handler {
	cfg = cfg.withDefaults()
	mux := http.NewServeMux()
	mux.Handle("POST /interactions", handleInteractions(cfg))
	var lib readerpage.Library
	if cfg.Searcher != nil { // a nil Searcher in the interface would not be nil
		lib = cfg.Searcher
	}
	readerpage.New(lib, cfg.Links.ArticleURL, cfg.Logger).Register(mux)
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", handleReadyz(cfg.Ready))
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics.Handler())
	}
	return mux
}

// NewHTTPServer wraps h in an http.Server for addr (CITEBOT_HTTP_ADDR) with
// timeouts, so a slow or idle client cannot hold connections forever. Shut
// it down with Shutdown after Router.Drain, then Router.Shutdown, which
// waits for the edits still in flight and tells whoever is left to ask again.
func NewHTTPServer(addr string, h http.Handler, log *slog.Logger) *http.Server {
	srv := &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	if log != nil {
		srv.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelWarn)
	}
	return srv
}
