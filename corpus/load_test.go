package corpus

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

// warningFor returns the warning naming file, failing when there is none.
func warningFor(t *testing.T, warns []Warning, name, reason string) {
	t.Helper()
	for _, w := range warns {
		if w.File == name && strings.Contains(w.Err.Error(), reason) {
			return
		}
	}
	t.Errorf("no warning for %s containing %q; warnings: %v", name, reason, warns)
}

func TestLoadMixedCorpus(t *testing.T) {
	fsys := fstest.MapFS{
		"good.txt":          file("Good headline here\n\nA good paragraph.\n\nAnother one."),
		"sub/dir/nested.md": file("---\ntitle: Front Title\nsource: FM Source\n---\n# Ignored H1\n\nNested body."),
		"page.html":         file("<html><body><h1>Html Title</h1><p>Html body.</p></body></html>"),
		"binary.txt":        file("abc\x00def"),
		"badutf8.txt":       file("caf\xe9 au lait."),
		"empty.txt":         file(" \n\u00a0\n"),
		"onlyjunk.txt":      file("© 2024 Example. All Rights Reserved."),
		"huge.txt":          {Data: []byte(strings.Repeat("a ", MaxFileSize/2+1))},
		"badfm.md":          file("---\ntitle: T\nno colon line\n---\nBody."),
		"badurl.txt":        file("---\nurl: not-a-url\n---\nBody."),
		"zdup.txt":          file("---\nid: good\n---\nDuplicate id body."),
		"notes.json":        file("{}"),
		".hidden/x.txt":     file("Hidden body."),
		"README.md":         file("Describes the corpus."),
		"manifest.json": file(`[
			{"file": "good.txt", "title": "Manifest Title", "publisher": "Pub", "date": "2023-05-01", "url": "https://example.com/good", "author": "A. Writer"},
			{"file": "sub/dir/nested.md", "title": "Manifest Nested", "source": "Manifest Source", "published": "2020"},
			{"file": "page.html", "url": "javascript:alert(1)"},
			{"file": "missing.txt", "title": "Nope"},
			{"title": "no file"},
			{"file": "good.txt", "title": "second entry"},
			{"file": 42}
		]`),
	}
	c, warns, err := Load(fsys)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	var ids []string
	for _, a := range c.Articles {
		ids = append(ids, a.ID)
	}
	if got, want := strings.Join(ids, ","), "good,page,sub/dir/nested"; got != want {
		t.Fatalf("article ids = %s, want %s", got, want)
	}
	good, _ := c.Article("good")
	if good.Title != "Manifest Title" || good.Source != "Pub" || good.Published != "2023-05-01" ||
		good.URL != "https://example.com/good" || good.Author != "A. Writer" || good.File != "good.txt" {
		t.Errorf("good metadata from manifest wrong: %+v", good)
	}
	if len(good.Paragraphs) != 2 || good.Paragraphs[0].Text != "A good paragraph." {
		t.Errorf("good paragraphs: %+v", good.Paragraphs)
	}
	nested, _ := c.Article("sub/dir/nested")
	if nested.Title != "Front Title" || nested.Source != "FM Source" || nested.Published != "2020" {
		t.Errorf("front matter must override the manifest field by field: %+v", nested)
	}
	page, _ := c.Article("page")
	if page.Title != "Html Title" || page.URL != "" {
		t.Errorf("page: %+v", page)
	}
	for name, reason := range map[string]string{
		"binary.txt":    "binary",
		"badutf8.txt":   "invalid UTF-8",
		"empty.txt":     "empty",
		"onlyjunk.txt":  "no article text left",
		"huge.txt":      "limit",
		"badfm.md":      "malformed front matter",
		"badurl.txt":    "malformed front matter",
		"zdup.txt":      `duplicate article id "good"`,
		"manifest.json": "missing.txt",
	} {
		warningFor(t, warns, name, reason)
	}
	warningFor(t, warns, "manifest.json", "entry 3 (page.html) ignored")
	warningFor(t, warns, "manifest.json", "entry 5 ignored")
	warningFor(t, warns, "manifest.json", "entry 6 ignored: second entry")
	warningFor(t, warns, "manifest.json", "entry 7 ignored")
	for _, w := range warns {
		if strings.Contains(w.File, "hidden") || strings.Contains(w.File, "README") || w.File == "notes.json" {
			t.Errorf("unexpected warning %v", w)
		}
	}
	// Passages are in article order, then paragraph order.
	var order []string
	for _, p := range c.Passages {
		order = append(order, p.ID)
	}
	want := "good:p1.1,good:p2.1,page:p1.1,sub/dir/nested:p1.1"
	if got := strings.Join(order, ","); got != want {
		t.Errorf("passages = %s, want %s", got, want)
	}
}

func TestLoadMetadataID(t *testing.T) {
	fsys := fstest.MapFS{
		"a.txt":         file("---\nid: Custom ID: 1\n---\nBody one."),
		"b c.txt":       file("Body two."),
		"manifest.json": file(`[{"file": "./b c.txt", "id": "from-manifest"}]`),
	}
	c, warns, err := Load(fsys)
	if err != nil || len(warns) != 0 {
		t.Fatalf("Load: %v %v", err, warns)
	}
	for _, id := range []string{"Custom-ID--1", "from-manifest"} {
		if _, ok := c.Article(id); !ok {
			t.Errorf("no article %q", id)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	t.Run("nothing loads", func(t *testing.T) {
		_, warns, err := Load(fstest.MapFS{"a.txt": file("\x00"), "b.txt": file("")})
		if err == nil || err.Error() != "no articles loaded from corpus (2 files skipped)" {
			t.Errorf("err = %v", err)
		}
		if len(warns) != 2 {
			t.Errorf("warnings = %v", warns)
		}
	})
	t.Run("no files at all", func(t *testing.T) {
		if _, _, err := Load(fstest.MapFS{}); err == nil || !strings.Contains(err.Error(), "0 files skipped") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("nil fs", func(t *testing.T) {
		if _, _, err := Load(nil); err == nil {
			t.Error("want error")
		}
	})
	t.Run("unreadable fs", func(t *testing.T) {
		if _, _, err := Load(errFS{}); err == nil || !errors.Is(err, errBroken) {
			t.Errorf("err = %v, want wrapped errBroken", err)
		}
	})
	t.Run("bad manifest JSON", func(t *testing.T) {
		c, warns, err := Load(fstest.MapFS{"a.txt": file("Body."), "manifest.json": file("{not json")})
		if err != nil || len(c.Articles) != 1 {
			t.Fatalf("Load: %v", err)
		}
		warningFor(t, warns, "manifest.json", "not a JSON array")
	})
}

var errBroken = errors.New("broken disk")

type errFS struct{}

func (errFS) Open(string) (fs.File, error) { return nil, errBroken }

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.txt"), []byte("A sentence."), 0o644); err != nil {
		t.Fatal(err)
	}
	c, _, err := LoadDir(dir)
	if err != nil || len(c.Articles) != 1 || c.Articles[0].ID != "x" {
		t.Fatalf("LoadDir: %v %+v", err, c)
	}
	missing := filepath.Join(dir, "nope")
	if _, _, err := LoadDir(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing dir error = %v, want it to name %s", err, missing)
	}
	if _, _, err := LoadDir(filepath.Join(dir, "x.txt")); err == nil {
		t.Error("a file is not a corpus directory")
	}
}

func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		"Headline\n\nBody.", "---\ntitle: x\n---\nBody", "<p>x <a href='http://a'>y</a></p>", "\x00", "\xff",
		"News / World\n\nA (Photo by X)\n\nSub head:\nText. More text.", "# T\n\n## S\n\n[a](http://b) c.",
	} {
		f.Add(s, "a.txt")
		f.Add(s, "a.md")
		f.Add(s, "a.html")
	}
	f.Fuzz(func(t *testing.T, body, name string) {
		if !fs.ValidPath(name) || name == "." || name == ManifestFile {
			return
		}
		c, _, err := Load(fstest.MapFS{name: file(body)})
		if err != nil {
			return
		}
		for _, a := range c.Articles {
			for i, p := range a.Paragraphs {
				if p.N != i+1 || strings.TrimSpace(p.Text) == "" {
					t.Fatalf("bad paragraph %d: %+v", i, p)
				}
			}
		}
		seen := map[string]bool{}
		for _, p := range c.Passages {
			if seen[p.ID] || p.Text == "" {
				t.Fatalf("duplicate or empty passage %+v", p)
			}
			seen[p.ID] = true
		}
	})
}
