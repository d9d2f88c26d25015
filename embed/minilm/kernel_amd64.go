package minilm

import "golang.org/x/sys/cpu"

// hasFMA selects the AVX2/FMA micro-kernel; it is fixed at start-up.
var hasFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernel6x16FMA is kernel6x16Go in AVX2/FMA assembly (kernel_amd64.s). The
// caller guarantees k ≥ 1 and that every element it touches exists.
//
//go:noescape
func kernel6x16FMA(k int, a *float32, lda int, b *float32, c *float32, ldc int)

// kernel6x16HalfFMA is kernel6x16FMA with B's panel as fp16 bits, widened
// with F16C as it is read.
//
//go:noescape
func kernel6x16HalfFMA(k int, a *float32, lda int, b *uint16, c *float32, ldc int)

// kernel6x16Half is kernel6x16 with B's panel as fp16 bits.
func kernel6x16Half(k int, a []float32, lda int, b []uint16, c []float32, ldc int) {
	if k <= 0 {
		return
	}
	if !hasFMA || !hasF16C {
		kernel6x16HalfGo(k, a, lda, b, c, ldc)
		return
	}
	_ = a[(kernelRows-1)*lda+k-1]
	_ = b[k*panelWidth-1]
	_ = c[(kernelRows-1)*ldc+panelWidth-1]
	kernel6x16HalfFMA(k, &a[0], lda, &b[0], &c[0], ldc)
}

// kernel6x16 computes C[6×16] += A[6×k]·B[k×16]: A with row stride lda, B
// one packed panel, C with row stride ldc.
func kernel6x16(k int, a []float32, lda int, b []float32, c []float32, ldc int) {
	if k <= 0 {
		return
	}
	if !hasFMA {
		kernel6x16Go(k, a, lda, b, c, ldc)
		return
	}
	// Bounds checks, so the assembly never reads or writes outside the slices.
	_ = a[(kernelRows-1)*lda+k-1]
	_ = b[k*panelWidth-1]
	_ = c[(kernelRows-1)*ldc+panelWidth-1]
	kernel6x16FMA(k, &a[0], lda, &b[0], &c[0], ldc)
}

// kernelName says which micro-kernel runs, for benchmarks and reports.
func kernelName() string {
	if hasFMA {
		return "avx2-fma"
	}
	return "go"
}

// expAVX2 and geluAVX2 apply e^x and GELU to x[:n] in place, n a multiple
// of 8 (vecmath_amd64.s).
//
//go:noescape
func expAVX2(x *float32, n int)

//go:noescape
func geluAVX2(x *float32, n int)

// expInPlace sets x[i] = e^x[i] (to float32 precision; for softmax).
func expInPlace(x []float32) {
	n := 0
	if hasFMA {
		if n = len(x) &^ 7; n > 0 {
			expAVX2(&x[0], n)
		}
	}
	expGo(x[n:])
}

// geluInPlace applies GELU (the erf form) to x.
func geluInPlace(x []float32) {
	n := 0
	if hasFMA {
		if n = len(x) &^ 7; n > 0 {
			geluAVX2(&x[0], n)
		}
	}
	geluGo(x[n:])
}

// hasHalfKernel reports whether weights can stay fp16 (F16C and FMA).
func hasHalfKernel() bool { return hasFMA && hasF16C }
