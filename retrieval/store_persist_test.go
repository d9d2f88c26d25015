package retrieval

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"citebot/corpus"
)

// ivfIndex opens an index over c at dir that partitions from 300 passages,
// counting centroid trainings in trains.
func ivfIndex(t *testing.T, dir string, c *corpus.Corpus, trains *atomic.Int32) *Index {
	t.Helper()
	return annIndex(t, dir, c, trains, 6)
}

// annIndex is ivfIndex with probes probes; 0 means the default, a sketch.
func annIndex(t *testing.T, dir string, c *corpus.Corpus, trains *atomic.Int32, probes int) *Index {
	t.Helper()
	ix, err := NewIndex(context.Background(), c, Options{Embedder: NewLocalEmbedder(64), Path: dir, ANNProbes: probes,
		ANNMinPassages: 300, annTrained: func() { trains.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ix.retrainer.wait)
	return ix
}

func readTestManifest(t *testing.T, dir string) manifest {
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

// TestPartitionsPersist: centroids and assignments are saved with the
// index; a restart (also with one article changed) trains nothing and keeps
// every unchanged passage where it was; a corrupt layout file is retrained.
func TestPartitionsPersist(t *testing.T) {
	dir := t.TempDir()
	c := SyntheticTopicalCorpus(600, 9)
	var trains atomic.Int32
	ix := ivfIndex(t, dir, c, &trains)
	l0 := ix.snap.Load().store.layout.Load()
	if trains.Load() != 1 || l0.cents == nil {
		t.Fatalf("first build: %d trainings, partitioned %v; want 1, true", trains.Load(), l0.cents != nil)
	}
	m := readTestManifest(t, dir)
	if m.IVFFile == "" || m.IVFSHA256 == "" {
		t.Fatalf("manifest names no layout file: %+v", m.IVFFile)
	}

	edited := &corpus.Corpus{Articles: c.Articles, Passages: slices.Clone(c.Passages)}
	for i := range edited.Passages {
		if edited.Passages[i].DocID == c.Passages[0].DocID {
			edited.Passages[i].Text = "harbour cranes and shipping tariffs " + edited.Passages[i].Text
		}
	}
	trains.Store(0)
	ix2 := ivfIndex(t, dir, edited, &trains)
	l1 := ix2.snap.Load().store.layout.Load()
	if trains.Load() != 0 {
		t.Errorf("restart trained centroids %d times, want 0", trains.Load())
	}
	if len(l1.cents) != len(l0.cents) || !slices.Equal(l1.cents[3], l0.cents[3]) {
		t.Fatalf("restart: %d centroids, want the %d saved", len(l1.cents), len(l0.cents))
	}
	for _, p := range edited.Passages {
		if p.DocID == c.Passages[0].DocID {
			continue
		}
		if a, b := l0.loc[p.ID].part, l1.loc[p.ID].part; a != b {
			t.Fatalf("unchanged passage %s moved from partition %d to %d on restart", p.ID, a, b)
		}
	}
	if l1.n != len(edited.Passages) || len(l1.loc) != l1.n {
		t.Errorf("restart layout holds %d documents, want %d", l1.n, len(edited.Passages))
	}
	if ans, err := ix2.Search(context.Background(), Query{Text: "harbour cranes and shipping tariffs"}); err != nil ||
		len(ans.Results) == 0 || ans.Results[0].Passage.DocID != c.Passages[0].DocID {
		t.Errorf("search for the changed article after restart: %+v, %v", ans.Results, err)
	}

	// A corrupt layout file: warned about, retrained, never fatal.
	m = readTestManifest(t, dir)
	if err := os.WriteFile(filepath.Join(dir, m.IVFFile), []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	trains.Store(0)
	ix3 := ivfIndex(t, dir, edited, &trains)
	if trains.Load() != 1 || ix3.snap.Load().store.layout.Load().cents == nil {
		t.Errorf("corrupt layout file: %d trainings, want 1 and a partitioned store", trains.Load())
	}
	if m2 := readTestManifest(t, dir); m2.IVFFile == m.IVFFile {
		t.Errorf("the retrained layout was not saved (manifest still names %s)", m.IVFFile)
	}
}

// TestRetrainInBackground: an exact index that grows past the threshold
// stays exact through the update, then is partitioned (CITEBOT_ANN_PROBES)
// or sketched (the default) in the background,
// swapped in, searchable and saved.
func TestRetrainInBackground(t *testing.T) {
	t.Run("partitions", func(t *testing.T) { testRetrainInBackground(t, 6) })
	t.Run("sketch", func(t *testing.T) { testRetrainInBackground(t, 0) })
}

func testRetrainInBackground(t *testing.T, probes int) {
	dir := t.TempDir()
	c := SyntheticTopicalCorpus(900, 4)
	small := &corpus.Corpus{Articles: c.Articles[:20], Passages: c.Passages[:200]}
	var trains atomic.Int32
	ix := annIndex(t, dir, small, &trains, probes)
	if l := ix.snap.Load().store.layout.Load(); l.cents != nil || l.sk != nil || trains.Load() != 0 {
		t.Fatalf("200 passages partitioned or sketched; want exact below 300")
	}
	// Searches run on through the update and the background retrain (the
	// race detector watches the layout swap).
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := ix.Search(context.Background(), Query{Text: c.Passages[i%len(c.Passages)].Text[:40]}); err != nil {
				t.Errorf("search during retrain: %v", err)
				return
			}
		}
	}()
	if _, err := ix.Update(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	ix.retrainer.wait()
	close(stop)
	<-done
	s := ix.snap.Load()
	l := s.store.layout.Load()
	switch {
	case probes > 0 && (trains.Load() != 1 || l.cents == nil || len(l.parts) != numPartitions(900) || l.n != 900):
		t.Fatalf("after growing to 900: %d trainings, %d partitions, %d documents; want 1, %d, 900",
			trains.Load(), len(l.parts), l.n, numPartitions(900))
	case probes == 0 && (trains.Load() != 1 || l.sk == nil || l.cents != nil || l.n != 900 || l.candidates == 0):
		t.Fatalf("after growing to 900: %d trainings, sketch %v, %d documents, %d candidates; want 1, a calibrated sketch, 900",
			trains.Load(), l.sk != nil, l.n, l.candidates)
	}
	if why := s.store.needsRetrain(); why != "" {
		t.Errorf("retrained store still asks for retraining: %s", why)
	}
	p := c.Passages[850]
	ans, err := ix.Search(context.Background(), Query{Text: p.Text, Mode: DenseOnly})
	if err != nil || len(ans.Results) == 0 || ans.Results[0].Passage.ID != p.ID {
		t.Errorf("dense search for passage %s after the retrain: %v", p.ID, err)
	}
	if m := readTestManifest(t, dir); m.IVFFile == "" {
		t.Errorf("retrained layout not saved")
	}
}

// TestSketchIndexRestart: an index past the threshold gets a sketch, saves
// its mean and calibration, and a restart (one article changed) trains and
// calibrates nothing, keeps the mean and still finds the changed article.
func TestSketchIndexRestart(t *testing.T) {
	dir := t.TempDir()
	c := SyntheticTopicalCorpus(600, 9)
	var trains atomic.Int32
	open := func(c *corpus.Corpus) *Index {
		ix, err := NewIndex(context.Background(), c, Options{Embedder: NewLocalEmbedder(64), Path: dir,
			ANNMinPassages: 300, annTrained: func() { trains.Add(1) }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(ix.retrainer.wait)
		return ix
	}
	l0 := open(c).snap.Load().store.layout.Load()
	if trains.Load() != 1 || l0.sk == nil || l0.candidates == 0 {
		t.Fatalf("first build: %d trainings, sketch %v, %d candidates; want 1, a sketch, calibrated", trains.Load(), l0.sk != nil, l0.candidates)
	}
	if m := readTestManifest(t, dir); m.IVFFile == "" {
		t.Fatal("manifest names no layout file")
	}
	edited := &corpus.Corpus{Articles: c.Articles, Passages: slices.Clone(c.Passages)}
	for i := range edited.Passages {
		if edited.Passages[i].DocID == c.Passages[0].DocID {
			edited.Passages[i].Text = "harbour cranes and shipping tariffs " + edited.Passages[i].Text
		}
	}
	trains.Store(0)
	ix := open(edited)
	l1 := ix.snap.Load().store.layout.Load()
	if trains.Load() != 0 || l1.sk == nil || !slices.Equal(l1.sk.mean, l0.sk.mean) || l1.candidates != l0.candidates {
		t.Fatalf("restart: %d trainings, sketch %v, %d candidates (saved %d); want none, the saved mean and count",
			trains.Load(), l1.sk != nil, l1.candidates, l0.candidates)
	}
	if ans, err := ix.Search(context.Background(), Query{Text: "harbour cranes and shipping tariffs"}); err != nil ||
		len(ans.Results) == 0 || ans.Results[0].Passage.DocID != c.Passages[0].DocID {
		t.Errorf("search for the changed article after restart: %+v, %v", ans.Results, err)
	}
}
