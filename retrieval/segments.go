package retrieval

import (
	"fmt"
	"hash/fnv"
)

// A snapshot's passages are grouped into segments by article: the BM25
// index is built per segment (bm25seg.go), so one changed article rebuilds
// one segment's postings and shares the rest with the previous snapshot.
// The segment of an article depends only on its id and the segment count,
// which is kept from one snapshot to the next while the mean segment size
// stays within a factor of four of segSize.

// segSize is the mean number of passages per segment a new segmentation
// aims at: rebuilding one costs a few milliseconds, and each adds a
// binary search per query term.
const segSize = 4096

// segmentCount returns the segment count for n passages given the previous
// snapshot's (0: none) and the mean segment size aimed at.
func segmentCount(n, prev, size int) int {
	if prev > 0 && n >= prev*size/4 && n <= prev*size*4 {
		return prev
	}
	return max(1, n/size)
}

// segOf returns the segment of article docID among k.
func segOf(docID string, k int) int {
	if k <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(docID))
	return int(h.Sum32() % uint32(k))
}

// segmentPassages fills s.segDocs with nseg segments: each lists its
// passages' indexes in corpus order. Only an article of 16 million passages
// makes a segment too large for BM25's postings: that is an error.
func segmentPassages(s *snapshot, nseg int) error {
	seg := make([]int32, len(s.passages))
	size := make([]int, nseg)
	last, at := "", -1
	for i := range s.passages {
		if d := s.passages[i].DocID; at < 0 || d != last {
			last, at = d, segOf(d, nseg)
		}
		seg[i] = int32(at)
		size[at]++
	}
	s.segDocs = make([][]int32, nseg)
	for g := range s.segDocs {
		s.segDocs[g] = make([]int32, 0, size[g])
	}
	for i, g := range seg {
		s.segDocs[g] = append(s.segDocs[g], int32(i))
	}
	for _, docs := range s.segDocs {
		if len(docs) >= maxSegDocs {
			return fmt.Errorf("retrieval: %d passages in one segment (article %q): at most %d", len(docs), s.passages[docs[0]].DocID, maxSegDocs-1)
		}
	}
	return nil
}
