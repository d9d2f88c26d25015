// Package readerpage serves the corpus as web pages a citation can link to:
// the list of articles and each article with the quoted sentences
// highlighted. It knows articles (package corpus) and HTTP, nothing of
// Discord or of search.
package readerpage

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"citebot/corpus"
)

//go:embed templates/*.html templates/reader.css
var templates embed.FS

// Library is what the pages read: the corpus's articles. It is called on
// every request, so a live index's updates show at once.
type Library interface {
	// Articles returns every article, in the order the list shows them.
	Articles() []*corpus.Article
	// Article returns the article with this id, or false.
	Article(id string) (*corpus.Article, bool)
}

// Pages serves the corpus as plain, phone-readable HTML pages with no
// JavaScript: GET /articles (the list) and GET /articles/{id...} (one
// article, the sentences of ?q= highlighted). Every page is sent with a
// Content-Security-Policy that allows its inline stylesheet by hash and
// nothing else; every corpus string is HTML-escaped by html/template.
type Pages struct {
	lib       Library
	canonical func(*corpus.Article) string
	log       *slog.Logger
	tmpl      *template.Template
	css       template.CSS
	csp       string
}

// New returns the pages over lib. canonical gives an article's canonical
// URL (its own, else its public reader URL; nil: none); log gets template
// failures (nil: discarded). A nil lib serves 503 "still loading" pages.
func New(lib Library, canonical func(*corpus.Article) string, log *slog.Logger) *Pages {
	css, err := templates.ReadFile("templates/reader.css")
	if err != nil {
		panic("readerpage: embedded reader.css missing: " + err.Error()) // build-time invariant
	}
	if canonical == nil {
		canonical = func(*corpus.Article) string { return "" }
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// The stylesheet is inline; the CSP allows exactly it by hash, so no
	// other style (and no script at all) can run on the page.
	sum := sha256.Sum256(css)
	return &Pages{
		lib:       lib,
		canonical: canonical,
		log:       log,
		tmpl:      template.Must(template.ParseFS(templates, "templates/*.html")),
		css:       template.CSS(css),
		csp: "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
			"'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	}
}

// Register adds the two routes to mux: GET /articles and
// GET /articles/{id...} (ids may contain '/').
func (pg *Pages) Register(mux *http.ServeMux) {
	mux.Handle("GET /articles", pg.List())
	mux.Handle("GET /articles/{id...}", pg.Article())
}

// Path is the path of article id's page: /articles/ and the id with each
// '/'-separated segment escaped. Ids may contain '/' (a file path inside the
// corpus); keeping it literal gives readable URLs that proxies do not
// mangle (many decode or reject %2F), and the route takes the rest of the
// path as the id.
func Path(id string) string {
	segs := strings.Split(id, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return "/articles/" + strings.Join(segs, "/")
}

// Link is the URL of article id's page under base (a public URL such as
// "https://citebot.example.org"), highlighting quote (plain text, "" for
// none) and scrolled to paragraph (0 for none). It is "" when base or id is
// empty. The page matches quote loosely (case, quotes, dashes and
// whitespace folded) and by sentence, so a shortened quote still marks the
// sentences it came from.
func Link(base, id, quote string, paragraph int) string {
	if base == "" || id == "" {
		return ""
	}
	u := strings.TrimRight(base, "/") + Path(id)
	if quote != "" {
		u += "?q=" + url.QueryEscape(quote)
	}
	if paragraph > 0 {
		u += "#p" + strconv.Itoa(paragraph)
	}
	return u
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

// List serves GET /articles: every article, linked to its page.
func (pg *Pages) List() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if pg.lib == nil {
			pg.render(w, http.StatusServiceUnavailable, "error.html", readerPage{PageTitle: "Loading", Message: "The corpus is still loading. Try again in a moment."})
			return
		}
		var items []readerListItem
		for _, a := range pg.lib.Articles() {
			items = append(items, readerListItem{
				Href:       Path(a.ID),
				Title:      articleTitle(a),
				Source:     a.Source,
				Published:  a.Published,
				URL:        a.URL,
				Paragraphs: len(a.Paragraphs),
			})
		}
		pg.render(w, http.StatusOK, "list.html", readerPage{PageTitle: "Articles", Articles: items})
	})
}

// Article serves GET /articles/{id...}: one article, the sentences of ?q=
// highlighted and counted; an unknown id is a 404 page, no id redirects to
// the list.
func (pg *Pages) Article() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if id == "" {
			http.Redirect(w, r, "/articles", http.StatusFound)
			return
		}
		if pg.lib == nil {
			pg.render(w, http.StatusServiceUnavailable, "error.html", readerPage{PageTitle: "Loading", Message: "The corpus is still loading. Try again in a moment."})
			return
		}
		a, ok := pg.lib.Article(id)
		if !ok || a == nil {
			pg.render(w, http.StatusNotFound, "error.html", readerPage{PageTitle: "Article not found", Message: "There is no article with this id in the corpus. It may have been removed in an update."})
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
			Canonical: pg.canonical(a),
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
		pg.render(w, http.StatusOK, "article.html", p)
	})
}

// render executes a template into a buffer first, so a template error is a
// clean 500 rather than half a page.
func (pg *Pages) render(w http.ResponseWriter, status int, name string, p readerPage) {
	p.CSS = pg.css
	var buf bytes.Buffer
	if err := pg.tmpl.ExecuteTemplate(&buf, name, p); err != nil {
		pg.log.Error("reader template failed", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pg.csp)
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
