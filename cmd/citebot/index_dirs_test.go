package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citebot/corpus"
	"citebot/retrieval"
)

// TestIndexPerConfiguration: a one-off run with another dimension keeps its
// own index and leaves the usual one alone; -prune removes the others after
// saying what they are; an index of the old layout is adopted, not rebuilt.
func TestIndexPerConfiguration(t *testing.T) {
	root := filepath.Join(t.TempDir(), "index")
	base := map[string]string{"CITEBOT_INDEX": root, "CITEBOT_EMBEDDER": "hash", "XDG_CACHE_HOME": t.TempDir()}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	code, out, stderr := runCmd(t, base, "index")
	if code != 0 {
		t.Fatalf("index: %d %s", code, stderr)
	}
	usual := savedTo(t, out)
	if filepath.Dir(usual) != root {
		t.Fatalf("index saved to %s, want a directory of its own under %s", usual, root)
	}
	code, out, stderr = runCmd(t, with("CITEBOT_EMBED_DIMENSIONS", "256"), "index")
	if code != 0 {
		t.Fatalf("index with 256 dims: %d %s", code, stderr)
	}
	other := savedTo(t, out)
	if other == usual {
		t.Fatalf("another dimension saved over the usual index (%s)", usual)
	}
	// The usual configuration finds its index intact: nothing embedded.
	code, out, _ = runCmd(t, base, "index")
	if code != 0 || !strings.Contains(out, "(0 embedded)") {
		t.Errorf("the usual index was not kept: %s", out)
	}
	models := filepath.Join(root, "models") // not an index: never pruned
	os.MkdirAll(models, 0o755)
	os.WriteFile(filepath.Join(models, "model.bin"), []byte("x"), 0o644)

	code, out, stderr = runCmd(t, base, "index", "-prune")
	if code != 0 {
		t.Fatalf("index -prune: %d %s", code, stderr)
	}
	if !strings.Contains(out, "removing "+other+": the index of local-hash-v1") || !strings.Contains(out, "256 dims") {
		t.Errorf("-prune did not say what it removes:\n%s", out)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Errorf("%s still there after -prune (%v)", other, err)
	}
	if _, err := os.Stat(filepath.Join(usual, "manifest.json")); err != nil {
		t.Errorf("-prune removed the current index: %v", err)
	}
	if _, err := os.Stat(filepath.Join(models, "model.bin")); err != nil {
		t.Errorf("-prune touched a directory that is not an index: %v", err)
	}

	// The old layout: an index saved directly in CITEBOT_INDEX.
	legacy := filepath.Join(t.TempDir(), "legacy")
	c, _, err := corpus.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := retrieval.NewIndex(t.Context(), c, retrieval.Options{Embedder: retrieval.NewLocalEmbedder(0), Path: legacy}); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCmd(t, with("CITEBOT_INDEX", legacy), "index")
	if code != 0 || !strings.Contains(out, "(0 embedded)") {
		t.Errorf("the old layout's index was not adopted: %s %s", out, stderr)
	}
	if _, err := os.Stat(filepath.Join(legacy, "manifest.json")); !os.IsNotExist(err) {
		t.Errorf("the old manifest is still in CITEBOT_INDEX (%v)", err)
	}
}

// savedTo reads the directory `citebot index` says it saved to.
func savedTo(t *testing.T, out string) string {
	t.Helper()
	_, after, ok := strings.Cut(out, "saved to ")
	if !ok {
		t.Fatalf("index output names no directory: %s", out)
	}
	return strings.TrimSpace(after)
}
