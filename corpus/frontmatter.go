package corpus

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// metadata is what a manifest entry or front matter may say about an
// article. Empty fields are unknown.
type metadata struct {
	ID        string
	Title     string
	URL       string
	Source    string
	Published string
	Author    string
}

// merge returns m with every empty field filled from base: front matter (m)
// overrides the manifest (base) field by field.
func (m metadata) merge(base metadata) metadata {
	pick := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	return metadata{
		ID:        pick(m.ID, base.ID),
		Title:     pick(m.Title, base.Title),
		URL:       pick(m.URL, base.URL),
		Source:    pick(m.Source, base.Source),
		Published: pick(m.Published, base.Published),
		Author:    pick(m.Author, base.Author),
	}
}

// validate rejects metadata that would mislead a reader: a URL that is not
// an absolute http(s) address.
func (m metadata) validate() error {
	if m.URL == "" {
		return nil
	}
	if _, ok := absoluteURL(m.URL); !ok {
		return fmt.Errorf("url %q is not an absolute http(s) address", m.URL)
	}
	return nil
}

// errNoFrontMatter means the text does not start with a "---" line.
var errNoFrontMatter = errors.New("no front matter")

// parseFrontMatter splits a leading block of "key: value" lines fenced by
// "---" lines from the body. Keys are case-insensitive: id, title, url,
// source (alias publisher), published (alias date), author; others are
// ignored. Values may be quoted. It returns errNoFrontMatter when the text
// does not open with "---", and a descriptive error when the block is
// malformed (no closing fence, a line that is not "key: value").
func parseFrontMatter(text string) (metadata, string, error) {
	text = strings.TrimPrefix(text, "\ufeff")
	first, rest, _ := strings.Cut(text, "\n")
	if strings.TrimRight(first, " \t\r") != "---" {
		return metadata{}, text, errNoFrontMatter
	}
	var m metadata
	lineNo := 1
	for {
		if rest == "" {
			return metadata{}, "", errors.New("front matter: no closing --- line")
		}
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		lineNo++
		line = strings.TrimRight(line, " \t\r")
		if line == "---" || line == "..." {
			return m, rest, nil
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		key, value, ok := strings.Cut(trimmed, ":")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return metadata{}, "", fmt.Errorf("front matter line %d: want \"key: value\", got %q", lineNo, trimmed)
		}
		value = unquote(strings.TrimSpace(value))
		switch key {
		case "id":
			m.ID = value
		case "title":
			m.Title = value
		case "url":
			m.URL = value
		case "source", "publisher":
			if m.Source == "" || key == "source" {
				m.Source = value
			}
		case "published", "date":
			if m.Published == "" || key == "published" {
				m.Published = value
			}
		case "author":
			m.Author = value
		}
	}
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"') {
		if u, err := strconv.Unquote(v); err == nil {
			return u
		}
	}
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return strings.ReplaceAll(v[1:len(v)-1], "''", "'")
	}
	return v
}

// clean normalizes the spacing of every field.
func (m metadata) clean() metadata {
	return metadata{
		ID:        strings.TrimSpace(m.ID),
		Title:     normalizeSpace(m.Title),
		URL:       strings.TrimSpace(m.URL),
		Source:    normalizeSpace(m.Source),
		Published: normalizeSpace(m.Published),
		Author:    normalizeSpace(m.Author),
	}
}
