package bot

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"citebot/retrieval"
)

// Bounds of /search's results option.
const (
	searchDefaultK = 5
	searchMaxK     = 10
)

func searchDefinition() *discordgo.ApplicationCommand {
	one := 1.0
	return &discordgo.ApplicationCommand{
		Type:        discordgo.ChatApplicationCommand,
		Name:        "search",
		Description: "Look up passages: a compact ranked list with citations",
		Options: []*discordgo.ApplicationCommandOption{
			{
				Type:        discordgo.ApplicationCommandOptionString,
				Name:        "query",
				Description: "What to look for",
				Required:    true,
				MaxLength:   maxQuestionRunes,
			},
			{
				Type:        discordgo.ApplicationCommandOptionInteger,
				Name:        "results",
				Description: "How many results (1-10, default 5)",
				MinValue:    &one,
				MaxValue:    searchMaxK,
			},
			sourceOptionDef(),
			privateOptionDef(),
		},
	}
}

// searchRoute answers /search with a compact list.
func searchRoute(p pager) route {
	return route{
		def: searchDefinition(),
		handle: func(ctx context.Context, rq *request) (reply, error) {
			q, err := questionText(rq.cmd.Options, "query", "search query")
			if err != nil {
				return reply{}, err
			}
			k, ok := intOption(rq.cmd.Options, "results")
			switch {
			case !ok:
				k = searchDefaultK
			case k < 1 || k > searchMaxK:
				return reply{}, userErrorf("results must be between 1 and %d.", searchMaxK)
			}
			typed, _ := stringOption(rq.cmd.Options, "source")
			src, err := checkSource(p.s, strings.TrimSpace(typed))
			if err != nil {
				return reply{}, err
			}
			return p.page(ctx, "search", retrieval.Query{Text: q, K: k, Source: src}, rq.private, "")
		},
		complete: func(rq *request) []*discordgo.ApplicationCommandOptionChoice {
			return completeSource(p.s, rq)
		},
	}
}
