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

// ParentOf implements Poster.
func (g gatewayPoster) ParentOf(ctx context.Context, channelID string) (string, error) {
	ch, err := g.s.Channel(channelID, discordgo.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("get channel: %w", err)
	}
	if ch == nil || !ch.IsThread() {
		return "", nil
	}
	return ch.ParentID, nil
}
