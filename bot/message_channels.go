package bot

import (
	"context"
	"log/slog"
	"strings"
)

// Where a message was posted: a plain channel, a thread citebot started
// (remembered, or recovered from citebot's own answers in it), or someone
// else's thread; and which answer a reply answers.

// channelAllowed applies the channel allowlist to a guild message; a
// thread is allowed when its channel is. A channel that could not be looked
// up counts as not listed.
func (x *msgExchange) channelAllowed() bool {
	return x.r.channelAllowed(x.m.ChannelID) || x.parent != "" && x.r.allowed[x.parent]
}

// lookUpChannel finds out whether a guild channel citebot does not
// remember is a thread (answers there are inline replies, and the
// allowlist goes by its channel), and recovers a thread citebot started
// before a restart or on another replica from its own answers there.
// Plain channels are remembered, so a channel is looked up once.
func (x *msgExchange) lookUpChannel(ctx context.Context) {
	ch := x.m.ChannelID
	if x.r.plain.has(ch) {
		return
	}
	info, err := x.p.Channel(ctx, ch)
	if err != nil {
		x.attrs = append(x.attrs, slog.String("channel_error", err.Error()))
		return
	}
	if !info.Thread {
		x.r.plain.add(ch)
		return
	}
	x.parent = info.Parent
	if info.Owner != x.self {
		return
	}
	recent, err := x.p.Recent(ctx, ch, recoverMessages)
	if err != nil {
		x.attrs = append(x.attrs, slog.String("recover_error", err.Error()))
	}
	var qs []string
	for i := len(recent) - 1; i >= 0; i-- { // oldest first
		if m := recent[i]; m != nil && m.Author != nil && m.Author.ID == x.self {
			if q := answeredQuestion(m.Content); q != "" {
				qs = append(qs, q)
			}
		}
	}
	x.r.threads.adopt(ch, info.Parent, qs)
	x.th, x.inThread = x.r.threads.get(ch)
	x.obs.Command = msgFollowup
	x.attrs = append(x.attrs, slog.Int("recovered_questions", len(qs)))
}

// recoverMessages is how many of a thread's latest messages are read to
// recover its questions.
const recoverMessages = 50

// answeredQuestion is the question an answer of citebot's quotes on one
// of its first lines ("**Q:** …", or "**Sources for:** …" under the line
// naming the checked message), markdown escapes undone; "" for any other
// message.
func answeredQuestion(content string) string {
	lines := strings.SplitN(content, "\n", 3)
	for _, line := range lines[:min(len(lines), 2)] {
		for _, prefix := range []string{"**Q:** ", "**Sources for:** "} {
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				return strings.TrimSpace(unescapeMarkdown(rest))
			}
		}
	}
	return ""
}

// unescapeMarkdown undoes escapeMarkdown: backslash escapes and the
// zero-width space that breaks mass mentions.
func unescapeMarkdown(s string) string {
	var b strings.Builder
	escaped := false
	for _, r := range s {
		if !escaped && r == '\\' {
			escaped = true
			continue
		}
		escaped = false
		if r == '\u200b' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// repliedAnswer is the question of the citebot answer m replies to, or "".
func (x *msgExchange) repliedAnswer() string {
	ref := x.m.ReferencedMessage
	if ref == nil || x.m.MessageReference == nil || ref.Author == nil || ref.Author.ID != x.self {
		return ""
	}
	return answeredQuestion(ref.Content)
}
