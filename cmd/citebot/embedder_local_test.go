package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citebot/embed/minilm"
)

func TestLocalEmbedderWithoutModelSaysSoOnceAndAnswers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "no-model")
	code, stdout, stderr := runCmd(t, map[string]string{"CITEBOT_MODEL_DIR": dir, "CITEBOT_INDEX": "off"}, "ask", "Who met the Taliban leader in Kabul?")
	if code != 0 || !strings.Contains(stdout, "[1]") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if n := strings.Count(stderr, "hashing embedder"); n != 1 || !strings.Contains(stderr, "citebot model install") || !strings.Contains(stderr, dir) {
		t.Fatalf("stderr should say once that the hashing embedder runs and how to install the model:\n%s", stderr)
	}
}

func TestLocalEmbedderWithDamagedModelWarnsAndFallsBack(t *testing.T) {
	dir := t.TempDir()
	for _, f := range minilm.ModelFiles() {
		os.WriteFile(filepath.Join(dir, f.Name), []byte("not the model"), 0o644)
	}
	code, stdout, stderr := runCmd(t, map[string]string{"CITEBOT_MODEL_DIR": dir, "CITEBOT_INDEX": "off"}, "search", "Taliban")
	if code != 0 || stdout == "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if !strings.Contains(stderr, filepath.Join(dir, minilm.WeightsFile)) || !strings.Contains(stderr, "falls back to the hashing embedder") {
		t.Fatalf("stderr should name the damaged file and the fallback:\n%s", stderr)
	}
}

func TestMiniLMEmbedderRequiresTheModel(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "no-model")
	code, _, stderr := runCmd(t, map[string]string{"CITEBOT_EMBEDDER": "minilm", "CITEBOT_MODEL_DIR": dir, "CITEBOT_INDEX": "off"}, "ask", "who?")
	if code == 0 || !strings.Contains(stderr, "not installed") || !strings.Contains(stderr, "citebot model install") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}
