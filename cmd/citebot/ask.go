package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"citebot/bot"
	"citebot/retrieval"
)

const askUsage = `Usage: citebot ask [-k N] [-source PUBLISHER] [-article ID] "question"

Answers a question with quoted excerpts from the corpus, the answering
sentence in bold and a numbered citation for each, as the Discord reply would
read; or says plainly that the corpus has no answer.

Example:
  citebot ask "Who did Qatar's prime minister meet in Kandahar?"

Flags:
  -k N          results to show (default 3, at most 10)
  -source NAME  only passages from this publisher
  -article ID   only passages from this article (see 'citebot corpus')
`

func runAsk(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	k := fs.Int("k", retrieval.DefaultK, "")
	source := fs.String("source", "", "")
	article := fs.String("article", "", "")
	pos, err := parseFlags(fs, askUsage, args)
	if err != nil {
		return err
	}
	q, err := queryArg(pos, askUsage, "question")
	if err != nil {
		return err
	}
	if *k < 1 || *k > 10 {
		return usagef(askUsage, "-k must be between 1 and 10, got %d", *k)
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	ix, err := openIndex(ctx, c, e.cliLogger(c), e.stderr, nil)
	if err != nil {
		return err
	}
	ans, err := ix.Search(ctx, retrieval.Query{Text: q, K: *k, Source: *source, DocID: *article})
	if err != nil {
		return queryError(err, askUsage)
	}
	out := bot.FormatAnswerText(ans, bot.Links{PublicURL: c.PublicURL})
	_, err = fmt.Fprintln(e.stdout, strings.TrimRight(out, "\n"))
	return err
}

// queryArg joins the positional arguments into the query text.
func queryArg(pos []string, usage, what string) (string, error) {
	q := strings.TrimSpace(strings.Join(pos, " "))
	if q == "" {
		return "", usagef(usage, "missing %s", what)
	}
	return q, nil
}

// queryError turns the index's bad-input errors into usage errors.
func queryError(err error, usage string) error {
	if errors.Is(err, retrieval.ErrEmptyQuery) || errors.Is(err, retrieval.ErrQueryTooLong) {
		return usagef(usage, "%v", err)
	}
	return err
}
