package minilm

import (
	"math"
	"testing"
)

func TestErffMatchesErf(t *testing.T) {
	var worst float64
	for x := -6.0; x <= 6.0; x += 1e-4 {
		got := float64(erff(float32(x)))
		worst = max(worst, math.Abs(got-math.Erf(x)))
	}
	if worst > 2e-6 {
		t.Fatalf("erff differs from math.Erf by up to %g", worst)
	}
}

// TestVectorMathMatchesScalar checks the SIMD exp and GELU (where the CPU
// has them) against math.Exp and math.Erf, tails included.
func TestVectorMathMatchesScalar(t *testing.T) {
	var xs []float32
	for x := float32(-100); x <= 10; x += 0.0137 {
		xs = append(xs, x)
	}
	xs = xs[:len(xs)-3] // not a multiple of 8
	e := append([]float32(nil), xs...)
	expInPlace(e)
	g := append([]float32(nil), xs...)
	geluInPlace(g)
	for i, x := range xs {
		we := math.Exp(float64(x))
		if d := math.Abs(float64(e[i]) - we); d > 2e-7*we+1e-38 {
			t.Fatalf("exp(%g) = %g, want %g", x, e[i], we)
		}
		wg := 0.5 * float64(x) * (1 + math.Erf(float64(x)/math.Sqrt2))
		if d := math.Abs(float64(g[i]) - wg); d > 1e-5*math.Max(1, math.Abs(wg)) {
			t.Fatalf("gelu(%g) = %g, want %g", x, g[i], wg)
		}
	}
	t.Logf("kernel %s", kernelName())
}
