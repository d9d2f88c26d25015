package readerpage

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"citebot/corpus"
)

// library serves fixed articles to the pages.
type library struct{ articles []*corpus.Article }

func (l library) Articles() []*corpus.Article { return l.articles }
func (l library) Article(id string) (*corpus.Article, bool) {
	for _, a := range l.articles {
		if a.ID == id {
			return a, true
		}
	}
	return nil, false
}

func readerArticles() []*corpus.Article {
	return []*corpus.Article{
		{
			ID: "cnn/qatar-taliban", Title: "Qatar’s PM met Taliban leader", Source: "CNN", Published: "2023-05-20",
			URL: "https://example.com/qatar",
			Paragraphs: []corpus.Paragraph{
				{N: 1, Text: "Qatar’s prime minister met secretly with the Taliban’s top leader. Two sources confirmed it to CNN."},
				{N: 2, Section: "The meeting", Text: "The meeting happened in the southern city of Kandahar on May 12. It was the first such meeting."},
				{N: 3, Section: "The meeting", Text: "Officials were briefed afterwards."},
			},
		},
		{
			ID: "local-1", Title: "Script & <b>markup</b>", Source: "Local <Wire>",
			Paragraphs: []corpus.Paragraph{
				{N: 1, Text: `A paragraph with <script>alert("x")</script> and "quotes" & ampersands.`},
			},
		},
	}
}

func get(t *testing.T, h http.Handler, target string) (int, http.Header, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
	return rec.Code, rec.Header(), rec.Body.String()
}

func TestReaderPages(t *testing.T) {
	canonical := func(a *corpus.Article) string {
		if a.URL != "" {
			return a.URL
		}
		return Link("https://cb.example", a.ID, "", 0)
	}
	mux := http.NewServeMux()
	New(library{readerArticles()}, canonical, nil).Register(mux)
	h := http.Handler(mux)
	tests := []struct {
		name    string
		target  string
		status  int
		want    []string
		notWant []string
	}{
		{"list", "/articles", 200, []string{
			`href="/articles/cnn/qatar-taliban"`, "Qatar’s PM met Taliban leader", "CNN · 2023-05-20 · 3 paragraphs",
			`href="/articles/local-1"`, "Script &amp; &lt;b&gt;markup&lt;/b&gt;", "Local &lt;Wire&gt; · 1 paragraph<", "2 articles",
		}, []string{"<b>markup"}},
		{"article with slash in id", "/articles/cnn/qatar-taliban", 200, []string{
			"<h1>Qatar’s PM met Taliban leader</h1>", `<p id="p1">`, `<p id="p2">`, `<p id="p3">`,
			"<h2>The meeting</h2>", `href="https://example.com/qatar"`, `<time>2023-05-20</time>`,
			`<meta name="viewport" content="width=device-width, initial-scale=1">`, `rel="canonical" href="https://example.com/qatar"`,
		}, []string{"<mark>", "<script"}},
		{"section heading once", "/articles/cnn/qatar-taliban", 200, nil, nil},
		{"escaped id", "/articles/cnn%2Fqatar-taliban", 200, []string{`<p id="p2">`}, nil},
		{"escaping", "/articles/local-1", 200, []string{
			`&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;`, "&amp; ampersands", `rel="canonical" href="https://cb.example/articles/local-1"`,
		}, []string{"<script>", "<b>markup"}},
		{"q marks the sentence, folding quotes and spaces", "/articles/cnn/qatar-taliban?q=" +
			"the+meeting+happened+in+the+SOUTHERN+city+of+%0A+Kandahar+on+May+12.", 200, []string{
			"<mark>The meeting happened in the southern city of Kandahar on May 12.</mark> It was the first such meeting.",
			"Quoted sentence highlighted.",
		}, []string{"<mark>It was"}},
		{"q with straight apostrophe matches curly", "/articles/cnn/qatar-taliban?q=Qatar's+prime+minister+met+secretly+with+the+Taliban's+top+leader.", 200, []string{
			"<mark>Qatar’s prime minister met secretly with the Taliban’s top leader.</mark> Two sources",
		}, nil},
		{"q is escaped inside mark", "/articles/local-1?q=" + "A+paragraph+with+%3Cscript%3Ealert", 200, []string{
			`<mark>A paragraph with &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; and &#34;quotes&#34; &amp; ampersands.</mark>`,
		}, []string{"<script>"}},
		{"q not found", "/articles/cnn/qatar-taliban?q=nothing+like+this+is+in+the+article", 200, []string{"not found in this version"}, []string{"<mark>"}},
		{"unknown id", "/articles/nope", 404, []string{"Article not found"}, nil},
		{"empty id redirects", "/articles/", 302, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, hdr, body := get(t, h, tt.target)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q\n%s", w, body)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(body, w) {
					t.Errorf("page contains %q", w)
				}
			}
			if status == 302 {
				return
			}
			if n := strings.Count(body, "<h2>The meeting</h2>"); strings.HasPrefix(tt.target, "/articles/cnn/") && n != 1 {
				t.Errorf("section heading appears %d times", n)
			}
			if ct := hdr.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if hdr.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no X-Content-Type-Options: nosniff")
			}
			csp := hdr.Get("Content-Security-Policy")
			if !regexp.MustCompile(`^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'`).MatchString(csp) {
				t.Errorf("CSP %q", csp)
			}
			if strings.Contains(body, "<script") {
				t.Error("page contains a script element")
			}
		})
	}
}

func TestLoading(t *testing.T) {
	mux := http.NewServeMux()
	New(nil, nil, nil).Register(mux)
	for _, target := range []string{"/articles", "/articles/x"} {
		status, _, body := get(t, mux, target)
		if status != 503 || !strings.Contains(body, "still loading") {
			t.Errorf("GET %s = %d %q, want 503 still loading", target, status, body)
		}
	}
}

func TestLink(t *testing.T) {
	tests := []struct {
		base, id, quote string
		para            int
		want            string
	}{
		{"https://cb.example/", "cnn/qatar taliban", "It was “first”.", 2, "https://cb.example/articles/cnn/qatar%20taliban?q=It+was+%E2%80%9Cfirst%E2%80%9D.#p2"},
		{"https://cb.example", "a?b#c", "", 0, "https://cb.example/articles/a%3Fb%23c"},
		{"", "x", "q", 1, ""},
		{"https://cb.example", "", "q", 1, ""},
	}
	for _, tt := range tests {
		if got := Link(tt.base, tt.id, tt.quote, tt.para); got != tt.want {
			t.Errorf("Link(%q, %q, %q, %d) = %q, want %q", tt.base, tt.id, tt.quote, tt.para, got, tt.want)
		}
	}
}
