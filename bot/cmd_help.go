package bot

import (
	"context"

	"github.com/bwmarrin/discordgo"
)

func helpDefinition() *discordgo.ApplicationCommand {
	return &discordgo.ApplicationCommand{
		Type:        discordgo.ChatApplicationCommand,
		Name:        "help",
		Description: "What citebot does and how to use it",
	}
}

// helpText explains each command; it is static, so it lives here, not in a renderer.
const helpText = "citebot answers questions about a collection of news articles by **quoting the passages that answer them**, each with a citation and a link. When the articles don't answer a question, it says so instead of guessing.\n\n" +
	"**/ask** `question` — the best answers as quoted excerpts; the answering sentence is in bold. Options: `source` (one publisher), `private` (only you see the reply; a Share button can post it later).\n" +
	"**/search** `query` — a compact ranked list of passages. Options: `results` (1-10), `source`, `private`.\n" +
	"**/quote** `passage` — type a few words, pick a passage from the suggestions, and it is posted to the channel as a cited quote.\n" +
	"**/sources** — the articles citebot can quote from.\n" +
	"**Find sources** — right-click (or long-press) a message › Apps › Find sources: checks the message against the articles; only you see the result.\n\n" +
	"Buttons: **More** shows the next results, 👍/👎 tell us whether an answer helped, **Share** posts a private answer to the channel. Buttons expire after a while; run the command again then."

// helpRoute answers /help privately.
func helpRoute() route {
	return route{
		def:     helpDefinition(),
		private: func(*request) bool { return true },
		noIndex: true,
		handle: func(context.Context, *request) (reply, error) {
			return reply{data: &discordgo.InteractionResponseData{
				Embeds: []*discordgo.MessageEmbed{{
					Title:       "citebot help",
					Description: helpText,
					Color:       colorAnswer,
				}},
				AllowedMentions: noMentions(),
			}}, nil
		},
	}
}
