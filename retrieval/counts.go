package retrieval

// PassageCount returns how many passages article docID was cut into in the
// current snapshot; 0 for an unknown id.
func (ix *Index) PassageCount(docID string) int {
	n := 0
	for _, p := range ix.snap.Load().passages {
		if p.DocID == docID {
			n++
		}
	}
	return n
}
