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

const askUsage = `Usage: citebot ask [-k N] [-source PUBLISHER] [-article ID] [-after "earlier question"]… "question"

Answers a question with quoted excerpts from the corpus, the answering
sentence in bold and a numbered citation for each, as the Discord reply would
read; or says plainly that the corpus has no answer.

Examples:
  citebot ask "Who did Qatar's prime minister meet in Kandahar?"
  citebot ask -after "Who met Baradar in Kabul?" "When was that?"

Flags:
  -k N          results to show (default 3, at most 10)
  -source NAME  only passages from this publisher
  -article ID   only passages from this article (see 'citebot corpus')
  -after Q      read the question as a follow-up to the earlier question Q,
                as in a Discord thread (repeat for several, oldest first;
                the last three count)
`

func runAsk(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	k := fs.Int("k", retrieval.DefaultK, "")
	source := fs.String("source", "", "")
	article := fs.String("article", "", "")
	var after earlierQuestions
	fs.Var(&after, "after", "")
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
	ans, c, err := e.searchOnce(ctx, retrieval.Query{Text: q, K: *k, Source: *source, DocID: *article, Context: after}, askUsage)
	if err != nil {
		return err
	}
	out := bot.FormatAnswerText(ans, bot.Links{PublicURL: c.PublicURL})
	_, err = fmt.Fprintln(e.stdout, strings.TrimRight(out, "\n"))
	return err
}

// earlierQuestions collects repeated -after flags.
type earlierQuestions []string

func (e *earlierQuestions) String() string { return strings.Join(*e, " / ") }

func (e *earlierQuestions) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("empty earlier question")
	}
	*e = append(*e, v)
	return nil
}

// knownSource returns the corpus's spelling of the publisher typed
// (case-insensitive), or an error naming the known ones, as the bot says
// for an unknown source instead of "no passage answers".
func knownSource(ix *retrieval.Index, typed string) (string, error) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return "", nil
	}
	srcs := ix.Sources()
	for _, s := range srcs {
		if strings.EqualFold(s, typed) {
			return s, nil
		}
	}
	list := strings.Join(srcs, ", ")
	if len(srcs) > 10 {
		list = strings.Join(srcs[:10], ", ") + ", …"
	}
	return "", fmt.Errorf("-source: the corpus has no source %q; its sources are %s ('citebot corpus' lists them)", typed, list)
}

// queryArg joins the positional arguments into the query text.
func queryArg(pos []string, usage, what string) (string, error) {
	q := strings.TrimSpace(strings.Join(pos, " "))
	if q == "" {
		return "", usagef(usage, "missing %s", what)
	}
	return q, nil
}

// searchOnce is the one-shot commands' path: read the configuration, open
// the index and run q. The index's bad-input errors become usage errors.
func (e *env) searchOnce(ctx context.Context, q retrieval.Query, usage string) (retrieval.Answer, config, error) {
	c, err := e.config()
	if err != nil {
		return retrieval.Answer{}, c, err
	}
	ix, err := openIndex(ctx, c, e.cliLogger(c), e.stderr, nil)
	if err != nil {
		return retrieval.Answer{}, c, err
	}
	// An unknown source or article is bad input (exit 2), but the usage
	// text would only hide the list of what the corpus has.
	if q.Source, err = knownSource(ix, q.Source); err != nil {
		return retrieval.Answer{}, c, &usageError{err: err}
	}
	if q.DocID != "" {
		if _, ok := ix.Article(q.DocID); !ok {
			return retrieval.Answer{}, c, &usageError{err: fmt.Errorf("-article: the corpus has no article %q ('citebot corpus' lists them)", q.DocID)}
		}
	}
	ans, err := ix.Search(ctx, q)
	if errors.Is(err, retrieval.ErrEmptyQuery) || errors.Is(err, retrieval.ErrQueryTooLong) {
		return ans, c, usagef(usage, "%v", err)
	}
	return ans, c, err
}
