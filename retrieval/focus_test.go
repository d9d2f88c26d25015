package retrieval

import "testing"

func TestFocusWord(t *testing.T) {
	tests := []struct{ q, want string }{
		{"what is the capital of the united kingdom", "capital"},
		{"What's the population of Kandahar?", "population"},
		{"whats the exchange rate of the afghani", "rate"},
		{"which is the largest city of qatar", "city"},
		{"how many children does al-thani have", "children"},
		{"how many people were evacuated", ""}, // a light word names no attribute
		{"what's the full name of qatar's prime minister", ""},
		{"what did the state department readout say", ""},
		{"who did qatar's prime minister meet", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := focusWord(tt.q); got != tt.want {
			t.Errorf("focusWord(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}
