package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"citebot/retrieval"
)

const searchUsage = `Usage: citebot search [-k N] [-json] [-source PUBLISHER] [-article ID] "query"

Lists the passages that best match a query, best first.

Examples:
  citebot search "August 31 deadline"
  citebot search -k 10 -json "Baradar" | jq .results[].excerpt

Flags:
  -k N          results to list (default 5, at most 25)
  -json         print {"query","abstained","results":[…]} as JSON
  -source NAME  only passages from this publisher
  -article ID   only passages from this article
`

// searchJSON is the -json output; field names are part of the interface.
type searchJSON struct {
	Query     string       `json:"query"`
	Abstained bool         `json:"abstained"`
	Degraded  bool         `json:"degraded,omitempty"`
	Results   []resultJSON `json:"results"`
}

type resultJSON struct {
	Rank           int      `json:"rank"`
	ID             string   `json:"id"`
	DocID          string   `json:"doc_id"`
	Title          string   `json:"title"`
	Source         string   `json:"source"`
	URL            string   `json:"url"`
	Paragraph      int      `json:"paragraph"`
	Passage        string   `json:"passage"`
	Excerpt        string   `json:"excerpt"`
	Score          float64  `json:"score"`
	Weak           bool     `json:"weak,omitempty"`
	AlsoReportedBy []string `json:"also_reported_by,omitempty"`
}

func runSearch(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	k := fs.Int("k", 5, "")
	asJSON := fs.Bool("json", false, "")
	source := fs.String("source", "", "")
	article := fs.String("article", "", "")
	pos, err := parseFlags(fs, searchUsage, args)
	if err != nil {
		return err
	}
	q, err := queryArg(pos, searchUsage, "query")
	if err != nil {
		return err
	}
	if *k < 1 || *k > retrieval.MaxK {
		return usagef(searchUsage, "-k must be between 1 and %d, got %d", retrieval.MaxK, *k)
	}
	ans, _, err := e.searchOnce(ctx, retrieval.Query{Text: q, K: *k, Source: *source, DocID: *article}, searchUsage)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeSearchJSON(e.stdout, ans)
	}
	return writeSearchText(e.stdout, ans)
}

func writeSearchJSON(w io.Writer, ans retrieval.Answer) error {
	out := searchJSON{Query: ans.Query, Abstained: ans.Abstained, Degraded: ans.Degraded, Results: []resultJSON{}}
	for _, r := range ans.Results {
		rj := resultJSON{
			Rank: r.Rank, ID: r.Passage.ID, DocID: r.Passage.DocID, Paragraph: r.Passage.Paragraph,
			Passage: r.Passage.Text, Excerpt: r.Excerpt.Text(), Score: r.Score, Weak: r.Weak,
		}
		if r.Article != nil {
			rj.Title, rj.Source, rj.URL = r.Article.Title, r.Article.Source, r.Article.URL
		}
		for _, d := range r.AlsoReportedBy {
			rj.AlsoReportedBy = append(rj.AlsoReportedBy, d.Passage.ID)
		}
		out.Results = append(out.Results, rj)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeSearchText(w io.Writer, ans retrieval.Answer) error {
	if ans.Abstained {
		fmt.Fprintln(w, "No passage in the corpus answers this; nearest passages (weak):")
	}
	if len(ans.Results) == 0 {
		_, err := fmt.Fprintln(w, "No matching passages.")
		return err
	}
	for _, r := range ans.Results {
		cite := r.Passage.DocID
		if r.Article != nil {
			cite = r.Article.Title
			if r.Article.Source != "" {
				cite += ", " + r.Article.Source
			}
		}
		weak := ""
		if r.Weak {
			weak = "  (weak)"
		}
		fmt.Fprintf(w, "%2d. %.3f  %s  [%s, ¶%d]%s\n    %s\n", r.Rank, r.Score, r.Passage.ID, cite, r.Passage.Paragraph, weak, r.Excerpt.Text())
		for _, d := range r.AlsoReportedBy {
			if d.Article != nil {
				fmt.Fprintf(w, "    also reported by %s (%s)\n", d.Article.Source, d.Passage.ID)
			}
		}
	}
	return nil
}
