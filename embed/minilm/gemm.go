package minilm

// The matrix products: C[m×n] += A[m×k] · B[k×n], with A row-major (row
// stride lda) and B packed once into panels of panelWidth columns, each panel
// k rows of panelWidth contiguous floats. A micro-kernel computes a
// kernelRows×panelWidth block of C from a strip of A and one panel; the
// driver walks k in blocks so a panel slice stays in the L1 cache while it
// meets every row of A.

const (
	panelWidth = 16  // columns per packed panel: two 8-float AVX registers
	kernelRows = 6   // rows of C per micro-kernel call: 12 accumulators
	kBlock     = 256 // k per pass: a 16 KiB panel slice
)

// packed is a k×n matrix in panels (n a multiple of panelWidth), its
// values in data, or, for weights that are fp16 in the model file, as the
// fp16 bits in half (widened inside the micro-kernel: half the memory
// traffic, the same values).
type packed struct {
	k, n int
	data []float32
	half []uint16
}

// packTransposedHalf is packTransposed for fp16 weights given as
// little-endian bytes, keeping them fp16.
func packTransposedHalf(w []byte, n, k int) packed {
	p := packed{k: k, n: n, half: make([]uint16, n*k)}
	for j := 0; j < n; j++ {
		panel, col := j/panelWidth, j%panelWidth
		base := panel * k * panelWidth
		row := w[2*j*k : 2*(j+1)*k]
		for kk := 0; kk < k; kk++ {
			p.half[base+kk*panelWidth+col] = uint16(row[2*kk]) | uint16(row[2*kk+1])<<8
		}
	}
	return p
}

// packTransposed packs the transpose of w, an n×k row-major matrix (a
// PyTorch Linear weight, out×in), so that C = A·wᵀ.
func packTransposed(w []float32, n, k int) packed {
	p := packed{k: k, n: n, data: make([]float32, n*k)}
	for j := 0; j < n; j++ {
		panel, col := j/panelWidth, j%panelWidth
		base := panel * k * panelWidth
		row := w[j*k : (j+1)*k]
		for kk, v := range row {
			p.data[base+kk*panelWidth+col] = v
		}
	}
	return p
}

// packRows packs rows r of a row-major matrix with row stride ld: B[kk][j] =
// src[kk*ld + j] for kk < k, j < n, into dst (grown as needed), zero-padding
// n up to a multiple of panelWidth.
func packRows(dst []float32, src []float32, ld, k, n int) packed {
	np := (n + panelWidth - 1) / panelWidth * panelWidth
	dst = grow(dst, np*k)
	for p := 0; p < np/panelWidth; p++ {
		base := p * k * panelWidth
		for kk := 0; kk < k; kk++ {
			out := dst[base+kk*panelWidth : base+(kk+1)*panelWidth]
			j0 := p * panelWidth
			w := min(panelWidth, n-j0)
			copy(out, src[kk*ld+j0:kk*ld+j0+w])
			clear(out[w:])
		}
	}
	return packed{k: k, n: np, data: dst[:np*k]}
}

// packCols packs the transpose of rows of src: B[kk][j] = src[j*ld + kk] for
// kk < k, j < n (so C = A·Xᵀ for X the n×k matrix in src), zero-padding n.
func packCols(dst []float32, src []float32, ld, k, n int) packed {
	np := (n + panelWidth - 1) / panelWidth * panelWidth
	dst = grow(dst, np*k)
	clear(dst[:np*k])
	for j := 0; j < n; j++ {
		base := (j / panelWidth) * k * panelWidth
		col := j % panelWidth
		row := src[j*ld : j*ld+k]
		for kk, v := range row {
			dst[base+kk*panelWidth+col] = v
		}
	}
	return packed{k: k, n: np, data: dst[:np*k]}
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// gemmScratch holds the padded copies of a product's last rows when m is
// not a multiple of kernelRows.
type gemmScratch struct {
	a []float32
	c [kernelRows * panelWidth]float32
}

// gemm adds A·B to C for the panels [p0, p1) of b: C[m×(p1-p0)·16] with
// row stride ldc, its first column that of panel p0.
func gemm(m int, a []float32, lda int, b packed, p0, p1 int, c []float32, ldc int, s *gemmScratch) {
	k := b.k
	full := m / kernelRows * kernelRows
	rest := m - full
	if rest > 0 {
		s.a = grow(s.a, kernelRows*k)
		clear(s.a)
		for r := 0; r < rest; r++ {
			copy(s.a[r*k:(r+1)*k], a[(full+r)*lda:(full+r)*lda+k])
		}
	}
	for k0 := 0; k0 < k; k0 += kBlock {
		kc := min(kBlock, k-k0)
		for p := p0; p < p1; p++ {
			off := p*k*panelWidth + k0*panelWidth
			kern := func(a []float32, lda int, c []float32, ldc int) {
				if b.half != nil {
					kernel6x16Half(kc, a, lda, b.half[off:], c, ldc)
				} else {
					kernel6x16(kc, a, lda, b.data[off:], c, ldc)
				}
			}
			col := (p - p0) * panelWidth
			for i := 0; i < full; i += kernelRows {
				kern(a[i*lda+k0:], lda, c[i*ldc+col:], ldc)
			}
			if rest > 0 {
				sc := s.c[:]
				for r := 0; r < rest; r++ {
					copy(sc[r*panelWidth:(r+1)*panelWidth], c[(full+r)*ldc+col:])
				}
				clear(sc[rest*panelWidth:])
				kern(s.a[k0:], k, sc, panelWidth)
				for r := 0; r < rest; r++ {
					copy(c[(full+r)*ldc+col:(full+r)*ldc+col+panelWidth], sc[r*panelWidth:(r+1)*panelWidth])
				}
			}
		}
	}
}

// kernel6x16Go is the portable micro-kernel: C[6×16] += A[6×k]·B[k×16], A
// with row stride lda, B one panel, C with row stride ldc.
func kernel6x16Go(k int, a []float32, lda int, b []float32, c []float32, ldc int) {
	var acc [kernelRows][panelWidth]float32
	for r := 0; r < kernelRows; r++ {
		copy(acc[r][:], c[r*ldc:r*ldc+panelWidth])
	}
	for kk := 0; kk < k; kk++ {
		brow := (*[panelWidth]float32)(b[kk*panelWidth : (kk+1)*panelWidth])
		for r := 0; r < kernelRows; r++ {
			av := a[r*lda+kk]
			ar := &acc[r]
			for j := range panelWidth {
				ar[j] += av * brow[j]
			}
		}
	}
	for r := 0; r < kernelRows; r++ {
		copy(c[r*ldc:r*ldc+panelWidth], acc[r][:])
	}
}

// kernel6x16HalfGo is kernel6x16Go with B's panel as fp16 bits.
func kernel6x16HalfGo(k int, a []float32, lda int, b []uint16, c []float32, ldc int) {
	bf := make([]float32, k*panelWidth)
	for i, h := range b[:k*panelWidth] {
		bf[i] = halfToFloat(h)
	}
	kernel6x16Go(k, a, lda, bf, c, ldc)
}
