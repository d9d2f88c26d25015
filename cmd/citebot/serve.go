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

Commands are registered only by 'citebot register', or at every start with
CITEBOT_REGISTER_ON_START=true.
`

// shutdownTimeout bounds how long in-flight work may run after a signal.
const shutdownTimeout = 10 * time.Second

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
	pub, err := checkServeConfig(c)
	if err != nil {
		return &configError{err}
	}
	log := e.logger(c)
	if c.Mentions && c.Token == "" {
		log.Warn("@mentions, DMs and thread follow-ups are not served: the HTTP interactions endpoint receives no messages; " +
			"set DISCORD_TOKEN to run the gateway as well (it can run beside the endpoint), or CITEBOT_MENTIONS=false to silence this")
	}
	metrics := bot.NewMetrics()
	links := bot.Links{PublicURL: c.PublicURL}

	// The HTTP server answers health checks while the index loads.
	var handler swapHandler
	handler.set(bot.NewHTTPHandler(bot.HTTPConfig{Ready: func() bool { return false }, Metrics: metrics, Logger: log}))
	httpDone := make(chan error, 1)
	var srv *http.Server
	if c.HTTPAddr != "" {
		ln, err := net.Listen("tcp", c.HTTPAddr)
		if err != nil {
			return &configError{fmt.Errorf("CITEBOT_HTTP_ADDR=%s: %w", c.HTTPAddr, err)}
		}
		srv = bot.NewHTTPServer(c.HTTPAddr, &handler, log)
		log.Info("http server listening", "addr", ln.Addr().String())
		go func() { httpDone <- srv.Serve(ln) }()
	}

	var ix *retrieval.Index
	if c.Store == "weaviate" {
		// Weaviate down at start is not fatal: /readyz says 503 and every
		// interaction "unavailable" until it answers (ix.Run notices).
		ix, err = openRemoteIndex(ctx, c, log, metrics.Embedder, true)
	} else {
		ix, err = openIndex(ctx, c, log, e.stderr, metrics.Embedder)
	}
	if err != nil {
		shutdownHTTP(srv, log)
		return err
	}
	go ix.Run(ctx)
	metrics.SetIndexSize(ix.Len())
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

	gwDone := make(chan error, 1)
	if c.Token != "" {
		go func() {
			gwDone <- bot.RunGateway(ctx, bot.GatewayConfig{
				Token: c.Token, AppID: c.AppID, GuildID: c.GuildID, APIURL: c.APIURL,
				Register: c.RegisterOnStart, Logger: log, Mentions: c.Mentions,
			}, router)
		}()
	}
	watchDone := startWatch(ctx, c, ix, metrics, log)

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-gwDone:
		runErr = err
		gwDone <- nil // RunGateway has returned; nothing left to wait for.
	case err := <-httpDone:
		runErr = fmt.Errorf("http server: %w", err)
		httpDone <- nil
	}
	// Stop taking new interactions, let in-flight ones finish (bounded).
	router.Drain()
	shutdownHTTP(srv, log)
	wctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := router.Wait(wctx); err != nil {
		log.Warn("interactions still running at shutdown", "error", err)
	}
	if c.Token != "" {
		if err := <-gwDone; err != nil && runErr == nil {
			runErr = err
		}
	}
	<-watchDone
	return runErr
}

// checkServeConfig makes sure serve has a way to receive interactions and
// decodes the public key. Errors name the variable.
func checkServeConfig(c config) (ed25519.PublicKey, error) {
	if c.Token == "" && c.PublicKey == "" {
		return nil, errors.New("DISCORD_TOKEN is not set: serve needs the bot token for the gateway (or DISCORD_PUBLIC_KEY and CITEBOT_HTTP_ADDR for the HTTP interactions endpoint); copy .env.example to .env and fill it in")
	}
	if c.Token != "" && c.AppID == "" {
		return nil, errors.New("DISCORD_APP_ID is not set: the gateway needs the application id (see .env.example)")
	}
	if c.PublicKey == "" {
		return nil, nil
	}
	if c.HTTPAddr == "" {
		return nil, errors.New("CITEBOT_HTTP_ADDR is not set: DISCORD_PUBLIC_KEY is only used by the HTTP interactions endpoint, which needs an address such as :8080")
	}
	key, err := hex.DecodeString(c.PublicKey)
	if err != nil || len(key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("DISCORD_PUBLIC_KEY: want %d hex-encoded bytes from the developer portal", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(key), nil
}

func shutdownHTTP(srv *http.Server, log *slog.Logger) {
	if srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
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

// startWatch follows CITEBOT_CORPUS for changes while serving; the bundled
// corpus never changes. The returned channel closes when watching stops.
func startWatch(ctx context.Context, c config, ix *retrieval.Index, metrics *bot.Metrics, log *slog.Logger) <-chan struct{} {
	done := make(chan struct{})
	if c.Corpus == "" || c.Store == "weaviate" {
		// With Weaviate the writer (citebot index -watch) follows the
		// corpus; replicas pick its syncs up from the collection.
		close(done)
		return done
	}
	go func() {
		defer close(done)
		err := retrieval.Watch(ctx, c.Corpus, ix, retrieval.WatchOptions{
			Logger: log,
			OnUpdate: func(_ retrieval.UpdateStats, err error) {
				if err == nil {
					metrics.SetIndexSize(ix.Len())
				}
			},
		})
		if err != nil {
			log.Error("live corpus updates are off", "dir", c.Corpus, "error", err)
		}
	}()
	return done
}
