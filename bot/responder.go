package bot

import (
	"context"

	"github.com/bwmarrin/discordgo"
)

// Responder delivers the responses to one interaction. The gateway mode and
// the HTTP interactions endpoint each implement it, so one Router serves both.
type Responder interface {
	// Respond sends the initial response. It is called exactly once per
	// interaction, within Discord's 3-second limit.
	Respond(ctx context.Context, resp *discordgo.InteractionResponse) error
	// Edit replaces the original response, typically after a deferred
	// (type 5) initial response.
	Edit(ctx context.Context, edit *discordgo.WebhookEdit) error
	// Followup posts a further message in the interaction's channel.
	Followup(ctx context.Context, params *discordgo.WebhookParams) error
}
