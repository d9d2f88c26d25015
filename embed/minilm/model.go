package minilm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
)

// Model is all-MiniLM-L6-v2 loaded from a model directory. It is safe for
// concurrent use: each call gets its own working memory from a pool.
type Model struct {
	dir     string
	tok     *tokenizer
	enc     *encoder
	workers int
	states  sync.Pool
}

// Options tune Load; the zero value is the default.
type Options struct {
	// Workers is how many goroutines a call may use; 0 means GOMAXPROCS.
	Workers int
	// SkipVerify skips the sha256 check of the model files (tests that
	// load a deliberately altered model use it).
	SkipVerify bool
}

// Load reads the model in dir (as Install lays it out): it checks every
// file against its pinned sha256, then reads config.json, tokenizer.json
// and the weights, validating each. Errors name the file and what is wrong.
func Load(dir string, opt Options) (*Model, error) {
	if !opt.SkipVerify {
		if err := Verify(dir); err != nil {
			return nil, err
		}
	}
	cfg, err := readConfig(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, err
	}
	tok, err := readTokenizer(filepath.Join(dir, TokenizerFile), cfg.VocabSize)
	if err != nil {
		return nil, err
	}
	enc, err := readWeights(filepath.Join(dir, WeightsFile), cfg)
	if err != nil {
		return nil, err
	}
	w := opt.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return &Model{dir: dir, tok: tok, enc: enc, workers: w}, nil
}

// Verify checks that dir holds every model file with its pinned sha256.
// The error names the first file that is missing or differs.
func Verify(dir string) error {
	for _, f := range ModelFiles() {
		p := filepath.Join(dir, f.Name)
		sum, err := fileSHA256(p)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("%s: missing from the model directory: %w", p, err)
			}
			return err
		}
		if sum != f.SHA256 {
			return fmt.Errorf("%s: sha256 %s, want %s (%s@%s): the file is corrupt or from another version", p, sum, f.SHA256, PackageName, PackageVersion)
		}
	}
	return nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readWeights reads and packs the encoder's tensors, checking each one's
// dtype and shape against cfg.
func readWeights(path string, cfg bertConfig) (*encoder, error) {
	st, err := openSafetensors(path)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	h, in := cfg.HiddenSize, cfg.Intermediate
	e := &encoder{hidden: h, heads: cfg.Heads, inter: in, eps: float32(cfg.LayerNormEps)}
	var firstErr error
	vec := func(name string, shape ...int) []float32 {
		if firstErr != nil {
			return nil
		}
		v, err := st.float32s(name, shape...)
		if err != nil {
			firstErr = err
		}
		return v
	}
	chunk := make([]float32, 1<<14)
	// mat reads Linear weights (out×in each, stacked along out into n rows)
	// and packs their transpose; fp16 weights stay fp16 where the CPU
	// widens them in the kernel.
	mat := func(n, k int, names ...string) packed {
		if firstErr != nil {
			return packed{}
		}
		var all []byte
		f16 := true
		for _, name := range names {
			b, dt, err := st.raw(name, []int{n / len(names), k}, "F16", "F32")
			if err != nil {
				firstErr = err
				return packed{}
			}
			f16 = f16 && dt == "F16"
			all = append(all, b...)
			if dt == "F16" && !finiteHalves(b, chunk) {
				firstErr = fmt.Errorf("%s: tensor %q: a weight is not finite", path, name)
				return packed{}
			}
		}
		if f16 && hasHalfKernel() {
			return packTransposedHalf(all, n, k)
		}
		var w []float32
		for _, name := range names {
			w = append(w, vec(name, n/len(names), k)...)
		}
		if firstErr != nil {
			return packed{}
		}
		return packTransposed(w, n, k)
	}
	raw, _, err := st.raw("embeddings.word_embeddings.weight", []int{cfg.VocabSize, h}, "F16")
	if err != nil {
		return nil, err
	}
	// Kept as fp16 bytes, widened per token.
	e.wordEmb = raw
	if !finiteHalves(raw, chunk) {
		return nil, fmt.Errorf("%s: tensor %q: a weight is not finite", path, "embeddings.word_embeddings.weight")
	}
	e.posEmb = vec("embeddings.position_embeddings.weight", cfg.MaxPositions, h)
	if types := vec("embeddings.token_type_embeddings.weight", cfg.TypeVocabSize, h); types != nil {
		e.typeEmb = types[:h]
	}
	e.embNormG = vec("embeddings.LayerNorm.weight", h)
	e.embNormB = vec("embeddings.LayerNorm.bias", h)
	for i := 0; i < cfg.Layers && firstErr == nil; i++ {
		p := "encoder.layer." + strconv.Itoa(i) + "."
		var l layer
		l.qkv = mat(3*h, h, p+"attention.self.query.weight", p+"attention.self.key.weight", p+"attention.self.value.weight")
		l.qkvBias = append(append(vec(p+"attention.self.query.bias", h), vec(p+"attention.self.key.bias", h)...), vec(p+"attention.self.value.bias", h)...)
		l.out = mat(h, h, p+"attention.output.dense.weight")
		l.outBias = vec(p+"attention.output.dense.bias", h)
		l.attnNormG = vec(p+"attention.output.LayerNorm.weight", h)
		l.attnNormB = vec(p+"attention.output.LayerNorm.bias", h)
		l.up = mat(in, h, p+"intermediate.dense.weight")
		l.upBias = vec(p+"intermediate.dense.bias", in)
		l.down = mat(h, in, p+"output.dense.weight")
		l.downBias = vec(p+"output.dense.bias", h)
		l.outNormG = vec(p+"output.LayerNorm.weight", h)
		l.outNormB = vec(p+"output.LayerNorm.bias", h)
		e.layers = append(e.layers, l)
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return e, nil
}

// Name identifies the model and its exact weights, so vectors of another
// model (or another build of this one) are never mixed with these.
func (m *Model) Name() string {
	return "minilm:" + ModelID + "@" + PackageVersion
}

// Dim is the vector length, 384.
func (m *Model) Dim() int { return m.enc.hidden }

// Dir is the model directory the model was loaded from.
func (m *Model) Dir() string { return m.dir }

// Tokenize returns the token ids the model reads for text: [CLS], at most
// MaxTokens-2 word pieces, [SEP].
func (m *Model) Tokenize(text string) []int32 { return m.tok.Tokenize(text, MaxTokens) }

// EmbedQuery embeds one text, using every worker for its products.
func (m *Model) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := [][]float32{make([]float32, m.Dim())}
	m.run([][]int32{m.Tokenize(text)}, out, m.workers)
	return out[0], nil
}

// batchRows caps the tokens of one forward pass: enough rows to reuse each
// weight panel many times, few enough that activations stay in cache.
const batchRows = 384

// EmbedDocuments embeds texts, in batches of similar length spread over
// the workers. It returns ctx's error if ctx ends first.
func (m *Model) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	seqs := make([][]int32, len(texts))
	for i, t := range texts {
		seqs[i] = m.Tokenize(t)
	}
	out := make([][]float32, len(texts))
	flat := make([]float32, len(texts)*m.Dim())
	for i := range out {
		out[i] = flat[i*m.Dim() : (i+1)*m.Dim() : (i+1)*m.Dim()]
	}
	// Sort by length so a batch holds sequences of similar length, then cut
	// batches of at most batchRows tokens.
	order := make([]int, len(texts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(seqs[order[a]]) > len(seqs[order[b]]) })
	var batches [][]int
	for i := 0; i < len(order); {
		rows, j := 0, i
		for j < len(order) && (j == i || rows+len(seqs[order[j]]) <= batchRows) {
			rows += len(seqs[order[j]])
			j++
		}
		batches = append(batches, order[i:j])
		i = j
	}
	work := func(b []int, workers int) {
		bs := make([][]int32, len(b))
		bo := make([][]float32, len(b))
		for k, idx := range b {
			bs[k], bo[k] = seqs[idx], out[idx]
		}
		m.run(bs, bo, workers)
	}
	if len(batches) < m.workers {
		for _, b := range batches {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			work(b, m.workers)
		}
		return out, nil
	}
	next := make(chan []int)
	var wg sync.WaitGroup
	for w := 0; w < m.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range next {
				work(b, 1)
			}
		}()
	}
	var err error
	for _, b := range batches {
		if err = ctx.Err(); err != nil {
			break
		}
		next <- b
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (m *Model) run(seqs [][]int32, out [][]float32, workers int) {
	st, _ := m.states.Get().(*state)
	if st == nil {
		st = new(state)
	}
	m.enc.forward(st, seqs, out, workers)
	m.states.Put(st)
}

// finiteHalves reports whether every little-endian fp16 value in b is
// finite, widening them a chunk at a time into scratch.
func finiteHalves(b []byte, scratch []float32) bool {
	for off := 0; off < len(b); off += 2 * len(scratch) {
		part := b[off:min(len(b), off+2*len(scratch))]
		if !halvesToFloats(scratch[:len(part)/2], part) {
			return false
		}
	}
	return true
}
