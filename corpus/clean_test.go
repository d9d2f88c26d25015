package corpus

import (
	"reflect"
	"testing"
)

func TestNormalizeSpace(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"trim and collapse", "  a   b \t c  ", "a b c"},
		{"NBSP", "the\u00a0then-Afghan president\u00a0Ashraf", "the then-Afghan president Ashraf"},
		{"NBSP runs between sentences", "Afghanistan.\u00a0 The Biden", "Afghanistan. The Biden"},
		{"other unicode spaces", "a\u2009b\u202fc\u3000d\u2003e", "a b c d e"},
		{"newlines and CR", "a\r\nb\nc", "a b c"},
		{"zero-width and soft hyphen dropped", "Tal\u00adiban\u200b leader\ufeff", "Taliban leader"},
		{"curly quotes kept", "“red line” Qatar’s", "“red line” Qatar’s"},
		{"control chars to space", "a\x01b", "a b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := normalizeSpace(tc.in); got != tc.want {
				t.Errorf("normalizeSpace(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTextBlocks(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want [][]string
	}{
		{"blank lines", "a\n\nb\n", [][]string{{"a"}, {"b"}}},
		{"whitespace-only blank lines", "\n   a\n     \n   b\n \u00a0 \n c", [][]string{{"   a"}, {"   b"}, {" c"}}},
		{"lines inside a block kept apart", "a1\na2\n\nb", [][]string{{"a1", "a2"}, {"b"}}},
		{"no blank lines: one paragraph per line", "one\ntwo\nthree", [][]string{{"one"}, {"two"}, {"three"}}},
		{"single line without newline", "only line", [][]string{{"only line"}}},
		{"CRLF", "a\r\n\r\nb\r\n", [][]string{{"a"}, {"b"}}},
		{"leading and trailing blanks only", "\n\none\ntwo\n\n", [][]string{{"one"}, {"two"}}},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := textBlocks(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("textBlocks(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestEndsSentenceAndSameText(t *testing.T) {
	ends := []struct {
		in   string
		want bool
	}{
		{"Done.", true}, {"“no extensions.”", true}, {`"red line."`, true}, {"Why?", true},
		{"Wow!", true}, {"community…”", true}, {"Taliban rejects extension:", false},
		{"killing: Report", false}, {"", false},
	}
	for _, tc := range ends {
		if got := endsSentence(tc.in); got != tc.want {
			t.Errorf("endsSentence(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	same := []struct {
		a, b string
		want bool
	}{
		{"Zawahiri’s killing: Report", "zawahiri's  killing: report", true},
		{"A headline", "Another headline", false},
		{"", "", false},
	}
	for _, tc := range same {
		if got := sameText(tc.a, tc.b); got != tc.want {
			t.Errorf("sameText(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
