package bot

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/bwmarrin/discordgo"
)

// threadArchiveMinutes is how long an answer's thread stays open without
// activity: a day, the longest every server may use.
const threadArchiveMinutes = 1440

// gatewayIntents is what the gateway asks for: nothing for interactions;
// GUILD_MESSAGES and DIRECT_MESSAGES for mentions (Discord sends the text
// of a message that mentions the app without the Message Content intent);
// and Message Content only when every message in citebot's threads is to
// be read, which the operator must first enable in the developer portal.
func gatewayIntents(mentions, messageContent bool) discordgo.Intent {
	if !mentions {
		return discordgo.IntentsNone
	}
	in := discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	if messageContent {
		in |= discordgo.IntentMessageContent
	}
	return in
}

// selfID is the bot's user id from the session's READY (kept even with
// the state cache off), or "" before it.
func selfID(s *discordgo.Session) string {
	s.State.RLock()
	defer s.State.RUnlock()
	if s.State.User == nil {
		return ""
	}
	return s.State.User.ID
}

// restPoster is the Poster of gateway mentions: the four channel calls go
// through the bounded REST client (bot token, bounded 429 retries), not
// discordgo's Session, whose rate limiter keeps a bucket for every channel
// URL it ever called and never prunes them — one more per answer thread.
type restPoster struct{ c *restClient }

var _ Poster = restPoster{}

// channelPath is /channels/{id} with the id escaped.
func channelPath(id string) string { return "/channels/" + url.PathEscape(id) }

// StartThread implements Poster.
func (p restPoster) StartThread(ctx context.Context, channelID, messageID, name string) (string, error) {
	var ch discordgo.Channel
	err := p.c.botCall(ctx, "POST", channelPath(channelID)+"/messages/"+url.PathEscape(messageID)+"/threads",
		discordgo.ThreadStart{Name: name, AutoArchiveDuration: threadArchiveMinutes}, &ch)
	if err != nil {
		return "", fmt.Errorf("start thread: %w", err)
	}
	if ch.ID == "" {
		return "", fmt.Errorf("start thread: no channel in the response")
	}
	return ch.ID, nil
}

// Send implements Poster.
func (p restPoster) Send(ctx context.Context, channelID string, m *discordgo.MessageSend) error {
	if m == nil {
		return fmt.Errorf("send message: nil message")
	}
	if len(m.Files) > 0 {
		return fmt.Errorf("send message: files are not supported")
	}
	if err := p.c.botCall(ctx, "POST", channelPath(channelID)+"/messages", m, nil); err != nil {
		return fmt.Errorf("send message: %w", err)
	}
	return nil
}

// Channel implements Poster.
func (p restPoster) Channel(ctx context.Context, channelID string) (ChannelInfo, error) {
	var ch discordgo.Channel
	if err := p.c.botCall(ctx, "GET", channelPath(channelID), nil, &ch); err != nil {
		return ChannelInfo{}, fmt.Errorf("get channel: %w", err)
	}
	if !ch.IsThread() {
		return ChannelInfo{}, nil
	}
	return ChannelInfo{Thread: true, Parent: ch.ParentID, Owner: ch.OwnerID}, nil
}

// Recent implements Poster.
func (p restPoster) Recent(ctx context.Context, channelID string, limit int) ([]*discordgo.Message, error) {
	limit = max(1, min(limit, 100)) // Discord's bounds
	var ms []*discordgo.Message
	if err := p.c.botCall(ctx, "GET", channelPath(channelID)+"/messages?limit="+strconv.Itoa(limit), nil, &ms); err != nil {
		return nil, fmt.Errorf("read channel messages: %w", err)
	}
	return ms, nil
}
