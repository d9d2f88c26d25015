package retrieval

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// manifestFormat is the persisted layout's version. Bump it when the
// manifest or the index file changes meaning; older binaries then rebuild
// rather than misread a newer layout. Format 2 saves the index in segment
// files (segfile.go); format 1 (one vector file, every passage listed in
// the manifest) still loads, and the next save converts it.
const (
	manifestFormat   = 2
	manifestFormatV1 = 1
)

// manifestName is the manifest's file name inside the index directory. The
// manifest is written last: whatever it names is complete.
const manifestName = "manifest.json"

// lockName is the file whose advisory lock serializes loads and saves of
// one index directory across processes (see lockDir).
const lockName = "lock"

// indexFilePattern is what a manifest may name: a plain file in the same
// directory, so a tampered manifest cannot point elsewhere.
var indexFilePattern = regexp.MustCompile(`^index-[0-9]+\.vec$`)

// termsFilePattern is the same for the optional terms file.
var termsFilePattern = regexp.MustCompile(`^terms-[0-9]+\.bin$`)

// ivfFilePattern is the same for the optional layout file (ivffile.go).
var ivfFilePattern = regexp.MustCompile(`^ivf-[0-9]+\.bin$`)

// segFilePattern and segTermsPattern are the same for format 2's segment
// files (segfile.go).
var (
	segFilePattern  = regexp.MustCompile(`^seg-[0-9]+-g[0-9]+\.vec$`)
	segTermsPattern = regexp.MustCompile(`^seg-[0-9]+-g[0-9]+\.terms$`)
)

// ErrIndexLocked is returned (wrapped) when the index directory's lock is
// held by another process for longer than Options.LockTimeout.
var ErrIndexLocked = errors.New("the index directory is locked")

// DefaultLockTimeout is how long a load or save waits for the index lock.
const DefaultLockTimeout = 2 * time.Minute

// errNoManifest means the directory holds no index yet.
var errNoManifest = errors.New("no manifest")

// manifest describes one persisted index: who computed its vectors and for
// which passage contents.
type manifest struct {
	FormatVersion int    `json:"format_version"`
	Embedder      string `json:"embedder"`
	Dim           int    `json:"dim"`
	// Gen numbers saves; files written by a save carry its number.
	Gen uint64 `json:"gen"`
	// IndexFile and SHA256 name format 1's single vector file.
	IndexFile string `json:"index_file,omitempty"`
	SHA256    string `json:"sha256,omitempty"`
	Passages  int    `json:"passages"`
	// SegmentCount is format 2's number of segments (segments.go), and
	// Segments its non-empty ones, in segment order; the passages are
	// theirs, in that order.
	SegmentCount int               `json:"segment_count,omitempty"`
	Segments     []manifestSegment `json:"segments,omitempty"`
	// TermsFile, if set, holds format 1's analyzed terms for BM25
	// (termfile.go); it is an optimization, never required.
	TermsFile   string `json:"terms_file,omitempty"`
	TermsSHA256 string `json:"terms_sha256,omitempty"`
	// IVFFile, if set, holds the dense store's partition layout
	// (ivffile.go); without it a restart trains the partitions again.
	IVFFile   string `json:"ivf_file,omitempty"`
	IVFSHA256 string `json:"ivf_sha256,omitempty"`
	// Partial is set when the save kept progress of an indexing run that
	// failed part-way: its passages are a subset of the corpus of the time.
	Partial bool      `json:"partial,omitempty"`
	Saved   time.Time `json:"saved"`
	// Entries lists format 1's passages; for format 2, readSegments fills
	// it from the segment files.
	Entries []manifestEntry `json:"entries,omitempty"`
}

// manifestSegment is one saved segment: its vector file (ids, hashes,
// vectors) and terms file with their SHA-256, its passage count, and the
// digest of its passage ids and content hashes (segmentDigest), which tells
// a save whether the segment changed.
type manifestSegment struct {
	Segment     int    `json:"segment"`
	File        string `json:"file"`
	SHA256      string `json:"sha256"`
	Passages    int    `json:"passages"`
	Digest      string `json:"digest"`
	TermsFile   string `json:"terms_file,omitempty"`
	TermsSHA256 string `json:"terms_sha256,omitempty"`
}

// manifestEntry is one persisted passage: its id and content hash.
type manifestEntry struct {
	ID   string `json:"id"`
	Hash string `json:"hash"`
}

// readManifest reads and checks dir's manifest against the embedder
// identity. Every reason not to use it is an error that says why.
func readManifest(dir, embName string, embDim int) (*manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoManifest
	}
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("corrupt manifest: %w", err)
	}
	switch {
	case m.FormatVersion <= 0:
		return nil, fmt.Errorf("corrupt manifest: format version %d", m.FormatVersion)
	case m.FormatVersion > manifestFormat:
		return nil, fmt.Errorf("manifest format version %d is newer than this build's %d", m.FormatVersion, manifestFormat)
	case m.FormatVersion != manifestFormat && m.FormatVersion != manifestFormatV1:
		return nil, fmt.Errorf("manifest format version %d is no longer supported", m.FormatVersion)
	case m.Embedder != embName:
		return nil, fmt.Errorf("index was built with embedder %q, now %q", m.Embedder, embName)
	case m.Dim <= 0:
		return nil, fmt.Errorf("corrupt manifest: dimension %d", m.Dim)
	case embDim > 0 && m.Dim != embDim:
		return nil, fmt.Errorf("index has %d dimensions, embedder has %d", m.Dim, embDim)
	case m.FormatVersion == manifestFormatV1 && !indexFilePattern.MatchString(m.IndexFile):
		return nil, fmt.Errorf("corrupt manifest: index file %q", m.IndexFile)
	case m.FormatVersion == manifestFormat && (m.IndexFile != "" || len(m.Entries) > 0):
		return nil, fmt.Errorf("corrupt manifest: format %d names an index file or entries", m.FormatVersion)
	case m.TermsFile != "" && !termsFilePattern.MatchString(m.TermsFile):
		return nil, fmt.Errorf("corrupt manifest: terms file %q", m.TermsFile)
	case m.IVFFile != "" && !ivfFilePattern.MatchString(m.IVFFile):
		return nil, fmt.Errorf("corrupt manifest: layout file %q", m.IVFFile)
	case m.FormatVersion == manifestFormatV1 && len(m.Entries) != m.Passages:
		return nil, fmt.Errorf("corrupt manifest: %d entries for %d passages", len(m.Entries), m.Passages)
	}
	total, last := 0, -1
	for i, sg := range m.Segments {
		switch {
		case sg.Segment <= last || sg.Segment >= m.SegmentCount:
			return nil, fmt.Errorf("corrupt manifest: segment %d of %d out of order", sg.Segment, m.SegmentCount)
		case !segFilePattern.MatchString(sg.File):
			return nil, fmt.Errorf("corrupt manifest: segment file %q", sg.File)
		case sg.TermsFile != "" && !segTermsPattern.MatchString(sg.TermsFile):
			return nil, fmt.Errorf("corrupt manifest: segment terms file %q", sg.TermsFile)
		case sg.Passages <= 0 || sg.SHA256 == "":
			return nil, fmt.Errorf("corrupt manifest: segment %d", i)
		}
		total += sg.Passages
		last = sg.Segment
	}
	if m.FormatVersion == manifestFormat && total != m.Passages {
		return nil, fmt.Errorf("corrupt manifest: segments hold %d passages, manifest says %d", total, m.Passages)
	}
	seen := make(map[string]bool, len(m.Entries))
	for i, e := range m.Entries {
		if e.ID == "" || e.Hash == "" || seen[e.ID] {
			return nil, fmt.Errorf("corrupt manifest: entry %d (%q) is empty or repeated", i, e.ID)
		}
		seen[e.ID] = true
	}
	return &m, nil
}

// writeAtomic writes name in p.dir so that a crash at any moment leaves
// either the old file or the complete new one: a temp file in the same
// directory, fsync, rename over name, fsync the directory. It returns the
// SHA-256 of what write wrote. A failure after the rename (the directory
// fsync) is a *notDurableError: name is then in place, just not known to
// survive a crash.
func (p *persister) writeAtomic(name string, write func(w io.Writer) error) (string, error) {
	return p.writeFile(name, write, true)
}

// writeFile is writeAtomic; without syncDir the rename is not made durable
// (a save syncs the directory once for all its data files, before it
// writes the manifest that names them).
func (p *persister) writeFile(name string, write func(w io.Writer) error, syncDir bool) (string, error) {
	dir, hook := p.dir, p.hook
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	w := io.Writer(bw)
	if hook != nil {
		w = &hookWriter{w: bw, hook: func() { hook("writing " + name) }}
	}
	if err := write(w); err != nil {
		return "", err
	}
	if err := bw.Flush(); err != nil {
		return "", fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return "", err
	}
	ok = true
	if syncDir {
		if err := p.sync(); err != nil {
			return "", &notDurableError{name: name, err: err}
		}
	}
	if hook != nil {
		hook("renamed " + name)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// sync makes the renames in p.dir durable.
func (p *persister) sync() error {
	if p.syncDir != nil {
		return p.syncDir(p.dir)
	}
	return syncDir(p.dir)
}

// notDurableError: the file was renamed into place but the directory fsync
// failed, so the rename may not survive a crash.
type notDurableError struct {
	name string
	err  error
}

func (e *notDurableError) Error() string {
	return fmt.Sprintf("%s is in place but may not survive a crash: %v", e.name, e.err)
}
func (e *notDurableError) Unwrap() error { return e.err }

// generationFiles are the file kinds a manifest names, one generation each
// (index-<gen>.vec, …). Add a pattern here when the manifest names a new
// kind: a file of a known kind the live manifest does not name is an orphan
// and is removed under the lock (removeOrphans).
var generationFiles = []*regexp.Regexp{indexFilePattern, termsFilePattern, ivfFilePattern, segFilePattern, segTermsPattern}

// names lists the generation files m names.
func (m *manifest) names() []string {
	var out []string
	for _, f := range []string{m.IndexFile, m.TermsFile, m.IVFFile} {
		if f != "" {
			out = append(out, f)
		}
	}
	for _, sg := range m.Segments {
		out = append(out, sg.File)
		if sg.TermsFile != "" {
			out = append(out, sg.TermsFile)
		}
	}
	return out
}

// removeOrphans deletes the generation files in dir that keep does not
// list: leftovers of saves whose manifest is gone (a corrupt manifest, a
// crash between writing a manifest and removing the old files, an older
// fsync failure). Call it under the lock, with the files of the manifest
// that is live and durable. It returns the bytes removed.
func removeOrphans(dir string, keep []string) (removed int64, err error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	kept := map[string]bool{}
	for _, k := range keep {
		kept[k] = true
	}
	var errs []error
	for _, e := range ents {
		name := e.Name()
		if kept[name] || !isGenerationFile(name) {
			continue
		}
		info, _ := e.Info()
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		if info != nil {
			removed += info.Size()
		}
	}
	return removed, errors.Join(errs...)
}

func isGenerationFile(name string) bool {
	for _, re := range generationFiles {
		if re.MatchString(name) {
			return true
		}
	}
	return false
}

// tempPrefix names files being written; leftovers of a crash are removed
// at the next load.
const tempPrefix = ".tmp-"

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// hookWriter calls hook once, after the first megabyte, so a test can kill
// the process in the middle of a write.
type hookWriter struct {
	w      io.Writer
	n      int
	called bool
	hook   func()
}

func (h *hookWriter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	h.n += n
	if !h.called && h.n >= 1<<20 {
		h.called = true
		h.hook()
	}
	return n, err
}
