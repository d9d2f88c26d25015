package corpus

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// sentencesOf builds a paragraph of n sentences of w words each.
func sentencesOf(n, w int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		for j := 0; j < w; j++ {
			if j > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "W%d_%d", i, j)
		}
		b.WriteByte('.')
	}
	return b.String()
}

func partWords(parts []Passage) []int {
	var out []int
	for _, p := range parts {
		out = append(out, wordCount(p.Text))
	}
	return out
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []int // words per part
	}{
		{"short paragraph stays whole", sentencesOf(2, 10), []int{20}},
		{"exactly the maximum stays whole", sentencesOf(6, 20), []int{120}},
		{"long paragraph packed greedily", sentencesOf(10, 20), []int{120, 80}},
		{"short tail borrows from the previous part", sentencesOf(13, 10), []int{90, 40}},
		{"tail merged when nothing can be borrowed", append2(sentencesOf(1, 118), sentencesOf(1, 10)), []int{128}},
		{"single sentence over the maximum stays whole", sentencesOf(1, 150), []int{150}},
		{"giant sentence in the middle", append2(append2(sentencesOf(3, 20), sentencesOf(1, 130)), sentencesOf(3, 20)), []int{60, 130, 60}},
		{"short start joins a giant sentence", append2(sentencesOf(1, 10), sentencesOf(1, 130)), []int{140}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &Article{ID: "doc", Paragraphs: []Paragraph{{N: 3, Section: "S", Text: tc.text}}}
			parts := Split(a)
			if got := partWords(parts); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("part sizes = %v, want %v", got, tc.want)
			}
			var rebuilt []string
			for i, p := range parts {
				if p.ID != PassageID("doc", 3, i+1) || p.DocID != "doc" || p.Paragraph != 3 || p.Part != i+1 || p.Section != "S" {
					t.Errorf("part %d has wrong identity: %+v", i+1, p)
				}
				if !strings.Contains(tc.text, p.Text) {
					t.Errorf("part %d is not a verbatim substring", i+1)
				}
				rebuilt = append(rebuilt, p.Text)
			}
			if strings.Join(rebuilt, " ") != tc.text {
				t.Errorf("parts do not cover the paragraph")
			}
		})
	}
}

func append2(a, b string) string { return a + " " + b }

func TestSplitLinks(t *testing.T) {
	// The first "Taliban" is the link; later mentions are plain text.
	first := "The Taliban met officials. " + sentencesOf(5, 22)
	second := "Later the Taliban spoke and the second link text appeared. " + sentencesOf(4, 20)
	a := &Article{ID: "d", Paragraphs: []Paragraph{{N: 1, Text: first + " " + second, Links: []Link{
		{Text: "Taliban", URL: "https://example.com/1"},
		{Text: "second link text", URL: "https://example.com/2"},
	}}}}
	parts := Split(a)
	if len(parts) != 2 {
		t.Fatalf("got %d parts (%v), want 2", len(parts), partWords(parts))
	}
	if want := []Link{{"Taliban", "https://example.com/1"}}; !reflect.DeepEqual(parts[0].Links, want) {
		t.Errorf("part 1 links = %v, want %v", parts[0].Links, want)
	}
	if want := []Link{{"second link text", "https://example.com/2"}}; !reflect.DeepEqual(parts[1].Links, want) {
		t.Errorf("part 2 links = %v, want %v", parts[1].Links, want)
	}
}

func TestSplitEdge(t *testing.T) {
	if got := Split(nil); got != nil {
		t.Errorf("Split(nil) = %v", got)
	}
	if got := Split(&Article{ID: "x", Paragraphs: []Paragraph{{N: 1, Text: "  "}}}); len(got) != 0 {
		t.Errorf("blank paragraph gave %v", got)
	}
}
