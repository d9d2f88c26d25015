package bot

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"
)

// gatewayResponder answers one interaction through a gateway session's REST
// client.
type gatewayResponder struct {
	s     *discordgo.Session
	i     *discordgo.Interaction
	appID string
}

var _ Responder = (*gatewayResponder)(nil)

func (g *gatewayResponder) app() string {
	if g.i.AppID != "" {
		return g.i.AppID
	}
	return g.appID
}

// Respond implements Responder.
func (g *gatewayResponder) Respond(ctx context.Context, resp *discordgo.InteractionResponse) error {
	if err := g.s.InteractionRespond(g.i, resp, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("interaction callback: %w", err)
	}
	return nil
}

// Edit implements Responder. It uses a rate-limit bucket of its own per
// interaction: discordgo's InteractionResponseEdit shares one bucket across
// all interactions, so edits for different users would queue behind each
// other.
func (g *gatewayResponder) Edit(ctx context.Context, edit *discordgo.WebhookEdit) error {
	uri := discordgo.EndpointWebhookMessage(g.app(), g.i.Token, "@original")
	if _, err := g.s.RequestWithBucketID("PATCH", uri, edit, uri, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("edit original response: %w", err)
	}
	return nil
}

// Followup implements Responder.
func (g *gatewayResponder) Followup(ctx context.Context, params *discordgo.WebhookParams) error {
	if _, err := g.s.WebhookExecute(g.app(), g.i.Token, true, params, discordgo.WithContext(ctx)); err != nil {
		return fmt.Errorf("followup message: %w", err)
	}
	return nil
}
