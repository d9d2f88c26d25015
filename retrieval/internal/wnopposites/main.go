// Command wnopposites writes the single-word antonym pairs of WordNet 3.0's
// adjectives and adverbs (its lexical "!" pointers) as retrieval's
// opposites.txt, one pair a line, sorted, then the irregular forms of
// those words from WordNet's exception lists ("= worse bad"), so that
// retrieval can find a word's lemma as WordNet's own morphology does:
//
//	go run ./retrieval/internal/wnopposites /usr/share/wordnet > retrieval/opposites.txt
//
// The directory is WordNet's dict folder (Debian's wordnet-base package
// installs it at /usr/share/wordnet). Multi-word and hyphenated lemmas are
// left out: the signal compares single words. Nouns and verbs are left out
// too: antonymy is how WordNet organises adjectives (direct/indirect,
// most/least), while its noun and verb pairs are mostly converses, which
// restate a fact rather than deny it (brother/sister, buy/sell, give/take),
// or light verbs (have/lack).
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// header heads the output; the license that data.adj opens with follows
// it, copied line by line, as the license requires.
const header = `# Antonym pairs of WordNet 3.0 adjectives and adverbs (lexical "!" pointers, single words), written by
# go run ./retrieval/internal/wnopposites /usr/share/wordnet
# WordNet's license, from its data files:
#
`

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: wnopposites WORDNET_DICT_DIR")
		os.Exit(2)
	}
	pairs := map[[2]string]bool{}
	var license []string
	for _, pos := range []string{"adj", "adv"} {
		lic, err := read(filepath.Join(os.Args[1], "data."+pos), pairs)
		if license == nil {
			license = lic
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "wnopposites:", err)
			os.Exit(1)
		}
	}
	lines := make([]string, 0, len(pairs))
	words := map[string]bool{}
	for p := range pairs {
		lines = append(lines, p[0]+" "+p[1])
		words[p[0]], words[p[1]] = true, true
	}
	sort.Strings(lines)
	var exc []string
	for _, pos := range []string{"adj", "adv", "noun", "verb"} {
		e, err := exceptions(filepath.Join(os.Args[1], pos+".exc"), words)
		if err != nil {
			fmt.Fprintln(os.Stderr, "wnopposites:", err)
			os.Exit(1)
		}
		exc = append(exc, e...)
	}
	sort.Strings(exc)
	lines = append(lines, slices.Compact(exc)...)
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprint(w, header)
	for _, l := range license {
		fmt.Fprintln(w, strings.TrimRight("# "+l, " "))
	}
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "wnopposites:", err)
		os.Exit(1)
	}
}

type synset struct {
	words []string
	ptrs  []pointer
}

type pointer struct {
	symbol, offset string
	source, target int
}

// read adds the antonym pairs of one data file. A data line is: offset,
// lexicographer file, synset type, word count (hex), that many (word,
// lex id) pairs, pointer count, that many (symbol, offset, part of speech,
// source/target as two hex bytes) quadruples, then more fields.
// It returns the license lines the file opens with, their numbers cut.
func read(path string, pairs map[[2]string]bool) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	syn := map[string]synset{}
	var license []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		if line[0] == ' ' { // the license: "  12 use or for distribution.  "
			if fs := strings.SplitN(strings.TrimLeft(line, " "), " ", 2); len(fs) == 2 {
				license = append(license, strings.TrimRight(fs[1], " "))
			} else {
				license = append(license, "")
			}
			continue
		}
		fs := strings.Fields(line)
		if len(fs) < 5 {
			return nil, fmt.Errorf("%s: short line %q", path, line)
		}
		wc, err := strconv.ParseUint(fs[3], 16, 8)
		if err != nil || len(fs) < 5+2*int(wc) {
			return nil, fmt.Errorf("%s: bad word count in %q", path, fs[0])
		}
		var s synset
		for i := range int(wc) {
			w := strings.ToLower(fs[4+2*i])
			if j := strings.IndexByte(w, '('); j > 0 { // "galore(ip)": an adjective marker
				w = w[:j]
			}
			s.words = append(s.words, w)
		}
		at := 4 + 2*int(wc)
		pc, err := strconv.Atoi(fs[at])
		if err != nil || len(fs) < at+1+4*pc {
			return nil, fmt.Errorf("%s: bad pointer count in %q", path, fs[0])
		}
		for k := range pc {
			p := fs[at+1+4*k : at+5+4*k]
			st := p[3]
			if len(st) != 4 {
				return nil, fmt.Errorf("%s: bad source/target %q", path, st)
			}
			src, err1 := strconv.ParseUint(st[:2], 16, 8)
			tgt, err2 := strconv.ParseUint(st[2:], 16, 8)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("%s: bad source/target %q", path, st)
			}
			s.ptrs = append(s.ptrs, pointer{symbol: p[0], offset: p[1], source: int(src), target: int(tgt)})
		}
		syn[fs[0]] = s
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, s := range syn {
		for _, p := range s.ptrs {
			if p.symbol != "!" || p.source == 0 || p.target == 0 {
				continue
			}
			t, ok := syn[p.offset] // antonyms point within one part of speech
			if !ok || p.source > len(s.words) || p.target > len(t.words) {
				continue
			}
			a, b := s.words[p.source-1], t.words[p.target-1]
			if strings.ContainsAny(a+b, "_-.'") || a == b {
				continue
			}
			if b < a {
				a, b = b, a
			}
			pairs[[2]string{a, b}] = true
		}
	}
	return license, nil
}

// exceptions returns the lines "= form lemma" of an exception list
// ("worse bad", "left leave") whose lemma is one of words.
func exceptions(path string, words map[string]bool) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 2 || strings.ContainsAny(fs[0], "_-.'") {
			continue
		}
		for _, lemma := range fs[1:] {
			if words[lemma] && lemma != fs[0] {
				out = append(out, "= "+fs[0]+" "+lemma)
			}
		}
	}
	return out, sc.Err()
}
