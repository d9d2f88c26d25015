package minilm

import (
	"context"
	"math"
)

// EmbedTokens returns, for each text, the L2-normalised last-layer vector
// of each of its word pieces in order ([CLS] and [SEP] left out; a text is
// truncated like an embedded one, at MaxTokens pieces with them). These
// are the contextual vectors the sentence embedding is the mean of: a
// caller can match a question's pieces one by one against a passage's
// (late interaction), which tells which passage states what is asked better
// than one vector per text does. A text with no word piece gets an empty
// list. The texts run as one forward pass per batchRows tokens, on every
// worker; it returns ctx's error if ctx ends first.
func (m *Model) EmbedTokens(ctx context.Context, texts []string) ([][][]float32, error) {
	out := make([][][]float32, len(texts))
	h := m.Dim()
	for i := 0; i < len(texts); {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var seqs [][]int32
		rows, j := 0, i
		for j < len(texts) {
			s := m.Tokenize(texts[j])
			if j > i && rows+len(s) > batchRows {
				break
			}
			seqs = append(seqs, s)
			rows += len(s)
			j++
		}
		st, _ := m.states.Get().(*state)
		if st == nil {
			st = new(state)
		}
		x := m.enc.hiddenStates(st, seqs, m.workers)
		r := 0
		for k, s := range seqs {
			vecs := make([][]float32, 0, max(len(s)-2, 0))
			flat := make([]float32, max(len(s)-2, 0)*h)
			for p := range s {
				row := x[(r+p)*h : (r+p+1)*h]
				if p == 0 || p == len(s)-1 {
					continue // [CLS], [SEP]
				}
				v := flat[len(vecs)*h : (len(vecs)+1)*h : (len(vecs)+1)*h]
				var n float64
				for _, f := range row {
					n += float64(f) * float64(f)
				}
				inv := 0.0
				if n > 0 {
					inv = 1 / math.Sqrt(n)
				}
				for d, f := range row {
					v[d] = float32(float64(f) * inv)
				}
				vecs = append(vecs, v)
			}
			r += len(s)
			out[i+k] = vecs
		}
		m.states.Put(st)
		i = j
	}
	return out, nil
}

// Pieces returns how many vectors EmbedTokens gives for text: its word
// pieces, at most MaxTokens-2.
func (m *Model) Pieces(text string) int { return max(len(m.Tokenize(text))-2, 0) }
