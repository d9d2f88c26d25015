package corpus

import (
	"reflect"
	"testing"
)

// TestCorpusEqual changes every field of an article, a paragraph, a link and
// a passage in turn (found by reflection, so a field added later is
// covered): each change makes the corpora differ.
func TestCorpusEqual(t *testing.T) {
	sample := func() *Corpus {
		return &Corpus{
			Articles: []*Article{{ID: "a", Title: "T", Source: "S", Author: "W", Published: "2024", URL: "https://x", File: "a.txt",
				Paragraphs: []Paragraph{{N: 1, Section: "H", Text: "Body.", Links: []Link{{Text: "l", URL: "https://l"}}}}}},
			Passages: []Passage{{ID: "a:p1.1", DocID: "a", Paragraph: 1, Part: 1, Section: "H", Text: "Body.", Links: []Link{{Text: "l", URL: "https://l"}}}},
		}
	}
	if !sample().Equal(sample()) {
		t.Fatal("identical corpora differ")
	}
	cases := map[string]func(c *Corpus) reflect.Value{
		"Article":   func(c *Corpus) reflect.Value { return reflect.ValueOf(c.Articles[0]).Elem() },
		"Paragraph": func(c *Corpus) reflect.Value { return reflect.ValueOf(&c.Articles[0].Paragraphs[0]).Elem() },
		"Link":      func(c *Corpus) reflect.Value { return reflect.ValueOf(&c.Articles[0].Paragraphs[0].Links[0]).Elem() },
		"Passage":   func(c *Corpus) reflect.Value { return reflect.ValueOf(&c.Passages[0]).Elem() },
		"PLink":     func(c *Corpus) reflect.Value { return reflect.ValueOf(&c.Passages[0].Links[0]).Elem() },
	}
	for name, get := range cases {
		v := get(sample())
		for i := range v.NumField() {
			if k := v.Field(i).Kind(); k != reflect.String && k != reflect.Int {
				continue
			}
			c := sample()
			f := get(c).Field(i)
			if f.Kind() == reflect.String {
				f.SetString(f.String() + "x")
			} else {
				f.SetInt(f.Int() + 1)
			}
			if sample().Equal(c) {
				t.Errorf("a change of %s.%s is not seen", name, v.Type().Field(i).Name)
			}
		}
	}
	c := sample()
	c.Passages = append(c.Passages, c.Passages[0])
	if sample().Equal(c) {
		t.Error("an extra passage is not seen")
	}
}
