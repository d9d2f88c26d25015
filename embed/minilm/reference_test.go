package minilm

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// testModelDir returns the installed model's directory. Without one the test
// is skipped, except under CI=true, where .ci/run installs the model and a
// missing one is a failure.
func testModelDir(t testing.TB) string {
	t.Helper()
	dir, err := DefaultDir(os.Getenv)
	if err == nil {
		if _, err = os.Stat(filepath.Join(dir, WeightsFile)); err == nil {
			return dir
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("the MiniLM model is not installed (%v): run `citebot model install` or set CITEBOT_MODEL_DIR", err)
	}
	t.Skipf("the MiniLM model is not installed (%v); `go run ./cmd/citebot model install` enables this test", err)
	return ""
}

var shared struct {
	once sync.Once
	m    *Model
	err  error
}

// testModel loads the installed model once per test binary.
func testModel(t testing.TB) *Model {
	t.Helper()
	dir := testModelDir(t)
	shared.once.Do(func() { shared.m, shared.err = Load(dir, Options{}) })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.m
}

type referenceCase struct {
	Name   string    `json:"name"`
	Text   string    `json:"text"`
	Vector []float32 `json:"vector"`
}

func readReference(t *testing.T) []referenceCase {
	t.Helper()
	b, err := os.ReadFile("testdata/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Engine string          `json:"engine"`
		Model  string          `json:"model"`
		Cases  []referenceCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	if ref.Model != PackageName+"@"+PackageVersion {
		t.Fatalf("reference vectors are of %s, the pinned model is %s@%s", ref.Model, PackageName, PackageVersion)
	}
	return ref.Cases
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

// TestReferenceVectors compares each sentence's vector with the one the
// model author's engine computed (testdata/reference.mjs), one at a time
// (EmbedQuery) and as one batch (EmbedDocuments).
func TestReferenceVectors(t *testing.T) {
	m := testModel(t)
	cases := readReference(t)
	if testing.Short() || raceEnabled {
		cases = cases[:4] // keep -race runs quick
	}
	texts := make([]string, len(cases))
	for i, c := range cases {
		texts[i] = c.Text
	}
	docs, err := m.EmbedDocuments(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		q, err := m.EmbedQuery(context.Background(), c.Text)
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range []struct {
			how string
			v   []float32
		}{{"EmbedQuery", q}, {"EmbedDocuments", docs[i]}} {
			if len(got.v) != Dim {
				t.Fatalf("%s %s: %d dims", c.Name, got.how, len(got.v))
			}
			if cos := cosine(got.v, c.Vector); cos < 0.9999 {
				t.Errorf("%s %s: cosine %.6f with the reference, want ≥ 0.9999 (tokens %v)", c.Name, got.how, cos, m.Tokenize(c.Text))
			} else {
				t.Logf("%s %s: cosine %.7f", c.Name, got.how, cos)
			}
		}
	}
}
