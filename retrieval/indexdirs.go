package retrieval

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Under CITEBOT_INDEX (the root) each embedder configuration keeps its index
// in a directory of its own, named by IndexDir, so that a one-off command
// with another embedder, model, dimension or server neither overwrites nor
// rebuilds the index of the usual one: with a paid remote model that index
// is money. `citebot index -prune` removes the others (IndexDirs,
// RemoveIndexDir).

// Endpointer is implemented by remote embedders: the base URL of the server
// that computes the vectors.
type Endpointer interface {
	Endpoint() string
}

// IndexDir is the directory under root for emb's index: readable (the
// embedder's name and dimension, filesystem-safe) and unique (a short hash
// of name, dimension and, for an Endpointer, its base URL). Call it with the
// embedder itself, not a wrapper that hides Endpoint.
func IndexDir(root string, emb Embedder) string {
	return filepath.Join(root, indexDirName(emb))
}

// dirUnsafe is what a directory name may not hold.
var dirUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func indexDirName(emb Embedder) string {
	name, dim, endpoint := emb.Name(), emb.Dim(), ""
	if e, ok := emb.(Endpointer); ok {
		endpoint = e.Endpoint()
	}
	h := sha256.Sum256([]byte(name + "\x00" + strconv.Itoa(dim) + "\x00" + endpoint))
	slug := strings.Trim(dirUnsafe.ReplaceAllString(name, "_"), "._-")
	if len(slug) > 80 {
		slug = slug[:80]
	}
	if dim > 0 {
		slug += "-" + strconv.Itoa(dim)
	}
	return slug + "-" + hex.EncodeToString(h[:4])
}

// IndexDirInfo describes one persisted index under the root.
type IndexDirInfo struct {
	// Path is the directory; the root itself for an index saved before
	// indexes had directories of their own.
	Path string
	// Embedder, Dim and Passages come from its manifest (empty when the
	// manifest is missing or unreadable).
	Embedder string
	Dim      int
	Passages int
	// Bytes is the size of the files RemoveIndexDir would delete.
	Bytes int64
}

// IndexDirs lists the persisted indexes under root: every subdirectory that
// holds a manifest or index files, and the root itself when it holds an
// index of the old single-directory layout. Other directories (a model
// cache, say) are not listed.
func IndexDirs(root string) ([]IndexDirInfo, error) {
	ents, err := os.ReadDir(root)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []IndexDirInfo
	if info, ok := indexDirInfo(root); ok {
		out = append(out, info)
	}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		if info, ok := indexDirInfo(filepath.Join(root, e.Name())); ok {
			out = append(out, info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// indexDirInfo describes dir if it holds citebot index files.
func indexDirInfo(dir string) (IndexDirInfo, bool) {
	files := ownFiles(dir)
	if len(files) == 0 {
		return IndexDirInfo{}, false
	}
	info := IndexDirInfo{Path: dir}
	for _, f := range files {
		if st, err := os.Stat(filepath.Join(dir, f)); err == nil {
			info.Bytes += st.Size()
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, manifestName)); err == nil {
		var m manifest
		if json.Unmarshal(b, &m) == nil {
			info.Embedder, info.Dim, info.Passages = m.Embedder, m.Dim, m.Passages
		}
	}
	return info, true
}

// ownFiles lists the files of dir that a persisted index consists of: the
// manifest, generation files, temp files, the lock (only alongside one of
// the others).
func ownFiles(dir string) []string {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	lock := false
	for _, e := range ents {
		n := e.Name()
		switch {
		case e.IsDir():
		case n == lockName:
			lock = true
		case n == manifestName, isGenerationFile(n), strings.HasPrefix(n, tempPrefix):
			out = append(out, n)
		}
	}
	if lock && len(out) > 0 {
		out = append(out, lockName)
	}
	return out
}

// removeAll deletes the persisted index in p.dir, under its lock so that a
// save in progress finishes first: its manifest, generation and temp files,
// then the directory itself if nothing else is left in it (the root of the
// old layout keeps its other contents).
func (p *persister) removeAll() error {
	unlock, err := p.lock()
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range ownFiles(p.dir) {
		if f == lockName {
			continue
		}
		if err := os.Remove(filepath.Join(p.dir, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	unlock()
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	os.Remove(filepath.Join(p.dir, lockName))
	os.Remove(p.dir) // only succeeds when empty
	return nil
}

// RemoveIndexDir deletes the persisted index in dir (see IndexDirs): its
// files, under the directory's lock, and the directory when nothing else is
// left in it.
func RemoveIndexDir(dir string) error {
	p := newPersister(dir)
	if p == nil {
		return fmt.Errorf("retrieval: no index directory %q", dir)
	}
	if err := p.removeAll(); err != nil {
		return fmt.Errorf("remove index %s: %w", dir, err)
	}
	return nil
}

// AdoptLegacyIndex moves an index saved directly in root (the layout
// before per-configuration directories) into dir when it was built by emb
// and dir holds no index yet, so the upgrade embeds nothing again (the old
// layout did not record a remote embedder's server: the one configured now
// is assumed). It reports whether it moved one.
func AdoptLegacyIndex(root, dir string, emb Embedder) (bool, error) {
	if _, err := os.Stat(filepath.Join(dir, manifestName)); err == nil {
		return false, nil
	}
	m, err := readManifest(root, emb.Name(), emb.Dim())
	if err != nil {
		return false, nil // none, or another embedder's: prune lists it
	}
	old := newPersister(root)
	unlock, err := old.lock()
	if err != nil {
		return false, err
	}
	defer unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	// Data files first, the manifest last: whatever dir's manifest names
	// is in place.
	for _, f := range append(m.names(), manifestName) {
		if err := os.Rename(filepath.Join(root, f), filepath.Join(dir, f)); err != nil {
			return false, fmt.Errorf("move the index into %s: %w", dir, err)
		}
	}
	return true, syncDir(dir)
}
