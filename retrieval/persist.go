package retrieval

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"citebot/corpus"
)

// The persisted index lives in one directory (CITEBOT_INDEX):
//
//	index-<gen>.vec  the vectors, raw float32 in manifest order (vecfile.go)
//	manifest.json    format version, embedder name and dimension, the index
//	                 file's name and SHA-256, and every passage's id and
//	                 content hash
//
// A save writes the new index file first, then the manifest that names it,
// each atomically, and only then removes the old index file; so at any
// moment the manifest names a complete index. chromem-go's NewPersistentDB
// is not used (file names from 32-bit hashes collide; writes not atomic),
// nor its export (too slow at 100k passages, see vecfile.go); the
// chromem-go store is rebuilt from the vectors at load.

// errMixedDims means reused and newly embedded vectors differ in length.
var errMixedDims = errors.New("vectors of different dimensions")

// persister owns the index directory. Saves are serialized by mu, and only
// published (immutable) snapshots or private stores are exported, never a
// store still being added to.
type persister struct {
	dir string
	mu  sync.Mutex
	// gen and file are the generation and index file the manifest names;
	// digest identifies the passages and contents saved, so an unchanged
	// snapshot is not written again.
	gen    uint64
	file   string
	terms  string // terms file the manifest names, if any
	ivf    string // layout file the manifest names, if any
	digest string
	// layout identifies the dense store layout saved (layoutStamp).
	layout string
	log    *slog.Logger
	// lockWait bounds the wait for the directory lock.
	lockWait time.Duration
	// hook, for tests, is called at each stage of a save.
	hook func(stage string)
	// syncDir, for tests, replaces the directory fsync.
	syncDir func(dir string) error
}

// newPersister returns nil for a memory-only index ("" or "off").
func newPersister(path string) *persister {
	path = strings.TrimSpace(path)
	if path == "" || strings.EqualFold(path, "off") {
		return nil
	}
	return &persister{dir: path, lockWait: DefaultLockTimeout}
}

// lock takes the directory lock (see lockDir).
func (p *persister) lock() (func(), error) {
	wait := p.lockWait
	if wait <= 0 {
		wait = DefaultLockTimeout
	}
	return lockDir(p.dir, wait, p.log)
}

// start builds the first snapshot: from scratch when memory-only, else
// seeded with the persisted vectors whose passage content is unchanged.
func (ix *Index) start(ctx context.Context, c *corpus.Corpus) error {
	if c == nil {
		return errors.New("retrieval: nil corpus")
	}
	ix.updateMu.Lock()
	defer ix.updateMu.Unlock()
	if ix.per == nil {
		_, err := ix.updateFrom(ctx, c, nil)
		return err
	}
	ix.per.log = ix.log
	if err := os.MkdirAll(ix.per.dir, 0o755); err != nil {
		// Not fatal: the index is built in memory, saves are retried
		// (Index.Run) and Save reports the failure to whoever needs it.
		ix.log.Warn("index directory not usable; serving from memory", "dir", ix.per.dir, "error", err)
		ix.noteSave(fmt.Errorf("index directory: %w", err))
	}
	seed, err := ix.per.load(ctx, ix.emb)
	switch {
	case errors.Is(err, errNoManifest):
		ix.log.Info("no persisted index; building", "dir", ix.per.dir)
	case err != nil:
		ix.log.Warn("persisted index not usable; rebuilding", "dir", ix.per.dir, "reason", err.Error())
	default:
		ix.log.Info("persisted index loaded", "dir", ix.per.dir, "passages", len(seed.byID), "gen", ix.per.gen)
	}
	_, err = ix.updateFrom(ctx, c, seed)
	if seed != nil && errors.Is(err, errMixedDims) {
		ix.log.Warn("persisted index not usable; rebuilding", "dir", ix.per.dir, "reason", err.Error())
		ix.spare = nil
		_, err = ix.updateFrom(ctx, c, nil)
	}
	return err
}

// load reads the persisted index into a seed snapshot (passage ids, content
// hashes and vectors; never published). Any reason not to trust it is an
// error: the caller rebuilds rather than mix vectors.
func (p *persister) load(ctx context.Context, emb Embedder) (*snapshot, error) {
	unlock, err := p.lock()
	if err != nil {
		if !readOnly(err) {
			return nil, err
		}
		// A read-only directory (an index baked into an image, a
		// read-only mount): nobody can save there either, and every file
		// is checksummed, so read it without the lock.
		p.logWarn("index directory is read-only; reading the index without its lock", "dir", p.dir, "reason", err.Error())
		unlock = func() {}
	}
	defer unlock()
	p.removeTemps()
	m, err := readManifest(p.dir, emb.Name(), emb.Dim())
	if err != nil {
		return nil, err
	}
	// Remember the generation and file even if the index turns out
	// unusable: the next save must not reuse the name the manifest still
	// points at, and removes that file once a new manifest is in place.
	p.gen, p.file, p.terms, p.ivf = m.Gen, m.IndexFile, m.TermsFile, m.IVFFile
	if n, err := removeOrphans(p.dir, m.names()); err != nil {
		p.logWarn("old index files not removed", "dir", p.dir, "reason", err.Error())
	} else if n > 0 {
		p.logInfo("removed index files no manifest names", "dir", p.dir, "bytes", n)
	}
	b, err := os.ReadFile(filepath.Join(p.dir, m.IndexFile))
	if err != nil {
		return nil, fmt.Errorf("index file: %w", err)
	}
	if sum := fmt.Sprintf("%x", sha256.Sum256(b)); sum != m.SHA256 {
		return nil, fmt.Errorf("index file %s: checksum %s, manifest says %s", m.IndexFile, sum, m.SHA256)
	}
	vecs, err := readVectors(b, m.Dim, len(m.Entries))
	if err != nil {
		return nil, fmt.Errorf("index file %s: %w", m.IndexFile, err)
	}
	seed := &snapshot{byID: make(map[string]int, len(m.Entries)), hashes: make([]string, len(m.Entries)), vecs: vecs}
	for i, e := range m.Entries {
		seed.byID[e.ID] = i
		seed.hashes[i] = e.Hash
	}
	if m.TermsFile != "" {
		tt, err := loadTerms(filepath.Join(p.dir, m.TermsFile), m.TermsSHA256, seed.hashes)
		if err != nil && p.log != nil {
			p.log.Warn("persisted terms not usable; tokenizing every passage", "dir", p.dir, "reason", err.Error())
		}
		seed.terms = tt
	}
	if m.IVFFile != "" {
		seed.ivf, err = loadLayout(filepath.Join(p.dir, m.IVFFile), m.IVFSHA256, m.Entries, m.Dim)
		if err != nil && p.log != nil {
			p.log.Warn("persisted vector partitions not usable; training them again", "dir", p.dir, "reason", err.Error())
		}
	}
	if !m.Partial {
		p.digest = entriesDigest(m.Entries)
		p.layout = seedStamp(seed.ivf)
	}
	return seed, nil
}

// readOnly reports whether err means the directory cannot be written.
func readOnly(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// loadTerms reads a terms file and checks it against its checksum.
func loadTerms(path, sum string, hashes []string) (*termTable, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != sum {
		return nil, fmt.Errorf("terms file %s: checksum %s, manifest says %s", filepath.Base(path), got, sum)
	}
	tt, err := readTerms(b, hashes)
	if err != nil {
		return nil, fmt.Errorf("terms file %s: %w", filepath.Base(path), err)
	}
	return tt, nil
}

// loadLayout reads a layout file and checks it against its checksum.
func loadLayout(path, sum string, entries []manifestEntry, dim int) (*storeSeed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if got := fmt.Sprintf("%x", sha256.Sum256(b)); got != sum {
		return nil, fmt.Errorf("layout file %s: checksum %s, manifest says %s", filepath.Base(path), got, sum)
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.ID
	}
	sd, err := readLayout(b, ids, dim)
	if err != nil {
		return nil, fmt.Errorf("layout file %s: %w", filepath.Base(path), err)
	}
	return sd, nil
}

// removeTemps deletes files a crashed save left behind. A temp file younger
// than a minute may belong to another process saving right now.
func (p *persister) removeTemps() {
	ents, _ := os.ReadDir(p.dir)
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Minute {
			os.Remove(filepath.Join(p.dir, e.Name()))
		}
	}
}

// published runs after every successful build: it records the stats and
// saves the snapshot when a path is set. A failed save is logged, not
// returned: the index in memory is good; Save reports the error to a caller
// that needs it.
func (ix *Index) published(ctx context.Context, s *snapshot, st UpdateStats) {
	ix.last.Store(&st)
	if ix.per == nil || s.missing > 0 {
		return // an incomplete snapshot's progress is saved by keepProgress
	}
	err := ix.per.saveSnapshot(ctx, ix.emb.Name(), s, false)
	ix.noteSave(err)
	if err != nil {
		ix.log.Warn("index not saved; serving from memory, retrying later", "dir", ix.per.dir, "err", err)
	}
}

// LastStats reports what the last successful build (or Update of an
// unchanged corpus, Unchanged set) did; for the first one (NewIndex) the
// counts are against the persisted index, if one was used.
func (ix *Index) LastStats() UpdateStats {
	if st := ix.last.Load(); st != nil {
		return *st
	}
	return UpdateStats{}
}

// Path is the directory the index persists to, "" when it is memory-only.
func (ix *Index) Path() string {
	if ix.per == nil {
		return ""
	}
	return ix.per.dir
}

// Save writes the current snapshot to the index directory unless it is
// already saved. It is a no-op for a memory-only index. NewIndex and Update
// save on their own and only log a failure; call Save to learn of it.
func (ix *Index) Save(ctx context.Context) error {
	if ix.per == nil {
		return nil
	}
	s := ix.snap.Load()
	if s.missing > 0 {
		return fmt.Errorf("retrieval: %d of %d passages have no vector yet (%w); the %d embedded so far are saved",
			s.missing, len(s.passages), s.embedErr, len(s.passages)-s.missing)
	}
	err := ix.per.saveSnapshot(ctx, ix.emb.Name(), s, false)
	ix.noteSave(err)
	return err
}

// keepProgress is called when embedding fails part-way (todo are the
// passages that were to be embedded): the vectors embedded so far stay in memory for the next attempt and, with a path set,
// are saved with every reused one as a partial index the next run starts from.
func (ix *Index) keepProgress(ctx context.Context, s *snapshot, todo []int) {
	if ix.spare == nil {
		ix.spare = make(map[string][]float32)
	}
	fresh := 0
	for _, i := range todo {
		if h := s.hashes[i]; s.vecs[i] != nil && ix.spare[h] == nil {
			ix.spare[h] = s.vecs[i]
			fresh++
		}
	}
	// Nothing new to keep (the server failed on the first batch): do not
	// rewrite the whole index at every retry while it is down.
	if ix.per == nil || fresh == 0 {
		return
	}
	// A private snapshot of the passages that have a vector (their own, or
	// one embedded for the same content).
	byContent := s.vectorsByContent()
	part := &snapshot{byID: map[string]int{}}
	for i, p := range s.passages {
		v := byContent[s.hashes[i]]
		if v == nil {
			continue
		}
		part.byID[p.ID] = len(part.passages)
		part.passages = append(part.passages, p)
		part.hashes = append(part.hashes, s.hashes[i])
		part.vecs = append(part.vecs, v)
	}
	if len(part.passages) == 0 {
		return
	}
	err := ix.per.saveSnapshot(ctx, ix.emb.Name(), part, true)
	if err != nil {
		ix.log.Warn("indexing progress not saved", "dir", ix.per.dir, "err", err)
		return
	}
	ix.log.Info("indexing progress saved", "dir", ix.per.dir, "passages", len(part.passages), "of", len(s.passages))
}

// saveSnapshot writes s's store and a manifest naming it, then removes the
// previous index file. s must be immutable (published, or private to the
// caller).
func (p *persister) saveSnapshot(ctx context.Context, embName string, s *snapshot, partial bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s == nil || len(s.passages) == 0 {
		return nil
	}
	entries := make([]manifestEntry, len(s.passages))
	for i, ps := range s.passages {
		entries[i] = manifestEntry{ID: ps.ID, Hash: s.hashes[i]}
	}
	digest := entriesDigest(entries)
	stamp := layoutStamp(s)
	if !partial && digest == p.digest && stamp == p.layout {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return fmt.Errorf("index directory: %w", err)
	}
	unlock, err := p.lock()
	if err != nil {
		return err
	}
	defer unlock()
	p.adoptNewerSave()
	gen := p.gen + 1
	name := fmt.Sprintf("index-%d.vec", gen)
	sum, err := p.writeAtomic(name, func(w io.Writer) error {
		return writeVectors(w, len(s.vecs[0]), s.vecs)
	})
	if err != nil {
		return fmt.Errorf("save index: %w", err)
	}
	m := manifest{
		FormatVersion: manifestFormat, Embedder: embName, Dim: len(s.vecs[0]), Gen: gen,
		IndexFile: name, SHA256: sum, Passages: len(entries), Partial: partial,
		Saved: time.Now().UTC(), Entries: entries,
	}
	if tt := invertBM25(s); tt != nil {
		m.TermsFile = fmt.Sprintf("terms-%d.bin", gen)
		m.TermsSHA256, err = p.writeAtomic(m.TermsFile, func(w io.Writer) error {
			return writeTerms(w, tt, s.hashes)
		})
		if err != nil {
			os.Remove(filepath.Join(p.dir, name))
			return fmt.Errorf("save terms: %w", err)
		}
	}
	if sd := seedOfSnapshot(s); sd != nil {
		ids := make([]string, len(entries))
		for i, e := range entries {
			ids[i] = e.ID
		}
		m.IVFFile = fmt.Sprintf("ivf-%d.bin", gen)
		m.IVFSHA256, err = p.writeAtomic(m.IVFFile, func(w io.Writer) error {
			return writeLayout(w, sd, ids)
		})
		if err != nil {
			for _, f := range []string{name, m.TermsFile} {
				if f != "" {
					os.Remove(filepath.Join(p.dir, f))
				}
			}
			return fmt.Errorf("save vector partitions: %w", err)
		}
	}
	_, err = p.writeAtomic(manifestName, func(w io.Writer) error {
		return json.NewEncoder(w).Encode(m)
	})
	var nd *notDurableError
	if errors.As(err, &nd) {
		// The new manifest is live, but a crash could bring the old one
		// back: keep the files of both. The next save writes again, and
		// its cleanup removes whichever is then unnamed.
		p.gen, p.file, p.terms, p.ivf = gen, name, m.TermsFile, m.IVFFile
		p.digest, p.layout = "", ""
		return fmt.Errorf("save manifest: %w", err)
	}
	if err != nil {
		for _, f := range m.names() {
			os.Remove(filepath.Join(p.dir, f))
		}
		return fmt.Errorf("save manifest: %w", err)
	}
	p.gen, p.file, p.terms, p.ivf = gen, name, m.TermsFile, m.IVFFile
	p.digest, p.layout = "", ""
	if !partial {
		p.digest, p.layout = digest, stamp
	}
	// Everything else of a known kind is named by no manifest that can
	// come back: the previous generation, and orphans of earlier failures.
	if _, err := removeOrphans(p.dir, m.names()); err != nil {
		return fmt.Errorf("remove old index: %w", err)
	}
	return nil
}

// logWarn and logInfo log when a logger is set.
func (p *persister) logWarn(msg string, args ...any) {
	if p.log != nil {
		p.log.Warn(msg, args...)
	}
}

func (p *persister) logInfo(msg string, args ...any) {
	if p.log != nil {
		p.log.Info(msg, args...)
	}
}

// adoptNewerSave continues after a save another process (or Index) made
// in the same directory since ours: the next generation follows the one the
// manifest names, and that manifest's files are the ones to remove once ours
// are in place. Called under the directory lock.
func (p *persister) adoptNewerSave() {
	b, err := os.ReadFile(filepath.Join(p.dir, manifestName))
	if err != nil {
		return
	}
	var m manifest
	if json.Unmarshal(b, &m) != nil || m.Gen <= p.gen {
		return
	}
	if indexFilePattern.MatchString(m.IndexFile) {
		p.file = m.IndexFile
	}
	p.terms, p.ivf = "", ""
	if termsFilePattern.MatchString(m.TermsFile) {
		p.terms = m.TermsFile
	}
	if ivfFilePattern.MatchString(m.IVFFile) {
		p.ivf = m.IVFFile
	}
	p.gen = m.Gen
}

// entriesDigest identifies a list of passage ids and content hashes.
func entriesDigest(es []manifestEntry) string {
	h := sha256.New()
	for _, e := range es {
		io.WriteString(h, e.ID)
		h.Write([]byte{0})
		io.WriteString(h, e.Hash)
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}
