package retrieval

import (
	"slices"
	"testing"
)

func TestAnalyzerTerms(t *testing.T) {
	an := newAnalyzer()
	tests := []struct {
		in   string
		want []string
	}{
		{"Qatar’s prime minister", []string{"qatar", "prime", "minist"}},
		{"Qatar's PRIME Minister", []string{"qatar", "prime", "minist"}},
		{"the Taliban’ leaders", []string{"taliban", "leader"}},
		{"Al-Thani met ISIS-K", []string{"al", "thani", "meet", "isi"}}, // "met" → "meet": irregular verb
		{"Qaṭar café", []string{"qatar", "cafe"}},
		{"more than 20,000 people", []string{"20000", "peopl"}},
		{"who is the pm", []string{"prime", "minist"}},
		{"", nil},
		{"what is it", nil},
	}
	for _, tt := range tests {
		if got := an.terms(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("terms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFoldText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Qatar’s “continued”", `qatar's "continued"`},
		{"Kabul\u00a0– once", "kabul - once"},
		{"Akhúndzada", "akhundzada"},
		{"ASCII Only", "ascii only"},
	}
	for _, tt := range tests {
		if got := foldText(tt.in); got != tt.want {
			t.Errorf("foldText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTrigramVariants(t *testing.T) {
	v := newVocabulary([]string{"akhundzada", "haibatullah", "kabul", "qatar"})
	tests := []struct{ in, want string }{
		{"akhunzada", "akhundzada"},
		{"haibatallah", "haibatullah"},
		{"china", ""},
	}
	for _, tt := range tests {
		got := ""
		if vs := v.variants(tt.in, 2); len(vs) > 0 {
			got = vs[0].term
		}
		if got != tt.want {
			t.Errorf("variants(%q) best = %q, want %q", tt.in, got, tt.want)
		}
	}
}
