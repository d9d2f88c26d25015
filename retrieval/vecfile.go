package retrieval

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// The index file holds the vectors as raw little-endian float32, in the
// manifest's passage order, after a 16-byte header: the magic "CBVEC1\n\x00",
// then the dimension and the count as uint32.
//
// It replaced a chromem-go export (gob, gzip): at 100k passages × 512
// dimensions that took ~3s to import and ~4s to write on 2 cores, because
// gob encodes every float on its own and float vectors barely compress; this
// layout reads at memory speed. The manifest's SHA-256 guards it.
var vecMagic = []byte("CBVEC1\n\x00")

const vecHeaderSize = 16

// writeVectors writes vecs (all of length dim) in the index file layout.
func writeVectors(w io.Writer, dim int, vecs [][]float32) error {
	hdr := make([]byte, vecHeaderSize)
	copy(hdr, vecMagic)
	binary.LittleEndian.PutUint32(hdr[8:], uint32(dim))
	binary.LittleEndian.PutUint32(hdr[12:], uint32(len(vecs)))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	buf := make([]byte, 4*dim)
	for i, v := range vecs {
		if len(v) != dim {
			return fmt.Errorf("vector %d has %d dimensions, want %d", i, len(v), dim)
		}
		for k, x := range v {
			binary.LittleEndian.PutUint32(buf[4*k:], math.Float32bits(x))
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// readVectors decodes an index file that must hold n vectors of length dim.
func readVectors(b []byte, dim, n int) ([][]float32, error) {
	if len(b) < vecHeaderSize || !bytes.Equal(b[:8], vecMagic) {
		return nil, errors.New("not a citebot vector file")
	}
	if d, c := int(binary.LittleEndian.Uint32(b[8:])), int(binary.LittleEndian.Uint32(b[12:])); d != dim || c != n {
		return nil, fmt.Errorf("holds %d vectors of %d dimensions, manifest says %d of %d", c, d, n, dim)
	}
	body := b[vecHeaderSize:]
	if len(body) != 4*dim*n {
		return nil, fmt.Errorf("%d bytes of vectors, want %d", len(body), 4*dim*n)
	}
	out := make([][]float32, n)
	for i := range out {
		v := make([]float32, dim)
		row := body[4*dim*i:]
		for k := range v {
			v[k] = math.Float32frombits(binary.LittleEndian.Uint32(row[4*k:]))
		}
		out[i] = v
	}
	return out, nil
}
