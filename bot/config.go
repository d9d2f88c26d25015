package bot

import (
	"log/slog"
	"time"
)

// RateLimit allows Events interactions per Window and per user.
type RateLimit struct {
	Events int
	Window time.Duration
}

// Config is the bot's behaviour. NewRouter fills zero values with the
// defaults of DefaultConfig.
type Config struct {
	// PrivateDefault makes replies ephemeral unless the user sets
	// private:false (CITEBOT_PRIVATE_DEFAULT).
	PrivateDefault bool
	// AllowedChannels lists the guild channel ids the bot answers in; empty
	// means all. DMs are always answered.
	AllowedChannels []string
	// RateLimit is per user; Events < 0 disables it. Autocomplete is not
	// limited (Discord sends one per keystroke).
	RateLimit RateLimit
	// ButtonTTL is how long More and feedback buttons keep working.
	ButtonTTL time.Duration
	// MaxButtonStates bounds the in-memory button state.
	MaxButtonStates int
	// State stores button state; nil means an in-memory MemoryStore.
	State StateStore
	// InlineBudget is how long the router waits for a handler before it
	// defers (type 5, "thinking…") and edits later; it must stay well under
	// Discord's 3 s.
	InlineBudget time.Duration
	// HandlerTimeout bounds one handler's work after deferral (the edit
	// token lives 15 minutes).
	HandlerTimeout time.Duration
	// Links builds citation URLs.
	Links Links
	// Logger receives one line per interaction; nil discards.
	Logger *slog.Logger
	// Observer is told about every interaction; nil means none.
	Observer Observer
	// LogQueries adds the user's text to log lines (CITEBOT_LOG_QUERIES).
	LogQueries bool
	// MessageContent answers every message in a thread citebot started,
	// not only those that mention it (CITEBOT_MESSAGE_CONTENT; needs the
	// privileged Message Content intent, which the gateway then requests).
	MessageContent bool
	// MaxThreads bounds how many threads citebot remembers for follow-ups.
	MaxThreads int
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
	// Available, when set, reports whether the index can answer (a remote
	// index whose store is down cannot). While it returns an error, every
	// interaction that needs the index gets a private "the index is
	// unavailable right now" (outcome "unavailable").
	Available func() error
}

// DefaultConfig returns the defaults: public replies, every channel, 5
// interactions per 30 s per user, buttons valid for 15 minutes, defer after
// 1.5 s, 10,000 threads remembered.
func DefaultConfig() Config {
	return Config{
		RateLimit:       RateLimit{Events: 5, Window: 30 * time.Second},
		ButtonTTL:       15 * time.Minute,
		MaxButtonStates: 10000,
		InlineBudget:    1500 * time.Millisecond,
		HandlerTimeout:  time.Minute,
		MaxThreads:      10000,
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.RateLimit.Events == 0 || c.RateLimit.Window <= 0 && c.RateLimit.Events > 0 {
		c.RateLimit = d.RateLimit
	}
	if c.ButtonTTL <= 0 {
		c.ButtonTTL = d.ButtonTTL
	}
	if c.MaxButtonStates <= 0 {
		c.MaxButtonStates = d.MaxButtonStates
	}
	if c.InlineBudget <= 0 {
		c.InlineBudget = d.InlineBudget
	}
	if c.HandlerTimeout <= 0 {
		c.HandlerTimeout = d.HandlerTimeout
	}
	if c.MaxThreads <= 0 {
		c.MaxThreads = d.MaxThreads
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Observer == nil {
		c.Observer = ObserverFunc(func(Interaction) {})
	}
	if c.State == nil {
		c.State = NewMemoryStore(c.ButtonTTL, c.MaxButtonStates, c.Now)
	}
	return c
}
