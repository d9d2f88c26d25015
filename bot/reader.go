package bot

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"citebot/corpus"
)

//go:embed templates/*.html templates/reader.css
var readerTemplates embed.FS

// reader serves the corpus as plain, phone-readable HTML pages with no
// JavaScript: GET /articles and GET /articles/{id...}.
type articleReader struct {
	searcher Searcher
	links    Links
	log      *slog.Logger
	tmpl     *template.Template
	css      template.CSS
	csp      string
}

func newReader(s Searcher, links Links, log *slog.Logger) *articleReader {
	css, err := readerTemplates.ReadFile("templates/reader.css")
	if err != nil {
		panic("bot: embedded reader.css missing: " + err.Error()) // build-time invariant
	}
	// The stylesheet is inline; the CSP allows exactly it by hash, so no
	// other style (and no script at all) can run on the page.
	sum := sha256.Sum256(css)
	return &articleReader{
		searcher: s,
		links:    links,
		log:      log,
		tmpl:     template.Must(template.ParseFS(readerTemplates, "templates/*.html")),
		css:      template.CSS(css),
		csp: "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
			"'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	}
}

// page is what every template gets.
type readerPage struct {
	PageTitle string
	CSS       template.CSS
	Message   string
	// Canonical is the article's own URL, else its public reader URL.
	Canonical string

	// list
	Articles []readerListItem

	// article
	Title, Source, Author, Published, URL string
	Query                                 string
	Marked                                int
	Paragraphs                            []readerParagraph
}

type readerListItem struct {
	Href, Title, Source, Published, URL string
	Paragraphs                          int
}

type readerParagraph struct {
	N        int
	Heading  string // set when the paragraph opens a new section
	Segments []markSegment
}

// readerMaxQuery bounds ?q=: a sentence or three, not a document.
const readerMaxQuery = 2000

func (rd *articleReader) handleList() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rd.searcher == nil {
			rd.render(w, http.StatusServiceUnavailable, "error.html", readerPage{PageTitle: "Loading", Message: "The corpus is still loading. Try again in a moment."})
			return
		}
		var items []readerListItem
		for _, a := range rd.searcher.Articles() {
			items = append(items, readerListItem{
				Href:       "/articles/" + escapeID(a.ID),
				Title:      articleTitle(a),
				Source:     a.Source,
				Published:  a.Published,
				URL:        a.URL,
				Paragraphs: len(a.Paragraphs),
			})
		}
		rd.render(w, http.StatusOK, "list.html", readerPage{PageTitle: "Articles", Articles: items})
	})
}

func (rd *articleReader) handleArticle() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if id == "" {
			http.Redirect(w, r, "/articles", http.StatusFound)
			return
		}
		if rd.searcher == nil {
			rd.render(w, http.StatusServiceUnavailable, "error.html", readerPage{PageTitle: "Loading", Message: "The corpus is still loading. Try again in a moment."})
			return
		}
		a, ok := rd.searcher.Article(id)
		if !ok || a == nil {
			rd.render(w, http.StatusNotFound, "error.html", readerPage{PageTitle: "Article not found", Message: "There is no article with this id in the corpus. It may have been removed in an update."})
			return
		}
		q := r.URL.Query().Get("q")
		if len(q) > readerMaxQuery {
			q = q[:readerMaxQuery]
		}
		q = strings.ToValidUTF8(q, "")
		p := readerPage{
			PageTitle: articleTitle(a),
			Title:     articleTitle(a),
			Source:    a.Source,
			Author:    a.Author,
			Published: a.Published,
			URL:       a.URL,
			Canonical: rd.links.ArticleURL(a),
			Query:     strings.TrimSpace(q),
		}
		m := newQuoteMatcher(q)
		section := ""
		for _, para := range a.Paragraphs {
			v := readerParagraph{N: para.N, Segments: m.segments(para.Text)}
			if para.Section != "" && para.Section != section {
				v.Heading = para.Section
			}
			section = para.Section
			for _, s := range v.Segments {
				if s.Mark {
					p.Marked++
				}
			}
			p.Paragraphs = append(p.Paragraphs, v)
		}
		rd.render(w, http.StatusOK, "article.html", p)
	})
}

// render executes a template into a buffer first, so a template error is a
// clean 500 rather than half a page.
func (rd *articleReader) render(w http.ResponseWriter, status int, name string, p readerPage) {
	p.CSS = rd.css
	var buf bytes.Buffer
	if err := rd.tmpl.ExecuteTemplate(&buf, name, p); err != nil {
		rd.log.Error("reader template failed", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", rd.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func articleTitle(a *corpus.Article) string {
	if t := strings.TrimSpace(a.Title); t != "" {
		return t
	}
	return a.ID
}
