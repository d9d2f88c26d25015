package retrieval

import "testing"

func TestNegated(t *testing.T) {
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"Which army never reached Rome?", true},
		{"What is not the key distinction?", true},
		{"Why didn't the Normans stay?", true},
		{"Why didn’t the Normans stay?", true},
		{"They can't read it.", true},
		{"Nobody came, and none stayed.", true},
		{"He left without a word.", true},
		{"No agreement was signed.", true},
		{"When did the Normans attack Dyrrachium?", false},
		{"The notion of a nonexistent note was known.", false},
		{"Rollo's men won the town in 911.", false},
		{"Who lives at No. 10 Downing Street?", false},
		{"No 5 was never built.", true},
		{"Can it be decided whether or not a problem is solvable?", false},
		{"What makes a machine more or less powerful, or not?", false},
		{"How powerful a Turing machine may or may not be", false},
		{"Answer yes or no.", false},
		{"Assuming that T represents a polynomial in T(n), what is the algorithm called?", false},
		{"Mixed-case DIDN'T counts, and so does an end of text: can't", true},
		{"Isn't it?", true},
		{"Tea or coffee, not both.", true},
		{"It is or is not legal.", false},
		{"The token n't stands alone here.", false},
		{"Whether or not it rains, they did not come.", true},
		{"", false},
	} {
		if got := negated(tt.text); got != tt.want {
			t.Errorf("negated(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
