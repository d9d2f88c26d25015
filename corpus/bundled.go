package corpus

import (
	"embed"
	"fmt"
	"io/fs"
)

// bundledFiles is the default corpus compiled into the binary: the five
// articles of the shared corpus and their manifest. It is only ever read.
//
//go:embed articles
var bundledFiles embed.FS

// Bundled loads the default corpus embedded in the binary. Article IDs are
// the file stems ("000_937560379df2ce3c"), the names the shared corpus
// README uses. articles/manifest.json gives each article the title,
// publisher and date its own text (or the README describing it) states;
// fields nothing states are left empty, and no URL is set because none is
// known.
func Bundled() (*Corpus, []Warning, error) {
	sub, err := fs.Sub(bundledFiles, "articles")
	if err != nil {
		return nil, nil, fmt.Errorf("bundled corpus: %w", err)
	}
	return Load(sub)
}
