package corpus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// manifestEntry is one object of manifest.json. Publisher and Date are
// aliases of Source and Published.
type manifestEntry struct {
	File      string `json:"file"`
	ID        string `json:"id"`
	Title     string `json:"title"`
	URL       string `json:"url"`
	Source    string `json:"source"`
	Publisher string `json:"publisher"`
	Published string `json:"published"`
	Date      string `json:"date"`
	Author    string `json:"author"`
}

// readManifest reads the optional ManifestFile at the root of fsys into
// metadata keyed by cleaned file path. A missing manifest is not a problem;
// an unreadable or malformed one, and each malformed entry, is a warning and
// is ignored (the articles still load, without that metadata).
func readManifest(fsys fs.FS) (map[string]metadata, []Warning) {
	warn := func(format string, args ...any) []Warning {
		return []Warning{{File: ManifestFile, Err: fmt.Errorf(format, args...)}}
	}
	data, err := readLimited(fsys, ManifestFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, warn("manifest ignored: %w", err)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, warn("manifest ignored: not a JSON array of objects: %w", err)
	}
	out := map[string]metadata{}
	var warns []Warning
	for i, raw := range raws {
		var e manifestEntry
		dec := json.NewDecoder(bytes.NewReader(raw))
		if err := dec.Decode(&e); err != nil {
			warns = append(warns, warn("entry %d ignored: %w", i+1, err)...)
			continue
		}
		name := path.Clean(strings.TrimPrefix(strings.TrimSpace(e.File), "./"))
		if e.File == "" || !fs.ValidPath(name) || name == "." {
			warns = append(warns, warn("entry %d ignored: \"file\" %q is not a path inside the corpus", i+1, e.File)...)
			continue
		}
		if _, dup := out[name]; dup {
			warns = append(warns, warn("entry %d ignored: second entry for %q", i+1, name)...)
			continue
		}
		m := metadata{
			ID:        e.ID,
			Title:     e.Title,
			URL:       e.URL,
			Source:    firstNonEmpty(e.Source, e.Publisher),
			Published: firstNonEmpty(e.Published, e.Date),
			Author:    e.Author,
		}
		if err := m.validate(); err != nil {
			warns = append(warns, warn("entry %d (%s) ignored: %w", i+1, name, err)...)
			continue
		}
		out[name] = m
	}
	return out, warns
}

func firstNonEmpty(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
