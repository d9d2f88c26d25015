package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"citebot/corpus"
	"citebot/eval"
	"citebot/retrieval"
)

const evalUsage = `Usage: citebot eval [-corpus DIR] [-json] [-plot FILE.svg] questions.jsonl
       citebot eval -squad FILE.json [-json] [-plot FILE.svg]

Measures answer quality on a question set, for the configured retrieval
(hybrid) and for BM25 alone over the same passages, in one run.

A question file has one {"q": "…", "gold": ["substring", …]} object a line,
optionally with "context": ["earlier question", …] for a follow-up. A hit is
a result whose passage holds a gold substring (case- and quote-insensitive);
an empty gold list means the corpus cannot answer and the right outcome is to
abstain. The corpus is -corpus DIR, else CITEBOT_CORPUS, else the bundled one.

With -squad, a SQuAD 1.1/2.0 JSON file is both the corpus (each article a
document, each paragraph a block) and the questions; a hit must also come
from the question's own paragraph, and is_impossible questions must abstain.

Figures, over answerable questions unless said:
  answered@1   answered (not abstained) with a hit at rank 1: the headline
  R@1 R@5 MRR  the ranking alone, whatever the abstention decision
  excerpt      answered, hit at rank 1, and the quoted excerpt holds the answer
  wrong-abst   answerable questions abstained on
  unans-abst   unanswerable questions abstained on (of those)
  AURC         area under the risk–coverage curve of the confidence (lower
               is better; -plot draws the curve with the threshold marked)

The index is built in memory (CITEBOT_INDEX is not used). With
CITEBOT_STORE=weaviate the corpus is synced into Weaviate collections named
CitebotEval… (never the served ones) and evaluated through them.

Examples:
  citebot eval -squad squad2-dev.json -plot rc.svg
  citebot eval -corpus ./articles questions.jsonl -json

Flags:
  -corpus DIR     corpus directory (default CITEBOT_CORPUS or the bundled corpus)
  -squad FILE     SQuAD 1.1/2.0 JSON file as corpus and questions
  -json           print the reports as JSON (with per-question outcomes)
  -plot FILE.svg  write the risk–coverage curves as SVG
`

func runEval(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	corpusDir := fs.String("corpus", "", "")
	squad := fs.String("squad", "", "")
	asJSON := fs.Bool("json", false, "")
	plot := fs.String("plot", "", "")
	pos, err := parseFlags(fs, evalUsage, args)
	if err != nil {
		return err
	}
	c, err := e.config()
	if err != nil {
		return err
	}
	log := e.cliLogger(c)
	set, err := loadEvalSet(c, *squad, *corpusDir, pos, log)
	if err != nil {
		return err
	}
	reps, err := runEvalSet(ctx, e, c, set)
	if err != nil {
		return err
	}
	if *plot != "" {
		if err := writePlotFile(*plot, set.name, reps); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Set      string        `json:"set"`
			Embedder string        `json:"embedder"`
			Reports  []eval.Report `json:"reports"`
		}{set.name, set.embedder, reps})
	}
	return printReports(e.stdout, set, reps)
}

// evalSet is a corpus and its questions.
type evalSet struct {
	name     string
	corpus   *corpus.Corpus
	qs       []eval.Question
	embedder string
}

// loadEvalSet reads the questions and the corpus they are about.
func loadEvalSet(c config, squad, corpusDir string, pos []string, log interface {
	Warn(string, ...any)
}) (*evalSet, error) {
	if squad != "" {
		if len(pos) > 0 || corpusDir != "" {
			return nil, usagef(evalUsage, "-squad is both corpus and questions: no -corpus or question file with it")
		}
		f, err := os.Open(squad)
		if err != nil {
			return nil, fmt.Errorf("squad file: %w", err)
		}
		defer f.Close()
		cp, qs, err := eval.LoadSQuAD(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", squad, err)
		}
		return &evalSet{name: filepath.Base(squad), corpus: cp, qs: qs}, nil
	}
	if len(pos) != 1 {
		return nil, usagef(evalUsage, "want one question file (or -squad FILE), got %d arguments", len(pos))
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return nil, fmt.Errorf("question set: %w", err)
	}
	defer f.Close()
	qs, err := eval.ReadQuestions(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pos[0], err)
	}
	if corpusDir != "" {
		c.Corpus = corpusDir
	}
	var cp *corpus.Corpus
	var warn []corpus.Warning
	if c.Corpus == "" {
		cp, warn, err = corpus.Bundled()
	} else {
		cp, warn, err = corpus.LoadDir(c.Corpus)
	}
	for _, w := range warn {
		log.Warn("corpus file skipped", "file", w.File, "reason", w.Err)
	}
	if err != nil {
		return nil, fmt.Errorf("corpus %s: %w", c.Corpus, err)
	}
	return &evalSet{name: filepath.Base(pos[0]), corpus: cp, qs: qs}, nil
}

// runEvalSet runs the set on an in-memory index with the configured embedder,
// hybrid and BM25 alone.
func runEvalSet(ctx context.Context, e *env, c config, set *evalSet) ([]eval.Report, error) {
	ix, err := evalIndex(ctx, e, c, set.corpus, nil)
	if err != nil {
		return nil, err
	}
	set.embedder = ix.Embedder().Name()
	var reps []eval.Report
	for _, m := range []retrieval.Mode{retrieval.Hybrid, retrieval.DenseOnly, retrieval.LexicalOnly} {
		r, err := eval.Run(ctx, ix, set.qs, m)
		if err != nil {
			return nil, err
		}
		reps = append(reps, r)
	}
	return reps, nil
}

// evalIndex builds an in-memory index of cp with emb (nil: the
// configured embedder) and the configured abstention settings.
func evalIndex(ctx context.Context, e *env, c config, cp *corpus.Corpus, emb retrieval.Embedder) (*retrieval.Index, error) {
	log := e.cliLogger(c)
	if emb == nil {
		var err error
		if emb, err = newEmbedder(c, log); err != nil {
			return nil, &configError{fmt.Errorf("CITEBOT_EMBEDDER=%s: %w", c.Embedder, err)}
		}
	}
	if c.Store == "weaviate" {
		return evalRemoteIndex(ctx, e, c, cp, emb, log)
	}
	cal, err := loadCalibration(c, emb.Name(), log)
	if err != nil {
		return nil, err
	}
	ix, err := retrieval.NewIndex(ctx, cp, c.indexOptions(retrieval.Options{
		Embedder:    emb,
		EmbedBatch:  embedBatch(emb),
		Logger:      log,
		Calibration: cal,
		Path:        "off",
		Progress:    retrieval.NewProgressPrinter(e.stderr, isTerminal(e.stderr), log),
	}))
	if err != nil {
		return nil, fmt.Errorf("building the index with %s: %w", emb.Name(), err)
	}
	return ix, nil
}

func writePlotFile(path, title string, reps []eval.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	if err := eval.WritePlot(f, "Risk–coverage: "+title, reps); err != nil {
		f.Close()
		return fmt.Errorf("plot %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return nil
}

func printReports(w io.Writer, set *evalSet, reps []eval.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "config\tanswered@1\tR@1\tR@5\tMRR@5\texcerpt\twrong-abst\tunans-abst\tAURC\tthreshold\t\n")
	for _, r := range reps {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3g\t\n", r.Config, r.AnsweredCorrectly1,
			r.RecallAt1, r.RecallAt5, r.MRRAt5, r.Excerpt, r.WronglyAbstained, r.UnanswerableAbstained, r.AURC, r.Threshold)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	r := reps[0]
	_, err := fmt.Fprintf(w, "\n%s: %d questions (%d answerable, %d unanswerable), %d passages, embedder %s\n",
		set.name, r.Questions, r.Answerable, r.Unanswerable, len(set.corpus.Passages), set.embedder)
	return err
}

// evalRemoteIndex syncs cp into the CitebotEval collections and returns a
// remote index over them: the Weaviate path measured on the same set.
func evalRemoteIndex(ctx context.Context, e *env, c config, cp *corpus.Corpus, emb retrieval.Embedder, log *slog.Logger) (*retrieval.Index, error) {
	st, err := newWeaviateStore(c, log, emb, "CitebotEval")
	if err != nil {
		return nil, err
	}
	if _, err := syncWeaviate(ctx, st, cp, e.stderr, retrieval.NewProgressPrinter(e.stderr, isTerminal(e.stderr), log)); err != nil {
		return nil, err
	}
	cal, err := loadCalibration(c, emb.Name(), log)
	if err != nil {
		return nil, err
	}
	ix, err := retrieval.NewRemoteIndex(ctx, st, retrieval.RemoteOptions{Embedder: emb, Logger: log, Calibration: cal,
		AbstainThreshold: c.AbstainThreshold, LookupTimeout: 30 * time.Second, BackendFusion: c.WeaviateFusion != "citebot",
		NoLateInteraction: !c.LateInteraction})
	if err != nil {
		return nil, err
	}
	if err := ix.Available(); err != nil {
		return nil, fmt.Errorf("CITEBOT_STORE=weaviate: %w", err)
	}
	return ix, nil
}
