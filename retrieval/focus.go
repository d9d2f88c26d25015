package retrieval

// A question of the form "what is the capital of X" or "how many children
// does X have" asks for one attribute (capital, children) of a subject the
// question merely restates as context (X). A passage that names X but never
// the attribute cannot answer however well it matches X: "the United
// Kingdom pressured the US" says nothing about the capital of the United
// Kingdom. The focus word is found from general English question forms,
// never from corpus words.

// placeholderNouns describe the form of an answer rather than its topic
// ("what is the name of", "what was the reason for"): they are not a focus.
var placeholderNouns = wordSet(`name names kind kinds type types sort sorts part parts number amount date day year
	time reason way thing things result outcome point idea case example examples instance instances`)

// quantifiers before "of" pick from what follows ("one of the exports",
// "some of its members"): they are not the attribute asked.
var quantifiers = wordSet(`one ones some any each many most all few several both either neither none another
	other others`)

// articles may precede the focus noun.
var articles = wordSet(`the a an`)

// copulas between the question word and the focus noun.
var copulas = wordSet(`is was are were s`)

// focusWord returns the folded word a question asks about, or "".
func focusWord(question string) string {
	words := foldWords(question)
	for i, w := range words {
		switch w {
		case "what", "which", "whats":
			j := i + 1
			switch {
			case w == "whats":
			case j < len(words) && copulas[words[j]]:
				j++
			case j < len(words) && articles[words[j]]:
				// "what's the": foldWords strips the "'s".
			default:
				continue // "what did X say": no attribute asked
			}
			for j < len(words) && articles[words[j]] {
				j++
			}
			// An adjective may precede the noun ("the full name of").
			for k := j; k < min(j+3, len(words)-1); k++ {
				if words[k+1] == "of" {
					return nounOrEmpty(words[k])
				}
			}
			return ""
		case "how":
			if i+2 < len(words) && (words[i+1] == "many" || words[i+1] == "much") {
				return nounOrEmpty(words[i+2])
			}
			return ""
		}
	}
	return ""
}

func nounOrEmpty(w string) string {
	if placeholderNouns[w] || quantifiers[w] || stopWords[w] || lightWords[w] {
		return ""
	}
	return w
}
