package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/retrieval"
)

// Poster posts in channels: what answering a message, which has no
// interaction token, needs. The gateway implements it with discordgo's REST
// client; the HTTP interactions endpoint receives no messages.
type Poster interface {
	// StartThread starts a public thread from message messageID of
	// channelID and returns its id. It fails where threads are not
	// possible: a DM, a thread, a forum, a channel where the bot lacks
	// the Create Public Threads permission.
	StartThread(ctx context.Context, channelID, messageID, name string) (threadID string, err error)
	// Send posts m in channelID (a channel or a thread).
	Send(ctx context.Context, channelID string, m *discordgo.MessageSend) error
	// Channel says whether channelID is a thread, and if so its parent
	// channel and the user who started it.
	Channel(ctx context.Context, channelID string) (ChannelInfo, error)
	// Recent returns up to limit of the channel's latest messages, newest
	// first.
	Recent(ctx context.Context, channelID string, limit int) ([]*discordgo.Message, error)
}

// ChannelInfo is what HandleMessage needs to know of a channel.
type ChannelInfo struct {
	// Thread is set for a thread; Parent is then its channel and Owner
	// the id of the user (or bot) who started it.
	Thread        bool
	Parent, Owner string
}

// Message kinds, as the Observer's Command.
const (
	msgMention  = "mention"  // a question in a channel
	msgFollowup = "followup" // a question in a thread citebot started
	msgClaim    = "claim"    // a reply checking the replied-to message
	msgDM       = "dm"       // a question in a DM with the bot
)

// mentionHelp is the short help for a mention without a question.
const mentionHelp = "Mention me with a question and I'll answer in a thread with quoted, cited passages from the news articles I know, " +
	"or say that they don't answer it. Reply to someone's message and mention me to check it against the articles. " +
	"In a thread I started, mention me again for a follow-up. /help lists the commands."

// HandleMessage answers m when it asks citebot something: a message whose
// text mentions the bot (self is the bot's user id), any message in a DM
// with it, and, with Config.MessageContent, any message in a thread citebot
// started. Messages from bots (citebot included) and webhooks are ignored.
//
// A question gets the same answer as /ask, posted in a new thread started
// from the message, or as a reply where there can be no thread (a DM, a
// thread, a channel without thread permission). A mention replying to
// another message checks that message, like Find sources. In a thread
// citebot started, the thread's earlier questions are the follow-up's
// context. The channel allowlist (a thread counts as its channel), the
// per-user rate limit, allowed-mentions-none and Discord's limits apply as
// for commands; outside the allowlist nothing is posted. Like Handle, it
// recovers panics, logs one line and tells the Observer once; its work is
// bounded by Config.HandlerTimeout and counted by Drain and Wait.
func (r *Router) HandleMessage(ctx context.Context, m *discordgo.Message, self string, p Poster) {
	if m == nil || p == nil || self == "" || m.Author == nil || m.Author.Bot || m.Author.ID == self || m.WebhookID != "" {
		return
	}
	if m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply {
		return // joins, pins, thread-created notices…
	}
	dm := m.GuildID == ""
	th, inThread := r.threads.get(m.ChannelID)
	mentioned := mentionsBot(m, self)
	if !mentioned && !dm && !(inThread && r.cfg.MessageContent) {
		return
	}
	x := &msgExchange{r: r, m: m, p: p, self: self, dm: dm, th: th, inThread: inThread, start: r.cfg.Now()}
	// A message that does not name the bot (a follow-up read with the
	// Message Content intent) is answered only when there is an answer:
	// citebot does not interject in a conversation to say it knows nothing.
	x.quiet = !mentioned && !dm
	x.obs = Interaction{Kind: "message", Command: msgMention}
	switch {
	case dm:
		x.obs.Command = msgDM
	case inThread:
		x.obs.Command = msgFollowup
	}
	if !r.enter(nil) {
		x.obs.Outcome = "draining"
		x.replyText(ctx, msgDraining)
		x.finish(ctx)
		return
	}
	defer r.leave(nil)
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.cfg.HandlerTimeout)
	defer cancel()
	defer x.finish(hctx)
	defer func() {
		if p := recover(); p != nil {
			x.noteErr(fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
			x.replyText(hctx, msgInternal)
		}
	}()
	x.run(hctx)
}

// msgExchange is the state of one message being answered.
type msgExchange struct {
	r        *Router
	m        *discordgo.Message
	p        Poster
	self     string
	dm       bool
	th       threadState
	inThread bool
	quiet    bool
	// parent is the channel of a thread citebot does not remember, when
	// it was looked up.
	parent string

	start time.Time
	obs   Interaction
	err   error
	attrs []slog.Attr
}

func (x *msgExchange) run(ctx context.Context) {
	r, m := x.r, x.m
	if !x.dm && !x.inThread {
		x.lookUpChannel(ctx)
	}
	if !x.dm && !x.channelAllowed() {
		x.obs.Outcome = "forbidden_channel"
		return
	}
	if ok, wait := r.limiter.allow(m.Author.ID); !ok {
		x.obs.Outcome = "rate_limited"
		// One public notice per wait, not one per message of a flood.
		if r.slow.first(m.Author.ID, r.cfg.Now(), wait) {
			x.replyText(ctx, fmt.Sprintf("Slow down a little: try again in %d s.", waitSeconds(wait)))
		}
		return
	}
	q := retrieval.Query{K: retrieval.DefaultK}
	kind, threadPrefix := "ask", ""
	var checked string // the line naming the message a claim check read
	if ref := m.ReferencedMessage; ref != nil && m.MessageReference != nil && (ref.Author == nil || ref.Author.ID != x.self) && !x.quiet {
		x.obs.Command = msgClaim
		text := claimText(ref.Content)
		if text == "" {
			x.obs.Outcome = "user_error"
			x.replyText(ctx, "I can't read the text of the message you replied to (Discord only shows me messages that mention me). "+
				"Use **Find sources** on it instead: right-click or long-press the message › Apps › Find sources.")
			return
		}
		q.Text, kind, threadPrefix = text, "findsources", "Sources: "
		checked = fmt.Sprintf("Checked [this message](%s) by **%s**.", messageLink(m.GuildID, ref.ChannelID, ref.ID), escapeMarkdown(truncate(authorName(ref), 80)))
	} else {
		q.Text = questionOf(m, x.self)
		if q.Text == "" {
			x.obs.Outcome = "help"
			x.replyText(ctx, mentionHelp)
			return
		}
		if n := runeLen(q.Text); n > maxQuestionRunes {
			x.obs.Outcome = "user_error"
			x.replyText(ctx, fmt.Sprintf("That question is %d characters long; the limit is %d. Please shorten it.", n, maxQuestionRunes))
			return
		}
		if x.inThread {
			q.Context = x.th.questions
		} else if prev := x.repliedAnswer(); prev != "" {
			// A reply to one of citebot's answers (in a DM, or inline in a
			// channel) is a follow-up to the question it answered.
			q.Context = []string{prev}
			x.obs.Command = msgFollowup
		}
	}
	x.obs.Query = q.Text
	rep, err := r.pages.page(ctx, kind, q, false, "")
	if err != nil {
		msg, oc := userMessage(err)
		x.obs.Outcome = oc
		if oc == "error" {
			x.noteErr(err)
		}
		x.replyText(ctx, msg)
		return
	}
	x.obs.Outcome, x.obs.Results = rep.outcome, rep.results
	if x.obs.Outcome == "" {
		x.obs.Outcome = "ok"
	}
	x.attrs = append(x.attrs, rep.attrs...)
	if x.quiet && rep.outcome == "abstained" {
		return
	}
	clampMessage(rep.data)
	if checked != "" {
		rep.data.Content = clampText(checked+"\n"+rep.data.Content, maxContent)
	}
	x.deliver(ctx, sendOf(rep.data), threadName(threadPrefix, q.Text), append(append([]string(nil), q.Context...), q.Text))
}

// deliver posts an answer: in a new thread started from the message when
// that is possible, else as a reply to it. asked (the context read with it,
// then the question) is remembered as the new thread's questions; in a
// citebot thread the question is remembered as its next one.
func (x *msgExchange) deliver(ctx context.Context, msg *discordgo.MessageSend, name string, asked []string) {
	m := x.m
	if !x.dm && !x.inThread && x.parent == "" {
		tid, err := x.p.StartThread(ctx, m.ChannelID, m.ID, name)
		if err == nil {
			if err = x.p.Send(ctx, tid, msg); err == nil {
				x.r.threads.adopt(tid, m.ChannelID, asked)
				x.attrs = append(x.attrs, slog.Bool("thread", true))
				return
			}
			x.attrs = append(x.attrs, slog.String("thread_send_error", err.Error()))
		} else {
			// Expected where threads are impossible; the answer goes inline.
			x.attrs = append(x.attrs, slog.String("thread_error", err.Error()))
		}
	}
	msg.Reference = x.reference()
	if err := x.p.Send(ctx, m.ChannelID, msg); err != nil {
		x.noteErr(fmt.Errorf("post answer: %w", err))
		return
	}
	if x.inThread {
		x.r.threads.asked(m.ChannelID, x.th.parent, asked[len(asked)-1])
	}
}

// replyText answers the message inline with a short text, unless the
// message did not name the bot.
func (x *msgExchange) replyText(ctx context.Context, text string) {
	if x.quiet {
		return
	}
	msg := &discordgo.MessageSend{Content: clampText(text, maxContent), AllowedMentions: noMentions(), Reference: x.reference()}
	if err := x.p.Send(ctx, x.m.ChannelID, msg); err != nil {
		x.noteErr(fmt.Errorf("post reply: %w", err))
	}
}

// reference makes a post a reply to the message, without failing when the
// message was deleted meanwhile.
func (x *msgExchange) reference() *discordgo.MessageReference {
	no := false
	return &discordgo.MessageReference{MessageID: x.m.ID, ChannelID: x.m.ChannelID, GuildID: x.m.GuildID, FailIfNotExists: &no}
}

// sendOf turns rendered message data into a channel message.
func sendOf(d *discordgo.InteractionResponseData) *discordgo.MessageSend {
	return &discordgo.MessageSend{Content: d.Content, Embeds: d.Embeds, Components: d.Components, AllowedMentions: noMentions()}
}

// claimText is a replied-to message's text as a claim to check, cut like a
// Find sources target.
func claimText(content string) string {
	return cutClaim(oneLine(content))
}

func (x *msgExchange) noteErr(err error) {
	if x.err == nil {
		x.err = err
	} else {
		x.err = fmt.Errorf("%w; %w", x.err, err)
	}
	x.obs.Outcome = "error"
}

// finish logs the message's one line and tells the Observer.
func (x *msgExchange) finish(ctx context.Context) {
	x.obs.Total = x.r.cfg.Now().Sub(x.start)
	x.obs.Ack = x.obs.Total
	if x.obs.Outcome == "" {
		x.obs.Outcome = "ok"
	}
	attrs := []slog.Attr{
		slog.String("kind", x.obs.Kind),
		slog.String("command", x.obs.Command),
		slog.String("outcome", x.obs.Outcome),
		slog.Duration("latency", x.obs.Total),
		slog.Int("results", x.obs.Results),
	}
	if x.r.cfg.LogQueries && x.obs.Query != "" {
		attrs = append(attrs, slog.String("query", x.obs.Query))
	}
	attrs = append(attrs, x.attrs...)
	level := slog.LevelInfo
	if x.err != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("error", x.err.Error()))
	}
	x.r.cfg.Logger.LogAttrs(context.WithoutCancel(ctx), level, "message", attrs...)
	x.r.cfg.Observer.Observe(x.obs)
}
