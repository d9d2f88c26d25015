package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"citebot/retrieval"
)

// Component routes: the custom_id is "<route>" or "<route>:<arg>:<arg>".
//
//	share               stateless: reposts the clicked message's embeds
//	more:<ref>:<offset> <ref> gives the query; offset is the next page
//	vote:up:<ref>       feedback on the page <ref> describes
//	vote:down:<ref>
//	src:<page>          stateless /sources page
//
// <ref> is inline state, "~<token>" (see buttonid.go), which any replica can
// read, or, when the query is too long for that, a StateStore id.
const (
	routeShare   = "share"
	routeMore    = "more"
	routeVote    = "vote"
	routeSources = "src"
)

// customID joins a route and its arguments; StateStore ids, inline refs
// (bounded by maxInlineRef) and decimal numbers keep it within Discord's
// 100-character limit.
func customID(route string, args ...string) string {
	id := strings.Join(append([]string{route}, args...), ":")
	if runeLen(id) > maxCustomID {
		// Never send an id Discord rejects; a route with no arguments
		// answers "expired", which is honest.
		return route
	}
	return id
}

// parseCustomID splits a custom_id into its route and arguments.
func parseCustomID(id string) (route string, args []string) {
	parts := strings.Split(id, ":")
	return parts[0], parts[1:]
}

// answerButtons is the row under an answer. Share appears only on private
// answers (public ones are already shared); More only when a next page
// exists; More and feedback only when the state was stored (sid != "").
func answerButtons(private bool, sid string, nextOffset int, hasMore bool) []discordgo.MessageComponent {
	var bs []discordgo.MessageComponent
	if private {
		bs = append(bs, discordgo.Button{Label: "Share", Style: discordgo.PrimaryButton, CustomID: customID(routeShare)})
	}
	if sid != "" && hasMore {
		bs = append(bs, discordgo.Button{Label: "More", Style: discordgo.SecondaryButton, CustomID: customID(routeMore, sid, strconv.Itoa(nextOffset))})
	}
	if sid != "" {
		bs = append(bs,
			discordgo.Button{Emoji: &discordgo.ComponentEmoji{Name: "👍"}, Style: discordgo.SecondaryButton, CustomID: customID(routeVote, "up", sid)},
			discordgo.Button{Emoji: &discordgo.ComponentEmoji{Name: "👎"}, Style: discordgo.SecondaryButton, CustomID: customID(routeVote, "down", sid)},
		)
	}
	if len(bs) == 0 {
		return nil
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: bs}}
}

// pageButtons is the Previous/Next row of a paginated list.
func pageButtons(route string, page, pages int) []discordgo.MessageComponent {
	if pages <= 1 {
		return nil
	}
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: "Previous", Style: discordgo.SecondaryButton, CustomID: customID(route, strconv.Itoa(page-1)), Disabled: page <= 0},
		discordgo.Button{Label: "Next", Style: discordgo.SecondaryButton, CustomID: customID(route, strconv.Itoa(page+1)), Disabled: page >= pages-1},
	}}}
}

// shareRoute posts the clicked private answer publicly as a follow-up with
// "shared by <user>", acknowledging the click without changing it. It needs
// no server-side state: the clicked message carries the answer.
func shareRoute() route {
	return route{
		update:  true,
		noIndex: true,
		handle: func(_ context.Context, rq *request) (reply, error) {
			m := rq.i.Message
			if m == nil || (len(m.Embeds) == 0 && m.Content == "") {
				return reply{}, errExpired()
			}
			content := "Shared by " + escapeMarkdown(oneLine(truncate(rq.userName, 80)))
			if m.Content != "" {
				// Already rendered (escaped) by citebot; do not escape twice.
				content += "\n" + m.Content
			}
			return reply{
				followup: &discordgo.WebhookParams{
					Content:    content,
					Embeds:     m.Embeds,
					Components: []discordgo.MessageComponent{},
				},
				results: len(m.Embeds),
			}, nil
		},
	}
}

// moreRoute replaces the clicked answer with its next page. Inline state
// needs nothing but the custom_id, so any replica serves it; a StateStore id
// needs the replica (or shared store) that issued it.
func moreRoute(p pager) route {
	return route{
		update: true,
		handle: func(ctx context.Context, rq *request) (reply, error) {
			if len(rq.args) != 2 {
				return reply{}, errInvalidButton()
			}
			offset, err := strconv.Atoi(rq.args[1])
			if err != nil || offset < 0 || offset > maxButtonOffset {
				return reply{}, errInvalidButton()
			}
			ref := rq.args[0]
			if isInlineRef(ref) {
				st, err := p.decode(ref)
				if err != nil {
					return reply{}, err
				}
				q := st.query()
				q.Offset = offset
				return p.pageAt(ctx, st.Command, q, rq.private, "", st.Issued)
			}
			st, ok, err := p.state.Get(ctx, ref)
			if err != nil {
				return reply{}, fmt.Errorf("button state: %w", err)
			}
			if !ok {
				return reply{}, errExpired()
			}
			q := retrieval.Query{Text: st.Query, K: st.K, Offset: offset, Source: st.Source, Context: st.Context}
			return p.page(ctx, st.Command, q, rq.private, ref)
		},
	}
}

// voteRoute records 👍/👎 in the interaction's log line, with the passages
// voted on (and the query, when queries are logged), and thanks the user
// privately. Inline state names the page rather than its passages (their ids
// do not fit in a custom_id), so the vote re-runs that page's search to log
// them; if that fails the vote still counts, logged without passages.
func voteRoute(p pager) route {
	return route{
		private: func(*request) bool { return true },
		handle: func(ctx context.Context, rq *request) (reply, error) {
			if len(rq.args) != 2 || (rq.args[0] != "up" && rq.args[0] != "down") {
				return reply{}, errInvalidButton()
			}
			var (
				st    ButtonState
				attrs = []slog.Attr{slog.String("vote", rq.args[0])}
			)
			if ref := rq.args[1]; isInlineRef(ref) {
				in, err := p.decode(ref)
				if err != nil {
					return reply{}, err
				}
				st = ButtonState{Command: in.Command, Query: in.Query, Source: in.Source, K: in.K}
				attrs = append(attrs, slog.Int("answer_offset", in.Offset))
				a, err := p.s.Search(ctx, in.query())
				if err != nil {
					attrs = append(attrs, slog.String("passages_error", err.Error()))
				}
				for _, r := range a.Results {
					st.Passages = append(st.Passages, r.Passage.ID)
				}
			} else {
				var ok bool
				var err error
				st, ok, err = p.state.Get(ctx, ref)
				if err != nil {
					return reply{}, fmt.Errorf("button state: %w", err)
				}
				if !ok {
					return reply{}, errExpired()
				}
			}
			attrs = append(attrs,
				slog.String("answer_command", st.Command),
				slog.String("passages", strings.Join(st.Passages, ",")),
			)
			return reply{
				data:  &discordgo.InteractionResponseData{Content: "Thanks for the feedback!", AllowedMentions: noMentions()},
				query: st.Query,
				attrs: attrs,
			}, nil
		},
	}
}
