package bot

import (
	"context"
	"errors"
	"fmt"

	"citebot/retrieval"
)

// userError is a failure the user can act on: its message is shown to them
// as is, and it is not logged as an error.
type userError struct {
	msg     string
	outcome string // Observer outcome: "user_error" or "expired"
}

func (e *userError) Error() string { return e.msg }

// userErrorf builds a userError with outcome "user_error".
func userErrorf(format string, a ...any) error {
	return &userError{msg: fmt.Sprintf(format, a...), outcome: "user_error"}
}

// errExpired is what a button whose state has gone says.
func errExpired() error {
	return &userError{msg: "This button has expired. Run the command again for fresh results.", outcome: "expired"}
}

// Messages for failures the user cannot fix; the log keeps the chain.
const (
	msgInternal  = "Sorry, something went wrong while answering. Please try again in a moment."
	msgTimeout   = "Sorry, that took too long. Please try again in a moment."
	msgDraining  = "citebot is restarting. Please try again in a few seconds."
	msgUnknown   = "I don't know that command or button; it may be from an older version of citebot. Try /help."
	msgForbidden = "I'm not enabled in this channel."
	// msgUnavailable: the index (its store) cannot be reached.
	msgUnavailable = "The index is unavailable right now. Please try again in a minute."
)

// errUnavailable is what every interaction needing the index gets while
// the index cannot answer.
func errUnavailable() error { return &userError{msg: msgUnavailable, outcome: "unavailable"} }

// userMessage turns err into the short message a user sees and the outcome
// the Observer records.
func userMessage(err error) (msg, outcome string) {
	var ue *userError
	switch {
	case errors.As(err, &ue):
		return ue.msg, ue.outcome
	case errors.Is(err, retrieval.ErrUnavailable):
		return msgUnavailable, "unavailable"
	case errors.Is(err, context.DeadlineExceeded):
		return msgTimeout, "error"
	}
	return msgInternal, "error"
}
