package bot

import (
	"regexp"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// maxThreadName is Discord's limit on a thread's name.
const maxThreadName = 100

// mentionsBot reports whether m addresses the bot whose user id is self by
// a user mention written in the text (<@id> or <@!id>). @everyone, @here and
// role mentions (the bot's managed role included) do not count, and neither
// does the reply ping Discord adds when someone replies to one of the bot's
// messages: that lists the bot in m.Mentions without the text naming it.
func mentionsBot(m *discordgo.Message, self string) bool {
	if self == "" {
		return false
	}
	return strings.Contains(m.Content, "<@"+self+">") || strings.Contains(m.Content, "<@!"+self+">")
}

var (
	userMentionRE  = regexp.MustCompile(`<@!?(\d+)>`)
	otherMarkupRE  = regexp.MustCompile(`<(?:@&|#)\d+>|<a?:\w+:\d+>|<t:-?\d+(?::[tTdDfFR])?>|</[\w -]+:\d+>`)
	repeatedSpaces = regexp.MustCompile(`\s+`)
)

// questionOf is the question in m's text: the bot's own mentions removed,
// other users' mentions turned into their names (they may be what is asked
// about), role, channel, emoji, timestamp and command markup dropped, on
// one line.
func questionOf(m *discordgo.Message, self string) string {
	names := map[string]string{}
	for _, u := range m.Mentions {
		if u == nil {
			continue
		}
		n := u.GlobalName
		if n == "" {
			n = u.Username
		}
		names[u.ID] = n
	}
	// "@citebot, who …" and "hey @citebot: who …" leave punctuation behind.
	text := m.Content
	for _, form := range []string{"<@" + self + ">", "<@!" + self + ">"} {
		for {
			i := strings.Index(text, form)
			if i < 0 {
				break
			}
			rest := strings.TrimLeft(text[i+len(form):], " ")
			rest = strings.TrimLeft(rest, ",:;")
			text = text[:i] + " " + rest
		}
	}
	text = userMentionRE.ReplaceAllStringFunc(text, func(s string) string {
		id := userMentionRE.FindStringSubmatch(s)[1]
		if id == self {
			return " "
		}
		if n, ok := names[id]; ok {
			return n
		}
		return " "
	})
	text = otherMarkupRE.ReplaceAllString(text, " ")
	return strings.TrimSpace(repeatedSpaces.ReplaceAllString(text, " "))
}

// threadName names the thread of an answer after its question, on one line
// and within Discord's 100 characters.
func threadName(prefix, q string) string {
	name := strings.TrimSpace(prefix + oneLine(q))
	if name == "" {
		name = "citebot"
	}
	return truncate(name, maxThreadName)
}

// messageLink is the jump URL of a message ("@me" stands for a DM's guild).
func messageLink(guildID, channelID, messageID string) string {
	if guildID == "" {
		guildID = "@me"
	}
	return "https://discord.com/channels/" + guildID + "/" + channelID + "/" + messageID
}

// authorName is how a message's author is shown: their server nickname,
// else their display name, else their username.
func authorName(m *discordgo.Message) string {
	if m.Member != nil && m.Member.Nick != "" {
		return m.Member.Nick
	}
	if m.Author == nil {
		return "someone"
	}
	if m.Author.GlobalName != "" {
		return m.Author.GlobalName
	}
	return m.Author.Username
}
