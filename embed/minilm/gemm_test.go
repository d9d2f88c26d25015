package minilm

import (
	"encoding/binary"
	"math"
	"math/rand"
	"testing"
)

// TestGemmMatchesNaive checks the blocked product, with float32 and fp16
// panels, against a plain triple loop, on sizes that exercise every edge:
// rows not a multiple of 6, k over one k-block, an offset panel range.
func TestGemmMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, sz := range []struct{ m, n, k int }{{1, 16, 1}, {5, 32, 7}, {6, 16, 32}, {13, 48, 300}, {97, 64, 513}} {
		a := make([]float32, sz.m*sz.k)
		for i := range a {
			a[i] = rng.Float32()*2 - 1
		}
		// w is n×k, as PyTorch stores a Linear weight; its values are exact
		// in fp16 so both panel kinds give the same product.
		w := make([]float32, sz.n*sz.k)
		wb := make([]byte, 2*len(w))
		for i := range w {
			h := uint16(rng.Intn(0x7800)) | uint16(rng.Intn(2))<<15
			binary.LittleEndian.PutUint16(wb[2*i:], h)
			w[i] = halfToFloat(h)
		}
		want := make([]float64, sz.m*sz.n)
		for i := 0; i < sz.m; i++ {
			for j := 0; j < sz.n; j++ {
				for kk := 0; kk < sz.k; kk++ {
					want[i*sz.n+j] += float64(a[i*sz.k+kk]) * float64(w[j*sz.k+kk])
				}
			}
		}
		for _, b := range []packed{packTransposed(w, sz.n, sz.k), packTransposedHalf(wb, sz.n, sz.k)} {
			for _, split := range [][2]int{{0, sz.n / panelWidth}, {sz.n / panelWidth / 2, sz.n / panelWidth}} {
				c := make([]float32, sz.m*sz.n)
				var s gemmScratch
				p0, p1 := split[0], split[1]
				gemm(sz.m, a, sz.k, b, p0, p1, c[p0*panelWidth:], sz.n, &s)
				for i := 0; i < sz.m; i++ {
					for j := p0 * panelWidth; j < p1*panelWidth; j++ {
						got, exp := float64(c[i*sz.n+j]), want[i*sz.n+j]
						if math.Abs(got-exp) > 1e-3*math.Max(1, math.Abs(exp))*math.Sqrt(float64(sz.k)) {
							t.Fatalf("%+v half=%v panels %v: C[%d][%d] = %g, want %g", sz, b.half != nil, split, i, j, got, exp)
						}
					}
				}
			}
		}
	}
}

// BenchmarkGemm compares float32 and fp16 panels on the FFN's first
// product, for a passage (97 rows) and a query (12 rows).
func BenchmarkGemm(b *testing.B) {
	const n, k = 1536, 384
	w := make([]float32, n*k)
	wb := make([]byte, 2*n*k)
	for i := range w {
		w[i] = float32(i%7) / 8
		binary.LittleEndian.PutUint16(wb[2*i:], 0x3800)
	}
	for _, m := range []int{97, 12} {
		a := make([]float32, m*k)
		c := make([]float32, m*n)
		for _, kind := range []struct {
			name string
			p    packed
		}{{"f32", packTransposed(w, n, k)}, {"f16", packTransposedHalf(wb, n, k)}} {
			b.Run(kind.name+"/rows="+string(rune('0'+m/10))+string(rune('0'+m%10)), func(b *testing.B) {
				var s gemmScratch
				for b.Loop() {
					gemm(m, a, k, kind.p, 0, n/panelWidth, c, n, &s)
				}
				b.ReportMetric(float64(2*m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
