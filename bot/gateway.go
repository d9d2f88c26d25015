package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// drainTimeout bounds how long shutdown waits for in-flight interactions.
const drainTimeout = 10 * time.Second

// GatewayConfig connects the bot to Discord's gateway.
type GatewayConfig struct {
	// Token is the bot token (DISCORD_TOKEN), with or without "Bot ".
	Token string
	// AppID is the application id (DISCORD_APP_ID).
	AppID string
	// GuildID registers commands to one server (instant updates); empty
	// registers them globally.
	GuildID string
	// APIURL is the base of every REST call, the gateway lookup included
	// (DISCORD_API_URL); empty means https://discord.com.
	APIURL string
	// Register makes RunGateway bulk-overwrite the commands on start.
	Register bool
	// Mentions subscribes to guild and DM messages so that mentions of the
	// bot, DMs and follow-ups in its threads are answered (the router's
	// HandleMessage); with the router's Config.MessageContent the gateway
	// also asks for the privileged Message Content intent.
	Mentions bool
	// Logger receives discordgo's warnings and errors; nil discards.
	Logger *slog.Logger
	// HTTPClient is used for REST calls; nil means a client with a 20 s
	// timeout.
	HTTPClient *http.Client

	// messageDone, in tests, is called after each MESSAGE_CREATE has been
	// handled (answered or ignored).
	messageDone func()
}

func (c GatewayConfig) validate() error {
	if strings.TrimSpace(c.Token) == "" {
		return errors.New("DISCORD_TOKEN is not set: put the bot token from the Discord developer portal in the environment or .env (see .env.example)")
	}
	if strings.TrimSpace(c.AppID) == "" {
		return errors.New("DISCORD_APP_ID is not set: put the application id from the Discord developer portal in the environment or .env (see .env.example)")
	}
	if _, err := apiBase(c.APIURL); err != nil {
		return err
	}
	return nil
}

// apiBase parses DISCORD_API_URL.
func apiBase(raw string) (*url.URL, error) {
	if raw == "" {
		raw = DefaultAPIURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("DISCORD_API_URL %q is not an http(s) base URL like %s", raw, DefaultAPIURL)
	}
	return u, nil
}

// newSession builds a discordgo session with state caching off, minimal
// intents, plain-text frames, API v10, and every REST call sent to APIURL.
func newSession(cfg GatewayConfig) (*discordgo.Session, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	token := strings.TrimSpace(cfg.Token)
	if !strings.HasPrefix(token, "Bot ") {
		token = "Bot " + token
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	// discordgo reads its APIVersion only when it dials the gateway; REST
	// paths are rewritten to v10 by apiClient. The Once orders this write
	// before every Open, which only ever follows newSession.
	gatewayVersion.Do(func() { discordgo.APIVersion = APIVersion })
	s.StateEnabled = false
	s.Identify.Intents = discordgo.IntentsNone // interactions need no intents; RunGateway adds those for messages
	s.Compress = false
	s.Identify.Compress = false
	s.LogLevel = discordgo.LogWarning // LogDebug would log the IDENTIFY payload, token included
	s.Client = apiClient(cfg)
	return s, nil
}

// gatewayVersion sets discordgo's gateway API version once per process.
var gatewayVersion sync.Once

// apiClient returns cfg's HTTP client with a transport that sends every
// request to APIURL (discordgo's Endpoint* URLs are fixed at package init)
// and to API v10 rather than discordgo's v9.
func apiClient(cfg GatewayConfig) *http.Client {
	c := cfg.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: 20 * time.Second}
	}
	base, _ := apiBase(cfg.APIURL) // validated already
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	clone := *c
	clone.Transport = rewriteTransport{base: base, next: next}
	return &clone
}

// discordgoPrefix starts every REST path discordgo builds.
const discordgoPrefix = "/api/v" + "9" + "/"

// rewriteTransport sends each request to base's scheme and host (and path
// prefix), keeping the path and query discordgo built but for its API
// version. A failed request's error names the URL actually requested.
type rewriteTransport struct {
	base *url.URL
	next http.RoundTripper
}

func (t rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Scheme = t.base.Scheme
	r.URL.Host = t.base.Host
	path, raw := r.URL.Path, r.URL.RawPath
	if rest, ok := strings.CutPrefix(path, discordgoPrefix); ok {
		path = apiPrefix + "/" + rest
		if rr, ok := strings.CutPrefix(raw, discordgoPrefix); ok {
			raw = apiPrefix + "/" + rr
		}
	}
	r.URL.Path = strings.TrimRight(t.base.Path, "/") + path
	if raw != "" {
		r.URL.RawPath = strings.TrimRight(t.base.EscapedPath(), "/") + raw
	}
	r.Host = t.base.Host
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, &requestError{method: r.Method, url: r.URL.Redacted(), err: err}
	}
	return resp, nil
}

// requestError is a REST request that got no answer, naming the URL that was
// actually requested (http.Client's own error names discordgo's).
type requestError struct {
	method, url string
	err         error
}

func (e *requestError) Error() string { return e.method + " " + e.url + ": " + e.err.Error() }
func (e *requestError) Unwrap() error { return e.err }

// apiError makes an error of a discordgo REST call name the method and URL
// actually requested: a transport failure, or Discord's error answer.
func apiError(err error) error {
	var re *requestError
	if errors.As(err, &re) {
		return re
	}
	var de *discordgo.RESTError
	if errors.As(err, &de) && de.Response != nil && de.Response.Request != nil {
		return fmt.Errorf("%s %s: %w", de.Response.Request.Method, de.Response.Request.URL.Redacted(), err)
	}
	return err
}

// routeDiscordLogs sends discordgo's package-level log output to logger, with
// the token redacted in case a message ever contains it.
func routeDiscordLogs(logger *slog.Logger, token string) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	bare := strings.TrimPrefix(strings.TrimSpace(token), "Bot ")
	discordgo.Logger = func(msgL, _ int, format string, a ...any) {
		msg := fmt.Sprintf(format, a...)
		if bare != "" {
			msg = strings.ReplaceAll(msg, bare, "[redacted]")
		}
		level := slog.LevelInfo
		switch msgL {
		case discordgo.LogError:
			level = slog.LevelError
		case discordgo.LogWarning:
			level = slog.LevelWarn
		case discordgo.LogDebug:
			level = slog.LevelDebug
		}
		logger.Log(context.Background(), level, msg, slog.String("component", "discordgo"))
	}
}

// RegisterCommands replaces the application's commands with cmds in one
// bulk overwrite (idempotent: the same set twice changes nothing), in
// cfg.GuildID or globally when it is empty.
func RegisterCommands(ctx context.Context, cfg GatewayConfig, cmds []*discordgo.ApplicationCommand) error {
	s, err := newSession(cfg)
	if err != nil {
		return err
	}
	routeDiscordLogs(cfg.Logger, cfg.Token)
	return registerWith(ctx, s, cfg, cmds)
}

func registerWith(ctx context.Context, s *discordgo.Session, cfg GatewayConfig, cmds []*discordgo.ApplicationCommand) error {
	if _, err := s.ApplicationCommandBulkOverwrite(cfg.AppID, cfg.GuildID, cmds, discordgo.WithContext(ctx)); err != nil {
		where := "globally"
		if cfg.GuildID != "" {
			where = "in guild " + cfg.GuildID
		}
		return fmt.Errorf("register %d commands %s: %w", len(cmds), where, apiError(err))
	}
	return nil
}

// RunGateway connects to Discord's gateway and serves interactions (and,
// with cfg.Mentions, messages) with r until ctx ends; then it shuts r down (Router.Shutdown: new interactions
// are told to retry, those in flight get up to 10 s, then a restart notice),
// closes the session and returns nil. It registers r's commands first when
// cfg.Register is set. A failure to connect is returned at once.
func RunGateway(ctx context.Context, cfg GatewayConfig, r *Router) error {
	if r == nil {
		return errors.New("run gateway: nil router")
	}
	s, err := newSession(cfg)
	if err != nil {
		return err
	}
	return serveGateway(ctx, s, cfg, r)
}

// serveGateway is RunGateway over a session built by newSession.
func serveGateway(ctx context.Context, s *discordgo.Session, cfg GatewayConfig, r *Router) error {
	routeDiscordLogs(cfg.Logger, cfg.Token)
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Register {
		if err := registerWith(ctx, s, cfg, r.Commands()); err != nil {
			return err
		}
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	base, _ := apiBase(cfg.APIURL) // validated by newSession
	rest := newRESTClient(base.String(), "", client)
	poster := restPoster{c: newRESTClient(base.String(), strings.TrimPrefix(strings.TrimSpace(cfg.Token), "Bot "), client)}
	// Work on an interaction must outlive ctx so that shutdown lets it finish.
	hctx := context.WithoutCancel(ctx)
	s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		if ic == nil || ic.Interaction == nil {
			return
		}
		r.Handle(hctx, ic.Interaction, &gatewayResponder{rest: rest, i: ic.Interaction, appID: cfg.AppID})
	})
	s.Identify.Intents = gatewayIntents(cfg.Mentions, r.cfg.MessageContent)
	if cfg.Mentions {
		s.AddHandler(func(s *discordgo.Session, mc *discordgo.MessageCreate) {
			if cfg.messageDone != nil {
				defer cfg.messageDone()
			}
			if mc == nil || mc.Message == nil {
				return
			}
			r.HandleMessage(hctx, mc.Message, selfID(s), poster)
		})
	}
	if err := s.Open(); err != nil {
		if strings.Contains(err.Error(), "4014") && r.cfg.MessageContent {
			return fmt.Errorf("connect to discord gateway: %w: CITEBOT_MESSAGE_CONTENT=true asks for the privileged Message Content intent; enable it in the developer portal (Bot › Privileged Gateway Intents) or unset CITEBOT_MESSAGE_CONTENT", apiError(err))
		}
		return fmt.Errorf("connect to discord gateway: %w", apiError(err))
	}
	logger.Info("connected to discord gateway")
	<-ctx.Done()
	wctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	r.Shutdown(wctx)
	if err := s.Close(); err != nil {
		logger.Warn("close discord session", slog.String("error", err.Error()))
	}
	logger.Info("disconnected from discord gateway")
	return nil
}
