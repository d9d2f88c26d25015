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
