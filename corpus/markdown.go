package corpus

import (
	"regexp"
	"strings"
)

// markdownRules holds the few Markdown constructs a news article written as
// .md uses: headings, links, images, emphasis and list/quote markers.
type markdownRules struct {
	heading *regexp.Regexp
	image   *regexp.Regexp
	link    *regexp.Regexp
	marker  *regexp.Regexp
	strong  *regexp.Regexp
}

func newMarkdownRules() markdownRules {
	return markdownRules{
		heading: regexp.MustCompile(`^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$`),
		image:   regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`),
		link:    regexp.MustCompile(`\[([^\]]+)\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)`),
		marker:  regexp.MustCompile(`^\s{0,3}(?:>\s?|[-*+]\s+|\d{1,3}[.)]\s+)`),
		strong:  regexp.MustCompile(`\*\*|__`),
	}
}

// markdownBlocks turns the text blocks of a Markdown file into blocks: a
// "# " line becomes a title block, "## "–"###### " a section heading, and
// the other lines stay text with links unwrapped into Links.
func (m markdownRules) blocks(raw [][]string) []block {
	var out []block
	for _, lines := range raw {
		cur := block{kind: kindText}
		flush := func() {
			if len(cur.lines) > 0 {
				out = append(out, cur)
			}
			cur = block{kind: kindText}
		}
		for _, line := range lines {
			if h := m.heading.FindStringSubmatch(line); h != nil {
				flush()
				kind := kindHeading
				if len(h[1]) == 1 {
					kind = kindTitle
				}
				text, links := m.inline(h[2])
				out = append(out, block{kind: kind, lines: []string{text}, links: links})
				continue
			}
			text, links := m.inline(m.marker.ReplaceAllString(line, ""))
			cur.lines = append(cur.lines, text)
			cur.links = append(cur.links, links...)
		}
		flush()
	}
	return out
}

// inline strips inline Markdown, returning the plain text and the links.
func (m markdownRules) inline(s string) (string, []Link) {
	s = m.image.ReplaceAllString(s, "")
	var links []Link
	s = m.link.ReplaceAllStringFunc(s, func(match string) string {
		sub := m.link.FindStringSubmatch(match)
		text := normalizeSpace(m.strong.ReplaceAllString(sub[1], ""))
		if u, ok := absoluteURL(sub[2]); ok && text != "" {
			links = append(links, Link{Text: text, URL: u})
		}
		return sub[1]
	})
	s = m.strong.ReplaceAllString(s, "")
	return strings.TrimSpace(s), links
}
