package bot

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"citebot/retrieval"
)

// searchExcerptRunes is how much of each passage a /search line quotes.
const searchExcerptRunes = 180

// renderSearch renders a compact ranked list: one entry per passage with its
// linked citation and a short excerpt, all in one embed.
func renderSearch(a retrieval.Answer, v answerView, links Links) *discordgo.InteractionResponseData {
	d := &discordgo.InteractionResponseData{AllowedMentions: noMentions()}
	q := escapeMarkdown(oneLine(truncate(a.Query, 200)))
	if len(a.Results) == 0 {
		if v.Offset > 0 {
			d.Content = "No more results for " + q + "."
		} else {
			d.Content = "Nothing in the corpus matches " + q + "."
		}
		return d
	}
	var notes []string
	if a.Abstained {
		notes = append(notes, "No passage matches strongly; these are the nearest ones and may not be relevant.")
	}
	if a.Degraded {
		notes = append(notes, "_Keyword search only right now; results may be less precise._")
	}
	d.Content = strings.Join(notes, "\n")

	per := (maxDescription - 100) / len(a.Results)
	var entries []string
	for _, r := range a.Results {
		entries = append(entries, searchEntry(r, links, per))
	}
	shown := len(a.Results)
	e := &discordgo.MessageEmbed{
		Title:       truncate("Search: "+q, maxTitle),
		Description: strings.Join(entries, "\n"),
		Color:       colorAnswer,
		Footer:      &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("Results %d–%d of %d", v.Offset+1, v.Offset+shown, a.Total)},
	}
	d.Embeds = []*discordgo.MessageEmbed{e}
	hasMore := v.Offset+shown < a.Total
	d.Components = answerButtons(v.Private, v.StateID, v.Offset+shown, hasMore)
	return d
}

// searchEntry is one line of citation and one of quotation, within budget
// code points; the link is never cut.
func searchEntry(r retrieval.Result, links Links, budget int) string {
	c := citeResult(r, links)
	head := fmt.Sprintf("**%d.** %s", r.Rank, maskedLink(escapeLine(truncate(c.Title, 100)), c.URL))
	if m := c.meta(); m != "" {
		head += " · " + escapeLine(m)
	}
	if r.Weak {
		head += " _(weak match)_"
	}
	room := budget - runeLen(head) - 3
	if room > searchExcerptRunes {
		room = searchExcerptRunes
	}
	if room < 20 {
		return head
	}
	return head + "\n> " + formatExcerpt(c.Sentences, escapeLine, room)
}
