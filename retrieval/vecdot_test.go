package retrieval

import (
	"math"
	"math/rand"
	"testing"
)

// TestDotF32 checks the dispatched dot product (AVX2 where the CPU has it)
// against a float64 reference for every length up to 100, covering the
// 32-wide, 8-wide and scalar tails, and at 384 and 512 dimensions.
func TestDotF32(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	lengths := []int{384, 512, 1536}
	for n := 1; n <= 100; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		a, b := make([]float32, n), make([]float32, n+3) // b longer: only len(a) is read
		var want float64
		for i := range a {
			a[i], b[i] = rng.Float32()*2-1, rng.Float32()*2-1
			want += float64(a[i]) * float64(b[i])
		}
		for name, f := range map[string]func(a, b []float32) float32{"dispatched": dotF32Same, "portable": dotUnrolled} {
			if got := f(a, b[:n]); math.Abs(float64(got)-want) > 1e-4*math.Sqrt(float64(n)) {
				t.Errorf("%s n=%d: %v, want %v", name, n, got, want)
			}
		}
	}
	if got := dotF32([]float32{1, 2}, []float32{1}); got != 0 {
		t.Errorf("mismatched lengths: %v, want 0", got)
	}
}

func dotF32Same(a, b []float32) float32 { return dotF32(a, b[:len(a)]) }

func BenchmarkDotF32(b *testing.B) {
	x, y := make([]float32, 512), make([]float32, 512)
	for i := range x {
		x[i], y[i] = float32(i%7)/7, float32(i%5)/5
	}
	var s float32
	for b.Loop() {
		s += dotF32(x, y)
	}
	_ = s
}
