package retrieval

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"citebot/corpus"
)

// generationNames lists dir's generation files, sorted.
func generationNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if isGenerationFile(e.Name()) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

func readManifestFile(t *testing.T, dir string) manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPersistRemovesOrphanedGenerations: after a corrupt manifest, the
// generation files it named stay behind; the next save, under the lock,
// removes every generation file its manifest does not name, and so does a
// load of a good manifest.
func TestPersistRemovesOrphanedGenerations(t *testing.T) {
	dir := t.TempDir()
	base, _, err := corpus.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	ix := openPersisted(t, dir, base, NewLocalEmbedder(0), nil)
	if _, err := ix.Update(context.Background(), withoutArticle(base, base.Articles[0].ID)); err != nil {
		t.Fatal(err)
	}
	if g := readGen(dir); g != 2 {
		t.Fatalf("two saves made generation %d", g)
	}
	if err := os.WriteFile(filepath.Join(dir, manifestName), []byte("{corrupt"), 0o644); err != nil {
		t.Fatal(err)
	}
	openPersisted(t, dir, base, NewLocalEmbedder(0), nil) // rebuilds and saves
	m := readManifestFile(t, dir)
	if got, want := generationNames(t, dir), sortedCopy(m.names()); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("after a save the directory holds %v, want only what the manifest names %v", got, want)
	}
	// Orphans that appear some other way (a crash between the manifest and
	// the cleanup) go at the next load.
	for _, f := range []string{"index-99.vec", "terms-98.bin", "ivf-97.bin"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	keep := filepath.Join(dir, "notes.txt") // not ours: never touched
	os.WriteFile(keep, []byte("x"), 0o644)
	var log logBuffer
	openPersisted(t, dir, base, NewLocalEmbedder(0), log.logger())
	if got := generationNames(t, dir); strings.Join(got, " ") != strings.Join(sortedCopy(m.names()), " ") {
		t.Errorf("after a load the directory holds %v, want %v", got, m.names())
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("a file that is not an index file was removed: %v", err)
	}
	if !strings.Contains(log.String(), "removed index files no manifest names") {
		t.Errorf("the cleanup was not logged:\n%s", log.String())
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// TestPersistDirSyncFailureKeepsLiveFiles: the directory fsync fails after
// the new manifest is renamed into place. The save reports it, but deletes
// nothing either manifest (the new one, or the old one a crash could bring
// back) names, and the next start loads the new index.
func TestPersistDirSyncFailureKeepsLiveFiles(t *testing.T) {
	dir := t.TempDir()
	base, _, err := corpus.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	ix := openPersisted(t, dir, base, NewLocalEmbedder(0), nil)
	before := readManifestFile(t, dir)
	failing := true
	ix.per.syncDir = func(string) error {
		if failing {
			// Only the manifest's rename fails to sync: the data files'
			// renames are fine (they are checked first).
			if _, err := os.Stat(filepath.Join(dir, manifestName)); err == nil && readGen(dir) > before.Gen {
				return errors.New("input/output error")
			}
		}
		return nil
	}
	_, err = ix.Update(context.Background(), withoutArticle(base, base.Articles[0].ID))
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	err = ix.Save(context.Background())
	if err == nil {
		// Update's own save already failed and logged; Save retries (the
		// digest was not recorded) and fails the same way.
		t.Fatal("Save after a failed directory fsync returned nil")
	}
	after := readManifestFile(t, dir)
	if after.Gen <= before.Gen {
		t.Fatalf("manifest gen %d, want the new save's (> %d)", after.Gen, before.Gen)
	}
	for _, f := range append(after.names(), before.names()...) {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s, named by a manifest, is gone: %v", f, err)
		}
	}
	failing = false
	var log logBuffer
	re := openPersisted(t, dir, withoutArticle(base, base.Articles[0].ID), NewLocalEmbedder(0), log.logger())
	if s := log.String(); strings.Contains(s, "not usable") {
		t.Fatalf("the new index does not load:\n%s", s)
	}
	if st := re.LastStats(); st.Embedded != 0 {
		t.Errorf("restart embedded %d passages, want 0", st.Embedded)
	}
}

// readGen reads the generation the manifest in dir names, 0 if none.
func readGen(dir string) uint64 {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return 0
	}
	var m manifest
	if json.Unmarshal(b, &m) != nil {
		return 0
	}
	return m.Gen
}
