package minilm

import (
	"errors"
	"path/filepath"
)

// DefaultDir is where the model lives: $CITEBOT_MODEL_DIR if set, else
// $XDG_CACHE_HOME/citebot/models/all-MiniLM-L6-v2, else
// $HOME/.cache/citebot/models/all-MiniLM-L6-v2. getenv reads the
// environment (os.Getenv in production).
func DefaultDir(getenv func(string) string) (string, error) {
	if d := getenv("CITEBOT_MODEL_DIR"); d != "" {
		return d, nil
	}
	base := getenv("XDG_CACHE_HOME")
	if base == "" {
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("no model directory: set CITEBOT_MODEL_DIR (neither XDG_CACHE_HOME nor HOME is set)")
		}
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "citebot", "models", ModelID), nil
}
