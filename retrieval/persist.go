package retrieval

import (
	"bytes"
	"cmp"
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
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"citebot/corpus"
)

// The persisted index lives in one directory (CITEBOT_INDEX):
//
//	seg-<g>-g<gen>.vec, .terms  each segment's passage ids, content hashes,
//	                 vectors and analyzed terms (segfile.go)
//	ivf-<gen>.bin    the dense store's partitions, if any (ivffile.go)
//	manifest.json    format version, embedder name and dimension, and each
//	                 file's name, SHA-256 and passage count
//
// A save writes the segments that changed since the last save, each file
// atomically, then the manifest that names them (and the unchanged ones),
// and only then removes the files no manifest names; so at any moment the
// manifest names a complete index. chromem-go's NewPersistentDB
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
	// gen is the generation the manifest names, segs its segments (their
	// files are reused by the next save when their digest is unchanged);
	// digest identifies the passages and contents saved, so an unchanged
	// snapshot is not written again.
	gen  uint64
	nseg int
	segs []manifestSegment
	// ivf and ivfSum name the saved layout file, reused while unchanged.
	ivf, ivfSum string
	digest      string
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
	// Remember the generation even if the index turns out unusable: the
	// next save must not reuse the names the manifest still points at.
	p.gen, p.segs, p.ivf = m.Gen, nil, ""
	if n, err := removeOrphans(p.dir, m.names()); err != nil {
		p.logWarn("old index files not removed", "dir", p.dir, "reason", err.Error())
	} else if n > 0 {
		p.logInfo("removed index files no manifest names", "dir", p.dir, "bytes", n)
	}
	var seed *snapshot
	if m.FormatVersion == manifestFormatV1 {
		seed, err = p.loadV1(m)
	} else {
		seed, err = p.loadSegments(m)
	}
	if err != nil {
		return nil, err
	}
	if m.IVFFile != "" {
		seed.ivf, err = loadLayout(filepath.Join(p.dir, m.IVFFile), m.IVFSHA256, m.Entries, m.Dim)
		if err != nil {
			p.logWarn("persisted vector partitions not usable; training them again", "dir", p.dir, "reason", err.Error())
		} else if m.FormatVersion == manifestFormat {
			p.ivf, p.ivfSum = m.IVFFile, m.IVFSHA256
		}
	}
	if !m.Partial && m.FormatVersion == manifestFormat {
		p.digest = segmentsDigest(m.Segments)
		p.layout = seedStamp(seed.ivf)
	}
	return seed, nil
}

// loadSegments reads a format-2 index: every segment's vectors (any
// reason not to trust one is an error: the caller rebuilds) and terms (an
// unusable terms file is logged and its passages are tokenized again).
func (p *persister) loadSegments(m *manifest) (*snapshot, error) {
	seed := &snapshot{byID: make(map[string]int, m.Passages), hashes: make([]string, 0, m.Passages),
		vecs: make([][]float32, 0, m.Passages), segDocs: make([][]int32, m.SegmentCount)}
	m.Entries = make([]manifestEntry, 0, m.Passages)
	var terms termMerger
	for _, sg := range m.Segments {
		g := sg.Segment
		b, err := os.ReadFile(filepath.Join(p.dir, sg.File))
		if err != nil {
			return nil, fmt.Errorf("segment file: %w", err)
		}
		if sum := fmt.Sprintf("%x", sha256.Sum256(b)); sum != sg.SHA256 {
			return nil, fmt.Errorf("segment file %s: checksum %s, manifest says %s", sg.File, sum, sg.SHA256)
		}
		ids, hashes, vecs, err := readSegVectors(b, m.Dim, sg.Passages)
		if err != nil {
			return nil, fmt.Errorf("segment file %s: %w", sg.File, err)
		}
		for k, id := range ids {
			if _, dup := seed.byID[id]; dup {
				return nil, fmt.Errorf("segment file %s: passage %q is listed twice", sg.File, id)
			}
			seed.byID[id] = len(seed.hashes)
			seed.segDocs[g] = append(seed.segDocs[g], int32(len(seed.hashes)))
			seed.hashes = append(seed.hashes, hashes[k])
			seed.vecs = append(seed.vecs, vecs[k])
			m.Entries = append(m.Entries, manifestEntry{ID: id, Hash: hashes[k]})
		}
		if sg.TermsFile == "" {
			continue
		}
		tt, err := loadTerms(filepath.Join(p.dir, sg.TermsFile), sg.TermsSHA256, hashes)
		if err != nil {
			p.logWarn("persisted terms not usable; tokenizing their passages", "dir", p.dir, "file", sg.TermsFile, "reason", err.Error())
			continue
		}
		terms.add(tt)
	}
	seed.terms = terms.tt
	p.nseg, p.segs = m.SegmentCount, m.Segments
	return seed, nil
}

// termMerger merges segments' terms tables into one over one dictionary.
type termMerger struct {
	tt  *termTable
	ids map[string]uint32
}

// add adds b's passages.
func (mg *termMerger) add(b *termTable) {
	if mg.tt == nil {
		mg.tt = &termTable{byHash: make(map[string]docTerms, len(b.byHash))}
		mg.ids = make(map[string]uint32, len(b.dict))
	}
	remap := make([]uint32, len(b.dict))
	for i, t := range b.dict {
		id, ok := mg.ids[t]
		if !ok {
			id = uint32(len(mg.tt.dict))
			mg.tt.dict = append(mg.tt.dict, t)
			mg.ids[t] = id
		}
		remap[i] = id
	}
	for h, d := range b.byHash {
		for k, id := range d.ids {
			d.ids[k] = remap[id]
		}
		mg.tt.byHash[h] = d
	}
}

// loadV1 reads a format-1 index: one vector file in manifest order and an
// optional terms file.
func (p *persister) loadV1(m *manifest) (*snapshot, error) {
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
		if err != nil {
			p.logWarn("persisted terms not usable; tokenizing every passage", "dir", p.dir, "reason", err.Error())
		}
		seed.terms = tt
	}
	p.logInfo("index saved in format 1: it is converted to segment files at the next save", "dir", p.dir)
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

// saveSnapshot writes s's segments that differ from the saved ones and a
// manifest naming every segment, then removes the files no manifest names.
// s must be immutable (published, or private to the caller).
func (p *persister) saveSnapshot(ctx context.Context, embName string, s *snapshot, partial bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s == nil || len(s.passages) == 0 {
		return nil
	}
	segDocs := s.segDocs
	if segDocs == nil {
		// A private snapshot (indexing progress): segment it like a
		// snapshot of its size.
		tmp := &snapshot{passages: s.passages}
		if err := segmentPassages(tmp, segmentCount(len(s.passages), 0, segSize)); err != nil {
			return err
		}
		segDocs = tmp.segDocs
	}
	digests := make([]string, len(segDocs))
	for g, docs := range segDocs {
		digests[g] = segmentDigest(s, docs)
	}
	digest := digestOf(digests)
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
	dim := 0
	for _, v := range s.vecs {
		if v != nil {
			dim = len(v)
			break
		}
	}
	p.adoptNewerSave(embName, dim)
	gen := p.gen + 1
	m := manifest{
		FormatVersion: manifestFormat, Embedder: embName, Dim: dim, Gen: gen,
		Passages: len(s.passages), Partial: partial, Saved: time.Now().UTC(), SegmentCount: len(segDocs),
	}
	// The data files are written and fsynced concurrently: each fsync of
	// a segment's vectors waits ~20 ms for the disk.
	var files []dataFile
	bm := s.bm25
	if bm != nil && (bm.segs == nil || len(bm.segs) != len(segDocs)) {
		bm = nil
	}
	var fresh []int // indexes into m.Segments of segments to write
	for g, docs := range segDocs {
		if len(docs) == 0 {
			continue
		}
		if old, ok := p.savedSegment(g, len(segDocs), digests[g], bm != nil); ok {
			m.Segments = append(m.Segments, old)
			continue
		}
		fresh = append(fresh, len(m.Segments))
		m.Segments = append(m.Segments, manifestSegment{Segment: g, File: fmt.Sprintf("seg-%d-g%d.vec", g, gen), Passages: len(docs), Digest: digests[g]})
	}
	for _, k := range fresh {
		sg := &m.Segments[k]
		g := sg.Segment
		files = append(files, dataFile{"index", sg.File, &sg.SHA256, func(w io.Writer) error { return writeSegVectors(w, dim, s, segDocs[g]) }})
		if bm != nil {
			sg.TermsFile = fmt.Sprintf("seg-%d-g%d.terms", g, gen)
			files = append(files, dataFile{"terms", sg.TermsFile, &sg.TermsSHA256, func(w io.Writer) error { return writeSegTerms(w, bm.dict, bm.segs[g]) }})
		}
	}
	if sd := seedOfSnapshot(s); sd != nil {
		// The layout assigns partitions in manifest order: the segments'.
		ids := make([]string, 0, len(s.passages))
		for _, docs := range segDocs {
			for _, i := range docs {
				ids = append(ids, s.passages[i].ID)
			}
		}
		var buf bytes.Buffer
		if err := writeLayout(&buf, sd, ids); err != nil {
			return fmt.Errorf("save vector partitions: %w", err)
		}
		// An exact store's layout rarely changes: keep its file then.
		if sum := fmt.Sprintf("%x", sha256.Sum256(buf.Bytes())); p.ivf != "" && sum == p.ivfSum {
			m.IVFFile, m.IVFSHA256 = p.ivf, sum
		} else {
			m.IVFFile = fmt.Sprintf("ivf-%d.bin", gen)
			files = append(files, dataFile{"vector partitions", m.IVFFile, &m.IVFSHA256, func(w io.Writer) error {
				_, err := w.Write(buf.Bytes())
				return err
			}})
		}
	}
	fail := func(err error) error {
		for _, f := range files {
			os.Remove(filepath.Join(p.dir, f.name))
		}
		return err
	}
	if err := p.writeFiles(files); err != nil {
		return fail(err)
	}
	// The data files' renames are durable before a manifest names them.
	if err := p.sync(); err != nil {
		return fail(fmt.Errorf("save index: %w", err))
	}
	_, err = p.writeAtomic(manifestName, func(w io.Writer) error {
		return json.NewEncoder(w).Encode(m)
	})
	var nd *notDurableError
	if errors.As(err, &nd) {
		// The new manifest is live, but a crash could bring the old one
		// back: keep the files of both. The next save writes again, and
		// its cleanup removes whichever is then unnamed.
		p.gen, p.segs, p.ivf = gen, nil, ""
		p.digest, p.layout = "", ""
		return fmt.Errorf("save manifest: %w", err)
	}
	if err != nil {
		return fail(fmt.Errorf("save manifest: %w", err))
	}
	p.gen, p.nseg, p.segs = gen, m.SegmentCount, m.Segments
	p.ivf, p.ivfSum = m.IVFFile, m.IVFSHA256
	p.digest, p.layout = "", ""
	if !partial {
		p.digest, p.layout = digest, stamp
	}
	// Everything else of a known kind is named by no manifest that can
	// come back: the previous generation's files not reused, and orphans
	// of earlier failures.
	if _, err := removeOrphans(p.dir, m.names()); err != nil {
		return fmt.Errorf("remove old index: %w", err)
	}
	return nil
}

// dataFile is one file a save writes: what it holds (for errors), its
// name, where its SHA-256 goes, and its contents.
type dataFile struct {
	what, name string
	sum        *string
	write      func(w io.Writer) error
}

// writeFiles writes files concurrently, each atomically but without the
// directory fsync (the caller syncs once); on error it removes none.
func (p *persister) writeFiles(files []dataFile) error {
	errs := make([]error, len(files))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for k := range files {
		f := &files[k]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			sum, err := p.writeFile(f.name, f.write, false)
			if err != nil {
				errs[k] = fmt.Errorf("save %s: %w", f.what, err)
				return
			}
			*f.sum = sum
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// savedSegment returns the saved segment g of nseg when its passages have
// the given digest and it has terms if wanted.
func (p *persister) savedSegment(g, nseg int, digest string, terms bool) (manifestSegment, bool) {
	if p.nseg != nseg {
		return manifestSegment{}, false
	}
	k, ok := slices.BinarySearchFunc(p.segs, g, func(sg manifestSegment, g int) int { return cmp.Compare(sg.Segment, g) })
	if !ok {
		return manifestSegment{}, false
	}
	sg := p.segs[k]
	return sg, sg.Digest == digest && (sg.TermsFile != "" || !terms)
}

// digestOf combines segment digests into the digest of a save.
func digestOf(digests []string) string {
	h := sha256.New()
	for _, d := range digests {
		io.WriteString(h, d)
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// segmentsDigest is digestOf for a manifest's segments.
func segmentsDigest(segs []manifestSegment) string {
	ds := make([]string, len(segs))
	for i, sg := range segs {
		ds[i] = sg.Digest
	}
	return digestOf(ds)
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
// are in place; its segments are reused when they hold vectors of embedder
// embName and dimension dim. Called under the directory lock.
func (p *persister) adoptNewerSave(embName string, dim int) {
	b, err := os.ReadFile(filepath.Join(p.dir, manifestName))
	if err != nil {
		return
	}
	var m struct {
		FormatVersion int               `json:"format_version"`
		Embedder      string            `json:"embedder"`
		Dim           int               `json:"dim"`
		Gen           uint64            `json:"gen"`
		SegmentCount  int               `json:"segment_count"`
		Segments      []manifestSegment `json:"segments"`
	}
	if json.Unmarshal(b, &m) != nil || m.Gen <= p.gen {
		return
	}
	// Its segments are the files on disk now (ours may have been removed),
	// reusable if they hold this embedder's vectors.
	p.gen, p.nseg, p.segs, p.ivf = m.Gen, m.SegmentCount, nil, ""
	if m.FormatVersion != manifestFormat || m.Embedder != embName || m.Dim != dim {
		return
	}
	for _, sg := range m.Segments {
		if !segFilePattern.MatchString(sg.File) || (sg.TermsFile != "" && !segTermsPattern.MatchString(sg.TermsFile)) {
			return
		}
	}
	p.segs = m.Segments
}
