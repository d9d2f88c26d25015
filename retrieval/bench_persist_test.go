package retrieval

import (
	"bytes"
	"context"
	"testing"
)

func TestBenchPersistSmall(t *testing.T) {
	var out bytes.Buffer
	if err := BenchPersist(context.Background(), 200, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"restart (0 embedded)", "one article changed", "embedded 10,", "no-op reload"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// BenchmarkRestart100k measures a restart over a persisted 100k-passage
// index: go test ./retrieval -run '^$' -bench Restart100k -benchtime 3x -cpuprofile cpu.out
func BenchmarkRestart100k(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	c := SyntheticCorpus(100000, 42)
	if _, err := NewIndex(ctx, c, Options{Path: dir}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := NewIndex(ctx, c, Options{Path: dir}); err != nil {
			b.Fatal(err)
		}
	}
}
