package retrieval

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
)

// Opposite agreement. A look-alike question is also made by turning a word
// of the answering sentence into its opposite: "How can graphs be encoded
// indirectly?" over "graphs can be encoded directly", "the least well
// known" over "the most well-known". The passage then holds what the
// question asks but the one word, and its antonym in its place. The
// antonyms are WordNet 3.0's adjective and adverb pairs (opposites.txt,
// written from Debian's wordnet-base by retrieval/internal/wnopposites;
// its noun and verb pairs are mostly converses, "brother"/"sister",
// "buy"/"sell", which restate a fact rather than deny it), and words are
// brought to their WordNet lemma by WordNet's own rules (its suffix table
// and its exception lists): a kept resource of general English, no list
// fitted to a corpus. Stems would be too loose here: Snowball makes
// "united" "unit" and "toed" "to".

//go:embed opposites.txt
var oppositesText string

// antonymLexicon is opposites.txt parsed: each lemma's antonyms, and the
// irregular forms of those lemmas.
type antonymLexicon struct {
	antonyms  map[string][]string
	irregular map[string][]string
}

var antonymsOnce = sync.OnceValue(func() *antonymLexicon {
	lx := &antonymLexicon{antonyms: map[string][]string{}, irregular: map[string][]string{}}
	for line := range strings.Lines(oppositesText) {
		f := strings.Fields(line)
		switch {
		case len(f) == 3 && f[0] == "=":
			lx.irregular[f[1]] = append(lx.irregular[f[1]], f[2])
		case len(f) == 2 && f[0] != "#":
			lx.antonyms[f[0]] = append(lx.antonyms[f[0]], f[1])
			lx.antonyms[f[1]] = append(lx.antonyms[f[1]], f[0])
		}
	}
	return lx
})

// morphSuffixes is WordNet's detachment table (morphy): an inflected
// ending and what replaces it, for nouns, verbs and adjectives.
var morphSuffixes = [][2]string{
	{"s", ""}, {"ses", "s"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"}, {"shes", "sh"}, {"men", "man"}, {"ies", "y"},
	{"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"}, {"ing", ""},
	{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"},
}

// lemmas returns the lemmas of a folded word that have antonyms: the word
// itself, its irregular lemmas ("worse": "bad"), and what the detachment
// rules make of it ("increased": "increase").
func (lx *antonymLexicon) lemmas(w string) []string {
	var out []string
	add := func(l string) {
		if _, ok := lx.antonyms[l]; ok && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	add(w)
	for _, l := range lx.irregular[w] {
		add(l)
	}
	for _, r := range morphSuffixes {
		if base, ok := strings.CutSuffix(w, r[0]); ok && len(base) >= 2 {
			add(base + r[1])
		}
	}
	return out
}

// opposition is one of a question word's lemmas' antonyms and the word's
// index stem (to tell whether a sentence holds the word in any form).
type opposition struct {
	stem     string
	antonyms []string
}

// oppositions returns the question's words that have antonyms (at most
// maxQueryTerms of them), but for a pair the question names both of
// ("abstract or concrete?"): that asks which, and either word answers.
func (ix *Index) oppositions(text string) []opposition {
	lx := antonymsOnce()
	words := foldWords(text)
	inQuestion := map[string]bool{}
	for _, w := range words {
		for _, l := range lx.lemmas(w) {
			inQuestion[l] = true
		}
	}
	var out []opposition
	seen := map[string]bool{}
	for _, w := range words {
		if len(out) == maxQueryTerms {
			break
		}
	next:
		for _, l := range lx.lemmas(w) {
			if seen[l] {
				continue
			}
			seen[l] = true
			as := lx.antonyms[l]
			for _, a := range as {
				if inQuestion[a] {
					continue next
				}
			}
			out = append(out, opposition{stem: ix.an.stem(w), antonyms: as})
		}
	}
	return out
}

// opposed reports whether sentence holds the antonym of one of the
// question's words (ops) and not the word itself in any form.
func (ix *Index) opposed(ops []opposition, sentence string) bool {
	if len(ops) == 0 {
		return false
	}
	lx := antonymsOnce()
	stems, lemmas := map[string]bool{}, map[string]bool{}
	for _, w := range foldWords(sentence) {
		stems[ix.an.stem(w)] = true
		for _, l := range lx.lemmas(w) {
			lemmas[l] = true
		}
	}
	for _, o := range ops {
		if stems[o.stem] {
			continue
		}
		for _, a := range o.antonyms {
			if lemmas[a] {
				return true
			}
		}
	}
	return false
}
