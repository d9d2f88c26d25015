package bot

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"citebot/retrieval"
)

// Embed colours: answers stand out, nearest-but-not-an-answer passages are grey.
const (
	colorAnswer = 0x2b6cb0
	colorWeak   = 0x808080
)

// answerView is how an answer is presented beyond its content.
type answerView struct {
	// Kind is "ask" (a question) or "findsources" (a message checked
	// against the corpus); it changes the wording.
	Kind string
	// Private marks an ephemeral reply: it gets a Share button.
	Private bool
	// StateID names the ButtonState for More and feedback; "" hides them.
	StateID string
	// Offset is how many results earlier pages showed.
	Offset int
}

// renderAnswer renders an /ask (or Find sources) answer: one embed per
// result quoting the excerpt with the answering sentence in bold, the title
// linked to the source and a footer naming publisher, date and paragraph.
// An abstention says plainly that the corpus has no answer and marks any
// nearest passages as not an answer.
func renderAnswer(a retrieval.Answer, v answerView, links Links) *discordgo.InteractionResponseData {
	embeds := answerEmbeds(a.Results, links, a.Abstained)
	// shown counts what the message really holds, so the page line and the
	// More button's offset never skip a result that did not fit.
	shown := len(embeds)
	var lines []string
	switch v.Kind {
	case "findsources":
		lines = append(lines, "**Sources for:** "+escapeMarkdown(oneLine(truncate(a.Query, 300))))
	default:
		lines = append(lines, "**Q:** "+escapeMarkdown(oneLine(truncate(a.Query, 300))))
	}
	switch {
	case a.Abstained && v.Kind == "findsources":
		lines = append(lines, "No passage in the corpus supports or addresses this message.")
	case a.Abstained:
		lines = append(lines, "The corpus has no passage that answers this question.")
	case shown == 0:
		lines = append(lines, "No more results.")
	}
	if a.Abstained && shown > 0 {
		lines = append(lines, "The nearest passages are below, marked **not an answer**.")
	}
	if v.Offset > 0 && shown > 0 {
		lines = append(lines, fmt.Sprintf("Results %d–%d of %d.", v.Offset+1, v.Offset+shown, a.Total))
	}
	if n := len(a.ReadWith); n > 0 && !a.Abstained {
		// The most recent earlier question is the one a reader remembers.
		lines = append(lines, "_Read with the earlier question: “"+escapeMarkdown(oneLine(truncate(a.ReadWith[n-1], 200)))+"”_")
	}
	if a.Degraded {
		lines = append(lines, "_Semantic search is unavailable right now, so results come from keyword search alone and may be less precise._")
	}
	hasMore := !a.Abstained && v.Offset+shown < a.Total && shown > 0
	return &discordgo.InteractionResponseData{
		Content:         strings.Join(lines, "\n"),
		Embeds:          embeds,
		Components:      answerButtons(v.Private, v.StateID, v.Offset+shown, hasMore),
		AllowedMentions: noMentions(),
	}
}

// minQuoteRunes is the shortest quotation worth an embed of its own.
const minQuoteRunes = 200

// answerEmbeds renders one embed per result within Discord's 6000 code
// point total. Long titles, footers and "Also reported by" fields can take
// much of it, so quotations are re-rendered with a smaller budget (never
// cut afterwards, which could split a bold marker) and trailing results
// that still do not fit are left for the next page.
func answerEmbeds(rs []retrieval.Result, links Links, abstained bool) []*discordgo.MessageEmbed {
	rs = rs[:min(len(rs), maxEmbeds)]
	embeds := make([]*discordgo.MessageEmbed, 0, len(rs))
	budget := descriptionBudget(len(rs))
	for _, r := range rs {
		embeds = append(embeds, resultEmbed(r, links, budget, abstained))
	}
	// Each pass shrinks every quotation or drops an embed; the bound is a
	// guard, clampEmbeds stays the guarantee.
	for pass := 0; pass < 2*maxEmbeds && len(embeds) > 0 && embedsTotal(embeds) > maxEmbedTotal; pass++ {
		fixed := embedsTotal(embeds)
		for _, e := range embeds {
			fixed -= runeLen(e.Description)
		}
		per := (maxEmbedTotal - fixed) / len(embeds)
		if per < minQuoteRunes && len(embeds) > 1 {
			embeds = embeds[:len(embeds)-1]
			continue
		}
		if per < 3 {
			break // clampEmbeds drops the fields of a lone oversized embed
		}
		for k, e := range embeds {
			if runeLen(e.Description) > per {
				embeds[k] = resultEmbed(rs[k], links, per, abstained)
			}
		}
	}
	return embeds
}

// descriptionBudget shares about 4000 code points of quotation among n
// embeds, leaving room in the 6000 total for titles, footers and fields.
func descriptionBudget(n int) int {
	if n < 1 {
		n = 1
	}
	b := 4000 / n
	switch {
	case b > 1500:
		return 1500
	case b < 200:
		return 200
	}
	return b
}

// resultEmbed renders one cited excerpt; weak marks it as not an answer.
func resultEmbed(r retrieval.Result, links Links, budget int, weak bool) *discordgo.MessageEmbed {
	c := citeResult(r, links)
	e := &discordgo.MessageEmbed{
		Title:       truncate(escapeMarkdown(oneLine(c.Title)), maxTitle),
		URL:         c.URL,
		Description: "> " + formatExcerpt(c.Sentences, escapeLine, budget-2),
		Color:       colorAnswer,
	}
	if m := c.meta(); m != "" {
		// Footers show text literally: no escaping, or backslashes would show.
		e.Footer = &discordgo.MessageEmbedFooter{Text: truncate(m, maxFooter)}
	}
	if weak || r.Weak {
		e.Color = colorWeak
		e.Author = &discordgo.MessageEmbedAuthor{Name: "Not an answer — nearest passage"}
	}
	if len(r.AlsoReportedBy) > 0 {
		e.Fields = []*discordgo.MessageEmbedField{{Name: "Also reported by", Value: alsoReportedBy(r.AlsoReportedBy, links)}}
	}
	return e
}

// alsoReportedBy lists duplicate reports, one per line, stopping before the
// field limit so that no masked link is ever cut in half.
func alsoReportedBy(rs []retrieval.Result, links Links) string {
	var b strings.Builder
	for i, r := range rs {
		c := citeResult(r, links)
		line := "• " + maskedLink(escapeMarkdown(oneLine(truncate(c.Title, 120))), c.URL)
		if c.Publisher != "" {
			line = "• " + escapeMarkdown(oneLine(c.Publisher)) + " — " + line[len("• "):]
		}
		rest := fmt.Sprintf("\n… and %d more", len(rs)-i)
		if runeLen(b.String())+1+runeLen(line)+runeLen(rest) > maxFieldValue {
			b.WriteString(rest)
			break
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	return b.String()
}

// maskedLink is "[text](url)", or text alone when there is no link. Brackets
// in text must already be escaped; parentheses, spaces, angle brackets and '@' in
// the URL are percent-encoded so they cannot end the link early.
func maskedLink(text, url string) string {
	if !safeLinkTarget(url) {
		return text
	}
	// '@' too: a link target is text to a client that ignores the mask,
	// and "…/@everyone" must not read as a mass mention there.
	r := strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E", "@", "%40",
		"[", "%5B", "]", "%5D", "`", "%60", "|", "%7C")
	return "[" + text + "](" + r.Replace(url) + ")"
}

// safeLinkTarget reports whether url can sit in a masked link: an http(s)
// URL of valid UTF-8 without spaces or control characters, which would end
// the link and spill the rest of a malformed corpus URL into the message.
func safeLinkTarget(url string) bool {
	l := strings.ToLower(url)
	if !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "http://") || !utf8.ValidString(url) {
		return false
	}
	return !strings.ContainsFunc(url, func(r rune) bool { return r <= ' ' || r == 0x7f })
}

// escapeLine escapes text that is shown on one line (quotes, list entries).
func escapeLine(s string) string { return escapeMarkdown(oneLine(s)) }

// oneLine collapses all whitespace, newlines included, to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
