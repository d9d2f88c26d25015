package corpus

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// blockKind says what a raw block of an article is before classification.
type blockKind int

const (
	kindText    blockKind = iota // body text, boilerplate not yet removed
	kindTitle                    // an <h1> or a Markdown "# " heading
	kindHeading                  // an <h2>–<h6> or "## " heading: a section
)

// block is a raw piece of an article: one or more lines (kept apart so that
// line-level boilerplate can be dropped) and the links found inside it.
type block struct {
	kind  blockKind
	lines []string
	links []Link
}

// inlineTagRE spots HTML markup inside a plain-text article.
func inlineTagRE() *regexp.Regexp {
	return regexp.MustCompile(`(?i)</?(a|i|b|em|strong|span|br|p|u|sup|sub|small|q|cite|abbr|div|h[1-6]|li|ul|ol|blockquote|script|style)(\s[^>]*)?/?>`)
}

// looksLikeHTMLDocument reports whether text is a whole HTML page rather than
// prose with a few inline tags.
func looksLikeHTMLDocument(text string) bool {
	head := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(text, "\ufeff")))
	if len(head) > 512 {
		head = head[:512]
	}
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") ||
		strings.Contains(head, "<head>") || strings.Contains(head, "<body")
}

// htmlBlocks parses an HTML document or fragment into blocks: <h1> becomes a
// title block, <h2>–<h6> section headings, and the text of every block-level
// element (p, li, blockquote, div …) a text block carrying its <a href>
// links. Page furniture (script, style, nav, header, footer, aside, figure,
// figcaption, forms) is dropped with everything inside it. docTitle is the
// <title> text, a fallback title when there is no <h1>.
func htmlBlocks(src string) (blocks []block, docTitle string, err error) {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return nil, "", fmt.Errorf("parse html: %w", err)
	}
	w := &htmlWalker{}
	w.walk(doc)
	w.flush(kindText)
	return w.blocks, w.docTitle, nil
}

type htmlWalker struct {
	buf      strings.Builder
	links    []Link
	blocks   []block
	docTitle string
}

func (w *htmlWalker) flush(kind blockKind) {
	text := normalizeSpace(w.buf.String())
	w.buf.Reset()
	if text == "" {
		w.links = nil
		return
	}
	w.blocks = append(w.blocks, block{kind: kind, lines: []string{text}, links: w.links})
	w.links = nil
}

func (w *htmlWalker) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.buf.WriteString(n.Data)
		return
	case html.ElementNode:
	default:
		w.walkChildren(n)
		return
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Nav, atom.Header, atom.Footer, atom.Aside,
		atom.Figure, atom.Figcaption, atom.Noscript, atom.Template, atom.Iframe,
		atom.Svg, atom.Form, atom.Button, atom.Select, atom.Textarea, atom.Object:
		return
	case atom.Title:
		if w.docTitle == "" {
			w.docTitle = normalizeSpace(textContent(n))
		}
		return
	case atom.H1:
		w.flush(kindText)
		w.walkChildren(n)
		w.flush(kindTitle)
		return
	case atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		w.flush(kindText)
		w.walkChildren(n)
		w.flush(kindHeading)
		return
	case atom.Br:
		w.buf.WriteByte(' ')
		return
	case atom.A:
		start := w.buf.Len()
		w.walkChildren(n)
		text := normalizeSpace(w.buf.String()[start:])
		if href, ok := absoluteURL(attr(n, "href")); ok && text != "" {
			w.links = append(w.links, Link{Text: text, URL: href})
		}
		return
	}
	if isBlockElement(n.DataAtom) {
		w.flush(kindText)
		w.walkChildren(n)
		w.flush(kindText)
		return
	}
	// Inline elements (i, em, b, span …): keep the text, separated from
	// neighbours the way a browser would render it.
	w.walkChildren(n)
}

func (w *htmlWalker) walkChildren(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
}

func isBlockElement(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.Blockquote, atom.Section,
		atom.Article, atom.Main, atom.Body, atom.Table, atom.Tr, atom.Td, atom.Th,
		atom.Dl, atom.Dd, atom.Dt, atom.Pre, atom.Hr, atom.Address, atom.Details, atom.Summary:
		return true
	}
	return false
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func textContent(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return b.String()
}

// absoluteURL accepts only absolute http(s) links: relative links cannot be
// resolved without the page's own address, which citebot never guesses.
func absoluteURL(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	return u.String(), true
}
