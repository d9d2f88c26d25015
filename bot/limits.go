package bot

import "github.com/bwmarrin/discordgo"

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
	d.Content = truncate(d.Content, maxContent)
	d.Embeds = clampEmbeds(d.Embeds)
	for i := range d.Choices {
		d.Choices[i].Name = truncate(d.Choices[i].Name, maxChoiceName)
	}
	if len(d.Choices) > maxChoices {
		d.Choices = d.Choices[:maxChoices]
	}
}

// clampEmbeds truncates every embed field to its limit, keeps at most 10
// embeds, and then shortens descriptions (longest first) or drops trailing
// embeds until the 6000 code point total holds.
func clampEmbeds(es []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	if len(es) > maxEmbeds {
		es = es[:maxEmbeds]
	}
	for _, e := range es {
		if len(e.URL) > maxURL {
			// Discord rejects the whole message for one over-long link;
			// the citation stays readable as plain text.
			e.URL = ""
		}
		e.Title = truncate(e.Title, maxTitle)
		e.Description = truncate(e.Description, maxDescription)
		if e.Footer != nil {
			e.Footer.Text = truncate(e.Footer.Text, maxFooter)
		}
		if e.Author != nil {
			e.Author.Name = truncate(e.Author.Name, maxAuthorName)
		}
		if len(e.Fields) > 25 {
			e.Fields = e.Fields[:25]
		}
		for _, f := range e.Fields {
			f.Name = truncate(f.Name, maxFieldName)
			f.Value = truncate(f.Value, maxFieldValue)
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
