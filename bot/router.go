package bot

import (
	"context"
	"log/slog"
	"sync"

	"github.com/bwmarrin/discordgo"
)

// request is what a handler sees of one interaction.
type request struct {
	i *discordgo.Interaction
	// cmd is set for commands and autocomplete, comp for components.
	cmd  discordgo.ApplicationCommandInteractionData
	comp discordgo.MessageComponentInteractionData
	// route is the command or component name; args are the custom_id's
	// parts after it.
	route string
	args  []string
	// userID and userName come from i.Member.User, or i.User in DMs.
	userID, userName string
	// private is decided by the router before the handler runs.
	private bool
}

// reply is a handler's result; the router turns it into Discord responses.
type reply struct {
	// data is the message. On an update route nil means "acknowledge the
	// click without changing the message".
	data *discordgo.InteractionResponseData
	// followup, when set, is posted after the initial response (Share).
	followup *discordgo.WebhookParams
	// outcome defaults to "ok".
	outcome string
	results int
	query   string
	// attrs are added to the interaction's log line.
	attrs []slog.Attr
}

type handlerFunc func(ctx context.Context, rq *request) (reply, error)

// route is one command or component family.
type route struct {
	// def is the command definition (nil for components).
	def    *discordgo.ApplicationCommand
	handle handlerFunc
	// complete answers autocomplete; it must be fast.
	complete func(rq *request) []*discordgo.ApplicationCommandOptionChoice
	// private decides ephemerality before work; nil means the "private"
	// option, else Config.PrivateDefault. Components keep the clicked
	// message's.
	private func(rq *request) bool
	// noIndex marks routes that never read the index (help, Share), which
	// keep working while it is unavailable.
	noIndex bool
	// update marks a component that acknowledges or updates the clicked
	// message (types 6/7) instead of sending a new one (types 5/4).
	update bool
}

// Router dispatches interactions to command and component handlers. It does
// not know how they arrived: Handle takes the interaction and a Responder,
// so the gateway and the HTTP endpoint share it. It is the one place for
// panic recovery, logging, error replies, the channel allowlist, the
// per-user rate limit and deferral. Safe for concurrent use.
type Router struct {
	cfg        Config
	commands   map[string]route
	order      []string
	components map[string]route
	limiter    *userLimiter
	allowed    map[string]bool
	// pages answers messages as /ask does; threads remembers the threads
	// citebot started for their follow-ups.
	pages   pager
	threads *threadMemory
	slow    slowNotices
	plain   channelSet // guild channels known not to be threads

	mu       sync.Mutex
	inflight int
	open     map[*exchange]struct{} // the interactions being handled
	idle     chan struct{}          // closed when inflight drops to 0
	draining bool
}

// NewRouter builds the router for s with cfg (zero fields take the defaults
// of DefaultConfig).
func NewRouter(s Searcher, cfg Config) *Router {
	cfg = cfg.withDefaults()
	r := &Router{
		cfg:        cfg,
		commands:   map[string]route{},
		components: map[string]route{},
		limiter:    newUserLimiter(cfg.RateLimit, cfg.Now),
		threads:    newThreadMemory(cfg.MaxThreads),
		open:       map[*exchange]struct{}{},
	}
	if len(cfg.AllowedChannels) > 0 {
		r.allowed = map[string]bool{}
		for _, c := range cfg.AllowedChannels {
			r.allowed[c] = true
		}
	}
	pages := pager{s: s, links: cfg.Links, state: cfg.State, now: cfg.Now, ttl: cfg.ButtonTTL}
	r.pages = pages
	for _, rt := range []route{
		askRoute(pages),
		searchRoute(pages),
		quoteRoute(s, cfg.Links),
		sourcesRoute(s),
		helpRoute(),
		findSourcesRoute(pages),
	} {
		installable(rt.def)
		r.commands[rt.def.Name] = rt
		r.order = append(r.order, rt.def.Name)
	}
	r.components[routeShare] = shareRoute()
	r.components[routeMore] = moreRoute(pages)
	r.components[routeVote] = voteRoute(pages)
	r.components[routeSources] = sourcesPageRoute(s)
	return r
}

// channelAllowed applies the channel allowlist to a guild channel: listed,
// or a thread citebot started in a listed channel (its answers' buttons
// and commands typed there).
func (r *Router) channelAllowed(channelID string) bool {
	if r.allowed == nil || r.allowed[channelID] {
		return true
	}
	th, ok := r.threads.get(channelID)
	return ok && r.allowed[th.parent]
}

// installable makes a command usable wherever citebot is installed: in
// servers that added it and for users who added it to their account
// (integration types 0 and 1), in servers, in DMs with the bot and in
// group DMs and other users' DMs (contexts 0, 1 and 2). Where the bot is
// not a member, answers go through the interaction's webhook only, which
// is all the router ever uses.
func installable(def *discordgo.ApplicationCommand) {
	types := []discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall, discordgo.ApplicationIntegrationUserInstall}
	contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild, discordgo.InteractionContextBotDM, discordgo.InteractionContextPrivateChannel}
	def.IntegrationTypes = &types
	def.Contexts = &contexts
}

// Commands returns the application command definitions, for
// ApplicationCommandBulkOverwrite.
func (r *Router) Commands() []*discordgo.ApplicationCommand {
	out := make([]*discordgo.ApplicationCommand, 0, len(r.order))
	for _, name := range r.order {
		out = append(out, r.commands[name].def)
	}
	return out
}

// Drain makes the router answer every new interaction with a short
// "restarting, try again" ephemeral reply; interactions already being
// handled finish normally.
func (r *Router) Drain() {
	r.mu.Lock()
	r.draining = true
	r.mu.Unlock()
}

// Wait blocks until no interaction is being handled or ctx ends, returning
// ctx's error in that case. Call Drain first, or new interactions may keep
// it waiting.
func (r *Router) Wait(ctx context.Context) error {
	r.mu.Lock()
	if r.inflight == 0 {
		r.mu.Unlock()
		return nil
	}
	idle := r.idle
	r.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// enter counts an interaction (or, with a nil x, a message) in; false means
// the router is draining. Interactions are kept in r.open for Shutdown's
// restart notices; a message has no "thinking…" state to replace.
func (r *Router) enter(x *exchange) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.draining {
		return false
	}
	if r.inflight == 0 {
		r.idle = make(chan struct{})
	}
	r.inflight++
	if x != nil {
		r.open[x] = struct{}{}
	}
	return true
}

func (r *Router) leave(x *exchange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.open, x)
	r.inflight--
	if r.inflight == 0 {
		close(r.idle)
	}
}
