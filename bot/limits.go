package bot

import (
	"strings"

	"github.com/bwmarrin/discordgo"
)

// noMentions is the allowed-mentions value of every message: it serializes
// as "parse": [], so nothing in a question or in corpus text can ping.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// clampMessage makes d obey Discord's message limits whatever a renderer
// produced, and sets allowed mentions to none. Renderers budget their text
// so this rarely cuts; it is the guarantee, not the layout.
func clampMessage(d *discordgo.InteractionResponseData) {
	if d == nil {
		return
	}
	d.AllowedMentions = noMentions()
	d.Content = clampText(d.Content, maxContent)
	d.Embeds = clampEmbeds(d.Embeds)
	kept := d.Choices[:0]
	for _, c := range d.Choices {
		if c == nil {
			continue
		}
		c.Name = clampText(c.Name, maxChoiceName)
		kept = append(kept, c)
	}
	d.Choices = kept
	if len(d.Choices) > maxChoices {
		d.Choices = d.Choices[:maxChoices]
	}
}

// clampText makes s valid UTF-8 (Discord refuses invalid text, and corpus
// metadata, URLs and footers are not otherwise re-encoded), breaks mass
// mentions, and truncates it to max code points.
func clampText(s string, max int) string {
	return truncate(neutraliseMentions(strings.ToValidUTF8(s, "\uFFFD")), max)
}

// clampEmbeds truncates every embed field to its limit, keeps at most 10
// embeds, and then shortens descriptions (longest first) or drops trailing
// embeds until the 6000 code point total holds.
func clampEmbeds(es []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	kept := es[:0]
	for _, e := range es {
		// A nil embed (from a clicked message's JSON) would be sent as
		// null, which Discord rejects.
		if e != nil {
			kept = append(kept, e)
		}
	}
	es = kept
	if len(es) > maxEmbeds {
		es = es[:maxEmbeds]
	}
	for _, e := range es {
		e.URL = strings.ToValidUTF8(e.URL, "")
		if len(e.URL) > maxURL {
			// Discord rejects the whole message for one over-long link;
			// the citation stays readable as plain text.
			e.URL = ""
		}
		e.Title = clampText(e.Title, maxTitle)
		e.Description = clampText(e.Description, maxDescription)
		if e.Footer != nil {
			e.Footer.Text = clampText(e.Footer.Text, maxFooter)
		}
		if e.Author != nil {
			e.Author.Name = clampText(e.Author.Name, maxAuthorName)
		}
		fields := e.Fields[:0]
		for _, f := range e.Fields {
			if f != nil {
				fields = append(fields, f)
			}
		}
		e.Fields = fields
		if len(e.Fields) > 25 {
			e.Fields = e.Fields[:25]
		}
		for _, f := range e.Fields {
			f.Name = clampText(f.Name, maxFieldName)
			f.Value = clampText(f.Value, maxFieldValue)
		}
	}
	for over := embedsTotal(es) - maxEmbedTotal; over > 0; over = embedsTotal(es) - maxEmbedTotal {
		longest := es[0]
		for _, e := range es[1:] {
			if runeLen(e.Description) > runeLen(longest.Description) {
				longest = e
			}
		}
		n := runeLen(longest.Description)
		if n-over >= 200 {
			longest.Description = truncate(longest.Description, n-over)
			continue
		}
		if len(es) == 1 {
			// One embed whose fields and title alone exceed the total:
			// drop its fields.
			es[0].Fields = nil
			es[0].Description = truncate(es[0].Description, maxEmbedTotal-runeLen(es[0].Title)-footerLen(es[0])-authorLen(es[0]))
			continue
		}
		es = es[:len(es)-1]
	}
	return es
}

// embedsTotal counts what Discord counts toward the 6000 limit.
func embedsTotal(es []*discordgo.MessageEmbed) int {
	n := 0
	for _, e := range es {
		n += runeLen(e.Title) + runeLen(e.Description) + footerLen(e) + authorLen(e)
		for _, f := range e.Fields {
			n += runeLen(f.Name) + runeLen(f.Value)
		}
	}
	return n
}

func footerLen(e *discordgo.MessageEmbed) int {
	if e.Footer == nil {
		return 0
	}
	return runeLen(e.Footer.Text)
}

func authorLen(e *discordgo.MessageEmbed) int {
	if e.Author == nil {
		return 0
	}
	return runeLen(e.Author.Name)
}
