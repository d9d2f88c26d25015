package retrieval

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPersistTerms(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func(t *testing.T, dir string, m *manifest) // nil: leave the files alone
		wantLog string                                      // "" means no warning or notice
		reused  bool                                        // persisted terms used as they are
	}{
		{"reused", nil, "", true},
		{"corrupt terms file", func(t *testing.T, dir string, m *manifest) {
			os.WriteFile(filepath.Join(dir, m.Segments[0].TermsFile), []byte("CBTRM1\n\x00garbage"), 0o644)
		}, "persisted terms not usable", false},
		{"terms from another analyzer", func(t *testing.T, dir string, m *manifest) {
			sg := &m.Segments[0]
			vb, _ := os.ReadFile(filepath.Join(dir, sg.File))
			_, hashes, _, err := readSegVectors(vb, m.Dim, sg.Passages)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(filepath.Join(dir, sg.TermsFile))
			tt, err := readTerms(b, hashes)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tt.dict {
				tt.dict[i] += "x"
			}
			var buf bytes.Buffer
			if err := writeTerms(&buf, tt, hashes); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, sg.TermsFile), buf.Bytes(), 0o644)
			sg.TermsSHA256 = fmt.Sprintf("%x", sha256.Sum256(buf.Bytes()))
			mb, _ := json.Marshal(m)
			os.WriteFile(filepath.Join(dir, manifestName), mb, 0o644)
		}, "analyzer changed", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c := testCorpus(t)
			openPersisted(t, dir, c, NewLocalEmbedder(0), nil)
			m, err := readManifest(dir, NewLocalEmbedder(0).Name(), 0)
			if err != nil || len(m.Segments) != 1 || m.Segments[0].TermsFile == "" {
				t.Fatalf("manifest %+v, %v: want a terms file", m, err)
			}
			if tt.tamper != nil {
				tt.tamper(t, dir, m)
			}
			var logs logBuffer
			emb := &countingEmbedder{Embedder: NewLocalEmbedder(0)}
			ix := openPersisted(t, dir, c, emb, logs.logger())
			if emb.docs.Load() != 0 {
				t.Errorf("embedded %d passages; the vectors should be reused whatever happened to the terms", emb.docs.Load())
			}
			if tt.wantLog != "" && !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, logs.String())
			}
			if tt.wantLog == "" && strings.Contains(logs.String(), "level=WARN") {
				t.Errorf("unexpected warning:\n%s", logs.String())
			}
			sameBM25(t, ix.snap.Load().bm25, newTestIndex(t, c, nil).snap.Load().bm25, [][]string{{"taliban"}, {"qatar", "kandahar"}})

			p := &persister{dir: dir}
			seed, err := p.load(t.Context(), NewLocalEmbedder(0))
			if err != nil {
				t.Fatal(err)
			}
			if got := seed.terms != nil && ix.reusableTerms(ix.snap.Load(), seed) != nil; got != tt.reused && tt.tamper == nil {
				t.Errorf("persisted terms reusable %v, want %v", got, tt.reused)
			}
		})
	}
}

func TestReadTermsRejectsBadInput(t *testing.T) {
	tt := &termTable{dict: []string{"a", "b"}, byHash: map[string]docTerms{"h1": {ids: []uint32{0, 1}, tfs: []int32{2, 1}, length: 3}}}
	var buf bytes.Buffer
	if err := writeTerms(&buf, tt, []string{"h1"}); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	if got, err := readTerms(good, []string{"h1"}); err != nil || got.byHash["h1"].length != 3 {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	bad := map[string][]byte{
		"empty":             nil,
		"wrong magic":       append([]byte("XXXXXXXX"), good[8:]...),
		"truncated":         good[:len(good)-2],
		"trailing bytes":    append(bytes.Clone(good), 0),
		"term id too large": append(bytes.Clone(good[:len(good)-4]), 9, 1, 1, 1),
	}
	for name, b := range bad {
		if _, err := readTerms(b, []string{"h1"}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := readTerms(good, []string{"h1", "h2"}); err == nil {
		t.Errorf("passage count mismatch: no error")
	}
}
