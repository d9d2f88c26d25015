package retrieval

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// span is a byte range [start, end) of a text.
type span struct{ start, end int }

// abbreviations do not end a sentence even when followed by a capital.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "jr": true, "sr": true, "gen": true,
	"col": true, "lt": true, "sgt": true, "capt": true, "gov": true, "sen": true, "rep": true, "prof": true,
	"u.s": true, "u.k": true, "u.n": true, "e.g": true, "i.e": true, "vs": true, "no": true, "jan": true,
	"feb": true, "aug": true, "sept": true, "oct": true, "nov": true, "dec": true, "inc": true, "ltd": true,
	"co": true, "corp": true, "p.m": true, "a.m": true,
}

// splitSentences returns the sentence spans of text (trimmed of
// surrounding space). A sentence ends at . ! ? (plus closing quotes or
// brackets) followed by space and a capital, digit or opening quote,
// unless the word before is an abbreviation or a single initial.
// TODO(corpus): switch to corpus.Sentences once it is committed.
func splitSentences(text string) []span {
	var out []span
	start := 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r != '.' && r != '!' && r != '?' {
			i += size
			continue
		}
		end := i + size
		for end < len(text) {
			c, sz := utf8.DecodeRuneInString(text[end:])
			if c == '"' || c == '\'' || c == '\u201D' || c == '\u2019' || c == ')' || c == ']' || c == '.' || c == '!' || c == '?' || c == '\u2026' {
				end += sz
				continue
			}
			break
		}
		j := end
		for j < len(text) {
			c, sz := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsSpace(c) {
				break
			}
			j += sz
		}
		if j == end || j >= len(text) {
			i = end
			continue
		}
		next, _ := utf8.DecodeRuneInString(text[j:])
		startsNew := unicode.IsUpper(next) || unicode.IsDigit(next) || next == '"' || next == '\u201C' || next == '\'' || next == '\u2018' || next == '('
		if r == '.' && (!startsNew || isAbbrevBefore(text[start:i])) {
			i = end
			continue
		}
		if !startsNew {
			i = end
			continue
		}
		out = appendSpan(out, text, start, end)
		start = j
		i = j
	}
	return appendSpan(out, text, start, len(text))
}

// isAbbrevBefore reports whether the text before a period ends with an
// abbreviation or a single-letter initial ("William J. Burns").
func isAbbrevBefore(before string) bool {
	k := strings.LastIndexFunc(before, func(r rune) bool { return unicode.IsSpace(r) || r == '(' || r == '"' || r == '\u201C' })
	w := before[k+1:]
	if k >= 0 {
		_, sz := utf8.DecodeRuneInString(before[k:])
		w = before[k+sz:]
	}
	if utf8.RuneCountInString(w) == 1 && unicode.IsUpper([]rune(w)[0]) {
		return true
	}
	return abbreviations[strings.ToLower(w)]
}

func appendSpan(out []span, text string, start, end int) []span {
	for start < end {
		r, sz := utf8.DecodeRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		start += sz
	}
	for end > start {
		r, sz := utf8.DecodeLastRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= sz
	}
	if end > start {
		out = append(out, span{start, end})
	}
	return out
}
