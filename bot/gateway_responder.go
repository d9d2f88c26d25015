package bot

import (
	"context"
	"errors"

	"github.com/bwmarrin/discordgo"
)

// gatewayResponder answers one interaction that arrived over the gateway.
// It calls Discord's interaction endpoints directly rather than through the
// session: each interaction token is its own webhook with its own rate
// limit, and discordgo would keep a rate-limit bucket for each token's URLs
// for the life of the process.
type gatewayResponder struct {
	rest  *restClient
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
	if resp == nil {
		return errors.New("respond: nil response")
	}
	return g.rest.callback(ctx, g.i.ID, g.i.Token, resp)
}

// Edit implements Responder.
func (g *gatewayResponder) Edit(ctx context.Context, edit *discordgo.WebhookEdit) error {
	if edit == nil {
		return errors.New("edit: nil edit")
	}
	if len(edit.Files) > 0 {
		return errors.New("edit: file attachments are not supported")
	}
	return g.rest.webhook(ctx, "PATCH", g.app(), g.i.Token, "/messages/@original", edit)
}

// Followup implements Responder.
func (g *gatewayResponder) Followup(ctx context.Context, params *discordgo.WebhookParams) error {
	if params == nil {
		return errors.New("followup: nil params")
	}
	if len(params.Files) > 0 {
		return errors.New("followup: file attachments are not supported")
	}
	return g.rest.webhook(ctx, "POST", g.app(), g.i.Token, "", params)
}
