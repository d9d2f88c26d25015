package retrieval

import "citebot/corpus"

// span is a byte range [start, end) of a text.
type span struct{ start, end int }

// splitSentences returns the sentence spans of text using the corpus
// splitter, so excerpts cut sentences exactly where passages were cut.
func splitSentences(text string) []span {
	ss := corpus.Sentences(text)
	out := make([]span, len(ss))
	for i, s := range ss {
		out[i] = span{s.Start, s.End}
	}
	return out
}
