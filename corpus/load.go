package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxFileSize is the largest article file Load reads; bigger files are
// skipped with a warning.
const MaxFileSize = 8 << 20

// ManifestFile is the optional metadata file at the root of a corpus.
const ManifestFile = "manifest.json"

// Load reads every article file under fsys (recursively): .txt, .md,
// .markdown, .html and .htm. Hidden files and directories (".git") and
// README files are ignored. Metadata comes from the optional ManifestFile at
// the root and from front matter at the top of .txt/.md files, front matter
// winning field by field.
//
// An article's ID is its metadata id, else its path without extension; both
// are restricted to [A-Za-z0-9._/-] (other characters become '-'). Files that
// cannot be used — binary (NUL bytes), invalid UTF-8, empty or nothing left
// after cleaning, over MaxFileSize, malformed front matter, a duplicate ID —
// are skipped with a Warning naming the file and the reason, as are
// malformed manifest entries; the rest loads. The error is non-nil only when
// fsys cannot be read or no article loads at all.
//
// Articles are sorted by ID; Passages hold Split of each article in that
// order.
func Load(fsys fs.FS) (*Corpus, []Warning, error) {
	if fsys == nil {
		return nil, nil, errors.New("load corpus: nil file system")
	}
	manifest, warns := readManifest(fsys)

	var files []string
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			if name == "." {
				return err
			}
			warns = append(warns, Warning{File: name, Err: fmt.Errorf("unreadable: %w", err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if name != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !isArticleFile(name) {
			return nil
		}
		files = append(files, name)
		return nil
	})
	if err != nil {
		return nil, warns, fmt.Errorf("read corpus: %w", err)
	}

	p := newParser()
	c := &Corpus{}
	byID := map[string]string{}
	used := map[string]bool{}
	skipped := 0
	for _, name := range files {
		meta, inManifest := manifest[name]
		used[name] = inManifest
		a, err := p.loadFile(fsys, name, meta)
		if err != nil {
			warns = append(warns, Warning{File: name, Err: err})
			skipped++
			continue
		}
		if first, dup := byID[a.ID]; dup {
			warns = append(warns, Warning{File: name, Err: fmt.Errorf("duplicate article id %q (already used by %s)", a.ID, first)})
			skipped++
			continue
		}
		byID[a.ID] = name
		c.Articles = append(c.Articles, a)
	}
	for _, name := range sortedKeys(manifest) {
		if !used[name] {
			warns = append(warns, Warning{File: ManifestFile, Err: fmt.Errorf("entry for %q matches no article file", name)})
		}
	}
	if len(c.Articles) == 0 {
		return nil, warns, fmt.Errorf("no articles loaded from corpus (%d files skipped)", skipped)
	}
	sort.Slice(c.Articles, func(i, j int) bool { return c.Articles[i].ID < c.Articles[j].ID })
	for _, a := range c.Articles {
		c.Passages = append(c.Passages, Split(a)...)
	}
	return c, warns, nil
}

// LoadDir loads the corpus in directory dir (see Load).
func LoadDir(dir string) (*Corpus, []Warning, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("corpus directory %s: %w", dir, err)
	}
	if !info.IsDir() {
		return nil, nil, fmt.Errorf("corpus directory %s: not a directory", dir)
	}
	c, warns, err := Load(os.DirFS(dir))
	if err != nil {
		return nil, warns, fmt.Errorf("corpus directory %s: %w", dir, err)
	}
	return c, warns, nil
}

func isArticleFile(name string) bool {
	base := strings.ToLower(path.Base(name))
	ext := path.Ext(base)
	if strings.TrimSuffix(base, ext) == "readme" {
		return false // documentation of the corpus, not an article
	}
	switch ext {
	case ".txt", ".md", ".markdown", ".html", ".htm":
		return true
	}
	return false
}

// loadFile reads, checks and parses one article file.
func (p *parser) loadFile(fsys fs.FS, name string, manifestMeta metadata) (*Article, error) {
	data, err := readLimited(fsys, name)
	if err != nil {
		return nil, err
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, fmt.Errorf("binary file (NUL byte at offset %d)", i)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("invalid UTF-8 (first bad byte at offset %d)", firstInvalidUTF8(data))
	}
	body := strings.TrimPrefix(string(data), "\ufeff")
	meta := manifestMeta
	switch strings.ToLower(path.Ext(name)) {
	case ".txt", ".md", ".markdown":
		fm, rest, err := parseFrontMatter(body)
		switch {
		case errors.Is(err, errNoFrontMatter):
		case err != nil:
			return nil, fmt.Errorf("malformed front matter: %w", err)
		default:
			if err := fm.validate(); err != nil {
				return nil, fmt.Errorf("malformed front matter: %w", err)
			}
			meta, body = fm.merge(meta), rest
		}
	}
	if isBlank(body) {
		return nil, errors.New("empty file")
	}
	meta = meta.clean()
	headline, paras, err := p.parse(name, body, meta.Title)
	if err != nil {
		return nil, err
	}
	id := sanitizeID(meta.ID)
	if id == "" {
		id = sanitizeID(strings.TrimSuffix(name, path.Ext(name)))
	}
	if id == "" {
		return nil, errors.New("no usable article id")
	}
	title := meta.Title
	if title == "" {
		title = headline
	}
	return &Article{
		ID:         id,
		Title:      title,
		Source:     meta.Source,
		Author:     meta.Author,
		Published:  meta.Published,
		URL:        meta.URL,
		File:       name,
		Paragraphs: paras,
	}, nil
}

// readLimited reads a file, refusing files over MaxFileSize before and
// while reading (the size a file system reports may be wrong).
func readLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open: %w", err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > MaxFileSize {
		return nil, fmt.Errorf("file is %d bytes, over the %d-byte limit", info.Size(), MaxFileSize)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("file is over the %d-byte limit", MaxFileSize)
	}
	return data, nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// sanitizeID keeps [A-Za-z0-9._/-], replaces any other character with '-',
// and drops empty, "." and ".." path segments so an ID is safe in a URL path
// and in a Discord custom id.
func sanitizeID(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '/', r == '-':
			return r
		}
		return '-'
	}, strings.TrimSpace(s))
	var segs []string
	for _, seg := range strings.Split(s, "/") {
		if seg != "" && seg != "." && seg != ".." {
			segs = append(segs, seg)
		}
	}
	return strings.Join(segs, "/")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
