package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"citebot/corpus"
	"citebot/retrieval"
)

func get(t *testing.T, h http.Handler, target string) (int, http.Header, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
	return rec.Code, rec.Header(), rec.Body.String()
}

func TestHTTPRoutesWhileLoading(t *testing.T) {
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

// TestHTTPServesReader checks that the server mounts the reader pages over
// its Searcher and that a reader link Links.Cite builds opens the quoted
// sentence marked.
func TestHTTPServesReader(t *testing.T) {
	a := &corpus.Article{ID: "local/one", Title: "One", Paragraphs: []corpus.Paragraph{
		{N: 1, Text: "First paragraph here."},
		{N: 2, Text: "The meeting happened in the southern city of Kandahar on May 12. It was the first."},
	}}
	h := NewHTTPHandler(HTTPConfig{Searcher: readerTestSearcher{[]*corpus.Article{a}}, Links: Links{PublicURL: "https://cb.example"}})
	u := Links{PublicURL: "https://cb.example"}.Cite(a, corpus.Passage{DocID: a.ID, Paragraph: 2}, "The meeting happened in the southern city of Kandahar on May 12.")
	path, ok := strings.CutPrefix(u, "https://cb.example")
	if !ok {
		t.Fatalf("Cite = %q, want a reader link", u)
	}
	status, _, body := get(t, h, path)
	if status != 200 || !strings.Contains(body, "<mark>The meeting happened in the southern city of Kandahar on May 12.</mark>") {
		t.Fatalf("GET %s = %d, want the sentence marked:\n%s", path, status, body)
	}
	if status, _, body := get(t, h, "/articles"); status != 200 || !strings.Contains(body, `href="/articles/local/one"`) {
		t.Errorf("GET /articles = %d:\n%s", status, body)
	}
}

// readerTestSearcher serves fixed articles and finds nothing.
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
