package retrieval

import (
	embedremote "citebot/embed/remote"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"citebot/corpus"
)

// namedEmbedder is an embedder of a given identity (as embed/minilm's,
// whose Name carries the model and package version).
type namedEmbedder struct {
	*LocalEmbedder
	name string
	dim  int
}

func (n namedEmbedder) Name() string { return n.name }
func (n namedEmbedder) Dim() int     { return n.dim }

func TestIndexDirPerConfiguration(t *testing.T) {
	ollama := func(url, model string) Embedder {
		e, err := embedremote.NewOllama(embedremote.OllamaConfig{BaseURL: url, Model: model})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	openai := func(url string, dims int) Embedder {
		e, err := embedremote.NewOpenAI(embedremote.OpenAIConfig{BaseURL: url, Model: "text-embedding-3-small", APIKey: "k", Dimensions: dims})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	dirs := map[string]string{}
	for what, emb := range map[string]Embedder{
		"hash 512":                    NewLocalEmbedder(0),
		"hash 256":                    NewLocalEmbedder(256),
		"minilm":                      namedEmbedder{NewLocalEmbedder(0), "minilm:sentence-transformers/all-MiniLM-L6-v2@0.1.0", 384},
		"minilm, another build":       namedEmbedder{NewLocalEmbedder(0), "minilm:sentence-transformers/all-MiniLM-L6-v2@0.2.0", 384},
		"ollama on one server":        ollama("http://127.0.0.1:11434", "nomic-embed-text"),
		"the same model elsewhere":    ollama("http://10.0.0.7:11434", "nomic-embed-text"),
		"another ollama model":        ollama("http://127.0.0.1:11434", "mxbai-embed-large"),
		"openai, 1536":                openai("", 1536),
		"openai, 512":                 openai("", 512),
		"openai-compatible elsewhere": openai("http://127.0.0.1:8080/v1", 1536),
	} {
		d := IndexDir("/idx", emb)
		if filepath.Dir(d) != "/idx" {
			t.Errorf("%s: %s is not a directory of the root", what, d)
		}
		name := filepath.Base(d)
		if strings.ContainsAny(name, `/\: `) || len(name) > 100 {
			t.Errorf("%s: unsafe directory name %q", what, name)
		}
		if prev, dup := dirs[d]; dup {
			t.Errorf("%s and %s share %s", what, prev, d)
		}
		dirs[d] = what
		if IndexDir("/idx", emb) != d {
			t.Errorf("%s: IndexDir is not stable", what)
		}
	}
	// The same configuration built twice names the same directory.
	if IndexDir("/idx", ollama("http://127.0.0.1:11434/", "nomic-embed-text")) != IndexDir("/idx", ollama("http://127.0.0.1:11434", "nomic-embed-text")) {
		t.Error("a trailing slash changed the directory")
	}
	if strings.Contains(IndexDir("/idx", ollama("http://user:secret@127.0.0.1:11434", "m")), "secret") {
		t.Error("credentials in a directory name")
	}
}

func TestIndexDirsListsAndRemoves(t *testing.T) {
	root := t.TempDir()
	c, _, err := corpus.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	a, b := NewLocalEmbedder(0), NewLocalEmbedder(128)
	for _, e := range []Embedder{a, b} {
		if _, err := NewIndex(context.Background(), c, Options{Embedder: e, Path: IndexDir(root, e)}); err != nil {
			t.Fatal(err)
		}
	}
	dirs, err := IndexDirs(root)
	if err != nil || len(dirs) != 2 {
		t.Fatalf("IndexDirs: %+v %v", dirs, err)
	}
	for _, d := range dirs {
		if d.Embedder != "local-hash-v1" || d.Passages != len(c.Passages) || d.Bytes == 0 {
			t.Errorf("listing %+v", d)
		}
	}
	if err := RemoveIndexDir(IndexDir(root, b)); err != nil {
		t.Fatal(err)
	}
	dirs, _ = IndexDirs(root)
	if len(dirs) != 1 || dirs[0].Path != IndexDir(root, a) || dirs[0].Dim != 512 {
		t.Errorf("after removing one: %+v", dirs)
	}
}
