package readerpage

import (
	"strings"
	"testing"
)

func TestSplitMarkSentences(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"", nil},
		{"One sentence", []string{"One sentence"}},
		{"First one. Second one!  Third?", []string{"First one.", "Second one!", "Third?"}},
		{"He said “stop.” Then left.", []string{"He said “stop.”", "Then left."}},
		{"Version 1.5 shipped. Done.", []string{"Version 1.5 shipped.", "Done."}},
		{"Trailing space.  ", []string{"Trailing space."}},
		{"Wait… what?", []string{"Wait…", "what?"}},
	}
	for _, tt := range tests {
		got := splitMarkSentences(tt.text)
		var texts []string
		var joined strings.Builder
		for _, s := range got {
			texts = append(texts, s.Text)
			joined.WriteString(s.Text + s.Space)
		}
		if strings.Join(texts, "|") != strings.Join(tt.want, "|") {
			t.Errorf("split(%q) = %q, want %q", tt.text, texts, tt.want)
		}
		if joined.String() != tt.text {
			t.Errorf("split(%q) does not join back: %q", tt.text, joined.String())
		}
	}
}

func TestQuoteMatcher(t *testing.T) {
	para := "Qatar’s prime minister met secretly with the Taliban’s top leader. Two sources confirmed it to CNN. It happened."
	tests := []struct {
		name, q string
		want    []bool // per sentence
	}{
		{"no query", "", []bool{false}},
		{"exact sentence", "Two sources confirmed it to CNN.", []bool{false, true, false}},
		{"straight quotes, case, spaces", "qatar's  PRIME minister met\nsecretly with the Taliban's top leader.", []bool{true, false, false}},
		{"two sentences", "Qatar’s prime minister met secretly with the Taliban’s top leader. Two sources confirmed it to CNN.", []bool{true, true, false}},
		{"cut-off prefix with ellipsis", "Two sources confirmed…", []bool{false, true, false}},
		{"short whole sentence", "It happened.", []bool{false, false, true}},
		{"fragment too short to match alone", "to CNN.", []bool{false, false, false}},
		{"unrelated", "The weather was fine in Doha.", []bool{false, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []bool
			for _, s := range newQuoteMatcher(tt.q).segments(para) {
				if strings.TrimSpace(s.Text) != "" {
					got = append(got, s.Mark)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("segments %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("marks %v, want %v", got, tt.want)
				}
			}
		})
	}
}
