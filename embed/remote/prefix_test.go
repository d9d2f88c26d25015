package remote

import "testing"

func TestKnownPrefixes(t *testing.T) {
	tests := []struct {
		model, query, doc string
	}{
		{"nomic-embed-text", "search_query: ", "search_document: "},
		{"nomic-embed-text:v1.5", "search_query: ", "search_document: "},
		{"nomic-ai/nomic-embed-text-v1.5", "search_query: ", "search_document: "},
		{"mxbai-embed-large", bgeQueryInstruction, ""},
		{"mixedbread-ai/mxbai-embed-large-v1", bgeQueryInstruction, ""},
		{"BAAI/bge-small-en-v1.5", bgeQueryInstruction, ""},
		{"bge-large:335m", bgeQueryInstruction, ""},
		{"bge-m3", "", ""},
		{"BAAI/bge-large-zh-v1.5", "", ""},
		{"intfloat/e5-large-v2", "query: ", "passage: "},
		{"intfloat/multilingual-e5-small", "query: ", "passage: "},
		{"intfloat/multilingual-e5-large-instruct", e5InstructQuery, ""},
		{"text-embedding-3-small", "", ""},
		{"all-minilm", "", ""},
		{"ke5ter", "", ""}, // "e5" only as a word
		{"", "", ""},
	}
	for _, tt := range tests {
		q, d := KnownPrefixes(tt.model)
		if q != tt.query || d != tt.doc {
			t.Errorf("KnownPrefixes(%q) = %q, %q; want %q, %q", tt.model, q, d, tt.query, tt.doc)
		}
	}
}

func TestEmbedderNames(t *testing.T) {
	base := OpenAIConfig{BaseURL: "http://127.0.0.1:1/v1", Model: "text-embedding-3-small"}
	with := func(f func(*OpenAIConfig)) OpenAIConfig {
		c := base
		f(&c)
		return c
	}
	cfgs := map[string]OpenAIConfig{
		"base":        base,
		"model":       with(func(c *OpenAIConfig) { c.Model = "text-embedding-3-large" }),
		"dimensions":  with(func(c *OpenAIConfig) { c.Dimensions = 256 }),
		"query only":  with(func(c *OpenAIConfig) { c.QueryPrefix = "q: " }),
		"doc only":    with(func(c *OpenAIConfig) { c.DocumentPrefix = "q: " }),
		"both":        with(func(c *OpenAIConfig) { c.QueryPrefix, c.DocumentPrefix = "q: ", "d: " }),
		"known model": with(func(c *OpenAIConfig) { c.Model = "nomic-embed-text" }),
	}
	seen := map[string]string{}
	for label, cfg := range cfgs {
		e, err := NewOpenAI(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if other, dup := seen[e.Name()]; dup {
			t.Errorf("%s and %s share the name %q", label, other, e.Name())
		}
		seen[e.Name()] = label
	}

	// Fixed names for the cases other code will match on.
	fixed := []struct {
		got, want string
	}{
		{nameOf(t, base), "openai:text-embedding-3-small"},
		{nameOf(t, cfgs["dimensions"]), "openai:text-embedding-3-small@256"},
	}
	for _, f := range fixed {
		if f.got != f.want {
			t.Errorf("Name() = %q, want %q", f.got, f.want)
		}
	}
	// Settings that do not change vectors do not change the name.
	if a, b := nameOf(t, base), nameOf(t, with(func(c *OpenAIConfig) { c.APIKey, c.BatchSize = "k", 7 })); a != b {
		t.Errorf("key and batch size changed the name: %q vs %q", a, b)
	}
	// Default prefixes count: the known model gets a prefix hash.
	o, err := NewOllama(OllamaConfig{Model: "nomic-embed-text"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "ollama:nomic-embed-text+p"; len(o.Name()) != len(want)+8 || o.Name()[:len(want)] != want {
		t.Errorf("Name() = %q, want %q and 8 hex digits", o.Name(), want)
	}
}

func nameOf(t *testing.T, cfg OpenAIConfig) string {
	t.Helper()
	e, err := NewOpenAI(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e.Name()
}
