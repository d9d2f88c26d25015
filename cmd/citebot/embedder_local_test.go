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

// installedModelDir is the real MiniLM model directory, for tests that need
// the model: skipped without it, except under CI=true, where .ci/run
// installs it and its absence fails.
func installedModelDir(t *testing.T) string {
	t.Helper()
	dir, err := minilm.DefaultDir(os.Getenv)
	if err == nil {
		if err = minilm.Verify(dir); err == nil {
			return dir
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("the MiniLM model is needed under CI: %v", err)
	}
	t.Skipf("the MiniLM model is not installed: %v", err)
	return ""
}

func TestIndexWithMiniLMThenRestartEmbedsNothing(t *testing.T) {
	// A two-paragraph corpus keeps the race-detector run short.
	corpusDir := t.TempDir()
	article := "---\ntitle: Moon base\nsource: Lunar Times\n---\nEngineers finished the first lunar greenhouse in Shackleton crater on Tuesday.\n\nThe lettuce grows under artificial light, the mission's botanist said.\n"
	if err := os.WriteFile(filepath.Join(corpusDir, "moon.txt"), []byte(article), 0o644); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"CITEBOT_MODEL_DIR": installedModelDir(t), "CITEBOT_INDEX": t.TempDir(), "CITEBOT_CORPUS": corpusDir}
	code, stdout, stderr := runCmd(t, vars, "index")
	if code != 0 || !strings.Contains(stdout, "with minilm:all-MiniLM-L6-v2@") || strings.Contains(stdout, "(0 embedded)") {
		t.Fatalf("first index: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runCmd(t, vars, "index")
	if code != 0 || !strings.Contains(stdout, "(0 embedded)") {
		t.Fatalf("restart: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if strings.Contains(stderr, "hashing embedder") {
		t.Fatalf("fell back to the hashing embedder: %s", stderr)
	}
}
