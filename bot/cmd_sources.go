package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"citebot/corpus"
)

// sourcesPerPage keeps a /sources page short enough to scan.
const sourcesPerPage = 10

func sourcesDefinition() *discordgo.ApplicationCommand {
	return &discordgo.ApplicationCommand{
		Type:        discordgo.ChatApplicationCommand,
		Name:        "sources",
		Description: "List the articles citebot can quote from",
		Options:     []*discordgo.ApplicationCommandOption{privateOptionDef()},
	}
}

// sourcesRoute answers /sources with the first page.
func sourcesRoute(s Searcher) route {
	return route{
		def: sourcesDefinition(),
		handle: func(_ context.Context, _ *request) (reply, error) {
			return sourcesPage(s, 0), nil
		},
	}
}

// sourcesPageRoute turns the page (custom_id "src:<page>", stateless).
func sourcesPageRoute(s Searcher) route {
	return route{
		update: true,
		handle: func(_ context.Context, rq *request) (reply, error) {
			if len(rq.args) != 1 {
				return reply{}, errExpired()
			}
			page, err := strconv.Atoi(rq.args[0])
			if err != nil {
				return reply{}, errExpired()
			}
			return sourcesPage(s, page), nil
		},
	}
}

// sourcesPage renders page (clamped to the valid range) of the article list.
func sourcesPage(s Searcher, page int) reply {
	arts := s.Articles()
	pages := (len(arts) + sourcesPerPage - 1) / sourcesPerPage
	if page >= pages {
		page = pages - 1
	}
	if page < 0 {
		page = 0
	}
	if len(arts) == 0 {
		return reply{data: &discordgo.InteractionResponseData{Content: "The corpus is empty.", AllowedMentions: noMentions()}}
	}
	lo, hi := page*sourcesPerPage, min((page+1)*sourcesPerPage, len(arts))
	lines := make([]string, 0, hi-lo)
	for k, a := range arts[lo:hi] {
		lines = append(lines, fmt.Sprintf("**%d.** %s", lo+k+1, articleLine(a, s)))
	}
	e := &discordgo.MessageEmbed{
		Title:       fmt.Sprintf("Corpus: %d articles from %d sources", len(arts), len(s.Sources())),
		Description: strings.Join(lines, "\n"),
		Color:       colorAnswer,
		Footer:      &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("Page %d of %d", page+1, pages)},
	}
	return reply{
		data: &discordgo.InteractionResponseData{
			Embeds:          []*discordgo.MessageEmbed{e},
			Components:      pageButtons(routeSources, page, pages),
			AllowedMentions: noMentions(),
		},
		results: hi - lo,
	}
}

// articleLine is "Title — Publisher, date · N passages".
func articleLine(a *corpus.Article, s Searcher) string {
	title := a.Title
	if strings.TrimSpace(title) == "" {
		title = untitled
	}
	line := escapeLine(truncate(title, 150))
	var meta []string
	if a.Source != "" {
		meta = append(meta, escapeLine(a.Source))
	}
	if a.Published != "" {
		meta = append(meta, escapeLine(a.Published))
	}
	if len(meta) > 0 {
		line += " — " + strings.Join(meta, ", ")
	}
	return line + fmt.Sprintf(" · %d passages", s.PassageCount(a.ID))
}
