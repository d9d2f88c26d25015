package bot

import (
	"context"
	"fmt"

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

// gatewayPoster is a Poster over a gateway session's REST client.
type gatewayPoster struct{ s *discordgo.Session }

var _ Poster = gatewayPoster{}

// StartThread implements Poster.
func (g gatewayPoster) StartThread(ctx context.Context, channelID, messageID, name string) (string, error) {
	ch, err := g.s.MessageThreadStartComplex(channelID, messageID, &discordgo.ThreadStart{
		Name: name, AutoArchiveDuration: threadArchiveMinutes,
	}, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("start thread: %w", err)
	}
	if ch == nil || ch.ID == "" {
		return "", fmt.Errorf("start thread: no channel in the response")
	}
	return ch.ID, nil
}

// Send implements Poster.
func (g gatewayPoster) Send(ctx context.Context, channelID string, m *discordgo.MessageSend) error {
	if _, err := g.s.ChannelMessageSendComplex(channelID, m, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("send message: %w", err)
	}
	return nil
}

// Channel implements Poster.
func (g gatewayPoster) Channel(ctx context.Context, channelID string) (ChannelInfo, error) {
	ch, err := g.s.Channel(channelID, discordgo.WithContext(ctx))
	if err != nil {
		return ChannelInfo{}, fmt.Errorf("get channel: %w", err)
	}
	if ch == nil || !ch.IsThread() {
		return ChannelInfo{}, nil
	}
	return ChannelInfo{Thread: true, Parent: ch.ParentID, Owner: ch.OwnerID}, nil
}

// Recent implements Poster.
func (g gatewayPoster) Recent(ctx context.Context, channelID string, limit int) ([]*discordgo.Message, error) {
	ms, err := g.s.ChannelMessages(channelID, limit, "", "", "", discordgo.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("read channel messages: %w", err)
	}
	return ms, nil
}
