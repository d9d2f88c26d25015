package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"citebot/eval"
	"citebot/retrieval"
)

const calibrateUsage = `Usage: citebot calibrate [-o FILE] [-target 0.05] [-per-corpus] [-squad FILE]... [-corpus DIR] [questions.jsonl]...

Fits the answer/abstain model on questions with known answers and writes it
as a small JSON file for CITEBOT_CALIBRATION: a logistic regression of "the
first result answers" on corpus-independent signals (query coverage,
best-sentence coverage, dense similarity, margin over the next candidate,
rarest-term match, answer type found or missing, focus word missing, names
missing, a negated question over a sentence without negation, an antonym of
a question word in its place, share of words the corpus never uses), and the
threshold that abstains on at most -target of the answerable questions
(pooled; with -per-corpus, of each corpus fitted on: each SQuAD file is one
corpus, the question files together another).

Each -squad file is a corpus with its questions (see 'citebot eval -h'); the
question files are about -corpus DIR (else CITEBOT_CORPUS, else the bundled
corpus). Fit on questions from more than one corpus. With two or more
corpora it first reports each corpus held out (fitted on the others, measured
on it): those are the honest figures; the final fit uses every question and
its figures on the same questions are optimistic.

The configured embedder is used (the dense similarity's scale depends on it):
calibrate with the embedder you serve with.

Examples:
  citebot calibrate -squad squad2-dev.json -corpus ./articles mine.jsonl -o calibration.json
  CITEBOT_CALIBRATION=calibration.json citebot serve

Flags:
  -o FILE        write the calibration here (default: standard output)
  -target F      share of answerable questions the threshold may abstain on (default 0.05)
  -per-corpus    hold every corpus to -target, not the questions pooled (a
                 lower threshold: fewer wrong abstentions on the corpus least
                 like the others, more unanswerable questions answered)
  -squad FILE    a SQuAD 1.1/2.0 JSON file (repeatable)
  -corpus DIR    corpus of the question files
  -signals LIST  comma-separated signals to fit (default all); leave out
                 "dense" for a model that holds under any embedder
`

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func runCalibrate(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("calibrate", flag.ContinueOnError)
	out := fs.String("o", "", "")
	target := fs.Float64("target", 0.05, "")
	corpusDir := fs.String("corpus", "", "")
	signals := fs.String("signals", "", "")
	perCorpus := fs.Bool("per-corpus", false, "")
	var squads repeated
	fs.Var(&squads, "squad", "")
	pos, err := parseFlags(fs, calibrateUsage, args)
	if err != nil {
		return err
	}
	if *target <= 0 || *target >= 1 {
		return usagef(calibrateUsage, "-target must be in (0, 1), got %v", *target)
	}
	for _, s := range strings.Split(*signals, ",") {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(retrieval.SignalNames, s) {
			return usagef(calibrateUsage, "-signals: unknown signal %q (known: %s)", s, strings.Join(retrieval.SignalNames, ", "))
		}
	}
	if len(squads) == 0 && len(pos) == 0 {
		return usagef(calibrateUsage, "no questions: give -squad FILE or question files")
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	log := e.cliLogger(c)
	// One embedder for every set: a model loads once.
	emb, err := newEmbedder(c, log)
	if err != nil {
		return &configError{fmt.Errorf("CITEBOT_EMBEDDER=%s: %w", c.Embedder, err)}
	}
	// groups are the corpora: each SQuAD file, and the question files
	// together (they share one corpus).
	type group struct {
		name string
		outs []eval.Outcome
	}
	var groups []group
	embedder := ""
	for _, sq := range squads {
		set, err := loadEvalSet(c, sq, "", nil, log)
		if err != nil {
			return err
		}
		outs, name, err := calibrationOutcomes(ctx, e, c, set, emb)
		if err != nil {
			return err
		}
		embedder = name
		groups = append(groups, group{set.name, outs})
	}
	if len(pos) > 0 {
		g := group{name: "corpus " + corpusLabel(c, *corpusDir)}
		for _, p := range pos {
			set, err := loadEvalSet(c, "", *corpusDir, []string{p}, log)
			if err != nil {
				return err
			}
			outs, name, err := calibrationOutcomes(ctx, e, c, set, emb)
			if err != nil {
				return err
			}
			embedder = name
			g.outs = append(g.outs, outs...)
		}
		groups = append(groups, g)
	}
	opts := eval.FitOptions{TargetWrongAbstain: *target}
	if *signals != "" {
		for _, s := range strings.Split(*signals, ",") {
			opts.Signals = append(opts.Signals, strings.TrimSpace(s))
		}
	}
	tw := tabwriter.NewWriter(e.stderr, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "measured on\tfitted on\tanswered@1\twrong-abst\tunans-abst\tAURC\tthreshold\t\n")
	row := func(on, by string, r eval.Report) {
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3g\t\n", on, by, r.AnsweredCorrectly1, r.WronglyAbstained, r.UnanswerableAbstained, r.AURC, r.Threshold)
	}
	var heldOut []string
	if len(groups) > 1 {
		for i, held := range groups {
			var train []eval.Outcome
			var names []string
			var gs []int
			for j, g := range groups {
				if j != i {
					train = append(train, g.outs...)
					names = append(names, g.name)
					gs = append(gs, slices.Repeat([]int{j}, len(g.outs))...)
				}
			}
			o := opts
			if *perCorpus {
				o.Groups = gs
			}
			cal, err := eval.Fit(train, o)
			if err != nil {
				return fmt.Errorf("fitting without %s: %w", held.name, err)
			}
			r := eval.Summarize("", cal.Threshold, eval.Rescore(held.outs, cal, 0))
			row(held.name, strings.Join(names, " + ")+" (held out)", r)
			heldOut = append(heldOut, fmt.Sprintf("%s held out: answered@1 %.3f, wrongly abstained %.3f, unanswerable abstained %.3f, AURC %.3f",
				held.name, r.AnsweredCorrectly1, r.WronglyAbstained, r.UnanswerableAbstained, r.AURC))
		}
	}
	var all []eval.Outcome
	var names []string
	var gs []int
	for j, g := range groups {
		all = append(all, g.outs...)
		names = append(names, g.name)
		gs = append(gs, slices.Repeat([]int{j}, len(g.outs))...)
	}
	if *perCorpus {
		opts.Groups = gs
	}
	cal, err := eval.Fit(all, opts)
	if err != nil {
		return err
	}
	cal.Embedder = embedder
	scope := ""
	if *perCorpus {
		scope = " on each corpus"
	}
	cal.FittedOn = fmt.Sprintf("%d questions: %s; target %.0f%% wrongly abstained%s", len(all), strings.Join(names, ", "), 100**target, scope)
	if len(heldOut) > 0 {
		cal.FittedOn += "; " + strings.Join(heldOut, "; ")
	}
	for _, g := range groups {
		row(g.name, "all (same questions: optimistic)", eval.Summarize("", cal.Threshold, eval.Rescore(g.outs, cal, 0)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(cal, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if *out == "" {
		_, err = e.stdout.Write(b)
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return fmt.Errorf("calibration: %w", err)
	}
	fmt.Fprintf(e.stderr, "wrote %s (embedder %s)\n", *out, embedder)
	return nil
}

// calibrationOutcomes runs a set's questions in hybrid mode and returns
// the outcomes with their signals, and the embedder's name.
func calibrationOutcomes(ctx context.Context, e *env, c config, set *evalSet, emb retrieval.Embedder) ([]eval.Outcome, string, error) {
	ix, err := evalIndex(ctx, e, c, set.corpus, emb)
	if err != nil {
		return nil, "", err
	}
	r, err := eval.Run(ctx, ix, set.qs, retrieval.Hybrid)
	if err != nil {
		return nil, "", err
	}
	return r.Outcomes, ix.Embedder().Name(), nil
}

func corpusLabel(c config, dir string) string {
	switch {
	case dir != "":
		return filepath.Base(dir)
	case c.Corpus != "":
		return filepath.Base(c.Corpus)
	}
	return "bundled"
}
