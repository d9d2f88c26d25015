package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"citebot/corpus"
)

const corpusUsage = `Usage: citebot corpus [-json]

Lists the articles of the corpus (CITEBOT_CORPUS, or the bundled one) and the
passages each is cut into, as citebot indexes them.

Flags:
  -json   print {"articles":[…],"passages":[{"id","doc_id","paragraph","text"}]}
`

type corpusJSON struct {
	Articles []articleJSON `json:"articles"`
	Passages []passageJSON `json:"passages"`
}

type articleJSON struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Source    string `json:"source"`
	Published string `json:"published,omitempty"`
	Author    string `json:"author,omitempty"`
	URL       string `json:"url,omitempty"`
	File      string `json:"file"`
	Passages  int    `json:"passages"`
}

type passageJSON struct {
	ID        string `json:"id"`
	DocID     string `json:"doc_id"`
	Paragraph int    `json:"paragraph"`
	Section   string `json:"section,omitempty"`
	Text      string `json:"text"`
}

func runCorpus(_ context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("corpus", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	pos, err := parseFlags(fs, corpusUsage, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef(corpusUsage, "unexpected argument %q", pos[0])
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	cp, err := loadCorpus(c, e.cliLogger(c))
	if err != nil {
		return err
	}
	count := map[string]int{}
	for _, p := range cp.Passages {
		count[p.DocID]++
	}
	if *asJSON {
		out := corpusJSON{Articles: []articleJSON{}, Passages: []passageJSON{}}
		for _, a := range cp.Articles {
			out.Articles = append(out.Articles, articleJSON{a.ID, a.Title, a.Source, a.Published, a.Author, a.URL, a.File, count[a.ID]})
		}
		for _, p := range cp.Passages {
			out.Passages = append(out.Passages, passageJSON{p.ID, p.DocID, p.Paragraph, p.Section, p.Text})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return writeCorpusText(e, cp, count)
}

func writeCorpusText(e *env, cp *corpus.Corpus, count map[string]int) error {
	for _, a := range cp.Articles {
		fmt.Fprintf(e.stdout, "%s  %s — %s", a.ID, a.Title, orUnknown(a.Source))
		if a.Published != "" {
			fmt.Fprintf(e.stdout, ", %s", a.Published)
		}
		fmt.Fprintf(e.stdout, " (%d passages)\n", count[a.ID])
		for _, p := range cp.Passages {
			if p.DocID == a.ID {
				fmt.Fprintf(e.stdout, "  %-28s %s\n", p.ID, clip(p.Text, 90))
			}
		}
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown publisher"
	}
	return s
}

// clip shortens s to at most n runes, ending with "…" when cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
