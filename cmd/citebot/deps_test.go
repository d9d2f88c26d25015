package main

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestDependencyDirection pins the layering cmd → bot → retrieval → corpus:
// nothing imports upward, only retrieval imports chromem-go, and only bot and
// cmd import discordgo. It reads the real import graph with go list, so a
// wrong import anywhere in the module fails here.
func TestDependencyDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", "citebot/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const (
		chromem   = "github.com/philippgille/chromem-go"
		discordgo = "github.com/bwmarrin/discordgo"
		weaviate  = "github.com/weaviate/"
	)
	// forbidden maps a package to the imports (by prefix) it must not have.
	forbidden := map[string][]string{
		"citebot/corpus":    {"citebot/retrieval", "citebot/bot", "citebot/cmd", chromem, discordgo},
		"citebot/retrieval": {"citebot/bot", "citebot/cmd", "citebot/weaviatestore", discordgo},
		"citebot/eval":      {"citebot/bot", "citebot/cmd", chromem, discordgo},
		"citebot/embed":     {"citebot/corpus", "citebot/retrieval", "citebot/eval", "citebot/bot", "citebot/cmd", chromem, discordgo},
		"citebot/bot":       {"citebot/cmd", chromem},
		// The reader web page knows articles and HTTP: not Discord, not search.
		"citebot/readerpage": {"citebot/retrieval", "citebot/eval", "citebot/embed", "citebot/weaviatestore", "citebot/bot", "citebot/cmd", chromem, discordgo},
		"citebot/cmd":        {chromem},
	}
	seen := map[string]bool{}
	weaviateUsers := map[string]bool{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, weaviate) && p.ImportPath != "citebot/weaviatestore" {
				weaviateUsers[p.ImportPath] = true
			}
		}
		for pkg, bad := range forbidden {
			if p.ImportPath != pkg && !strings.HasPrefix(p.ImportPath, pkg+"/") {
				continue
			}
			seen[pkg] = true
			for _, imp := range p.Imports {
				for _, b := range bad {
					if imp == b || strings.HasPrefix(imp, b+"/") {
						t.Errorf("%s imports %s: dependencies must point cmd → bot → retrieval → corpus, and only retrieval may use chromem-go, only bot and cmd discordgo", p.ImportPath, imp)
					}
				}
			}
		}
	}
	for pkg := range weaviateUsers {
		t.Errorf("%s imports the Weaviate client: only citebot/weaviatestore may", pkg)
	}
	for pkg := range forbidden {
		if !seen[pkg] {
			t.Errorf("package %s not found by go list", pkg)
		}
	}
}
