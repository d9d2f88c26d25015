package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a half-open byte range [Start, End) of a text.
type Span struct{ Start, End int }

// Sentences splits text into sentences and returns their byte spans, each
// trimmed of surrounding whitespace, in order and non-overlapping; text
// that holds only whitespace yields none. A sentence ends at '.', '!', '?'
// or '…' (and any closing quotes or brackets right after it: ” " ’ ' ) ])
// when whitespace and then something other than a lowercase letter follow.
// A period does not end a sentence inside a number ("3.5"), after a known
// abbreviation (U.S., Mr., Dr., Gen., Inc., etc., e.g., Jan. …), after a
// single-letter initial ("William J. Burns") or a dotted acronym, or after
// "No." before a number. An ellipsis followed by a lowercase word continues
// the sentence.
func Sentences(text string) []Span {
	var spans []Span
	start := 0
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r != '.' && r != '!' && r != '?' && r != '…' {
			i += size
			continue
		}
		end := i + size
		// Runs of terminal punctuation ("?!", "...") and closing quotes or
		// brackets belong to the sentence they end.
		for end < len(text) {
			r2, s2 := utf8.DecodeRuneInString(text[end:])
			if r2 != '.' && r2 != '!' && r2 != '?' && r2 != '…' && !isCloser(r2) {
				break
			}
			end += s2
		}
		if isSentenceEnd(text, start, i, end, r) {
			if sp, ok := trimSpan(text, start, end); ok {
				spans = append(spans, sp)
			}
			start = end
		}
		i = end
	}
	if sp, ok := trimSpan(text, start, len(text)); ok {
		spans = append(spans, sp)
	}
	return spans
}

// isSentenceEnd decides whether the punctuation text[i] (of kind r), whose
// run with closers ends at end, closes the sentence that began at start.
func isSentenceEnd(text string, start, i, end int, r rune) bool {
	if end == len(text) {
		return true
	}
	next, _ := utf8.DecodeRuneInString(text[end:])
	if !unicode.IsSpace(next) {
		return false // "3.5", "U.S.-led", "Yahoo!Mail"
	}
	rest := strings.TrimLeftFunc(text[end:], unicode.IsSpace)
	if rest == "" {
		return true
	}
	following, _ := utf8.DecodeRuneInString(rest)
	if unicode.IsLower(following) {
		return false // "“Why?” he asked", "… and then", "etc. and"
	}
	if r != '.' || end-i > 1 && strings.HasPrefix(text[i:end], "..") {
		return true
	}
	word := lastWord(text[start:i])
	if word == "" {
		return true
	}
	if isAbbreviation(word) {
		return false
	}
	if strings.EqualFold(word, "no") && unicode.IsDigit(following) {
		return false // "No. 10"
	}
	return true
}

// lastWord returns the token before a period, without leading quotes or
// brackets: "(e.g" → "e.g", "“Mr" → "Mr".
func lastWord(s string) string {
	if k := strings.LastIndexFunc(s, unicode.IsSpace); k >= 0 {
		s = s[k+1:]
	}
	return strings.TrimLeftFunc(s, func(r rune) bool {
		return r == '(' || r == '[' || r == '"' || r == '\'' || r == '“' || r == '‘' || r == '«'
	})
}

// isAbbreviation reports tokens (without their final period) after which a
// period does not end a sentence.
func isAbbreviation(word string) bool {
	// A single letter is an initial: "William J. Burns".
	if n := utf8.RuneCountInString(word); n == 1 {
		r, _ := utf8.DecodeRuneInString(word)
		return unicode.IsLetter(r)
	}
	// Dotted acronyms: "U.S", "U.K", "e.g", "i.e", "D.C", "a.m".
	if strings.Contains(word, ".") {
		for _, part := range strings.Split(word, ".") {
			if utf8.RuneCountInString(part) != 1 {
				return false
			}
		}
		return true
	}
	switch strings.ToLower(word) {
	case "mr", "mrs", "ms", "dr", "st", "gen", "lt", "col", "sen", "rep", "gov", "jr", "sr",
		"inc", "co", "corp", "ltd", "vs", "etc", "prof", "capt", "sgt", "maj", "adm", "cmdr",
		"rev", "hon", "pres", "supt", "mt", "ft", "approx", "dept", "est", "fig", "vol",
		"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec":
		return true
	}
	return false
}

// trimSpan trims whitespace from both ends of text[start:end]; ok is false
// when nothing is left.
func trimSpan(text string, start, end int) (Span, bool) {
	s := text[start:end]
	lead := len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
	s = strings.TrimRightFunc(s[lead:], unicode.IsSpace)
	if s == "" {
		return Span{}, false
	}
	return Span{Start: start + lead, End: start + lead + len(s)}, true
}
