package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"citebot/embed/minilm"
	"citebot/retrieval"
)

// The MiniLM model is a retrieval.Embedder.
var _ retrieval.Embedder = (*minilm.Model)(nil)

// errNoModelDir is a local embedder with no model directory to look in.
var errNoModelDir = errors.New("no MiniLM model directory: set CITEBOT_MODEL_DIR (neither XDG_CACHE_HOME nor HOME is set)")

// loadMiniLM loads the installed model (CITEBOT_EMBEDDER=minilm): not
// installed or damaged is an error.
func loadMiniLM(c config) (retrieval.Embedder, error) {
	dir := c.ModelDir
	if dir == "" {
		return nil, errNoModelDir
	}
	m, err := minilm.Load(dir, minilm.Options{})
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("the MiniLM model is not installed in %s (run `citebot model install`): %w", dir, err)
		}
		return nil, err
	}
	return m, nil
}

// localEmbedder is CITEBOT_EMBEDDER=local: MiniLM when the model is
// installed and verifies, else the hashing embedder, saying once why and how
// to install the model. A damaged model is a warning, never wrong vectors.
func localEmbedder(c config, log *slog.Logger) retrieval.Embedder {
	hash := retrieval.NewLocalEmbedder(c.EmbedDims)
	dir := c.ModelDir
	if dir == "" {
		log.Warn("running on the hashing embedder (lexical vectors): " + errNoModelDir.Error())
		return hash
	}
	if _, err := os.Stat(filepath.Join(dir, minilm.WeightsFile)); errors.Is(err, os.ErrNotExist) {
		log.Warn("the MiniLM model is not installed, so citebot runs on the hashing embedder (lexical vectors, weaker on paraphrases); `citebot model install` installs it", "model_dir", dir)
		return hash
	}
	m, err := minilm.Load(dir, minilm.Options{})
	if err != nil {
		log.Warn("the MiniLM model cannot be used, so citebot falls back to the hashing embedder; `citebot model install` reinstalls it", "err", err)
		return hash
	}
	return m
}

// embedBatch is how many passages one EmbedDocuments call gets: MiniLM
// embeds a few dozen a second, so smaller batches than the index's default
// keep the progress line moving; 0 keeps the default.
func embedBatch(emb retrieval.Embedder) int {
	if _, ok := emb.(*minilm.Model); ok {
		return 32
	}
	return 0
}
