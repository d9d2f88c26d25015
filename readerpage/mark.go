package readerpage

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// markSegment is a run of paragraph text; Mark is true for a quoted sentence.
type markSegment struct {
	Text string
	Mark bool
}

// markMinRunes keeps tiny sentence pieces ("U.S.", "Mr.") from matching on
// their own.
const markMinRunes = 12

// quoteMatcher finds the sentences of a paragraph that belong to a quote (?q=),
// comparing text with quotes, dashes, whitespace and case folded, so a quote
// copied through Discord or typed with straight quotes still matches.
type quoteMatcher struct {
	whole  string   // the folded quote
	pieces []string // its folded sentences, long enough to match alone
}

func newQuoteMatcher(q string) quoteMatcher {
	m := quoteMatcher{whole: foldForMatch(q)}
	for _, s := range splitMarkSentences(q) {
		if f := foldForMatch(s.Text); utf8.RuneCountInString(f) >= markMinRunes {
			m.pieces = append(m.pieces, f)
		}
	}
	return m
}

// segments splits text into sentences, marking those that match the quote:
// the sentence contains one of the quote's sentences (or a cut-off prefix of
// one), or the quote contains the sentence.
func (m quoteMatcher) segments(text string) []markSegment {
	if m.whole == "" {
		return []markSegment{{Text: text}}
	}
	var out []markSegment
	for _, s := range splitMarkSentences(text) {
		out = append(out, markSegment{Text: s.Text, Mark: m.matches(foldForMatch(s.Text))})
		if s.Space != "" {
			out = append(out, markSegment{Text: s.Space})
		}
	}
	return out
}

func (m quoteMatcher) matches(s string) bool {
	if utf8.RuneCountInString(s) >= markMinRunes && strings.Contains(m.whole, s) {
		return true
	}
	for _, p := range m.pieces {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// textSentence is one sentence and the whitespace after it; concatenating all
// Text and Space gives back the input.
type textSentence struct{ Text, Space string }

// splitMarkSentences cuts after '.', '!', '?' or '…' (and any closing quotes or
// brackets) followed by whitespace. Abbreviations split too; the quoteMatcher
// applies the same split to quote and article, so both sides agree.
func splitMarkSentences(text string) []textSentence {
	var out []textSentence
	start := 0
	rs := []rune(text)
	pos := 0 // byte offset of rs[i]
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		size := utf8.RuneLen(r)
		if !strings.ContainsRune(".!?…", r) {
			pos += size
			continue
		}
		j, end := i+1, pos+size
		for j < len(rs) && strings.ContainsRune("\"'”’)]»", rs[j]) {
			end += utf8.RuneLen(rs[j])
			j++
		}
		if j < len(rs) && !unicode.IsSpace(rs[j]) {
			pos += size
			continue
		}
		spaceEnd := end
		for j < len(rs) && unicode.IsSpace(rs[j]) {
			spaceEnd += utf8.RuneLen(rs[j])
			j++
		}
		out = append(out, textSentence{Text: text[start:end], Space: text[end:spaceEnd]})
		start = spaceEnd
		pos = spaceEnd
		i = j - 1
	}
	if start < len(text) {
		t := strings.TrimRightFunc(text[start:], unicode.IsSpace)
		out = append(out, textSentence{Text: t, Space: text[start+len(t):]})
	}
	return out
}

// fold normalizes text for matching: curly quotes to straight, dashes to
// '-', runs of whitespace to one space, lower case, trimmed; an ellipsis
// that marks a cut is dropped.
func foldForMatch(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch r {
		case '‘', '’', '‚', '‛', '′', '`', '´':
			r = '\''
		case '“', '”', '„', '‟', '″', '«', '»':
			r = '"'
		case '–', '—', '‐', '‑', '−':
			r = '-'
		case '…':
			continue
		}
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
