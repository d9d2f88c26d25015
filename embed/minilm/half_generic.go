//go:build !amd64

package minilm

// halvesToFloats widens the little-endian fp16 values in src into dst
// (len(dst) = len(src)/2) and reports whether all were finite.
func halvesToFloats(dst []float32, src []byte) bool { return halvesToFloatsGo(dst, src) }
