package remote

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"
)

// Instructions that model families were trained with. Embedding without them
// still works, but ranks noticeably worse.
const (
	bgeQueryInstruction = "Represent this sentence for searching relevant passages: "
	e5InstructQuery     = "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery: "
)

// KnownPrefixes returns the query and document prefixes that the model's
// family was trained with, or two empty strings for a model it does not
// know. The remote embedders use them only when their config sets neither
// prefix (and does not set NoDefaultPrefixes).
//
// The model name is matched case-insensitively on its words, so Ollama tags
// ("nomic-embed-text:v1.5") and Hugging Face paths ("BAAI/bge-small-en-v1.5")
// both work:
//
//   - nomic-embed-text*: "search_query: " / "search_document: "
//   - mxbai-embed-large*: "Represent this sentence for searching relevant
//     passages: " for queries, nothing for documents
//   - bge (English v1/v1.5 models, not bge-m3 or the Chinese ones): the same
//     query instruction, nothing for documents
//   - e5 (e5-*, multilingual-e5-*): "query: " / "passage: "; the -instruct
//     variants get "Instruct: <web search task>\nQuery: " for queries and
//     nothing for documents
func KnownPrefixes(model string) (query, doc string) {
	name := strings.ToLower(model)
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(name, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		words[w] = true
	}
	switch {
	case strings.Contains(name, "nomic-embed-text"):
		return "search_query: ", "search_document: "
	case strings.Contains(name, "mxbai-embed-large"):
		return bgeQueryInstruction, ""
	case words["bge"] && !words["m3"] && !words["zh"]:
		return bgeQueryInstruction, ""
	case words["e5"] && words["instruct"]:
		return e5InstructQuery, ""
	case words["e5"]:
		return "query: ", "passage: "
	}
	return "", ""
}

// resolvePrefixes applies the KnownPrefixes default: configured prefixes win
// when either is set, because setting only one is a deliberate choice.
func resolvePrefixes(model, query, doc string, noDefaults bool) (string, string) {
	if query != "" || doc != "" || noDefaults {
		return query, doc
	}
	return KnownPrefixes(model)
}

// remoteName builds an embedder's identity from everything that changes
// its vectors: provider, model, requested dimensions and prefixes. Prefixes
// enter as a short hash because they can be long and contain any character.
func remoteName(provider, model string, dims int, queryPrefix, docPrefix string) string {
	var b strings.Builder
	b.WriteString(provider)
	b.WriteByte(':')
	b.WriteString(model)
	if dims > 0 {
		b.WriteByte('@')
		b.WriteString(strconv.Itoa(dims))
	}
	if queryPrefix != "" || docPrefix != "" {
		// The separator keeps ("ab", "") and ("a", "b") apart.
		h := sha256.Sum256([]byte(queryPrefix + "\x00" + docPrefix))
		b.WriteString("+p")
		b.WriteString(hex.EncodeToString(h[:4]))
	}
	return b.String()
}
