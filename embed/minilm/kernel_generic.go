//go:build !amd64

package minilm

func kernel6x16(k int, a []float32, lda int, b []float32, c []float32, ldc int) {
	kernel6x16Go(k, a, lda, b, c, ldc)
}

// kernelName says which micro-kernel runs, for benchmarks and reports.
func kernelName() string { return "go" }

// expInPlace sets x[i] = e^x[i] (to float32 precision; for softmax).
func expInPlace(x []float32) { expGo(x) }

// geluInPlace applies GELU (the erf form) to x.
func geluInPlace(x []float32) { geluGo(x) }

func kernel6x16Half(k int, a []float32, lda int, b []uint16, c []float32, ldc int) {
	kernel6x16HalfGo(k, a, lda, b, c, ldc)
}

// hasHalfKernel reports whether weights can stay fp16: not worth it
// without a SIMD widening.
func hasHalfKernel() bool { return false }
