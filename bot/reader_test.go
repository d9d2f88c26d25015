package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"citebot/corpus"
	"citebot/retrieval"
)

// readerTestSearcher serves fixed articles to the reader.
type readerTestSearcher struct{ articles []*corpus.Article }

func (s readerTestSearcher) Search(context.Context, retrieval.Query) (retrieval.Answer, error) {
	return retrieval.Answer{}, nil
}
func (s readerTestSearcher) Passage(string) (retrieval.Result, bool) {
	return retrieval.Result{}, false
}
func (s readerTestSearcher) Suggest(string, int) []retrieval.Result { return nil }
func (s readerTestSearcher) Articles() []*corpus.Article            { return s.articles }
func (s readerTestSearcher) Sources() []string                      { return nil }
func (s readerTestSearcher) PassageCount(string) int                { return 0 }
func (s readerTestSearcher) Article(id string) (*corpus.Article, bool) {
	for _, a := range s.articles {
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
	h := NewHTTPHandler(HTTPConfig{
		Searcher: readerTestSearcher{readerArticles()},
		Links:    Links{PublicURL: "https://cb.example"},
	})
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

func TestReaderLoadingAndOps(t *testing.T) {
	ready := false
	h := NewHTTPHandler(HTTPConfig{Ready: func() bool { return ready }, Metrics: NewMetrics()})
	tests := []struct {
		target string
		status int
		want   string
	}{
		{"/articles", 503, "still loading"},
		{"/articles/x", 503, "still loading"},
		{"/healthz", 200, "ok"},
		{"/readyz", 503, "loading"},
		{"/metrics", 200, "citebot_index_passages"},
		{"/interactions", 405, ""},
	}
	for _, tt := range tests {
		status, _, body := get(t, h, tt.target)
		if status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s = %d %q, want %d containing %q", tt.target, status, body, tt.status, tt.want)
		}
	}
	ready = true
	if status, _, _ := get(t, h, "/readyz"); status != 200 {
		t.Errorf("GET /readyz when ready = %d", status)
	}
}
