package bot

import (
	"fmt"
	"net/url"
	"strings"

	"citebot/corpus"
)

// Links builds the URL a citation points to.
type Links struct {
	// PublicURL is the base URL where citebot's reader is served
	// (CITEBOT_PUBLIC_URL); empty means there is no reader.
	PublicURL string
}

// Cite returns the link for a quotation from passage p of article a:
//   - the article's own URL with a text fragment (#:~:text=…) for quote, so a
//     browser scrolls to and highlights the quoted words;
//   - else the reader page /articles/{id}?q=quote#p{N} when PublicURL is set;
//   - else "" — the citation is then plain text, never a dead link.
func (l Links) Cite(a *corpus.Article, p corpus.Passage, quote string) string {
	if a == nil {
		return ""
	}
	if a.URL != "" {
		base, _, _ := strings.Cut(a.URL, "#")
		if frag := TextFragment(quote); frag != "" {
			return base + "#:~:text=" + frag
		}
		return base
	}
	if l.PublicURL == "" {
		return ""
	}
	u := strings.TrimRight(l.PublicURL, "/") + "/articles/" + url.PathEscape(a.ID)
	if q := strings.TrimSpace(quote); q != "" {
		u += "?q=" + url.QueryEscape(shortQuote(q))
	}
	if p.Paragraph > 0 {
		u += fmt.Sprintf("#p%d", p.Paragraph)
	}
	return u
}

// ArticleURL returns where the article as a whole can be read: its own URL,
// else the reader page, else "".
func (l Links) ArticleURL(a *corpus.Article) string {
	switch {
	case a == nil:
		return ""
	case a.URL != "":
		return a.URL
	case l.PublicURL != "":
		return strings.TrimRight(l.PublicURL, "/") + "/articles/" + url.PathEscape(a.ID)
	}
	return ""
}

// fragmentWords is how many words a text directive's start and end keep when
// the quote is long: enough to be unique in an article, short enough that
// small differences in whitespace or punctuation rendering do not break it.
const fragmentWords = 5

// TextFragment builds the value of a URL Fragment Text Directive for quote:
// the whole quote when short, else "start,end" (its first and last words).
// Each part is percent-encoded per the spec, which reserves '-', '&' and ','.
// It returns "" for an empty quote.
func TextFragment(quote string) string {
	words := strings.Fields(quote)
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

// shortQuote keeps the reader's ?q= parameter to a sentence-sized string.
func shortQuote(q string) string {
	words := strings.Fields(q)
	if len(words) > 30 {
		words = words[:30]
	}
	return strings.Join(words, " ")
}

// encodeDirective percent-encodes everything but ASCII letters, digits and
// ".", "_", "~" — a subset of what the spec allows unencoded, so '-', '&', ','
// and every non-ASCII byte are always encoded.
func encodeDirective(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
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
