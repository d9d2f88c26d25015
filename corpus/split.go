package corpus

import "strings"

// Passage sizes in words.
const (
	// MaxPassageWords is the longest paragraph kept as a single passage; a
	// longer one is cut at sentence boundaries.
	MaxPassageWords = 120
	// MinPassageWords is the size below which a cut part is merged with or
	// rebalanced against its neighbour.
	MinPassageWords = 40
)

// Split cuts an article's paragraphs into passages. A paragraph of at most
// MaxPassageWords words is one passage. A longer one is cut at sentence
// boundaries (see Sentences) by greedy packing into parts of about
// MinPassageWords–MaxPassageWords words; no part is shorter than
// MinPassageWords unless the paragraph's sentences leave no other way, and a
// single sentence longer than MaxPassageWords stays whole. Each passage keeps
// the paragraph number and Section, and the paragraph's Links whose anchor
// text falls inside the passage. IDs come from PassageID(a.ID, N, part).
func Split(a *Article) []Passage {
	if a == nil {
		return nil
	}
	var out []Passage
	for _, p := range a.Paragraphs {
		parts := splitParagraph(p.Text)
		links := placeLinks(p.Text, p.Links, parts)
		for i, sp := range parts {
			text := p.Text[sp.Start:sp.End]
			out = append(out, Passage{
				ID:        PassageID(a.ID, p.N, i+1),
				DocID:     a.ID,
				Paragraph: p.N,
				Part:      i + 1,
				Section:   p.Section,
				Text:      text,
				Links:     links[i],
			})
		}
	}
	return out
}

// splitParagraph returns the byte spans of the parts of one paragraph.
func splitParagraph(text string) []Span {
	whole, ok := trimSpan(text, 0, len(text))
	if !ok {
		return nil
	}
	if wordCount(text) <= MaxPassageWords {
		return []Span{whole}
	}
	type sentence struct {
		span  Span
		words int
	}
	var sents []sentence
	for _, sp := range Sentences(text) {
		sents = append(sents, sentence{sp, wordCount(text[sp.Start:sp.End])})
	}
	// Greedy packing: close a part when the next sentence would push it past
	// the maximum, but only once it has reached the minimum.
	var parts [][]sentence
	var cur []sentence
	words := 0
	for _, s := range sents {
		if len(cur) > 0 && words+s.words > MaxPassageWords && words >= MinPassageWords {
			parts = append(parts, cur)
			cur, words = nil, 0
		}
		cur = append(cur, s)
		words += s.words
	}
	if len(cur) > 0 {
		parts = append(parts, cur)
	}
	// A short tail borrows sentences from the part before it while that part
	// stays above the minimum; if it is still short, the two are merged.
	if n := len(parts); n > 1 {
		count := func(ss []sentence) int {
			t := 0
			for _, s := range ss {
				t += s.words
			}
			return t
		}
		prev, last := parts[n-2], parts[n-1]
		for count(last) < MinPassageWords && len(prev) > 1 {
			moved := prev[len(prev)-1]
			if count(prev)-moved.words < MinPassageWords {
				break
			}
			prev, last = prev[:len(prev)-1], append([]sentence{moved}, last...)
		}
		parts[n-2], parts[n-1] = prev, last
		if count(last) < MinPassageWords {
			parts[n-2] = append(prev, last...)
			parts = parts[:n-1]
		}
	}
	// Spans of the original keep each part a verbatim substring of the
	// paragraph, so quotes and offsets stay faithful.
	out := make([]Span, 0, len(parts))
	for _, part := range parts {
		out = append(out, Span{part[0].span.Start, part[len(part)-1].span.End})
	}
	return out
}

// placeLinks gives each part the links whose anchor text lies inside it.
// Links are in reading order, so each anchor is looked for after the previous
// one: a link on the word "Taliban" belongs to the part where that link was,
// not to every part that mentions the Taliban. An anchor not found in order
// falls back to every part that contains its text.
func placeLinks(text string, links []Link, parts []Span) [][]Link {
	out := make([][]Link, len(parts))
	cursor := 0
	for _, l := range links {
		if l.Text == "" {
			continue
		}
		at := -1
		if k := strings.Index(text[cursor:], l.Text); k >= 0 {
			at = cursor + k
			cursor = at + len(l.Text)
		}
		for i, sp := range parts {
			inside := at >= sp.Start && at+len(l.Text) <= sp.End
			if at < 0 {
				inside = strings.Contains(text[sp.Start:sp.End], l.Text)
			}
			if inside && !containsLink(out[i], l) {
				out[i] = append(out[i], l)
			}
		}
	}
	return out
}

func containsLink(ls []Link, l Link) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}
