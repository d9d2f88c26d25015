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
		if (t.lower == "not" || t.lower == "no") && alternative(toks, i) {
			continue
		}
		if negators[t.lower] {
			return true
		}
	}
	return contractedNot(text)
}

// alternative reports whether the "not" or "no" at toks[i] is the second
// of two alternatives: right after "or" ("whether or not", "yes or no"), or
// after "or" and a repeat of the word before it ("may or may not", "is or
// is not"). "Tea or coffee, not both" still negates.
func alternative(toks []token, i int) bool {
	if i > 0 && toks[i-1].lower == "or" {
		return true
	}
	return i > 2 && toks[i-2].lower == "or" && toks[i-1].lower == toks[i-3].lower
}

// contractedNot reports whether text holds "n't" or "n’t" closing a word
// (a letter before the "n", none after the "t").
func contractedNot(text string) bool {
	for _, nt := range []string{"n't", "n’t", "N'T", "N’T"} {
		for at := 0; ; {
			i := strings.Index(text[at:], nt)
			if i < 0 {
				break
			}
			i += at
			at = i + len(nt)
			before, _ := utf8.DecodeLastRuneInString(text[:i])
			after, _ := utf8.DecodeRuneInString(text[at:])
			if unicode.IsLetter(before) && !unicode.IsLetter(after) {
				return true
			}
		}
	}
	return false
}
