package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"citebot/bot"
	"citebot/retrieval"
)

const serveUsage = `Usage: citebot serve

Runs the bot until SIGINT or SIGTERM:
  - over the Discord gateway when DISCORD_TOKEN is set: commands, and (with
    CITEBOT_MENTIONS, the default) @mentions, DMs and thread follow-ups;
  - as an HTTP server when CITEBOT_HTTP_ADDR is set: POST /interactions (with
    DISCORD_PUBLIC_KEY), the reader (/articles), /healthz, /readyz, /metrics.
Both may run in one process; the HTTP endpoint alone cannot receive messages. On shutdown it stops taking interactions,
finishes those in flight (at most 10 s) and exits 0.
	}
Both may run in one process. On SIGINT or SIGTERM it stops taking
interactions, lets those in flight finish for up to 10 s, edits any answer
still being worked on to "citebot restarted before answering — please ask
again", and exits 0, at most 17 s after the signal. If the gateway or the
HTTP server fails, it logs the error once, shuts down the same way and exits 1.

Commands are registered only by 'citebot register', or at every start with
CITEBOT_REGISTER_ON_START=true.
`

// Shutdown bounds: in-flight work may run for shutdownGrace after a signal
// (or a fatal error); the restart notices then take at most
// bot.NoticeTimeout, and the gateway, the corpus watch and the index
// refresh get stopWait to stop. README states the sum (17 s).
const (
	shutdownGrace = 10 * time.Second
	stopWait      = 2 * time.Second
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	pos, err := parseFlags(fs, serveUsage, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef(serveUsage, "unexpected argument %q", pos[0])
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	pub, warnings, err := checkServeConfig(c)
	if err != nil {
		return &configError{err}
	}
	log := e.logger(c)
	if c.Mentions && c.Token == "" {
		log.Warn("@mentions, DMs and thread follow-ups are not served: the HTTP interactions endpoint receives no messages; " +
			"set DISCORD_TOKEN to run the gateway as well (it can run beside the endpoint), or CITEBOT_MENTIONS=false to silence this")
	}
	for _, w := range warnings {
		log.Warn(w)
	}
	metrics := bot.NewMetrics()
	links := bot.Links{PublicURL: c.PublicURL}
	// The first fatal error of any part stops every other part.
	svc := newServices(ctx)
	defer svc.stop()

	// The HTTP server answers health checks while the index loads.
	var handler swapHandler
	handler.set(bot.NewHTTPHandler(bot.HTTPConfig{Ready: func() bool { return false }, Metrics: metrics, Logger: log}))
	var srv *http.Server
	if c.HTTPAddr != "" {
		ln, err := net.Listen("tcp", c.HTTPAddr)
		if err != nil {
			return &configError{fmt.Errorf("CITEBOT_HTTP_ADDR=%s: %w", c.HTTPAddr, err)}
		}
		srv = bot.NewHTTPServer(c.HTTPAddr, &handler, log)
		log.Info("http server listening", "addr", ln.Addr().String())
		svc.run(func(context.Context) error {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("http server on %s: %w", c.HTTPAddr, err)
			}
			return nil
		})
	}

	var ix *retrieval.Index
	if c.Store == "weaviate" {
		// Weaviate down at start is not fatal: /readyz says 503 and every
		// interaction "unavailable" until it answers (ix.Run notices).
		ix, err = openRemoteIndex(svc.ctx, c, log, metrics.Embedder, true, metrics.SetIndexSize)
	} else {
		ix, err = openIndex(svc.ctx, c, log, e.stderr, metrics.Embedder)
	}
	if err != nil {
		shutdownHTTP(srv, log, time.Now().Add(shutdownGrace))
		if ferr := svc.err(); ferr != nil {
			return ferr
		}
		return err
	}
	// A remote index's refresh; a local one's retries (Health). A part like
	// the others, so serve waits for it and it never logs after serve
	// returns.
	svc.run(func(ctx context.Context) error {
		ix.Run(ctx)
		return nil
	})
	metrics.SetIndexSize(ix.Len())
	svc.run(func(ctx context.Context) error {
		reportIndexHealth(ctx, ix, metrics)
		return nil
	})
	// At most one search per core at a time: under load, queued searches
	// wait briefly instead of all slowing down together (halves ack p99 in
	// the load test on 2 cores).
	searcher := bot.LimitSearches(metrics.Searcher(ix), runtime.GOMAXPROCS(0))
	router := bot.NewRouter(searcher, bot.Config{
		PrivateDefault:  c.PrivateDefault,
		AllowedChannels: c.Channels,
		RateLimit:       bot.RateLimit{Events: c.RateEvents, Window: c.RateWindow},
		Links:           links,
		Logger:          log,
		Observer:        metrics,
		LogQueries:      c.LogQueries,
		MessageContent:  c.MessageContent,
		Available:       ix.Available,
	})
	handler.set(bot.NewHTTPHandler(bot.HTTPConfig{
		PublicKey: pub, Handler: router, Searcher: searcher, Links: links, Metrics: metrics, Logger: log,
		Ready:  func() bool { return ix.Available() == nil },
		APIURL: c.APIURL, AppID: c.AppID, Token: c.Token,
	}))

	if c.Token != "" {
		svc.run(func(ctx context.Context) error {
			return bot.RunGateway(ctx, bot.GatewayConfig{
				Token: c.Token, AppID: c.AppID, GuildID: c.GuildID, APIURL: c.APIURL,
				Register: c.RegisterOnStart, Logger: log, Mentions: c.Mentions,
			}, router)
		})
	}
	// The bundled corpus never changes; with Weaviate the writer (citebot
	// index -watch) follows the corpus and replicas pick its syncs up from
	// the collection.
	if c.Corpus != "" && c.Store != "weaviate" {
		svc.run(func(ctx context.Context) error {
			watch(ctx, c, ix, metrics, log)
			return nil
		})
	}

	<-svc.ctx.Done()
	runErr := svc.err()
	if runErr == nil {
		log.Info("shutting down")
	} else {
		log.Info("shutting down after a fatal error") // run prints the error itself, once
	}
	// Stop taking new interactions, let in-flight ones finish (bounded),
	// then tell whoever is still waiting to ask again.
	deadline := time.Now().Add(shutdownGrace)
	router.Drain()
	shutdownHTTP(srv, log, deadline)
	gctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	router.Shutdown(gctx)
	if !svc.wait(stopWait) {
		log.Warn("shutdown: the gateway, the corpus watch or the index refresh did not stop in time")
	}
	return runErr
}

// checkServeConfig makes sure serve has a way to receive interactions and
// decodes the public key. Errors name the variable; warnings are settings
// that do nothing in this configuration.
func checkServeConfig(c config) (ed25519.PublicKey, []string, error) {
	if c.Token == "" && (c.PublicKey == "" || c.HTTPAddr == "") {
		if c.PublicKey != "" {
			return nil, nil, errors.New("DISCORD_TOKEN and CITEBOT_HTTP_ADDR are not set: serve needs the bot token for the gateway, or an address such as :8080 for the HTTP interactions endpoint that DISCORD_PUBLIC_KEY is for")
		}
		return nil, nil, errors.New("DISCORD_TOKEN is not set: serve needs the bot token for the gateway (or DISCORD_PUBLIC_KEY and CITEBOT_HTTP_ADDR for the HTTP interactions endpoint); copy .env.example to .env and fill it in")
	}
	if c.Token != "" && c.AppID == "" {
		return nil, nil, errors.New("DISCORD_APP_ID is not set: the gateway needs the application id (see .env.example)")
	}
	if c.PublicKey == "" {
		return nil, nil, nil
	}
	if c.HTTPAddr == "" {
		return nil, []string{"DISCORD_PUBLIC_KEY is set but unused: it only verifies the HTTP interactions endpoint, which needs CITEBOT_HTTP_ADDR; serving over the gateway"}, nil
	}
	key, err := hex.DecodeString(c.PublicKey)
	if err != nil || len(key) != ed25519.PublicKeySize {
		return nil, nil, fmt.Errorf("DISCORD_PUBLIC_KEY: want %d hex-encoded bytes from the developer portal", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(key), nil, nil
}

// shutdownHTTP stops the server, waiting for requests in flight until
// deadline.
func shutdownHTTP(srv *http.Server, log *slog.Logger, deadline time.Time) {
	if srv == nil {
		return
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		log.Warn("http shutdown", "error", err)
	}
}

// swapHandler serves whichever handler was set last, so the server can
// answer health checks before the index is loaded.
type swapHandler struct{ h atomic.Pointer[http.Handler] }

func (s *swapHandler) set(h http.Handler) { s.h.Store(&h) }

func (s *swapHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.h.Load()).ServeHTTP(w, r)
}

// reportIndexHealth keeps the index's health gauges current until ctx ends:
// passages still without a vector, a save that failed (serve then runs from
// memory and ix.Run retries).
func reportIndexHealth(ctx context.Context, ix *retrieval.Index, metrics *bot.Metrics) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		h := ix.Health()
		metrics.SetIndexHealth(h.MissingVectors, h.SaveErr != nil)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// watch follows CITEBOT_CORPUS for changes until ctx ends. A watch that
// cannot run is logged, not fatal: the bot keeps serving the corpus it has.
func watch(ctx context.Context, c config, ix *retrieval.Index, metrics *bot.Metrics, log *slog.Logger) {
	err := retrieval.Watch(ctx, c.Corpus, ix, retrieval.WatchOptions{
		Logger: log,
		OnUpdate: func(_ retrieval.UpdateStats, err error) {
			if err == nil {
				metrics.SetIndexSize(ix.Len())
			}
		},
	})
	if err != nil && ctx.Err() == nil {
		log.Error("live corpus updates are off", "dir", c.Corpus, "error", err)
	}
}
