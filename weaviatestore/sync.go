package weaviatestore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"
	"github.com/weaviate/weaviate/entities/models"

	"citebot/corpus"
	"citebot/retrieval"
)

func ptr[T any](v T) *T { return &v }

func textProp(name, tokenization string, filterable, searchable bool) *models.Property {
	return &models.Property{Name: name, DataType: []string{"text"}, Tokenization: tokenization,
		IndexFilterable: ptr(filterable), IndexSearchable: ptr(searchable)}
}

func intProp(name string, filterable bool) *models.Property {
	return &models.Property{Name: name, DataType: []string{"int"}, IndexFilterable: ptr(filterable), IndexRangeFilters: ptr(false)}
}

func (s *Store) classes() []*models.Class {
	repl := &models.ReplicationConfig{Factor: int64(s.cfg.Replication), AsyncEnabled: s.cfg.Replication > 1}
	// Stop words are citebot's analyzer's business: Weaviate must count
	// every term it was given.
	inv := &models.InvertedIndexConfig{Bm25: &models.BM25Config{K1: 1.2, B: 0.75},
		Stopwords: &models.StopwordConfig{Preset: "none"}}
	plain := func(name string) *models.Property { return textProp(name, "field", false, false) }
	return []*models.Class{
		{
			Class: s.passages, Description: s.description(), Vectorizer: "none", VectorIndexType: "hnsw",
			VectorIndexConfig: map[string]any{"distance": "cosine"}, ReplicationConfig: repl, InvertedIndexConfig: inv,
			Properties: []*models.Property{
				textProp("passageId", "field", true, false), textProp("articleId", "field", true, false),
				plain("text"), plain("section"), intProp("paragraph", false), intProp("part", false), intProp("ord", true),
				plain("title"), plain("source"), textProp("sourceKey", "field", true, false), plain("author"),
				plain("published"), plain("url"), plain("lead"), intProp("leadN", false), plain("previous"), plain("links"),
				textProp("terms", "whitespace", false, true), textProp("contentHash", "field", true, false), plain("recordHash"),
			},
		},
		{
			Class: s.articles, Description: "citebot articles for " + s.passages, Vectorizer: "none", ReplicationConfig: repl,
			Properties: []*models.Property{
				textProp("articleId", "field", true, false), intProp("ord", false), plain("data"), plain("hash"),
			},
		},
		{
			Class: s.meta, Description: "citebot statistics for " + s.passages, Vectorizer: "none", ReplicationConfig: repl,
			Properties: []*models.Property{
				textProp("kind", "field", true, false), textProp("key", "field", true, false), intProp("ord", false), plain("data"),
			},
		},
	}
}

// ensureSchema creates the collections that are missing and checks the
// passages collection belongs to this embedder.
func (s *Store) ensureSchema(ctx context.Context) (created bool, err error) {
	for _, cls := range s.classes() {
		err := s.do(ctx, func(c *weaviate.Client) error {
			got, err := c.Schema().ClassGetter().WithClassName(cls.Class).Do(ctx)
			if err == nil {
				if cls.Class == s.passages {
					if err := s.checkClass(got); err != nil {
						return err
					}
					if got.ReplicationConfig != nil && got.ReplicationConfig.Factor != int64(s.cfg.Replication) {
						s.log.Warn("collection exists with another replication factor; keeping it",
							"collection", cls.Class, "factor", got.ReplicationConfig.Factor, "CITEBOT_WEAVIATE_REPLICATION", s.cfg.Replication)
					}
				}
				return nil
			}
			if statusOf(err) != http.StatusNotFound {
				return err
			}
			if err := c.Schema().ClassCreator().WithClass(cls).Do(ctx); err != nil {
				if strings.Contains(err.Error(), "already exists") {
					return nil
				}
				return fmt.Errorf("create collection %s: %w", cls.Class, err)
			}
			created = true
			if cls.Class == s.passages {
				s.replicated.Store(s.cfg.Replication > 1)
				s.checked.Store(true)
			}
			return nil
		})
		if err != nil {
			return created, err
		}
	}
	return created, nil
}

// SyncStats reports what Sync changed. Passages are counted by id:
// Added and Changed were written with a new vector unless their content
// was already stored (Embedded counts vectors computed); Updated were
// rewritten with their stored vector (metadata or context changed);
// Removed were deleted; Kept were not touched.
type SyncStats struct {
	Added, Changed, Updated, Removed, Kept int
	Embedded                               int
	ArticlesWritten, ArticlesRemoved       int
	// StatsWritten is true when new statistics were published.
	StatsWritten bool
	Duration     time.Duration
}

// Wrote reports whether the sync wrote anything.
func (st SyncStats) Wrote() bool {
	return st.Added+st.Changed+st.Updated+st.Removed+st.ArticlesWritten+st.ArticlesRemoved > 0 || st.StatsWritten
}

// SyncOptions tunes Sync; the zero value is usable.
type SyncOptions struct {
	// Batch is how many passages are embedded and written together; 0
	// means 128.
	Batch int
	// Progress, if set, is called after each written batch.
	Progress func(done, total int)
	// Attempts bounds the tries of one failed write; 0 means 6 (with
	// backoff from 250ms, about 8s in all).
	Attempts int
}

// stored is what Sync needs to know of a stored passage.
type stored struct {
	uuid, content, record string
}

// Sync makes the collections hold exactly c, embedding only content the
// collection does not hold yet. It creates the collections when missing.
// Every passage object is written together with its vector, so a sync that
// fails part-way leaves passages old or new, never without a vector, and
// running it again finishes the job. Readers switch to the new statistics
// only after every passage is written.
func (s *Store) Sync(ctx context.Context, c *corpus.Corpus, opts SyncOptions) (SyncStats, error) {
	start := time.Now()
	var st SyncStats
	if opts.Batch <= 0 {
		opts.Batch = 128
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 6
	}
	recs, err := retrieval.BuildRecords(c)
	if err != nil {
		return st, err
	}
	// The schema read and the listing are retried like the writes: right
	// after a node dies the others may stall until the cluster has marked
	// it dead or elected a new Raft leader.
	if err := retry(ctx, opts.Attempts, func() error {
		_, err := s.ensureSchema(ctx)
		return err
	}); err != nil {
		return st, err
	}
	have, err := s.storedPassages(ctx)
	for a := 1; err != nil && !permanent(err) && a < opts.Attempts; a++ {
		if werr := sleepCtx(ctx, time.Duration(a)*time.Second); werr != nil {
			return st, werr
		}
		have, err = s.storedPassages(ctx)
	}
	if err != nil {
		return st, fmt.Errorf("listing %s: %w", s.passages, err)
	}
	byContent := map[string]string{} // content hash → a uuid holding it
	for _, h := range have {
		byContent[h.content] = h.uuid
	}
	type job struct {
		rec   retrieval.Record
		reuse string // uuid whose vector to reuse, "" to embed
	}
	var jobs []job
	want := make(map[string]bool, len(recs))
	for _, r := range recs {
		want[r.Passage.ID] = true
		h, ok := have[r.Passage.ID]
		switch {
		case ok && h.record == r.RecordHash:
			st.Kept++
			continue
		case ok && h.content == r.ContentHash:
			st.Updated++
		case ok:
			st.Changed++
		default:
			st.Added++
		}
		jobs = append(jobs, job{rec: r, reuse: byContent[r.ContentHash]})
	}
	var gone []string
	for id := range have {
		if !want[id] {
			gone = append(gone, id)
		}
	}
	st.Removed = len(gone)

	for lo := 0; lo < len(jobs); lo += opts.Batch {
		batch := jobs[lo:min(lo+opts.Batch, len(jobs))]
		vecs := make([][]float32, len(batch))
		var reuse []string
		var embed []int
		for i, j := range batch {
			if j.reuse != "" {
				reuse = append(reuse, j.reuse)
			} else {
				embed = append(embed, i)
			}
		}
		old, err := s.vectors(ctx, reuse)
		if err != nil {
			return st, err
		}
		for i, j := range batch {
			if j.reuse == "" {
				continue
			}
			if v, ok := old[j.reuse]; ok && len(v) > 0 {
				vecs[i] = v
			} else {
				embed = append(embed, i)
			}
		}
		if len(embed) > 0 {
			texts := make([]string, len(embed))
			for k, i := range embed {
				texts[k] = retrieval.EmbedText(batch[i].rec.Passage)
			}
			got, err := s.emb.EmbedDocuments(ctx, texts)
			if err != nil {
				return st, fmt.Errorf("embedding passages with %s: %w", s.emb.Name(), err)
			}
			if len(got) != len(texts) {
				return st, fmt.Errorf("embedder %s returned %d vectors for %d texts", s.emb.Name(), len(got), len(texts))
			}
			for k, i := range embed {
				if len(got[k]) == 0 || (s.emb.Dim() > 0 && len(got[k]) != s.emb.Dim()) {
					return st, fmt.Errorf("embedder %s returned a vector of length %d for passage %s", s.emb.Name(), len(got[k]), batch[i].rec.Passage.ID)
				}
				vecs[i] = got[k]
			}
			st.Embedded += len(embed)
		}
		objs := make([]*models.Object, len(batch))
		for i, j := range batch {
			objs[i] = s.passageObject(j.rec, vecs[i])
		}
		if err := s.write(ctx, objs, opts.Attempts); err != nil {
			return st, err
		}
		if opts.Progress != nil {
			opts.Progress(lo+len(batch), len(jobs))
		}
	}
	if err := s.deleteWhere(ctx, s.passages, "passageId", gone, opts.Attempts); err != nil {
		return st, err
	}
	if st.ArticlesWritten, st.ArticlesRemoved, err = s.syncArticles(ctx, c, opts.Attempts); err != nil {
		return st, err
	}
	if st.StatsWritten, err = s.publish(ctx, retrieval.BuildStats(c, recs), opts.Attempts); err != nil {
		return st, err
	}
	st.Duration = time.Since(start)
	return st, nil
}

func (s *Store) passageObject(r retrieval.Record, vec []float32) *models.Object {
	links := ""
	if len(r.Passage.Links) > 0 {
		b, _ := json.Marshal(r.Passage.Links)
		links = string(b)
	}
	p := r.Passage
	return &models.Object{Class: s.passages, ID: strfmtUUID(objectID(s.passages, p.ID)), Vector: vec,
		Properties: map[string]any{
			"passageId": p.ID, "articleId": p.DocID, "text": p.Text, "section": p.Section, "paragraph": p.Paragraph,
			"part": p.Part, "ord": r.Ord, "title": r.Title, "source": r.Source, "sourceKey": retrieval.SourceKey(r.Source),
			"author": r.Author, "published": r.Published, "url": r.URL, "lead": r.Lead, "leadN": r.LeadN,
			"previous": r.Previous, "links": links, "terms": strings.Join(r.Terms, " "),
			"contentHash": r.ContentHash, "recordHash": r.RecordHash,
		}}
}

// pageSize is how many objects one listing request returns.
const pageSize = 1000

// list walks every object of class with the cursor API.
func (s *Store) list(ctx context.Context, class string, fields []graphql.Field, each func(map[string]any)) error {
	after := ""
	for {
		objs, err := s.gql(ctx, class, func(c *weaviate.Client) *graphql.GetBuilder {
			b := s.level(c.GraphQL().Get().WithClassName(class).WithFields(withAdditional(fields, "id")...).WithLimit(pageSize), Quorum)
			if after != "" {
				b = b.WithAfter(after)
			}
			return b
		})
		if err != nil {
			return err
		}
		for _, o := range objs {
			each(o)
		}
		if len(objs) < pageSize {
			return nil
		}
		a, _ := objs[len(objs)-1]["_additional"].(map[string]any)
		after, _ = a["id"].(string)
		if after == "" {
			return errors.New("listing: an object has no id")
		}
	}
}

func (s *Store) storedPassages(ctx context.Context) (map[string]stored, error) {
	out := map[string]stored{}
	err := s.list(ctx, s.passages, []graphql.Field{{Name: "passageId"}, {Name: "contentHash"}, {Name: "recordHash"}}, func(o map[string]any) {
		a, _ := o["_additional"].(map[string]any)
		id, _ := a["id"].(string)
		out[str(o, "passageId")] = stored{uuid: id, content: str(o, "contentHash"), record: str(o, "recordHash")}
	})
	return out, err
}

// vectors fetches the stored vectors of the given object uuids.
func (s *Store) vectors(ctx context.Context, uuids []string) (map[string][]float32, error) {
	out := map[string][]float32{}
	for lo := 0; lo < len(uuids); lo += 100 {
		part := uuids[lo:min(lo+100, len(uuids))]
		objs, err := s.gql(ctx, s.passages, func(c *weaviate.Client) *graphql.GetBuilder {
			return s.level(c.GraphQL().Get().WithClassName(s.passages).WithFields(withAdditional(nil, "id", "vector")...).
				WithWhere(filters.Where().WithPath([]string{"id"}).WithOperator(filters.ContainsAny).WithValueText(part...)).
				WithLimit(len(part)), Quorum)
		})
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			a, _ := o["_additional"].(map[string]any)
			id, _ := a["id"].(string)
			raw, _ := a["vector"].([]any)
			v := make([]float32, len(raw))
			for i, x := range raw {
				f, _ := x.(float64)
				v[i] = float32(f)
			}
			out[id] = v
		}
	}
	return out, nil
}

// retry runs f until it succeeds, fails permanently, or attempts run out,
// backing off from 250ms.
func retry(ctx context.Context, attempts int, f func() error) error {
	wait := 250 * time.Millisecond
	var err error
	for a := 0; a < attempts; a++ {
		if err = f(); err == nil || permanent(err) {
			return err
		}
		if a == attempts-1 {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 4*time.Second)
	}
	return err
}

// write upserts objs (each with its vector, atomically per object),
// retrying the objects that failed.
func (s *Store) write(ctx context.Context, objs []*models.Object, attempts int) error {
	todo := objs
	return retry(ctx, attempts, func() error {
		var failed []*models.Object
		var first string
		err := s.do(ctx, func(c *weaviate.Client) error {
			resp, err := c.Batch().ObjectsBatcher().WithObjects(todo...).WithConsistencyLevel(Quorum).Do(ctx)
			if err != nil {
				return err
			}
			failed = failed[:0]
			for i, r := range resp {
				if r.Result != nil && r.Result.Errors != nil && len(r.Result.Errors.Error) > 0 && i < len(todo) {
					failed = append(failed, todo[i])
					if first == "" {
						first = r.Result.Errors.Error[0].Message
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(failed) > 0 {
			todo = failed
			return fmt.Errorf("weaviate: %d of a batch not written: %s", len(failed), first)
		}
		return nil
	})
}

// deleteWhere deletes the objects of class whose prop is one of values.
func (s *Store) deleteWhere(ctx context.Context, class, prop string, values []string, attempts int) error {
	for lo := 0; lo < len(values); lo += 200 {
		part := values[lo:min(lo+200, len(values))]
		err := retry(ctx, attempts, func() error {
			return s.do(ctx, func(c *weaviate.Client) error {
				resp, err := c.Batch().ObjectsBatchDeleter().WithClassName(class).WithConsistencyLevel(Quorum).
					WithWhere(filters.Where().WithPath([]string{prop}).WithOperator(filters.ContainsAny).WithValueText(part...)).
					Do(ctx)
				if err != nil {
					return err
				}
				if resp.Results != nil && resp.Results.Failed > 0 {
					return fmt.Errorf("weaviate: %d deletes from %s failed", resp.Results.Failed, class)
				}
				return nil
			})
		})
		if err != nil {
			return fmt.Errorf("deleting from %s: %w", class, err)
		}
	}
	return nil
}

func articleHash(b []byte, ord int) string {
	h := sha256.Sum256(append(b, byte(ord), byte(ord>>8), byte(ord>>16), byte(ord>>24)))
	return hex.EncodeToString(h[:16])
}

// syncArticles makes the articles collection hold c's articles.
func (s *Store) syncArticles(ctx context.Context, c *corpus.Corpus, attempts int) (written, removed int, err error) {
	have := map[string]string{}
	err = s.list(ctx, s.articles, []graphql.Field{{Name: "articleId"}, {Name: "hash"}}, func(o map[string]any) {
		have[str(o, "articleId")] = str(o, "hash")
	})
	if err != nil {
		return 0, 0, fmt.Errorf("listing %s: %w", s.articles, err)
	}
	var objs []*models.Object
	want := map[string]bool{}
	for i, a := range c.Articles {
		if a == nil {
			continue
		}
		want[a.ID] = true
		b, err := json.Marshal(a)
		if err != nil {
			return 0, 0, err
		}
		h := articleHash(b, i)
		if have[a.ID] == h {
			continue
		}
		objs = append(objs, &models.Object{Class: s.articles, ID: strfmtUUID(objectID(s.articles, a.ID)),
			Properties: map[string]any{"articleId": a.ID, "ord": i, "data": string(b), "hash": h}})
	}
	for lo := 0; lo < len(objs); lo += 64 {
		if err := s.write(ctx, objs[lo:min(lo+64, len(objs))], attempts); err != nil {
			return written, 0, err
		}
		written += min(lo+64, len(objs)) - lo
	}
	var gone []string
	for id := range have {
		if !want[id] {
			gone = append(gone, id)
		}
	}
	if err := s.deleteWhere(ctx, s.articles, "articleId", gone, attempts); err != nil {
		return written, 0, err
	}
	return written, len(gone), nil
}

// statsChunk bounds one stats object's data (base64 characters).
const statsChunk = 1 << 20

// publish writes st as a new generation, then points the head at it, then
// drops older generations. It writes nothing when the head already names
// st's generation.
func (s *Store) publish(ctx context.Context, st *retrieval.Stats, attempts int) (bool, error) {
	gen := st.Generation()
	h, ok, err := s.head(ctx)
	if err != nil {
		return false, err
	}
	if ok && h.Generation == gen {
		return false, nil
	}
	raw, err := st.Encode()
	if err != nil {
		return false, err
	}
	data := base64.StdEncoding.EncodeToString(raw)
	var objs []*models.Object
	for i := 0; i*statsChunk < len(data) || i == 0; i++ {
		part := data[i*statsChunk : min((i+1)*statsChunk, len(data))]
		objs = append(objs, &models.Object{Class: s.meta, ID: strfmtUUID(objectID(s.meta, gen+"/"+fmt.Sprint(i))),
			Properties: map[string]any{"kind": "stats", "key": gen, "ord": i, "data": part}})
	}
	for _, o := range objs {
		if err := s.write(ctx, []*models.Object{o}, attempts); err != nil {
			return false, err
		}
	}
	hb, _ := json.Marshal(head{Generation: gen, Chunks: len(objs)})
	if err := s.write(ctx, []*models.Object{{Class: s.meta, ID: strfmtUUID(objectID(s.meta, headKey)),
		Properties: map[string]any{"kind": "head", "key": headKey, "ord": 0, "data": string(hb)}}}, attempts); err != nil {
		return false, err
	}
	// Older generations: readers that loaded one keep it in memory; new
	// readers follow the head.
	var old []string
	err = s.list(ctx, s.meta, []graphql.Field{{Name: "kind"}, {Name: "key"}}, func(o map[string]any) {
		if str(o, "kind") == "stats" && str(o, "key") != gen {
			old = append(old, str(o, "key"))
		}
	})
	if err == nil {
		err = s.deleteWhere(ctx, s.meta, "key", old, attempts)
	}
	if err != nil {
		s.log.Warn("older statistics not removed", "collection", s.meta, "error", err)
	}
	return true, nil
}

// Drop deletes the collections (passages, articles, statistics). citebot
// never calls it on the served collections; bench uses it on its own.
func (s *Store) Drop(ctx context.Context) error {
	for _, class := range []string{s.passages, s.articles, s.meta} {
		err := s.do(ctx, func(c *weaviate.Client) error {
			err := c.Schema().ClassDeleter().WithClassName(class).Do(ctx)
			if statusOf(err) == http.StatusNotFound {
				return nil
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("dropping %s: %w", class, err)
		}
	}
	s.checked.Store(false)
	return nil
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
