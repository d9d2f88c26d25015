package bot

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"citebot/retrieval"
)

func askDefinition() *discordgo.ApplicationCommand {
	return &discordgo.ApplicationCommand{
		Type:        discordgo.ChatApplicationCommand,
		Name:        "ask",
		Description: "Ask a question; get quoted, cited excerpts from the news corpus",
		Options: []*discordgo.ApplicationCommandOption{
			{
				Type:        discordgo.ApplicationCommandOptionString,
				Name:        "question",
				Description: "Your question",
				Required:    true,
				MaxLength:   maxQuestionRunes,
			},
			sourceOptionDef(),
			privateOptionDef(),
		},
	}
}

// askRoute answers /ask with the best passages, quoted and cited.
func askRoute(p pager) route {
	return route{
		def: askDefinition(),
		handle: func(ctx context.Context, rq *request) (reply, error) {
			q, err := questionText(rq.cmd.Options, "question", "question")
			if err != nil {
				return reply{}, err
			}
			typed, _ := stringOption(rq.cmd.Options, "source")
			src, err := checkSource(p.s, strings.TrimSpace(typed))
			if err != nil {
				return reply{}, err
			}
			return p.page(ctx, "ask", retrieval.Query{Text: q, K: retrieval.DefaultK, Source: src}, rq.private, "")
		},
		complete: func(rq *request) []*discordgo.ApplicationCommandOptionChoice {
			return completeSource(p.s, rq)
		},
	}
}

// completeSource autocompletes the source option of /ask and /search.
func completeSource(s Searcher, rq *request) []*discordgo.ApplicationCommandOptionChoice {
	name, text := focusedOption(rq.cmd.Options)
	if name != "source" {
		return nil
	}
	return sourceChoices(s.Sources(), text)
}

// equalFold compares publishers case-insensitively, as retrieval filters.
func equalFold(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
