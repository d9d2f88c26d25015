package retrieval

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// Since format 2 the index is saved in segments (segments.go), two files
// each, named by the manifest with the generation that wrote them:
//
//	seg-<g>-g<gen>.vec    the magic "CBSEG1\n\x00", the dimension and the
//	                      passage count as little-endian uint32, the vectors
//	                      as raw little-endian float32, then each passage's
//	                      id and content hash (uvarint length, bytes)
//	seg-<g>-g<gen>.terms  the segment's analyzed terms, in the terms file
//	                      layout (termfile.go) over the segment's own
//	                      dictionary
//
// A save writes only the segments whose passages (ids and content hashes,
// in order) differ from the saved ones, so one changed article rewrites one
// segment, not every vector. Format 1 (one index-<gen>.vec holding every
// vector, every id and hash in the manifest) still loads.
var segMagic = []byte("CBSEG1\n\x00")

// writeSegVectors writes the passages at docs of s (all with a vector of
// length dim) in the segment vector layout.
func writeSegVectors(w io.Writer, dim int, s *snapshot, docs []int32) error {
	hdr := make([]byte, vecHeaderSize)
	copy(hdr, segMagic)
	binary.LittleEndian.PutUint32(hdr[8:], uint32(dim))
	binary.LittleEndian.PutUint32(hdr[12:], uint32(len(docs)))
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	buf := make([]byte, 4*dim)
	for _, i := range docs {
		v := s.vecs[i]
		if len(v) != dim {
			return fmt.Errorf("passage %s has %d dimensions, want %d", s.passages[i].ID, len(v), dim)
		}
		for k, x := range v {
			binary.LittleEndian.PutUint32(buf[4*k:], math.Float32bits(x))
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	var vb [binary.MaxVarintLen64]byte
	for _, i := range docs {
		for _, str := range []string{s.passages[i].ID, s.hashes[i]} {
			if _, err := w.Write(vb[:binary.PutUvarint(vb[:], uint64(len(str)))]); err != nil {
				return err
			}
			if _, err := io.WriteString(w, str); err != nil {
				return err
			}
		}
	}
	return nil
}

// readSegVectors decodes a segment vector file that must hold n passages of
// dimension dim.
func readSegVectors(b []byte, dim, n int) (ids, hashes []string, vecs [][]float32, err error) {
	if len(b) < vecHeaderSize || !bytes.Equal(b[:8], segMagic) {
		return nil, nil, nil, errors.New("not a citebot segment file")
	}
	if d, c := int(binary.LittleEndian.Uint32(b[8:])), int(binary.LittleEndian.Uint32(b[12:])); d != dim || c != n {
		return nil, nil, nil, fmt.Errorf("holds %d vectors of %d dimensions, manifest says %d of %d", c, d, n, dim)
	}
	body := b[vecHeaderSize:]
	if len(body) < 4*dim*n {
		return nil, nil, nil, fmt.Errorf("%d bytes of vectors, want %d", len(body), 4*dim*n)
	}
	vecs = make([][]float32, n)
	for i := range vecs {
		v := make([]float32, dim)
		row := body[4*dim*i:]
		for k := range v {
			v[k] = math.Float32frombits(binary.LittleEndian.Uint32(row[4*k:]))
		}
		vecs[i] = v
	}
	r := bytes.NewReader(body[4*dim*n:])
	str := func() string {
		if err != nil {
			return ""
		}
		var l uint64
		if l, err = binary.ReadUvarint(r); err != nil || l > uint64(r.Len()) {
			err = fmt.Errorf("corrupt passage list")
			return ""
		}
		s := make([]byte, l)
		io.ReadFull(r, s)
		return string(s)
	}
	ids, hashes = make([]string, n), make([]string, n)
	for i := range n {
		ids[i], hashes[i] = str(), str()
		if err == nil && (ids[i] == "" || hashes[i] == "") {
			err = fmt.Errorf("passage %d has no id or hash", i)
		}
	}
	if err == nil && r.Len() != 0 {
		err = fmt.Errorf("%d trailing bytes", r.Len())
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return ids, hashes, vecs, nil
}

// writeSegTerms writes the analyzed terms of one BM25 segment in the terms
// file layout, over the segment's own dictionary (its term ids, in order).
func writeSegTerms(w io.Writer, dict *termDict, g *bm25Seg) error {
	bw := bufio.NewWriter(w)
	bw.Write(termMagic)
	var buf [binary.MaxVarintLen64]byte
	put := func(v uint64) { bw.Write(buf[:binary.PutUvarint(buf[:], v)]) }
	put(uint64(len(g.ids)))
	put(uint64(len(g.docLen)))
	for _, id := range g.ids {
		t := dict.terms[id]
		put(uint64(len(t)))
		bw.WriteString(t)
	}
	// Each document's (local term, tf) pairs, from the postings.
	n := make([]int32, len(g.docLen))
	for _, p := range g.post {
		n[p.doc()]++
	}
	start := make([]int32, len(g.docLen)+1)
	for i, c := range n {
		start[i+1] = start[i] + c
	}
	pairs := make([][2]uint32, len(g.post))
	next := slicesCloneInt32(start[:len(g.docLen)])
	for k := range g.ids {
		for _, p := range g.post[g.offs[k]:g.offs[k+1]] {
			pairs[next[p.doc()]] = [2]uint32{uint32(k), uint32(p.tf())}
			next[p.doc()]++
		}
	}
	for i, l := range g.docLen {
		put(uint64(l))
		put(uint64(n[i]))
		for _, pr := range pairs[start[i]:start[i+1]] {
			put(uint64(pr[0]))
			put(uint64(pr[1]))
		}
	}
	return bw.Flush()
}

func slicesCloneInt32(s []int32) []int32 { return append([]int32(nil), s...) }

// segmentDigest identifies the passages at docs of s: their ids and content
// hashes, in order. A saved segment with the same digest holds the same
// vectors and terms.
func segmentDigest(s *snapshot, docs []int32) string {
	var buf []byte
	for _, i := range docs {
		buf = append(append(buf, s.passages[i].ID...), 0)
		buf = append(append(buf, s.hashes[i]...), 0)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

// listEntries fills a format-2 manifest's Entries from its segment files'
// passage lists, reading past the vectors and checking no checksum (a load
// checks them): for callers that need only which passages are saved.
func (m *manifest) listEntries(dir string) error {
	if m.FormatVersion != manifestFormat {
		return nil
	}
	m.Entries = m.Entries[:0]
	for _, sg := range m.Segments {
		f, err := os.Open(filepath.Join(dir, sg.File))
		if err != nil {
			return fmt.Errorf("segment file: %w", err)
		}
		_, err = f.Seek(int64(vecHeaderSize+4*m.Dim*sg.Passages), io.SeekStart)
		var b []byte
		if err == nil {
			b, err = io.ReadAll(f)
		}
		f.Close()
		if err != nil {
			return fmt.Errorf("segment file %s: %w", sg.File, err)
		}
		r := bytes.NewReader(b)
		for range sg.Passages {
			var e [2]string
			for k := range e {
				l, err := binary.ReadUvarint(r)
				if err != nil || l > uint64(r.Len()) {
					return fmt.Errorf("segment file %s: corrupt passage list", sg.File)
				}
				s := make([]byte, l)
				io.ReadFull(r, s)
				e[k] = string(s)
			}
			m.Entries = append(m.Entries, manifestEntry{ID: e[0], Hash: e[1]})
		}
	}
	return nil
}
