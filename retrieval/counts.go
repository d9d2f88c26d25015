package retrieval

// PassageCount returns how many passages article docID was cut into in the
// current snapshot; 0 for an unknown id.
func (ix *Index) PassageCount(docID string) int {
	if ix.remote != nil {
		if st := ix.remote.state.Load(); st != nil {
			return st.counts[docID]
		}
		return 0
	}
	n := 0
	for _, p := range ix.snap.Load().passages {
		if p.DocID == docID {
			n++
		}
	}
	return n
}
