package retrieval

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Negation agreement. A question that asks what did not happen ("Which
// army never reached Rome?") is answered by a sentence that states a
// negation ("… never reached Rome", "… did not cross the Alps"); a passage
// whose sentences state none says what did happen, which is what a
// look-alike question is made from by adding a "not". The cue words are
// English's closed class of syntactic negators, not a list fitted to a
// corpus.

// negators are the words that negate a clause.
var negators = map[string]bool{
	"not": true, "no": true, "never": true, "none": true, "nobody": true, "nothing": true,
	"neither": true, "nor": true, "nowhere": true, "without": true, "cannot": true,
}

// negated reports whether text holds a negator or a word ending in "n't"
// ("didn't", "can’t"; the apostrophe is required, so "in T(n)" is none). A
// "No" before a number abbreviates "number" ("No. 10 Downing Street"), and
// a "not" or "no" that is the second of two alternatives ("whether or
// not", "may or may not", "yes or no") negates nothing.
func negated(text string) bool {
	toks := sentenceTokens(text)
	for i, t := range toks {
		if t.lower == "no" && i+1 < len(toks) && toks[i+1].digit {
			continue
		}
		if (t.lower == "not" || t.lower == "no") && (i > 0 && toks[i-1].lower == "or" || i > 1 && toks[i-2].lower == "or") {
			continue
		}
		if negators[t.lower] {
			return true
		}
	}
	return contractedNot(text)
}

// contractedNot reports whether text holds "n't" or "n’t" closing a word.
func contractedNot(text string) bool {
	for _, nt := range []string{"n't", "n’t", "N'T", "N’T"} {
		for rest := text; ; {
			i := strings.Index(rest, nt)
			if i < 0 {
				break
			}
			rest = rest[i+len(nt):]
			if r, _ := utf8.DecodeRuneInString(rest); i > 0 && !unicode.IsLetter(r) {
				return true
			}
		}
	}
	return false
}
