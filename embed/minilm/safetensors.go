package minilm

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// maxHeaderBytes bounds the JSON header of a safetensors file; the format's
// own reference implementation refuses headers over 100 MB.
const maxHeaderBytes = 100 << 20

// tensorInfo is one entry of a safetensors header.
type tensorInfo struct {
	DType   string   `json:"dtype"`
	Shape   []int64  `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

// safetensors is an open safetensors file whose header has been validated:
// every tensor has a known dtype, a shape whose size matches its byte range,
// and a byte range inside the file that overlaps no other tensor.
type safetensors struct {
	path      string
	f         *os.File
	dataStart int64
	tensors   map[string]tensorInfo
}

// dtypeSize is the byte width of each dtype the format defines.
func dtypeSize(dtype string) (int64, bool) {
	switch dtype {
	case "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3":
		return 1, true
	case "I16", "U16", "F16", "BF16":
		return 2, true
	case "I32", "U32", "F32":
		return 4, true
	case "I64", "U64", "F64":
		return 8, true
	}
	return 0, false
}

// openSafetensors opens path and validates its header. Errors name the file.
func openSafetensors(path string) (*safetensors, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := parseSafetensors(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return st, nil
}

func parseSafetensors(path string, f *os.File) (*safetensors, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: not a valid safetensors file: %s", path, fmt.Sprintf(format, a...))
	}
	var lenBuf [8]byte
	if _, err := f.ReadAt(lenBuf[:], 0); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, bad("%d bytes, shorter than the 8-byte header length", size)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > maxHeaderBytes || int64(n) > size-8 {
		return nil, bad("header length %d does not fit the file's %d bytes (truncated?)", n, size)
	}
	hdr := make([]byte, n)
	if _, err := f.ReadAt(hdr, 8); err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", path, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, bad("header is not a JSON object: %v", err)
	}
	st := &safetensors{path: path, f: f, dataStart: 8 + int64(n), tensors: make(map[string]tensorInfo, len(raw))}
	dataLen := size - st.dataStart
	type span struct {
		name       string
		begin, end int64
	}
	var spans []span
	for name, msg := range raw {
		if name == "__metadata__" {
			continue
		}
		var ti tensorInfo
		if err := json.Unmarshal(msg, &ti); err != nil {
			return nil, bad("tensor %q: %v", name, err)
		}
		w, ok := dtypeSize(ti.DType)
		if !ok {
			return nil, bad("tensor %q: unknown dtype %q", name, ti.DType)
		}
		elems := int64(1)
		for _, d := range ti.Shape {
			if d < 0 || (d > 0 && elems > math.MaxInt64/8/d) {
				return nil, bad("tensor %q: bad shape %v", name, ti.Shape)
			}
			elems *= d
		}
		b, e := ti.Offsets[0], ti.Offsets[1]
		if b < 0 || e < b || e > dataLen {
			return nil, bad("tensor %q: byte range [%d, %d) outside the %d data bytes (truncated?)", name, b, e, dataLen)
		}
		if e-b != elems*w {
			return nil, bad("tensor %q: shape %v of %s needs %d bytes, its range holds %d", name, ti.Shape, ti.DType, elems*w, e-b)
		}
		st.tensors[name] = ti
		spans = append(spans, span{name, b, e})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].begin < spans[j].begin })
	for i := 1; i < len(spans); i++ {
		if spans[i].begin < spans[i-1].end {
			return nil, bad("tensors %q and %q overlap", spans[i-1].name, spans[i].name)
		}
	}
	return st, nil
}

// Close closes the file.
func (st *safetensors) Close() error { return st.f.Close() }

// raw returns the bytes of tensor name after checking its dtype is one of
// dtypes and its shape is exactly shape.
func (st *safetensors) raw(name string, shape []int, dtypes ...string) ([]byte, string, error) {
	ti, ok := st.tensors[name]
	if !ok {
		return nil, "", fmt.Errorf("%s: tensor %q missing", st.path, name)
	}
	okType := false
	for _, d := range dtypes {
		okType = okType || ti.DType == d
	}
	if !okType {
		return nil, "", fmt.Errorf("%s: tensor %q has dtype %s, want one of %v", st.path, name, ti.DType, dtypes)
	}
	same := len(ti.Shape) == len(shape)
	for i := 0; same && i < len(shape); i++ {
		same = ti.Shape[i] == int64(shape[i])
	}
	if !same {
		return nil, "", fmt.Errorf("%s: tensor %q has shape %v, want %v", st.path, name, ti.Shape, shape)
	}
	buf := make([]byte, ti.Offsets[1]-ti.Offsets[0])
	if _, err := st.f.ReadAt(buf, st.dataStart+ti.Offsets[0]); err != nil {
		return nil, "", fmt.Errorf("%s: reading tensor %q: %w", st.path, name, err)
	}
	return buf, ti.DType, nil
}

// float32s reads an F16 or F32 tensor of the given shape as float32.
func (st *safetensors) float32s(name string, shape ...int) ([]float32, error) {
	buf, dt, err := st.raw(name, shape, "F16", "F32")
	if err != nil {
		return nil, err
	}
	if dt == "F32" {
		out := make([]float32, len(buf)/4)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
		}
		return out, checkFinite(st.path, name, out)
	}
	out := make([]float32, len(buf)/2)
	if !halvesToFloats(out, buf) {
		return nil, checkFinite(st.path, name, out)
	}
	return out, nil
}

// halvesToFloatsGo is halvesToFloats in plain Go.
func halvesToFloatsGo(dst []float32, src []byte) bool {
	ok := true
	for i := range dst {
		h := binary.LittleEndian.Uint16(src[2*i:])
		ok = ok && h&0x7c00 != 0x7c00
		dst[i] = halfToFloat(h)
	}
	return ok
}

// checkFinite rejects NaN and infinite weights, which would turn every
// vector into NaN without another symptom.
func checkFinite(path, name string, v []float32) error {
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("%s: tensor %q: element %d is %v", path, name, i, x)
		}
	}
	return nil
}

// halfToFloat converts an IEEE 754 binary16 value to float32 exactly.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: normalise
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		mant &= 0x3ff
		return math.Float32frombits(sign | e<<23 | mant<<13)
	case exp == 0x1f:
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	default:
		return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
	}
}
