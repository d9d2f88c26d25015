package bot

import (
	"strings"

	"citebot/corpus"
	"citebot/readerpage"
)

// Links builds the URL a citation points to.
type Links struct {
	// PublicURL is the base URL where citebot's reader is served
	// (CITEBOT_PUBLIC_URL, e.g. "https://citebot.example.org"); empty means
	// there is no reader.
	PublicURL string
}

// Cite returns the link for a quotation from passage p of article a. quote
// must be plain text as it appears in the article (no Markdown escapes):
//   - the article's own URL with a text fragment (#:~:text=…) for quote, so a
//     browser scrolls to and highlights the quoted words;
//   - else the reader page /articles/{id}?q=quote#p{N} when PublicURL is set;
//   - else "" — the citation is then plain text, never a dead link.
func (l Links) Cite(a *corpus.Article, p corpus.Passage, quote string) string {
	if a == nil {
		return ""
	}
	if a.URL != "" {
		frag := TextFragment(quote)
		if frag == "" {
			return a.URL
		}
		// A URL may carry its own fragment; the directive goes after it
		// ("#sec:~:text=…" keeps both), and a second '#' would be invalid.
		if strings.Contains(a.URL, "#") {
			return a.URL + ":~:text=" + frag
		}
		return a.URL + "#:~:text=" + frag
	}
	if l.PublicURL == "" {
		return ""
	}
	return readerpage.Link(l.PublicURL, a.ID, shortQuote(quote), p.Paragraph)
}

// ArticleURL returns where the article as a whole can be read: its own URL,
// else the reader page, else "".
func (l Links) ArticleURL(a *corpus.Article) string {
	switch {
	case a == nil:
		return ""
	case a.URL != "":
		return a.URL
	}
	return l.readerURL(a)
}

// readerURL is the reader page of a, or "" without a PublicURL or an id.
func (l Links) readerURL(a *corpus.Article) string {
	return readerpage.Link(l.PublicURL, a.ID, "", 0)
}

// fragmentWords is how many words a text directive's start and end keep when
// the quote is long: enough to be unique in an article, short enough that
// small differences in whitespace or punctuation rendering do not break it.
const fragmentWords = 5

// TextFragment builds the value of a URL Fragment Text Directive for quote:
// the whole quote when short, else "textStart,textEnd" (its first and last
// fragmentWords words), so the browser highlights the range between them.
// Each parameter is percent-encoded as the spec requires for '-', '&' and ','
// (which would otherwise read as directive syntax) and for every byte
// outside the unreserved ASCII set. A trailing or leading ellipsis (added
// when a quote was shortened) is dropped, since it is not in the page.
// It returns "" when nothing quotable is left.
func TextFragment(quote string) string {
	words := strings.Fields(quote)
	words = trimEllipsis(words)
	if len(words) == 0 {
		return ""
	}
	if len(words) <= 2*fragmentWords {
		return encodeDirective(strings.Join(words, " "))
	}
	start := strings.Join(words[:fragmentWords], " ")
	end := strings.Join(words[len(words)-fragmentWords:], " ")
	return encodeDirective(start) + "," + encodeDirective(end)
}

// trimEllipsis removes ellipses that mark where a quote was cut: standalone
// "…"/"..." words at either end and a "…" glued to the last or first word.
func trimEllipsis(words []string) []string {
	isEll := func(w string) bool { return strings.Trim(w, "….") == "" }
	for len(words) > 0 && isEll(words[0]) {
		words = words[1:]
	}
	for len(words) > 0 && isEll(words[len(words)-1]) {
		words = words[:len(words)-1]
	}
	if len(words) == 0 {
		return nil
	}
	out := append([]string(nil), words...)
	out[0] = strings.TrimPrefix(out[0], "…")
	out[len(out)-1] = strings.TrimSuffix(out[len(out)-1], "…")
	return out
}

// maxQueryWords keeps the reader's ?q= parameter to a sentence-sized string:
// the reader marks every sentence the prefix touches.
const maxQueryWords = 30

// shortQuote is quote's first maxQueryWords words, ellipses removed.
func shortQuote(q string) string {
	words := trimEllipsis(strings.Fields(q))
	if len(words) > maxQueryWords {
		words = words[:maxQueryWords]
	}
	return strings.Join(words, " ")
}

// encodeDirective percent-encodes s (UTF-8) for a text directive parameter.
// It leaves only ASCII letters, digits, '.', '_' and '~' as they are: a
// subset of the spec's unencoded characters, so '-', '&', ',', '%', space,
// '#' and every non-ASCII byte are always encoded, and any decoder (browser,
// chat client link parser) reads the same text back.
func encodeDirective(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}
