package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// normalizeSpace turns every Unicode space (NBSP, thin spaces, line and
// paragraph separators, tabs, newlines) into a plain space, drops invisible
// characters that only get in the way of matching (zero-width spaces, soft
// hyphens, byte-order marks, stray control characters), collapses runs of
// spaces and trims the ends. Quotes and dashes are kept as written: they are
// part of what the reader will see quoted.
func normalizeSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	for _, r := range s {
		switch {
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff' || r == '\u00ad':
			continue
		case unicode.IsSpace(r) || unicode.IsControl(r):
			pendingSpace = b.Len() > 0
			continue
		case r == utf8.RuneError:
			// Invalid UTF-8 is rejected on load; this only guards pure callers.
			continue
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isBlank reports whether a line holds nothing but (Unicode) whitespace, as
// the "blank" lines of scraped articles often hold spaces or NBSPs.
func isBlank(line string) bool {
	return normalizeSpace(line) == ""
}

// textBlocks splits plain text into blocks of lines. Blocks are separated by
// blank lines; when the text has no blank line between two content lines at
// all, every line is its own block (one paragraph per line). Lines are kept
// separate inside a block so that line-level boilerplate (a copyright footer
// glued under the last paragraph) can be dropped before the lines are joined.
func textBlocks(text string) [][]string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")

	var blocks [][]string
	var cur []string
	sawBlankBetween := false
	for _, line := range lines {
		if isBlank(line) {
			if len(cur) > 0 {
				blocks = append(blocks, cur)
				cur = nil
			}
			continue
		}
		if len(cur) == 0 && len(blocks) > 0 {
			sawBlankBetween = true
		}
		cur = append(cur, line)
	}
	if len(cur) > 0 {
		blocks = append(blocks, cur)
	}
	if sawBlankBetween || len(blocks) != 1 {
		return blocks
	}
	// No blank line between any two content lines: one paragraph per line.
	var out [][]string
	for _, line := range blocks[0] {
		out = append(out, []string{line})
	}
	return out
}

// wordCount counts space-separated words.
func wordCount(s string) int {
	return len(strings.Fields(s))
}

// endsSentence reports whether s ends with sentence-final punctuation,
// possibly followed by closing quotes or brackets.
func endsSentence(s string) bool {
	s = strings.TrimRightFunc(s, func(r rune) bool { return isCloser(r) || unicode.IsSpace(r) })
	r, _ := utf8.DecodeLastRuneInString(s)
	return r == '.' || r == '!' || r == '?' || r == '…'
}

// isCloser reports runes that may follow sentence-final punctuation and still
// belong to the sentence.
func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', ')', ']', '»':
		return true
	}
	return false
}

// sameText compares two texts ignoring case, spacing and quote style, to spot
// a headline repeated verbatim.
func sameText(a, b string) bool {
	return foldText(a) == foldText(b) && foldText(a) != ""
}

func foldText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '’', '‘', '`':
			return '\''
		case '“', '”':
			return '"'
		}
		return r
	}, s)
	return strings.ToLower(normalizeSpace(s))
}
