package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// message is the part of any outgoing payload (initial response, edit,
// follow-up) that Discord limits.
type message struct {
	content    string
	embeds     []*discordgo.MessageEmbed
	components []discordgo.MessageComponent
	choices    []*discordgo.ApplicationCommandOptionChoice
	mentions   *discordgo.MessageAllowedMentions
}

func messageOfData(d *discordgo.InteractionResponseData) message {
	return message{d.Content, d.Embeds, d.Components, d.Choices, d.AllowedMentions}
}

func messageOfEdit(e *discordgo.WebhookEdit) message {
	m := message{mentions: e.AllowedMentions}
	if e.Content != nil {
		m.content = *e.Content
	}
	if e.Embeds != nil {
		m.embeds = *e.Embeds
	}
	if e.Components != nil {
		m.components = *e.Components
	}
	return m
}

func messageOfParams(p *discordgo.WebhookParams) message {
	return message{p.Content, p.Embeds, p.Components, nil, p.AllowedMentions}
}

// checkMessage fails t unless m obeys every Discord limit (in code points),
// parses no mentions, holds valid UTF-8 and no live mass mention.
// autocomplete results carry no message and so need no allowed_mentions.
func checkMessage(t *testing.T, what string, m message, autocomplete bool) {
	t.Helper()
	if !autocomplete && (m.mentions == nil || m.mentions.Parse == nil || len(m.mentions.Parse) != 0 ||
		len(m.mentions.Users) != 0 || len(m.mentions.Roles) != 0 || m.mentions.RepliedUser) {
		t.Errorf("%s: allowed_mentions %+v, want parse []", what, m.mentions)
	}
	text := func(field, s string, max int) {
		t.Helper()
		if n := utf8.RuneCountInString(s); n > max {
			t.Errorf("%s: %s has %d code points, limit %d", what, field, n, max)
		}
		if !utf8.ValidString(s) {
			t.Errorf("%s: %s is not valid UTF-8: %q", what, field, s)
		}
		if l := strings.ToLower(s); strings.Contains(l, "@everyone") || strings.Contains(l, "@here") {
			t.Errorf("%s: %s holds a live mass mention: %q", what, field, s)
		}
	}
	text("content", m.content, maxContent)
	if len(m.embeds) > maxEmbeds {
		t.Errorf("%s: %d embeds", what, len(m.embeds))
	}
	for _, e := range m.embeds {
		if e == nil {
			t.Errorf("%s: nil embed", what)
			continue
		}
		text("title", e.Title, maxTitle)
		text("description", e.Description, maxDescription)
		if len(e.URL) > maxURL {
			t.Errorf("%s: embed URL of %d bytes", what, len(e.URL))
		}
		if e.Footer != nil {
			text("footer", e.Footer.Text, maxFooter)
		}
		if e.Author != nil {
			text("author", e.Author.Name, maxAuthorName)
		}
		if len(e.Fields) > 25 {
			t.Errorf("%s: %d fields", what, len(e.Fields))
		}
		for _, f := range e.Fields {
			if f == nil {
				t.Errorf("%s: nil field", what)
				continue
			}
			text("field name", f.Name, maxFieldName)
			text("field value", f.Value, maxFieldValue)
		}
	}
	for _, e := range m.embeds {
		if e == nil {
			return
		}
	}
	if n := embedsTotal(m.embeds); n > maxEmbedTotal {
		t.Errorf("%s: embeds total %d code points, limit %d", what, n, maxEmbedTotal)
	}
	if len(m.choices) > maxChoices {
		t.Errorf("%s: %d choices", what, len(m.choices))
	}
	for _, c := range m.choices {
		text("choice name", c.Name, maxChoiceName)
		if s, ok := c.Value.(string); ok && utf8.RuneCountInString(s) > maxChoiceValue {
			t.Errorf("%s: choice value of %d code points", what, utf8.RuneCountInString(s))
		}
	}
	checkComponents(t, what, m.components)
}

// checkComponents checks custom ids and labels of buttons, at any depth.
func checkComponents(t *testing.T, what string, cs []discordgo.MessageComponent) {
	t.Helper()
	if len(cs) > 5 {
		t.Errorf("%s: %d action rows", what, len(cs))
	}
	for _, c := range cs {
		switch c := c.(type) {
		case discordgo.ActionsRow:
			checkComponents(t, what, c.Components)
		case *discordgo.ActionsRow:
			checkComponents(t, what, c.Components)
		case discordgo.Button:
			checkButton(t, what, &c)
		case *discordgo.Button:
			checkButton(t, what, c)
		}
	}
}

func checkButton(t *testing.T, what string, b *discordgo.Button) {
	t.Helper()
	if n := utf8.RuneCountInString(b.CustomID); n > maxCustomID {
		t.Errorf("%s: custom_id of %d code points", what, n)
	}
	if n := utf8.RuneCountInString(b.Label); n > maxButtonLabel {
		t.Errorf("%s: button label of %d code points", what, n)
	}
}

// unescapedRuns counts the markdown marker r outside backslash escapes.
func unescapedRuns(s string, r rune) int {
	n := 0
	escaped := false
	for _, c := range s {
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == r:
			n++
		}
	}
	return n
}
