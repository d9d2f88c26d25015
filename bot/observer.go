package bot

import "time"

// Interaction describes one handled interaction for logs and metrics.
type Interaction struct {
	// Kind is "command", "autocomplete", "component", "ping", or "message"
	// for a channel message answered by HandleMessage.
	Kind string
	// Command is the command name or the component route ("share", "more",
	// …); for a message "mention", "followup", "claim" or "dm".
	Command string
	// Outcome is "ok", "abstained", "user_error", "rate_limited", "expired",
	// "forbidden_channel", "draining", "help" (a mention without a
	// question) or "error".
	Outcome string
	// Ack is the time until the initial response was sent; Total until the
	// last response (edit) was sent.
	Ack, Total time.Duration
	// Results is how many results were shown.
	Results int
	// Query is the user's text; loggers must only record it when configured to.
	Query string
}

// Observer records handled interactions (metrics, logs). Implementations must
// be safe for concurrent use and must not block.
type Observer interface {
	Observe(Interaction)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(Interaction)

// Observe calls f(i).
func (f ObserverFunc) Observe(i Interaction) { f(i) }
