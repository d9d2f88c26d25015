package bot

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"citebot/retrieval"
)

// quoteBudget bounds the quoted passage of /quote.
const quoteBudget = 1500

func quoteDefinition() *discordgo.ApplicationCommand {
	return &discordgo.ApplicationCommand{
		Type:        discordgo.ChatApplicationCommand,
		Name:        "quote",
		Description: "Post a passage from the corpus to the channel as a cited quote",
		Options: []*discordgo.ApplicationCommandOption{{
			Type:         discordgo.ApplicationCommandOptionString,
			Name:         "passage",
			Description:  "Start typing words from the passage, then pick it",
			Required:     true,
			Autocomplete: true,
			MaxLength:    maxQuestionRunes,
		}},
	}
}

// quoteRoute posts a chosen passage publicly; the autocomplete value is the
// passage id. Text that names no passage gets a private hint instead.
func quoteRoute(s Searcher, links Links) route {
	lookup := func(rq *request) (retrieval.Result, bool) {
		v, _ := stringOption(rq.cmd.Options, "passage")
		return s.Passage(strings.TrimSpace(v))
	}
	return route{
		def: quoteDefinition(),
		// Known passages are posted for everyone; hints only to the user.
		private: func(rq *request) bool {
			_, ok := lookup(rq)
			return !ok
		},
		handle: func(_ context.Context, rq *request) (reply, error) {
			r, ok := lookup(rq)
			if !ok {
				v, _ := stringOption(rq.cmd.Options, "passage")
				if strings.TrimSpace(v) == "" {
					return reply{}, userErrorf("Start typing words from the passage you want to quote, then pick one of the suggestions.")
				}
				return reply{}, userErrorf("No passage matches %s. Start typing words from it and pick one of the suggestions, or find it first with /search.",
					"“"+escapeMarkdown(oneLine(truncate(v, 100)))+"”")
			}
			return reply{data: renderQuote(r, rq.userName, links), results: 1, query: r.Passage.ID}, nil
		},
		complete: func(rq *request) []*discordgo.ApplicationCommandOptionChoice {
			_, text := focusedOption(rq.cmd.Options)
			return passageChoices(s.Suggest(strings.TrimSpace(text), maxChoices))
		},
	}
}

// renderQuote renders one passage, quoted in full where it fits, with its
// citation, posted by user.
func renderQuote(r retrieval.Result, user string, links Links) *discordgo.InteractionResponseData {
	if t := strings.TrimSpace(r.Passage.Text); t != "" {
		// The whole passage reads better than its opening sentences.
		r.Excerpt = retrieval.Excerpt{Sentences: []retrieval.Sentence{{Text: t}}}
	}
	return &discordgo.InteractionResponseData{
		Content:         "Quoted by " + escapeMarkdown(oneLine(truncate(user, 80))),
		Embeds:          []*discordgo.MessageEmbed{resultEmbed(r, links, quoteBudget, false)},
		AllowedMentions: noMentions(),
	}
}

// passageChoices labels each passage "excerpt… — Publisher" within 100 code
// points; the value is the passage id. Ids too long for a choice value are
// skipped rather than sent broken.
func passageChoices(rs []retrieval.Result) []*discordgo.ApplicationCommandOptionChoice {
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, r := range rs {
		if len(choices) == maxChoices {
			break
		}
		if r.Passage.ID == "" || runeLen(r.Passage.ID) > maxChoiceValue {
			continue
		}
		text := oneLine(r.Excerpt.Text())
		if text == "" {
			text = oneLine(r.Passage.Text)
		}
		suffix := ""
		if r.Article != nil && r.Article.Source != "" {
			suffix = " — " + truncate(oneLine(r.Article.Source), 30)
		}
		name := truncate(text, maxChoiceName-runeLen(suffix)) + suffix
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: name, Value: r.Passage.ID})
	}
	return choices
}
