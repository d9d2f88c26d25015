package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"citebot/corpus"
	"citebot/embed/remote"
	"citebot/retrieval"
)

// loadCorpus reads CITEBOT_CORPUS, or the bundled corpus when it is unset,
// logging every skipped file.
func loadCorpus(c config, log *slog.Logger) (*corpus.Corpus, error) {
	var (
		cp   *corpus.Corpus
		warn []corpus.Warning
		err  error
	)
	if c.Corpus == "" {
		cp, warn, err = corpus.Bundled()
	} else {
		cp, warn, err = corpus.LoadDir(c.Corpus)
	}
	for _, w := range warn {
		log.Warn("corpus file skipped", "file", w.File, "reason", w.Err)
	}
	if err != nil {
		if c.Corpus != "" {
			return nil, fmt.Errorf("CITEBOT_CORPUS=%s: %w", c.Corpus, err)
		}
		return nil, err
	}
	return cp, nil
}

// newEmbedder builds the embedder CITEBOT_EMBEDDER names; log hears which
// local embedder runs when that is not MiniLM.
func newEmbedder(c config, log *slog.Logger) (retrieval.Embedder, error) {
	switch c.Embedder {
	case "openai":
		qp, dp := prefixes(c)
		return remote.NewOpenAI(remote.OpenAIConfig{
			BaseURL: c.EmbedURL, Model: c.EmbedModel, APIKey: c.OpenAIKey,
			Dimensions: c.EmbedDims, QueryPrefix: qp, DocumentPrefix: dp,
		})
	case "ollama":
		qp, dp := prefixes(c)
		return remote.NewOllama(remote.OllamaConfig{
			BaseURL: c.EmbedURL, Model: c.EmbedModel, QueryPrefix: qp, DocumentPrefix: dp,
		})
	case "minilm":
		return loadMiniLM(c)
	case "hash":
		return retrieval.NewLocalEmbedder(c.EmbedDims), nil
	default:
		return localEmbedder(c, log), nil
	}
}

// prefixes returns the configured query/document prefixes, else the known
// ones for the model family.
func prefixes(c config) (query, doc string) {
	if c.QueryPrefix != "" || c.DocPrefix != "" {
		return c.QueryPrefix, c.DocPrefix
	}
	return remote.KnownPrefixes(c.EmbedModel)
}

// openIndex loads the corpus and builds the index over it, starting from
// the persisted index at CITEBOT_INDEX when there is one (only new or changed
// passages are embedded). Embedding progress goes to progress (a terminal) or
// the log. wrap, when not nil, wraps the embedder (metrics).
func openIndex(ctx context.Context, c config, log *slog.Logger, progress io.Writer, wrap func(retrieval.Embedder) retrieval.Embedder) (*retrieval.Index, error) {
	if c.Store == "weaviate" {
		return openRemoteIndex(ctx, c, log, wrap, false, nil)
	}
	cp, err := loadCorpus(c, log)
	if err != nil {
		return nil, err
	}
	emb, err := newEmbedder(c, log)
	if err != nil {
		return nil, &configError{fmt.Errorf("CITEBOT_EMBEDDER=%s: %w", c.Embedder, err)}
	}
	batch := embedBatch(emb)
	cal, err := loadCalibration(c, emb.Name(), log)
	if err != nil {
		return nil, err
	}
	path := indexPath(c, emb, log)
	if wrap != nil {
		emb = wrap(emb)
	}
	ix, err := retrieval.NewIndex(ctx, cp, c.indexOptions(retrieval.Options{
		Embedder:    emb,
		EmbedBatch:  batch,
		Logger:      log,
		Calibration: cal,
		Path:        path,
		Progress:    retrieval.NewProgressPrinter(progress, isTerminal(progress), log),
	}))
	if err != nil {
		return nil, fmt.Errorf("building the index with %s: %w", emb.Name(), err)
	}
	return ix, nil
}

// indexOptions returns o with what the configuration sets of an index: the
// abstention threshold, the vector store's knobs and late interaction.
func (c config) indexOptions(o retrieval.Options) retrieval.Options {
	o.AbstainThreshold = c.AbstainThreshold
	o.ANNProbes, o.ANNCandidates, o.ANNMinPassages = c.ANNProbes, c.ANNCandidates, c.ANNMin
	o.NoLateInteraction = !c.LateInteraction
	return o
}

// indexOff reports whether CITEBOT_INDEX keeps the index in memory only.
func indexOff(c config) bool { return strings.EqualFold(c.Index, "off") }

// indexPath is emb's own directory under CITEBOT_INDEX ("off" stays off).
// An index saved by emb directly in CITEBOT_INDEX (the layout before each
// configuration had its own directory) moves there, so the upgrade embeds
// nothing again. Call it with the embedder itself, before any wrapper.
func indexPath(c config, emb retrieval.Embedder, log *slog.Logger) string {
	if indexOff(c) {
		return "off"
	}
	dir := retrieval.IndexDir(c.Index, emb)
	moved, err := retrieval.AdoptLegacyIndex(c.Index, dir, emb)
	switch {
	case err != nil:
		log.Warn("the index saved directly in CITEBOT_INDEX could not be moved into its configuration's directory", "dir", dir, "error", err)
	case moved:
		log.Info("moved the index into its configuration's directory", "from", c.Index, "dir", dir)
	}
	return dir
}

// isTerminal reports whether w is a character device (a terminal), where
// progress is redrawn in place rather than logged.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
