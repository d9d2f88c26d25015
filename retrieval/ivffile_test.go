package retrieval

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"
	"testing"
)

func TestLayoutFileRoundTrip(t *testing.T) {
	sd := &storeSeed{
		cents:    [][]float32{{1, 0, 0}, {0, 1, 0}},
		bias:     []float32{0.25, -0.5},
		trainedN: 9, probes: 2, trainedImbalance: 1.25, scanShare: 0.5,
		part: map[string]int32{"a": 0, "b": 1, "c": 1},
	}
	ids := []string{"a", "b", "c", "new"} // "new" has no partition
	var buf bytes.Buffer
	if err := writeLayout(&buf, sd, ids); err != nil {
		t.Fatal(err)
	}
	got, err := readLayout(buf.Bytes(), ids, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.cents) != 2 || !slices.Equal(got.cents[1], sd.cents[1]) || !slices.Equal(got.bias, sd.bias) ||
		got.trainedN != 9 || got.probes != 2 || got.trainedImbalance != 1.25 || got.scanShare != 0.5 {
		t.Errorf("read back %+v, want %+v", got, sd)
	}
	if len(got.part) != 3 || got.part["c"] != 1 {
		t.Errorf("partitions %v, want a:0 b:1 c:1 and none for new", got.part)
	}

	// An exact store that calibration kept exact: no centroids, the size.
	buf.Reset()
	if err := writeLayout(&buf, &storeSeed{trainedN: 40000, probes: 190, scanShare: 0.9}, ids); err != nil {
		t.Fatal(err)
	}
	if ex, err := readLayout(buf.Bytes(), ids, 3); err != nil || ex.cents != nil || ex.trainedN != 40000 || len(ex.part) != 0 {
		t.Errorf("exact layout read back %+v, %v", ex, err)
	}
}

// TestLayoutFileBad: every malformed layout file is an error that says
// what is wrong, never a panic or a wrong layout.
func TestLayoutFileBad(t *testing.T) {
	sd := &storeSeed{cents: [][]float32{{1, 0}, {0, 1}}, bias: []float32{0, 0}, part: map[string]int32{"a": 0, "b": 1}}
	ids := []string{"a", "b"}
	var buf bytes.Buffer
	if err := writeLayout(&buf, sd, ids); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	outOfRange := slices.Clone(good)
	binary.LittleEndian.PutUint32(outOfRange[len(outOfRange)-4:], 7)
	tests := []struct {
		name string
		b    []byte
		ids  []string
		dim  int
		want string
	}{
		{"empty", nil, ids, 2, "not a citebot layout file"},
		{"other magic", append([]byte("CBVEC1\n\x00"), good[8:]...), ids, 2, "not a citebot layout file"},
		{"truncated", good[:len(good)-3], ids, 2, "bytes, want"},
		{"other passages", good, []string{"a", "b", "c"}, 2, "assigns 2 passages, manifest has 3"},
		{"other dimension", good, ids, 384, "centroids of 2 dimensions, vectors of 384"},
		{"partition out of range", outOfRange, ids, 2, "in partition 7 of 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := readLayout(tt.b, tt.ids, tt.dim); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("readLayout: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// FuzzReadLayout: any bytes give a layout that fits the ids or an error.
func FuzzReadLayout(f *testing.F) {
	var buf bytes.Buffer
	sd := &storeSeed{cents: [][]float32{{1, 0}, {0, 1}}, bias: []float32{0, 0}, part: map[string]int32{"a": 0, "b": 1}}
	if err := writeLayout(&buf, sd, []string{"a", "b"}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	buf.Reset()
	if err := writeLayout(&buf, &storeSeed{trainedN: 2, skMean: []float32{0.5, 0.25}, candidates: 2, candRecall: 1}, []string{"a", "b"}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add(asV1(buf.Bytes()))
	f.Add([]byte("CBIVF1\n\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := readLayout(b, []string{"a", "b"}, 2)
		if err != nil {
			return
		}
		if len(got.bias) != len(got.cents) {
			t.Fatalf("%d centroids, %d biases", len(got.cents), len(got.bias))
		}
		if got.skMean != nil && (len(got.skMean) != 2 || got.cents != nil) {
			t.Fatalf("a %d-dimension sketch mean with %d centroids", len(got.skMean), len(got.cents))
		}
		for id, p := range got.part {
			if int(p) >= len(got.cents) || (id != "a" && id != "b") {
				t.Fatalf("passage %q in partition %d of %d", id, p, len(got.cents))
			}
		}
	})
}

// asV1 rewrites a version 2 layout file without a sketch as version 1.
func asV1(b []byte) []byte {
	v1 := append([]byte(nil), ivfMagicV1...)
	v1 = append(v1, b[8:ivfHeaderSizeV1]...)
	return append(v1, b[ivfHeaderSize:]...)
}

// TestLayoutFileV1: a layout file of the previous format still reads, as a
// layout without a sketch.
func TestLayoutFileV1(t *testing.T) {
	var buf bytes.Buffer
	sd := &storeSeed{cents: [][]float32{{1, 0}, {0, 1}}, bias: []float32{0.5, 0}, trainedN: 2, part: map[string]int32{"a": 1, "b": 0}}
	if err := writeLayout(&buf, sd, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	got, err := readLayout(asV1(buf.Bytes()), []string{"a", "b"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.cents) != 2 || got.bias[0] != 0.5 || got.part["a"] != 1 || got.skMean != nil || got.trainedN != 2 {
		t.Fatalf("version 1 file read as %+v", got)
	}
}
