package bot

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bwmarrin/discordgo"

	"citebot/retrieval"
)

// TestIndexUnavailable: while Config.Available reports an error, every
// interaction that needs the index is answered with a private "the index is
// unavailable right now" and counted as outcome "unavailable"; help still
// works; once the index is back, answers resume with the same router.
func TestIndexUnavailable(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	tr := newTestRouter(t, newFakeSearcher(), Config{Available: func() error {
		if down.Load() {
			return fmt.Errorf("weaviate: %w", retrieval.ErrUnavailable)
		}
		return nil
	}})
	for _, file := range []string{"gw_ask", "gw_search", "gw_quote", "gw_sources", "gw_findsources", "gw_component", "gw_quote_autocomplete"} {
		rec := newRecResponder()
		tr.Handle(t.Context(), interaction(t, file, func(m map[string]any) {
			if file == "gw_component" {
				// A /sources page button: it reads the article list.
				m["data"].(map[string]any)["custom_id"] = routeSources + ":1"
			}
		}), rec)
		r := rec.only(t)
		if r.Type == discordgo.InteractionApplicationCommandAutocompleteResult {
			if len(r.Data.Choices) != 0 {
				t.Errorf("%s: %d autocomplete choices while the index is down", file, len(r.Data.Choices))
			}
		} else if r.Data == nil || r.Data.Content != msgUnavailable || r.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
			t.Errorf("%s: reply %+v, want the private unavailable message", file, r.Data)
		}
		if o := tr.lastObs(t).Outcome; o != "unavailable" {
			t.Errorf("%s: outcome %q, want unavailable", file, o)
		}
	}
	rec := newRecResponder()
	tr.Handle(t.Context(), interaction(t, "gw_help", nil), rec)
	if r := rec.only(t); r.Data == nil || len(r.Data.Embeds) == 0 || !strings.Contains(r.Data.Embeds[0].Title, "help") {
		t.Errorf("help while the index is down: %+v", r.Data)
	}
	down.Store(false)
	rec = newRecResponder()
	tr.Handle(t.Context(), interaction(t, "gw_ask", nil), rec)
	if r := rec.only(t); r.Data == nil || r.Data.Content == msgUnavailable {
		t.Errorf("ask after recovery: %+v", r.Data)
	}
}

// TestSearchUnavailableMessage: a search that fails because the store went
// away between the check and the query gets the same message.
func TestSearchUnavailableMessage(t *testing.T) {
	msg, oc := userMessage(fmt.Errorf("retrieval: %w", errors.Join(retrieval.ErrUnavailable, errors.New("dial tcp: refused"))))
	if msg != msgUnavailable || oc != "unavailable" {
		t.Errorf("userMessage = %q, %q", msg, oc)
	}
}
