package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"

	"citebot/retrieval"
)

const evalUsage = `Usage: citebot eval [file.jsonl]

Runs a question set and prints Recall@1, Recall@3 and MRR@5 for hybrid,
dense-only and BM25-only retrieval side by side, and how often questions the
corpus cannot answer were abstained on.

Each line of the file is {"q": "question", "gold": ["substring", …]}; a hit is
a result whose passage contains a gold substring (case- and quote-
insensitive). An empty gold list means the corpus cannot answer: the right
outcome is to abstain. Default file: testdata/dev_questions.jsonl.
`

func runEval(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	pos, err := parseFlags(fs, evalUsage, args)
	if err != nil {
		return err
	}
	path := "testdata/dev_questions.jsonl"
	switch len(pos) {
	case 0:
	case 1:
		path = pos[0]
	default:
		return usagef(evalUsage, "want at most one question file, got %d arguments", len(pos))
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("question set: %w", err)
	}
	defer f.Close()
	qs, err := retrieval.ReadQuestions(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	ix, err := openIndex(ctx, c, e.cliLogger(c), e.stderr, nil)
	if err != nil {
		return err
	}
	reports, err := retrieval.Evaluate(ctx, ix, qs)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "mode\tRecall@1\tRecall@3\tMRR@5\tabstained when unanswerable\twrongly abstained\t\n")
	for _, r := range reports {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.0f%% of %d\t%d of %d\t\n", r.Mode, r.RecallAt1, r.RecallAt3, r.MRRAt5,
			100*r.AbstainAccuracy, r.Unanswerable, r.FalseAbstain, r.Answerable)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\n%d questions from %s\n", len(qs), path)
	return nil
}
