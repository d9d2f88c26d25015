package minilm

import (
	"math"
	"sync"
)

// layer is one BERT encoder layer with its Linear weights packed for gemm.
// Q, K and V are one product of width 3·hidden.
type layer struct {
	qkv, out, up, down   packed
	qkvBias, outBias     []float32
	upBias, downBias     []float32
	attnNormG, attnNormB []float32
	outNormG, outNormB   []float32
}

// encoder is the BERT encoder with its weights as float32 (word embeddings
// stay fp16 and are widened per token, which halves their memory).
type encoder struct {
	hidden, heads, inter int
	eps                  float32
	wordEmb              []byte // vocab×hidden, little-endian fp16
	posEmb, typeEmb      []float32
	embNormG, embNormB   []float32
	layers               []layer
}

// state is one forward pass's working memory, reused through a pool.
type state struct {
	x, qkv, ctx, tmp, inter []float32
	scores, packK, packV    [][]float32 // per worker
	scratch                 []gemmScratch
}

func (st *state) size(rows, hidden, inter, workers int) {
	st.x = grow(st.x, rows*hidden)
	st.qkv = grow(st.qkv, rows*3*hidden)
	st.ctx = grow(st.ctx, rows*hidden)
	st.tmp = grow(st.tmp, rows*hidden)
	st.inter = grow(st.inter, rows*inter)
	for len(st.scratch) < workers {
		st.scratch = append(st.scratch, gemmScratch{})
		st.scores = append(st.scores, nil)
		st.packK = append(st.packK, nil)
		st.packV = append(st.packV, nil)
	}
}

// forward encodes a batch of token sequences, their rows concatenated (the
// Linear layers treat rows independently, so no padding is needed; only
// attention looks at a sequence as a whole), and writes each sequence's
// mean-pooled, L2-normalised vector to out[i]. workers goroutines share the
// products.
func (e *encoder) forward(st *state, seqs [][]int32, out [][]float32, workers int) {
	h := e.hidden
	x := e.hiddenStates(st, seqs, workers)

	// Mean pooling over every token (the attention mask is all ones: no
	// padding), then L2 normalisation.
	r := 0
	for i, s := range seqs {
		v := out[i]
		acc := make([]float64, h)
		for range s {
			for j, f := range x[r*h : (r+1)*h] {
				acc[j] += float64(f)
			}
			r++
		}
		var norm float64
		for j := range acc {
			acc[j] /= float64(len(s))
			norm += acc[j] * acc[j]
		}
		norm = math.Sqrt(norm)
		for j := range v {
			v[j] = float32(acc[j] / norm)
		}
	}
}

// hiddenStates runs the encoder over seqs (their tokens concatenated, no
// padding) and returns the last layer's states, one row of e.hidden per
// token in order; the slice is st's and valid until st is used again.
func (e *encoder) hiddenStates(st *state, seqs [][]int32, workers int) []float32 {
	h := e.hidden
	rows := 0
	for _, s := range seqs {
		rows += len(s)
	}
	st.size(rows, h, e.inter, workers)
	x := st.x[:rows*h]

	// Embeddings: word + position + token type 0, then LayerNorm.
	r := 0
	for _, s := range seqs {
		for pos, id := range s {
			row := x[r*h : (r+1)*h]
			halvesToFloats(row, e.wordEmb[2*int(id)*h:2*(int(id)+1)*h])
			pe := e.posEmb[pos*h : (pos+1)*h]
			for j := range row {
				row[j] += pe[j] + e.typeEmb[j]
			}
			r++
		}
	}
	layerNorm(x, nil, e.embNormG, e.embNormB, h, e.eps)

	for li := range e.layers {
		l := &e.layers[li]
		qkv := st.qkv[:rows*3*h]
		e.linear(st, x, rows, h, l.qkv, l.qkvBias, qkv, workers)
		e.attention(st, seqs, qkv, st.ctx[:rows*h], workers)
		tmp := st.tmp[:rows*h]
		e.linear(st, st.ctx, rows, h, l.out, l.outBias, tmp, workers)
		layerNorm(x, tmp, l.attnNormG, l.attnNormB, h, e.eps)
		inter := st.inter[:rows*e.inter]
		e.linear(st, x, rows, h, l.up, l.upBias, inter, workers)
		geluInPlace(inter)
		e.linear(st, inter, rows, e.inter, l.down, l.downBias, tmp, workers)
		layerNorm(x, tmp, l.outNormG, l.outNormB, h, e.eps)
	}
	return x
}

// linear sets y = x·Wᵀ + bias for rows rows of x (row length in), splitting
// w's panels among workers.
func (e *encoder) linear(st *state, x []float32, rows, in int, w packed, bias, y []float32, workers int) {
	n := w.n
	for r := 0; r < rows; r++ {
		copy(y[r*n:(r+1)*n], bias)
	}
	panels := n / panelWidth
	parallel(panels, workers, func(lo, hi, wk int) {
		gemm(rows, x, in, w, lo, hi, y[lo*panelWidth:], n, &st.scratch[wk])
	})
}

// attention computes multi-head self-attention of each sequence from its
// rows of qkv (Q, K, V side by side) into ctx, heads split among workers.
func (e *encoder) attention(st *state, seqs [][]int32, qkv, ctx []float32, workers int) {
	h := e.hidden
	dh := h / e.heads
	scale := float32(1 / math.Sqrt(float64(dh)))
	type job struct{ row, t, head int }
	jobs := make([]job, 0, len(seqs)*e.heads)
	r := 0
	for _, s := range seqs {
		for hd := 0; hd < e.heads; hd++ {
			jobs = append(jobs, job{r, len(s), hd})
		}
		r += len(s)
	}
	parallel(len(jobs), workers, func(lo, hi, wk int) {
		for _, j := range jobs[lo:hi] {
			t := j.t
			q := qkv[j.row*3*h+j.head*dh:]
			k := qkv[j.row*3*h+h+j.head*dh:]
			v := qkv[j.row*3*h+2*h+j.head*dh:]
			kt := packCols(st.packK[wk], k, 3*h, dh, t) // B = Kᵀ: dh × t
			st.packK[wk] = kt.data
			tp := kt.n
			st.scores[wk] = grow(st.scores[wk], t*tp)
			sc := st.scores[wk]
			clear(sc)
			gemm(t, q, 3*h, kt, 0, tp/panelWidth, sc, tp, &st.scratch[wk])
			for i := 0; i < t; i++ {
				softmaxScaled(sc[i*tp:i*tp+t], scale)
				clear(sc[i*tp+t : (i+1)*tp])
			}
			vp := packRows(st.packV[wk], v, 3*h, t, dh) // B = V: t × dh
			st.packV[wk] = vp.data
			c := ctx[j.row*h+j.head*dh:]
			for i := 0; i < t; i++ {
				clear(c[i*h : i*h+dh])
			}
			gemm(t, sc, tp, vp, 0, vp.n/panelWidth, c, h, &st.scratch[wk])
		}
	})
}

// parallel runs f over [0, n) split into at most workers contiguous
// ranges, f's third argument naming the worker (for its scratch memory).
func parallel(n, workers int, f func(lo, hi, worker int)) {
	if workers <= 1 || n < 2 {
		f(0, n, 0)
		return
	}
	workers = min(workers, n)
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi, w)
		}()
	}
	f(0, n/workers, 0)
	wg.Wait()
}

// layerNorm sets each row of x (length h) to LayerNorm(x + res) with gain g
// and bias b; res may be nil.
func layerNorm(x, res, g, b []float32, h int, eps float32) {
	for r := 0; r < len(x)/h; r++ {
		row := x[r*h : (r+1)*h]
		if res != nil {
			for j, v := range res[r*h : (r+1)*h] {
				row[j] += v
			}
		}
		var sum float64
		for _, v := range row {
			sum += float64(v)
		}
		mean := sum / float64(h)
		var ss float64
		for _, v := range row {
			d := float64(v) - mean
			ss += d * d
		}
		inv := 1 / math.Sqrt(ss/float64(h)+float64(eps))
		for j, v := range row {
			row[j] = float32((float64(v)-mean)*inv)*g[j] + b[j]
		}
	}
}

// softmaxScaled sets s to softmax(scale·s).
func softmaxScaled(s []float32, scale float32) {
	m := float32(math.Inf(-1))
	for _, v := range s {
		m = max(m, v)
	}
	for i, v := range s {
		s[i] = (v - m) * scale
	}
	expInPlace(s)
	var sum float32
	for _, v := range s {
		sum += v
	}
	inv := 1 / sum
	for i := range s {
		s[i] *= inv
	}
}

// geluGo applies GELU, the exact (erf) form BERT's "gelu" names.
func geluGo(x []float32) {
	for i, v := range x {
		x[i] = 0.5 * v * (1 + erff(v*math.Sqrt2/2))
	}
}

// expGo sets x[i] = e^x[i].
func expGo(x []float32) {
	for i, v := range x {
		x[i] = expf(v)
	}
}
