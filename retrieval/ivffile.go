package retrieval

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// The layout file (ivf-<gen>.bin, named by the manifest) holds the dense
// store's partition layout, so a restart trains nothing: after the magic
// "CBIVF2\n\x00", little-endian, uint32 k (0 for an exact store that
// calibration kept exact), dimension, trainedN, probes and n (the
// manifest's passage count), float64 trainedImbalance and scanShare,
// uint32 sketch dimension (0: no sketch) and candidates, float64
// candRecall, then k×dim float32 centroids, k float32 biases, the sketch's
// mean (sketch dimension float32s) and n int32 partitions in manifest
// order (-1: none). A version 1 file ("CBIVF1", without the sketch fields)
// still reads. The manifest's SHA-256 guards it; a file that does not fit
// is ignored and the layout trained again.
var (
	ivfMagic   = []byte("CBIVF2\n\x00")
	ivfMagicV1 = []byte("CBIVF1\n\x00")
)

const (
	ivfHeaderSizeV1 = 8 + 5*4 + 2*8
	ivfHeaderSize   = ivfHeaderSizeV1 + 2*4 + 8
)

// writeLayout writes sd for the passages ids (manifest order).
func writeLayout(w io.Writer, sd *storeSeed, ids []string) error {
	dim := 0
	if len(sd.cents) > 0 {
		dim = len(sd.cents[0])
	}
	hdr := make([]byte, ivfHeaderSize)
	copy(hdr, ivfMagic)
	for i, v := range []int{len(sd.cents), dim, sd.trainedN, sd.probes, len(ids)} {
		binary.LittleEndian.PutUint32(hdr[8+4*i:], uint32(v))
	}
	binary.LittleEndian.PutUint64(hdr[28:], math.Float64bits(sd.trainedImbalance))
	binary.LittleEndian.PutUint64(hdr[36:], math.Float64bits(sd.scanShare))
	binary.LittleEndian.PutUint32(hdr[44:], uint32(len(sd.skMean)))
	binary.LittleEndian.PutUint32(hdr[48:], uint32(sd.candidates))
	binary.LittleEndian.PutUint64(hdr[52:], math.Float64bits(sd.candRecall))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	buf := make([]byte, 4*max(dim, 1))
	for c, v := range sd.cents {
		if len(v) != dim {
			return fmt.Errorf("centroid %d has %d dimensions, want %d", c, len(v), dim)
		}
		for k, x := range v {
			binary.LittleEndian.PutUint32(buf[4*k:], math.Float32bits(x))
		}
		if _, err := w.Write(buf[:4*dim]); err != nil {
			return err
		}
	}
	for c := range sd.cents {
		binary.LittleEndian.PutUint32(buf, math.Float32bits(sd.bias[c]))
		if _, err := w.Write(buf[:4]); err != nil {
			return err
		}
	}
	for _, x := range sd.skMean {
		binary.LittleEndian.PutUint32(buf, math.Float32bits(x))
		if _, err := w.Write(buf[:4]); err != nil {
			return err
		}
	}
	parts := make([]byte, 4*len(ids))
	for i, id := range ids {
		p, ok := sd.part[id]
		if !ok {
			p = -1
		}
		binary.LittleEndian.PutUint32(parts[4*i:], uint32(p))
	}
	_, err := w.Write(parts)
	return err
}

// readLayout decodes a layout file for the passages ids (manifest order).
func readLayout(b []byte, ids []string, dim int) (*storeSeed, error) {
	hsize := ivfHeaderSize
	switch {
	case len(b) >= ivfHeaderSizeV1 && bytes.Equal(b[:8], ivfMagicV1):
		hsize = ivfHeaderSizeV1
	case len(b) < ivfHeaderSize || !bytes.Equal(b[:8], ivfMagic):
		return nil, errors.New("not a citebot layout file")
	}
	u := func(i int) int { return int(binary.LittleEndian.Uint32(b[8+4*i:])) }
	k, d, n := u(0), u(1), u(4)
	sd := &storeSeed{trainedN: u(2), probes: u(3),
		trainedImbalance: math.Float64frombits(binary.LittleEndian.Uint64(b[28:])),
		scanShare:        math.Float64frombits(binary.LittleEndian.Uint64(b[36:]))}
	skd := 0
	if hsize == ivfHeaderSize {
		skd, sd.candidates = int(binary.LittleEndian.Uint32(b[44:])), int(binary.LittleEndian.Uint32(b[48:]))
		sd.candRecall = math.Float64frombits(binary.LittleEndian.Uint64(b[52:]))
	}
	switch {
	case n != len(ids):
		return nil, fmt.Errorf("assigns %d passages, manifest has %d", n, len(ids))
	case k > 0 && d != dim:
		return nil, fmt.Errorf("centroids of %d dimensions, vectors of %d", d, dim)
	case k > n:
		return nil, fmt.Errorf("%d partitions for %d passages", k, n)
	case skd > 0 && (k > 0 || skd != dim):
		return nil, fmt.Errorf("a sketch of %d dimensions with %d partitions, vectors of %d", skd, k, dim)
	case len(b) != hsize+4*k*d+4*k+4*skd+4*n:
		return nil, fmt.Errorf("%d bytes, want %d", len(b), hsize+4*k*d+4*k+4*skd+4*n)
	}
	body := b[hsize:]
	sd.cents = make([][]float32, k)
	for c := range sd.cents {
		v := make([]float32, d)
		for j := range v {
			v[j] = math.Float32frombits(binary.LittleEndian.Uint32(body[4*(c*d+j):]))
		}
		sd.cents[c] = v
	}
	sd.bias = make([]float32, k)
	for c := range sd.bias {
		sd.bias[c] = math.Float32frombits(binary.LittleEndian.Uint32(body[4*(k*d+c):]))
	}
	if k == 0 {
		sd.cents, sd.bias = nil, nil
	}
	if skd > 0 {
		sd.skMean = make([]float32, skd)
		for j := range sd.skMean {
			sd.skMean[j] = math.Float32frombits(binary.LittleEndian.Uint32(body[4*(k*d+k+j):]))
		}
	}
	parts := body[4*k*d+4*k+4*skd:]
	sd.part = make(map[string]int32, n)
	for i, id := range ids {
		p := int32(binary.LittleEndian.Uint32(parts[4*i:]))
		if p < -1 || int(p) >= max(k, 1) || (k == 0 && p != -1) {
			return nil, fmt.Errorf("passage %d in partition %d of %d", i, p, k)
		}
		if p >= 0 {
			sd.part[id] = p
		}
	}
	return sd, nil
}

// layoutStamp identifies s's layout for the persister's "already saved"
// check: the passages' digest does not change when a retrain moves them.
func layoutStamp(s *snapshot) string {
	if s == nil || s.store == nil {
		return ""
	}
	l := s.store.layout.Load()
	if l.cents == nil {
		return exactStamp(l.triedN, l.sk)
	}
	return fmt.Sprintf("%p", l.cents)
}

// exactStamp is layoutStamp for an exact layout calibrated at triedN.
func exactStamp(triedN int, sk *sketcher) string {
	if sk == nil {
		return fmt.Sprintf("exact/%d", triedN)
	}
	return fmt.Sprintf("exact/%d/%p", triedN, sk.mean)
}

// seedStamp is layoutStamp for a layout loaded from disk, which the first
// build adopts as is (same centroid slice).
func seedStamp(sd *storeSeed) string {
	switch {
	case sd == nil:
		return "exact/0"
	case sd.cents == nil && sd.skMean != nil:
		return fmt.Sprintf("exact/%d/%p", sd.trainedN, sd.skMean)
	case sd.cents == nil:
		return fmt.Sprintf("exact/%d", sd.trainedN)
	}
	return fmt.Sprintf("%p", sd.cents)
}

// seedOfSnapshot returns the layout to persist with s (nil: none).
func seedOfSnapshot(s *snapshot) *storeSeed {
	if s == nil || s.store == nil {
		return nil
	}
	return s.store.seedOf()
}
