package minilm

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func checkUnit(t *testing.T, what string, v []float32) {
	t.Helper()
	if len(v) != Dim {
		t.Fatalf("%s: %d dims", what, len(v))
	}
	var n float64
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			t.Fatalf("%s: non-finite component %v", what, x)
		}
		n += float64(x) * float64(x)
	}
	if math.Abs(n-1) > 1e-4 {
		t.Fatalf("%s: squared norm %v, want 1", what, n)
	}
}

func TestAwkwardTextsGiveUnitVectors(t *testing.T) {
	m := testModel(t)
	huge := strings.Repeat("Ünïcode, 東京 and 🎉 all the way down. ", 100000/40)
	for _, text := range []string{"", " \t\n", "?!…—", "🎉🚀", "\x00\x01\xff", huge} {
		v, err := m.EmbedQuery(context.Background(), text)
		if err != nil {
			t.Fatal(err)
		}
		checkUnit(t, "query "+strings.ToValidUTF8(text[:min(len(text), 20)], "?"), v)
	}
}

func TestEmbedConcurrentCallsAgree(t *testing.T) {
	m := testModel(t)
	texts := []string{"a short one", "Another sentence, with more words in it than the first.", "東京", ""}
	want, err := m.EmbedDocuments(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, text := range texts {
				v, err := m.EmbedQuery(context.Background(), text)
				if err != nil {
					errs <- err
					return
				}
				if c := cosine(v, want[i]); c < 0.99999 {
					errs <- errors.New("concurrent query differs from the batch: cosine " + text)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestEmbedDocumentsHonoursContext(t *testing.T) {
	m := testModel(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.EmbedDocuments(ctx, []string{"a", "b", "c"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if got, err := m.EmbedDocuments(context.Background(), nil); err != nil || len(got) != 0 {
		t.Fatalf("no texts: %v, %v", got, err)
	}
}

// copyModel copies the installed model into a temporary directory a test
// may damage.
func copyModel(t *testing.T) string {
	t.Helper()
	src := testModelDir(t)
	dst := t.TempDir()
	for _, f := range ModelFiles() {
		b, err := os.ReadFile(filepath.Join(src, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, f.Name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestLoadRejectsDamagedModels(t *testing.T) {
	dir := copyModel(t)
	if _, err := Load(dir, Options{}); err != nil {
		t.Fatalf("intact copy: %v", err)
	}
	weights := filepath.Join(dir, WeightsFile)
	fi, _ := os.Stat(weights)
	if err := os.Truncate(weights, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir, Options{})
	if err == nil || !strings.Contains(err.Error(), weights) || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("truncated weights, verified: %v", err)
	}
	_, err = Load(dir, Options{SkipVerify: true})
	if err == nil || !strings.Contains(err.Error(), weights) || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("truncated weights, unverified: %v", err)
	}

	cfg := filepath.Join(dir, ConfigFile)
	os.WriteFile(cfg, []byte(`{"model_type": "bert", "hidden_size": 384, "hidden_act": "relu"}`), 0o644)
	if _, err := Load(dir, Options{SkipVerify: true}); err == nil || !strings.Contains(err.Error(), cfg) || !strings.Contains(err.Error(), "hidden_act") {
		t.Fatalf("other config: %v", err)
	}
	dir = copyModel(t)
	os.Remove(filepath.Join(dir, TokenizerFile))
	if _, err := Load(dir, Options{}); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, TokenizerFile)) || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing tokenizer: %v", err)
	}
}
