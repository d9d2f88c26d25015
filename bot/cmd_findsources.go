package bot

import (
	"context"
	"strings"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"citebot/retrieval"
)

// findSourcesName is the context-menu entry's label (and command name).
const findSourcesName = "Find sources"

func findSourcesDefinition() *discordgo.ApplicationCommand {
	return &discordgo.ApplicationCommand{Type: discordgo.MessageApplicationCommand, Name: findSourcesName}
}

// findSourcesRoute checks a message's text against the corpus and replies
// privately with the passages that support (or do not support) it.
func findSourcesRoute(p pager) route {
	return route{
		def:     findSourcesDefinition(),
		private: func(*request) bool { return true },
		handle: func(ctx context.Context, rq *request) (reply, error) {
			text := targetText(rq.cmd)
			if text == "" {
				return reply{}, userErrorf("That message has no text I can look up.")
			}
			return p.page(ctx, "findsources", retrieval.Query{Text: text, K: retrieval.DefaultK}, true, "")
		},
	}
}

// targetText is the context-menu target message's text, cut to the
// question limit by cutClaim.
func targetText(d discordgo.ApplicationCommandInteractionData) string {
	if d.Resolved == nil || d.Resolved.Messages == nil {
		return ""
	}
	m := d.Resolved.Messages[d.TargetID]
	if m == nil {
		return ""
	}
	return cutClaim(oneLine(m.Content))
}

// cutClaim cuts a message's text at a word boundary to the question limit:
// a long message's opening states its claim.
func cutClaim(text string) string {
	if runeLen(text) <= maxQuestionRunes {
		return text
	}
	runes := []rune(text)[:maxQuestionRunes]
	cut := len(runes)
	for j := len(runes) - 1; j > len(runes)/2; j-- {
		if unicode.IsSpace(runes[j]) {
			cut = j
			break
		}
	}
	return strings.TrimSpace(string(runes[:cut]))
}
