package corpus

import (
	"errors"
	"path"
	"regexp"
	"strings"
)

// parser holds the compiled patterns used to clean articles. It is built once
// per Load so that the package keeps no mutable globals.
type parser struct {
	boilerplate []boilerplateRule
	captions    []*regexp.Regexp
	inlineTag   *regexp.Regexp
	markdown    markdownRules
}

func newParser() *parser {
	return &parser{
		boilerplate: boilerplateRules(),
		captions:    captionRules(),
		inlineTag:   inlineTagRE(),
		markdown:    newMarkdownRules(),
	}
}

// maxTrailingFragments bounds how many short fragments at the end of an
// article are taken for a link list; a longer run is content (a list).
const maxTrailingFragments = 3

// errNothingLeft means a file held no body text once cleaned.
var errNothingLeft = errors.New("no article text left after cleaning")

// parse turns the body of one file (front matter already removed) into a
// headline (empty when none is found) and its body paragraphs. name is the
// file's path; its extension picks the format. metaTitle, when known, is
// dropped wherever it reappears in the body.
func (p *parser) parse(name, body, metaTitle string) (string, []Paragraph, error) {
	var blocks []block
	headline := ""
	ext := strings.ToLower(path.Ext(name))
	switch {
	case ext == ".html" || ext == ".htm" || looksLikeHTMLDocument(body):
		bs, docTitle, err := htmlBlocks(body)
		if err != nil {
			return "", nil, err
		}
		blocks = bs
		headline = docTitle
		for _, b := range bs {
			if b.kind == kindTitle {
				headline = b.lines[0]
				break
			}
		}
	default:
		raw := textBlocks(body)
		if ext == ".md" || ext == ".markdown" {
			blocks = p.markdown.blocks(raw)
		} else {
			for _, lines := range raw {
				blocks = append(blocks, block{kind: kindText, lines: lines})
			}
		}
		var err error
		if blocks, err = p.expandInlineHTML(blocks); err != nil {
			return "", nil, err
		}
	}
	headline, paras := p.classify(blocks, headline, metaTitle)
	if len(paras) == 0 {
		return headline, nil, errNothingLeft
	}
	return headline, paras, nil
}

// expandInlineHTML re-parses text blocks that carry HTML tags (an article
// saved as one line with <a href> and <i>), keeping the text and the links.
func (p *parser) expandInlineHTML(in []block) ([]block, error) {
	var out []block
	for _, b := range in {
		joined := strings.Join(b.lines, "\n")
		if b.kind != kindText || !p.inlineTag.MatchString(joined) {
			out = append(out, b)
			continue
		}
		bs, _, err := htmlBlocks(joined)
		if err != nil {
			return nil, err
		}
		for i := range bs {
			bs[i].links = append(bs[i].links, b.links...)
		}
		out = append(out, bs...)
	}
	return out, nil
}

// classify walks the blocks in reading order and keeps the body paragraphs:
// boilerplate lines, breadcrumbs, captions and link lists are dropped; the
// first headline-like block before any body text is the headline (dropped,
// and dropped again wherever repeated); sub-headings become the Section of
// the paragraphs below them.
func (p *parser) classify(blocks []block, headline, metaTitle string) (string, []Paragraph) {
	var paras []Paragraph
	section := ""
	inLinkList := false // after "… at the following addresses:" the rest is links
	for i, b := range blocks {
		var kept []string
		for _, line := range b.lines {
			line = normalizeSpace(line)
			if line == "" {
				continue
			}
			if isBoilerplate(p.boilerplate, line) {
				if strings.HasSuffix(line, ":") {
					inLinkList = true
				}
				continue
			}
			kept = append(kept, line)
		}
		text := normalizeSpace(strings.Join(kept, " "))
		switch {
		case text == "":
			continue
		case inLinkList && isShortNonSentence(text):
			continue
		case b.kind == kindTitle:
			if headline == "" {
				headline = text
			}
			continue
		case b.kind == kindHeading:
			section = strings.TrimSpace(strings.TrimSuffix(text, ":"))
			continue
		case isBoilerplate(p.boilerplate, text), isBreadcrumb(text), isCaption(p.captions, text):
			continue
		case sameText(text, headline):
			continue
		case sameText(text, metaTitle):
			if headline == "" {
				headline = text
			}
			continue
		case len(paras) == 0 && headline == "" && i < len(blocks)-1 && isHeadlineLike(text):
			headline = text
			continue
		case isSubheading(text):
			section = strings.TrimSpace(strings.TrimSuffix(text, ":"))
			continue
		}
		inLinkList = false
		paras = append(paras, Paragraph{Section: section, Text: text, Links: linksIn(b.links, text)})
	}
	// Trailing fragments with no sentence in them ("Press TV News Roku") are
	// link lists or page chrome, not the end of the story.
	tail := 0
	for tail < len(paras)-1 && isShortNonSentence(paras[len(paras)-1-tail].Text) {
		tail++
	}
	if tail <= maxTrailingFragments {
		paras = paras[:len(paras)-tail]
	}
	for i := range paras {
		paras[i].N = i + 1
	}
	return headline, paras
}

// linksIn keeps the links whose anchor text appears in text, once each.
func linksIn(links []Link, text string) []Link {
	var out []Link
	seen := map[Link]bool{}
	for _, l := range links {
		if l.Text == "" || seen[l] || !strings.Contains(text, l.Text) {
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	return out
}
