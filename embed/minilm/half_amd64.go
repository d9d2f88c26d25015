package minilm

import "golang.org/x/sys/cpu"

// hasF16C selects the F16C conversion of fp16 weights.
var hasF16C = cpu.X86.HasAVX2 && cpu.X86.HasF16C

//go:noescape
func halfToFloatF16C(dst *float32, src *byte, n int) (bad bool)

// halvesToFloats widens the little-endian fp16 values in src into dst
// (len(dst) = len(src)/2) and reports whether all were finite.
func halvesToFloats(dst []float32, src []byte) bool {
	n := 0
	if hasF16C {
		n = len(dst) &^ 7
		if n > 0 {
			_ = src[2*n-1]
			if halfToFloatF16C(&dst[0], &src[0], n) {
				return false
			}
		}
	}
	return halvesToFloatsGo(dst[n:], src[2*n:])
}
