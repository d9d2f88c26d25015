package minilm

import "math"

// erff is erf in float32 by a rational approximation on [-4, 4] (outside,
// erf is ±1 to float32 precision), accurate to a few float32 ulps; it is
// math.Erf's result at a fraction of the cost, which matters because GELU
// runs on every intermediate activation.
func erff(x float32) float32 {
	x = min(max(x, -4), 4)
	x2 := x * x
	p := x2*-2.72614225801306e-10 + 2.77068142495902e-08
	p = x2*p + -2.10102402082508e-06
	p = x2*p + -5.69250639462346e-05
	p = x2*p + -7.34990630326855e-04
	p = x2*p + -2.95459980854025e-03
	p = x2*p + -1.60960333262415e-02
	p *= x
	q := x2*-1.45660718464996e-05 + -2.13374055278905e-04
	q = x2*q + -1.68282697438203e-03
	q = x2*q + -7.37332916720468e-03
	q = x2*q + -1.42647390514189e-02
	return p / q
}

// expf is e^x in float32 for x ≤ 0 (softmax arguments), via float64 exp.
func expf(x float32) float32 { return float32(math.Exp(float64(x))) }
