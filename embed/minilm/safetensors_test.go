package minilm

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeSafetensors writes a safetensors file with the given header and data.
func writeSafetensors(t *testing.T, header any, data []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	buf := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	buf = append(append(buf, h...), data...)
	p := filepath.Join(t.TempDir(), "m.safetensors")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSafetensorsReadsF16AndF32(t *testing.T) {
	// 1.0, -2.0 and 0.5 as fp16, then 3.0 as fp32.
	data := []byte{0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0, 0, 0x40, 0x40}
	p := writeSafetensors(t, map[string]any{
		"__metadata__": map[string]string{"format": "pt"},
		"h":            map[string]any{"dtype": "F16", "shape": []int{3}, "data_offsets": []int{0, 6}},
		"f":            map[string]any{"dtype": "F32", "shape": []int{1, 1}, "data_offsets": []int{6, 10}},
	}, data)
	st, err := openSafetensors(p)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := st.float32s("h", 3)
	if err != nil || h[0] != 1 || h[1] != -2 || h[2] != 0.5 {
		t.Fatalf("h = %v, %v", h, err)
	}
	f, err := st.float32s("f", 1, 1)
	if err != nil || f[0] != 3 {
		t.Fatalf("f = %v, %v", f, err)
	}
	if _, err := st.float32s("h", 4); err == nil || !strings.Contains(err.Error(), "shape") {
		t.Fatalf("wrong shape: %v", err)
	}
	if _, err := st.float32s("nope", 1); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("missing tensor: %v", err)
	}
}

func TestSafetensorsRejectsBadFiles(t *testing.T) {
	t16 := func(shape []int, off []int) map[string]any {
		return map[string]any{"dtype": "F16", "shape": shape, "data_offsets": off}
	}
	cases := []struct {
		name   string
		file   func(t *testing.T) string
		errHas string
	}{
		{"empty file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "m.safetensors")
			os.WriteFile(p, nil, 0o644)
			return p
		}, "shorter than"},
		{"header longer than the file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "m.safetensors")
			os.WriteFile(p, binary.LittleEndian.AppendUint64(nil, 1<<40), 0o644)
			return p
		}, "header length"},
		{"header not JSON", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "m.safetensors")
			os.WriteFile(p, append(binary.LittleEndian.AppendUint64(nil, 3), "{x}"...), 0o644)
			return p
		}, "not a JSON object"},
		{"unknown dtype", func(t *testing.T) string {
			return writeSafetensors(t, map[string]any{"a": map[string]any{"dtype": "Q4", "shape": []int{1}, "data_offsets": []int{0, 2}}}, make([]byte, 2))
		}, "unknown dtype"},
		{"truncated data", func(t *testing.T) string {
			return writeSafetensors(t, map[string]any{"a": t16([]int{4}, []int{0, 8})}, make([]byte, 6))
		}, "truncated"},
		{"shape does not match range", func(t *testing.T) string {
			return writeSafetensors(t, map[string]any{"a": t16([]int{3}, []int{0, 8})}, make([]byte, 8))
		}, "needs 6 bytes"},
		{"overlapping tensors", func(t *testing.T) string {
			return writeSafetensors(t, map[string]any{"a": t16([]int{2}, []int{0, 4}), "b": t16([]int{2}, []int{2, 6})}, make([]byte, 6))
		}, "overlap"},
		{"negative dimension", func(t *testing.T) string {
			return writeSafetensors(t, map[string]any{"a": t16([]int{-2}, []int{0, 4})}, make([]byte, 4))
		}, "bad shape"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.file(t)
			st, err := openSafetensors(p)
			if err == nil {
				st.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), c.errHas) {
				t.Fatalf("error %q should name %s and say %q", err, p, c.errHas)
			}
		})
	}
}

func TestSafetensorsRejectsNaNWeights(t *testing.T) {
	p := writeSafetensors(t, map[string]any{"a": map[string]any{"dtype": "F16", "shape": []int{1}, "data_offsets": []int{0, 2}}}, []byte{0x00, 0x7e})
	st, err := openSafetensors(p)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.float32s("a", 1); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("NaN weight: %v", err)
	}
}

func TestHalfToFloat(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float32
	}{{0x0000, 0}, {0x3c00, 1}, {0xc000, -2}, {0x7bff, 65504}, {0x0001, 5.9604645e-08}, {0x03ff, 6.097555e-05}, {0x3555, 0.33325195}} {
		if got := halfToFloat(c.h); got != c.want {
			t.Errorf("halfToFloat(%#04x) = %g, want %g", c.h, got, c.want)
		}
	}
}

// TestHalvesToFloats checks the F16C widening (where the CPU has it)
// against halfToFloat on every fp16 value, and its finiteness report.
func TestHalvesToFloats(t *testing.T) {
	src := make([]byte, 2*65536)
	for h := 0; h < 65536; h++ {
		binary.LittleEndian.PutUint16(src[2*h:], uint16(h))
	}
	finite := make([]byte, 0, len(src))
	for h := 0; h < 65536; h++ {
		if h&0x7c00 != 0x7c00 {
			finite = binary.LittleEndian.AppendUint16(finite, uint16(h))
		}
	}
	finite = finite[:len(finite)-6] // not a multiple of 8
	dst := make([]float32, len(finite)/2)
	if !halvesToFloats(dst, finite) {
		t.Fatal("finite values reported as non-finite")
	}
	for i, v := range dst {
		if want := halfToFloat(binary.LittleEndian.Uint16(finite[2*i:])); v != want {
			t.Fatalf("value %d: %g, want %g", i, v, want)
		}
	}
	if halvesToFloats(make([]float32, 65536), src) {
		t.Fatal("infinities and NaNs not reported")
	}
	tail := append(make([]byte, 16), 0x00, 0x7c) // +Inf in the Go tail
	if halvesToFloats(make([]float32, 9), tail) {
		t.Fatal("an infinity in the tail not reported")
	}
}
