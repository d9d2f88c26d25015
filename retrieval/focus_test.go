package retrieval

import "testing"

func TestFocusWord(t *testing.T) {
	// Questions made up for this test about nothing in any corpus or
	// question set: the focus parser is general English, so its test must
	// not reuse evaluation questions.
	tests := []struct{ q, want string }{
		{"what is the capital of portugal", "capital"},
		{"What's the population of Lyon?", "population"},
		{"whats the melting temperature of iron", "temperature"},
		{"which is the tallest tower of paris", "tower"},
		{"how many moons does jupiter have", "moons"},
		{"how many people live in oslo", ""}, // a light word names no attribute
		{"what's the full name of the dutch king", ""},
		{"what did the mayor say", ""},
		{"what is one of the town's main exports", ""}, // a quantifier picks, it is not asked
		{"what are some of the bridge's defects", ""},
		{"what is an example of a prime number", ""},
		{"who did the coach thank", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := focusWord(tt.q); got != tt.want {
			t.Errorf("focusWord(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}
