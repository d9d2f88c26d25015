package retrieval

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The terms file stores every passage's analyzed terms as counts, in the
// manifest's passage order, so a restart builds BM25 without tokenizing:
// the magic "CBTRM1\n\x00", then uvarints: the dictionary size and the
// passage count, each dictionary term (length, bytes), and per passage its
// length, its number of distinct terms and (term id, count) pairs.
var termMagic = []byte("CBTRM1\n\x00")

// writeTerms writes the terms of passages with the given content hashes.
func writeTerms(w io.Writer, tt *termTable, hashes []string) error {
	bw := bufio.NewWriter(w)
	bw.Write(termMagic)
	var buf [binary.MaxVarintLen64]byte
	put := func(v uint64) { bw.Write(buf[:binary.PutUvarint(buf[:], v)]) }
	put(uint64(len(tt.dict)))
	put(uint64(len(hashes)))
	for _, t := range tt.dict {
		put(uint64(len(t)))
		bw.WriteString(t)
	}
	for _, h := range hashes {
		d, ok := tt.byHash[h]
		if !ok {
			return fmt.Errorf("no terms for content %s", h)
		}
		put(uint64(d.length))
		put(uint64(len(d.ids)))
		for k, id := range d.ids {
			put(uint64(id))
			put(uint64(d.tfs[k]))
		}
	}
	return bw.Flush()
}

// readTerms decodes a terms file for passages with the given content hashes.
func readTerms(b []byte, hashes []string) (*termTable, error) {
	if !bytes.HasPrefix(b, termMagic) {
		return nil, errors.New("not a citebot terms file")
	}
	r := bytes.NewReader(b[len(termMagic):])
	var err error
	get := func(limit uint64) uint64 {
		if err != nil {
			return 0
		}
		var v uint64
		v, err = binary.ReadUvarint(r)
		if err == nil && v > limit {
			err = fmt.Errorf("value %d out of range", v)
		}
		return v
	}
	nDict := get(uint64(len(b)))
	nDocs := get(uint64(len(b)))
	if err == nil && nDocs != uint64(len(hashes)) {
		return nil, fmt.Errorf("holds %d passages, manifest lists %d", nDocs, len(hashes))
	}
	tt := &termTable{byHash: make(map[string]docTerms, len(hashes))}
	for range nDict {
		n := get(uint64(r.Len()))
		if err != nil {
			break
		}
		t := make([]byte, n)
		io.ReadFull(r, t)
		tt.dict = append(tt.dict, string(t))
	}
	for _, h := range hashes {
		length := get(1 << 31)
		n := get(uint64(r.Len()))
		if err != nil {
			break
		}
		d := docTerms{length: int32(length), ids: make([]uint32, n), tfs: make([]int32, n)}
		for k := range d.ids {
			id := get(nDict)
			if err == nil && id == nDict {
				err = fmt.Errorf("term id %d out of range", id)
			}
			d.ids[k] = uint32(id)
			d.tfs[k] = int32(get(1 << 31))
		}
		tt.byHash[h] = d
	}
	if err != nil {
		return nil, fmt.Errorf("corrupt terms file: %w", err)
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("corrupt terms file: %d trailing bytes", r.Len())
	}
	return tt, nil
}
