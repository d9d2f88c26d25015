package corpus

import (
	"errors"
	"testing"
)

func TestParseFrontMatter(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     metadata
		wantBody string
		wantErr  error // errNoFrontMatter, or nil; see malformed below
		bad      bool
	}{
		{
			name:     "all keys and aliases",
			in:       "---\nid: my/article\ntitle: \"A: quoted title\"\nurl: https://example.com/a\npublisher: Example News\ndate: 2023-05-20\nauthor: 'Jane O''Neil'\nextra: ignored\n# a comment\n\n---\nBody.",
			want:     metadata{ID: "my/article", Title: "A: quoted title", URL: "https://example.com/a", Source: "Example News", Published: "2023-05-20", Author: "Jane O'Neil"},
			wantBody: "Body.",
		},
		{
			name:     "source wins over publisher, published over date",
			in:       "---\npublisher: P\nsource: S\npublished: 2021\ndate: 2020\n---\nx",
			want:     metadata{Source: "S", Published: "2021"},
			wantBody: "x",
		},
		{name: "no front matter", in: "Just text.\n---\n", wantBody: "Just text.\n---\n", wantErr: errNoFrontMatter},
		{name: "CRLF and BOM", in: "\ufeff---\r\ntitle: T\r\n---\r\nBody", want: metadata{Title: "T"}, wantBody: "Body"},
		{name: "unclosed", in: "---\ntitle: T\nBody text", bad: true},
		{name: "line without colon", in: "---\njust words\n---\nBody", bad: true},
		{name: "key with space", in: "---\nmy key: v\n---\nBody", bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, body, err := parseFrontMatter(tc.in)
			if tc.bad {
				if err == nil || errors.Is(err, errNoFrontMatter) {
					t.Fatalf("err = %v, want a malformed-front-matter error", err)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if got != tc.want || body != tc.wantBody {
				t.Errorf("got %+v body %q, want %+v body %q", got, body, tc.want, tc.wantBody)
			}
		})
	}
}

func TestMetadataMergeAndValidate(t *testing.T) {
	fm := metadata{Title: "FM title", Source: ""}
	man := metadata{Title: "Manifest title", Source: "Manifest source", URL: "https://example.com"}
	got := fm.merge(man)
	want := metadata{Title: "FM title", Source: "Manifest source", URL: "https://example.com"}
	if got != want {
		t.Errorf("merge = %+v, want %+v", got, want)
	}
	for _, u := range []string{"ftp://x/y", "/relative", "example.com/a", "javascript:alert(1)"} {
		if err := (metadata{URL: u}).validate(); err == nil {
			t.Errorf("validate(url %q) = nil, want error", u)
		}
	}
	if err := (metadata{URL: "http://example.com/a?b=c"}).validate(); err != nil {
		t.Errorf("validate(http url) = %v", err)
	}
}

func TestSanitizeID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"000_937560379df2ce3c", "000_937560379df2ce3c"},
		{"news/2023/qatar-taliban", "news/2023/qatar-taliban"},
		{"Qatar’s talks: day 1", "Qatar-s-talks--day-1"},
		{"../../etc/passwd", "etc/passwd"},
		{"/a//b/./c/", "a/b/c"},
		{"  ", ""},
		{"é", "-"},
	}
	for _, tc := range tests {
		if got := sanitizeID(tc.in); got != tc.want {
			t.Errorf("sanitizeID(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
