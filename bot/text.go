package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Discord's limits, counted in code points. discordgo checks none of them.
const (
	maxContent       = 2000
	maxDescription   = 4096
	maxTitle         = 256
	maxFieldName     = 256
	maxFieldValue    = 1024
	maxFooter        = 2048
	maxAuthorName    = 256
	maxEmbedTotal    = 6000
	maxEmbeds        = 10
	maxChoices       = 25
	maxChoiceName    = 100
	maxChoiceValue   = 100
	maxCustomID      = 100
	maxButtonLabel   = 80
	maxQuestionRunes = 500
	maxURL           = 2048
)

// ellipsis marks text cut by truncate.
const ellipsis = "…"

// zwsp breaks "@everyone" and "@here" so that even a client that ignored
// allowed_mentions would not ping.
const zwsp = "\u200b"

// escapeMarkdown makes s display literally in a Discord message: markdown
// markers are backslash-escaped, line-leading quote, heading and list markers
// are neutralised, and mass mentions are broken with a zero-width space.
func escapeMarkdown(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	lineStart := true
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
			lineStart = true
			continue
		case lineStart && (r == ' ' || r == '\t'):
			// Leading blanks do not end a line start: "  > x" still quotes.
			b.WriteRune(r)
			continue
		case lineStart && (r == '>' || r == '#' || r == '-' || r == '+'):
			b.WriteByte('\\')
		case strings.ContainsRune("\\*_`~|[]<", r):
			// [ ] build masked links and < builds mention and channel
			// pills; escaping them is simpler than parsing those forms.
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		lineStart = false
	}
	return neutraliseMentions(b.String())
}

// neutraliseMentions inserts a zero-width space after '@' in mass mentions.
// allowed_mentions already stops the ping; this keeps the text harmless if
// it is ever copied into a message that lacks it.
func neutraliseMentions(s string) string {
	for _, m := range []string{"@everyone", "@here"} {
		if strings.Contains(strings.ToLower(s), m) {
			s = replaceFold(s, m, "@"+zwsp+m[1:])
		}
	}
	return s
}

// replaceFold replaces every case-insensitive occurrence of old (ASCII) in s,
// keeping the original letters after '@'.
func replaceFold(s, old, repl string) string {
	var b strings.Builder
	lower := strings.ToLower(s)
	for {
		i := strings.Index(lower, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString("@" + zwsp)
		b.WriteString(s[i+1 : i+len(old)])
		s, lower = s[i+len(old):], lower[i+len(old):]
	}
}

// truncate shortens s to at most max code points, cutting at the last word
// boundary that keeps at least half of the text and appending "…". It never
// leaves a dangling escape backslash. max below 1 yields "".
func truncate(s string, max int) string {
	if max < 1 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	runes := []rune(s)
	cut := runes[:max-1] // room for the ellipsis
	end := len(cut)
	for j := len(cut) - 1; j >= len(cut)/2; j-- {
		if unicode.IsSpace(cut[j]) {
			end = j
			break
		}
	}
	out := strings.TrimRightFunc(string(cut[:end]), unicode.IsSpace)
	// An odd run of trailing backslashes would escape the ellipsis or leave
	// a broken escape; drop one.
	if n := len(out) - len(strings.TrimRight(out, "\\")); n%2 == 1 {
		out = out[:len(out)-1]
	}
	return out + ellipsis
}

// runeLen counts code points, the unit of every Discord limit.
func runeLen(s string) int { return utf8.RuneCountInString(s) }
