// Package corpus turns article files into clean passages with metadata.
//
// It is the vocabulary the rest of citebot speaks: plain types (Article,
// Paragraph, Passage) and pure functions that parse, clean and split text.
// It must not import any other citebot package, discordgo or chromem-go.
package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Article is one source document after cleaning.
type Article struct {
	// ID is stable across loads: the manifest or front-matter id, else the
	// file name without its extension.
	ID string `json:"id"`
	// Title, Source (the publisher), Author and Published (YYYY-MM-DD, or
	// whatever precision the article states) are empty when unknown.
	Title     string `json:"title"`
	Source    string `json:"source"`
	Author    string `json:"author,omitempty"`
	Published string `json:"published,omitempty"`
	// URL is the article's original address. It is optional and never
	// invented: empty means citebot does not know it.
	URL string `json:"url,omitempty"`
	// File is the article's path inside the corpus file system.
	File string `json:"file"`
	// Paragraphs are the body paragraphs in reading order, boilerplate,
	// headlines and captions removed.
	Paragraphs []Paragraph `json:"paragraphs"`
}

// Paragraph is one body paragraph of an article.
type Paragraph struct {
	// N is the 1-based number a reader counts to find the paragraph in the
	// cleaned article (and the anchor #pN of the reader page).
	N int `json:"n"`
	// Section is the sub-heading the paragraph sits under, if any.
	Section string `json:"section,omitempty"`
	// Text is clean plain text: no markup, normalized spaces, curly quotes
	// kept as written.
	Text string `json:"text"`
	// Links are the hyperlinks that were inside the paragraph's HTML.
	Links []Link `json:"links,omitempty"`
}

// Link is a hyperlink found inside a paragraph.
type Link struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// Passage is the unit of retrieval: a paragraph, or a part of a long one cut
// at sentence boundaries to about 40–120 words.
type Passage struct {
	// ID is stable: DocID, paragraph number and part (see PassageID).
	ID        string `json:"id"`
	DocID     string `json:"doc_id"`
	Paragraph int    `json:"paragraph"`
	// Part is 1-based within the paragraph.
	Part    int    `json:"part"`
	Section string `json:"section,omitempty"`
	Text    string `json:"text"`
	Links   []Link `json:"links,omitempty"`
}

// PassageID builds the stable passage id "docID:pN.part".
func PassageID(docID string, paragraph, part int) string {
	return fmt.Sprintf("%s:p%d.%d", docID, paragraph, part)
}

// Hash returns a content hash of everything that affects how the passage is
// indexed (its text and section). Two passages with the same hash can share
// one embedding vector.
func (p Passage) Hash() string {
	h := sha256.New()
	h.Write([]byte(p.Section))
	h.Write([]byte{0})
	h.Write([]byte(p.Text))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Corpus is a loaded set of articles and their passages.
type Corpus struct {
	Articles []*Article `json:"articles"`
	Passages []Passage  `json:"passages"`
}

// Article returns the article with the given id.
func (c *Corpus) Article(id string) (*Article, bool) {
	for _, a := range c.Articles {
		if a.ID == id {
			return a, true
		}
	}
	return nil, false
}

// Sources returns the distinct publishers in order of first appearance.
func (c *Corpus) Sources() []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range c.Articles {
		key := strings.ToLower(a.Source)
		if a.Source == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, a.Source)
	}
	return out
}

// Warning reports a file that was skipped or only partly understood. The rest
// of the corpus still loads.
type Warning struct {
	File string
	Err  error
}

func (w Warning) String() string { return w.File + ": " + w.Err.Error() }

// Equal reports whether c and o hold the same articles and passages, every
// field compared (metadata, paragraphs, links and passage text): a reload
// of unchanged files is Equal to the corpus it reloads, and anything a
// reader or a search could show differently is not.
func (c *Corpus) Equal(o *Corpus) bool {
	if c == nil || o == nil {
		return c == o
	}
	return slices.EqualFunc(c.Articles, o.Articles, articleEqual) &&
		slices.EqualFunc(c.Passages, o.Passages, passageEqual)
}

func articleEqual(a, b *Article) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.ID == b.ID && a.Title == b.Title && a.Source == b.Source && a.Author == b.Author &&
		a.Published == b.Published && a.URL == b.URL && a.File == b.File &&
		slices.EqualFunc(a.Paragraphs, b.Paragraphs, func(p, q Paragraph) bool {
			return p.N == q.N && p.Section == q.Section && p.Text == q.Text && slices.Equal(p.Links, q.Links)
		})
}

func passageEqual(p, q Passage) bool {
	return p.ID == q.ID && p.DocID == q.DocID && p.Paragraph == q.Paragraph && p.Part == q.Part &&
		p.Section == q.Section && p.Text == q.Text && slices.Equal(p.Links, q.Links)
}
