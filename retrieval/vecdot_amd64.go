package retrieval

import "golang.org/x/sys/cpu"

// dotAVX2 is in vecdot_amd64.s: 32 floats per iteration in four FMA
// accumulators. len(b) must be ≥ len(a).
//
//go:noescape
func dotAVX2(a, b []float32) float32

// dotImpl uses AVX2 and FMA where the CPU has them (about ten times the
// portable loop at 512 dimensions), the portable loop otherwise.
var dotImpl = func() func(a, b []float32) float32 {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		return dotAVX2
	}
	return dotUnrolled
}()
