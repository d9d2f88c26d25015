package retrieval

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"citebot/corpus"
)

// An Index answers either from the passages it holds in memory (NewIndex)
// or from a Backend that holds them elsewhere (NewRemoteIndex), such as a
// Weaviate collection shared by many replicas. The two differ only in where
// the candidates and the passages come from: query analysis, fusion,
// reranking, near-duplicate folding, abstention and excerpts are the same
// code on the same inputs.

// ErrUnavailable wraps every failure to reach a Backend (down, collection
// missing, unauthorized): the index cannot answer right now, but may once
// the backend returns. Test with errors.Is.
var ErrUnavailable = errors.New("the index is unavailable")

// Backend is an index kept outside the process. A writer fills it with
// Records and publishes Stats (see BuildRecords, BuildStats); readers query
// it. Every method must be safe for concurrent use, and its failures to
// reach the store should wrap ErrUnavailable.
type Backend interface {
	// Stats returns the statistics the writer last published. It is called
	// again whenever Generation changes.
	Stats(ctx context.Context) (*Stats, error)
	// Generation identifies the published statistics cheaply, so readers
	// notice an update without downloading them.
	Generation(ctx context.Context) (string, error)
	// Lexical returns up to n records by BM25 over Record.Terms for the
	// given query terms (unweighted), best first, each with Score set to
	// its BM25 score.
	Lexical(ctx context.Context, terms []string, n int, f Filter) ([]Record, error)
	// Dense returns up to n records nearest to vec by cosine similarity,
	// best first, each with Score set to the similarity.
	Dense(ctx context.Context, vec []float32, n int, f Filter) ([]Record, error)
	// Similarity returns the cosine similarity of vec to each stored
	// passage id (ids not found are absent from the map).
	Similarity(ctx context.Context, vec []float32, ids []string) (map[string]float64, error)
	// Passage returns one record by passage id; ok is false when unknown.
	Passage(ctx context.Context, id string) (r Record, ok bool, err error)
	// First returns the first n records in corpus order (Record.Ord).
	First(ctx context.Context, n int) ([]Record, error)
	// Article returns one whole article by id; ok is false when unknown.
	Article(ctx context.Context, id string) (a *corpus.Article, ok bool, err error)
}

// HybridBackend is a Backend that also fuses its BM25 and dense rankings
// itself (Weaviate's hybrid query). An Index uses it only when
// RemoteOptions.BackendFusion is set: by default citebot fuses the two
// rankings itself, as in memory (see README, "Past one machine", for the
// measurement behind that default).
type HybridBackend interface {
	Backend
	// Hybrid returns up to n records by the backend's fusion of BM25 over
	// terms and the cosine to vec, best first, Score set to the fused score.
	Hybrid(ctx context.Context, terms []string, vec []float32, n int, f Filter) ([]Record, error)
}

// Filter restricts a Backend query. Source is the publisher lowercased
// (Record.SourceKey); empty fields do not filter.
type Filter struct {
	Source, DocID string
}

// Record is one passage as a Backend stores it: the passage, what a citation
// needs of its article, the context the reranker reads (the article's lead
// paragraph and the text just before the passage), and its analyzed terms
// for BM25. A Record carries no vector: the writer stores it with the
// passage's embedding.
type Record struct {
	Passage corpus.Passage
	// Article metadata (no paragraphs).
	Title, Source, Author, Published, URL string
	// LeadN and Lead are the article's first paragraph (number and text).
	LeadN int
	Lead  string
	// Previous is the text just before the passage (previous part of the
	// paragraph, else the previous paragraph); empty for the first.
	Previous string
	// Terms are the analyzed terms of the passage text with its section
	// heading, in order, as BM25 indexes them.
	Terms []string
	// Ord is the passage's position in the corpus.
	Ord int
	// ContentHash identifies what is embedded (corpus.Passage.Hash): equal
	// hashes share a vector. RecordHash covers every field above, so an
	// unchanged record is never rewritten.
	ContentHash, RecordHash string
	// Score is set by Backend queries (BM25 score or cosine similarity).
	Score float64
}

// SourceKey is the publisher as filters compare it.
func SourceKey(source string) string { return strings.ToLower(strings.TrimSpace(source)) }

// EmbedText is the text a passage's vector is computed from.
func EmbedText(p corpus.Passage) string { return passageText(p) }

// BuildRecords turns c into the records a Backend stores, in corpus order,
// with the same analysis and context the in-memory index uses.
func BuildRecords(c *corpus.Corpus) ([]Record, error) {
	if c == nil {
		return nil, errors.New("retrieval: nil corpus")
	}
	an := newAnalyzer()
	arts := make(map[string]*corpus.Article, len(c.Articles))
	for _, a := range c.Articles {
		if a != nil {
			arts[a.ID] = a
		}
	}
	byID := make(map[string]int, len(c.Passages))
	for i, p := range c.Passages {
		if p.ID == "" {
			return nil, fmt.Errorf("retrieval: passage %d of %q has no id", i, p.DocID)
		}
		if _, dup := byID[p.ID]; dup {
			return nil, fmt.Errorf("retrieval: duplicate passage id %q", p.ID)
		}
		byID[p.ID] = i
	}
	// previousText reads only byID and passages of a snapshot.
	s := &snapshot{passages: c.Passages, byID: byID}
	out := make([]Record, len(c.Passages))
	for i, p := range c.Passages {
		r := Record{Passage: p, Ord: i, ContentHash: p.Hash(), Terms: an.terms(passageText(p))}
		if a := arts[p.DocID]; a != nil {
			r.Title, r.Source, r.Author, r.Published, r.URL = a.Title, a.Source, a.Author, a.Published, a.URL
			if len(a.Paragraphs) > 0 {
				r.LeadN, r.Lead = a.Paragraphs[0].N, a.Paragraphs[0].Text
			}
			r.Previous, _ = previousText(s, a, p)
		}
		r.RecordHash = r.hash()
		out[i] = r
	}
	return out, nil
}

func (r *Record) hash() string {
	h := sha256.New()
	b, _ := json.Marshal(struct {
		P                                     corpus.Passage
		Title, Source, Author, Published, URL string
		LeadN                                 int
		Lead, Previous                        string
		Terms                                 []string
		Ord                                   int
	}{r.Passage, r.Title, r.Source, r.Author, r.Published, r.URL, r.LeadN, r.Lead, r.Previous, r.Terms, r.Ord})
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Stats is what a reader of a Backend needs besides the records: the BM25
// collection statistics and vocabulary (query weights, spelling variants,
// synonyms, near-duplicate folding) and the article list (/sources, the
// reader's index). Its size grows with the vocabulary and the number of
// articles, not with the passages' text.
type Stats struct {
	// Passages is the number of records; AvgLen their mean term count.
	Passages int     `json:"passages"`
	AvgLen   float64 `json:"avg_len"`
	// Terms and DF are the vocabulary, sorted, with document frequencies.
	Terms []string `json:"terms"`
	DF    []int32  `json:"df"`
	// Articles in corpus order, without paragraphs.
	Articles []ArticleInfo `json:"articles"`
}

// ArticleInfo is an article's metadata in Stats.
type ArticleInfo struct {
	ID         string `json:"id"`
	Title      string `json:"title,omitempty"`
	Source     string `json:"source,omitempty"`
	Author     string `json:"author,omitempty"`
	Published  string `json:"published,omitempty"`
	URL        string `json:"url,omitempty"`
	Paragraphs int    `json:"paragraphs"`
	Passages   int    `json:"passages"`
}

// BuildStats computes the Stats of c from its records (BuildRecords(c)).
func BuildStats(c *corpus.Corpus, recs []Record) *Stats {
	st := &Stats{Passages: len(recs)}
	df := map[string]int32{}
	total := 0
	seen := map[string]bool{}
	count := map[string]int{}
	for _, r := range recs {
		clear(seen)
		for _, t := range r.Terms {
			if !seen[t] {
				seen[t] = true
				df[t]++
			}
		}
		total += len(r.Terms)
		count[r.Passage.DocID]++
	}
	if len(recs) > 0 {
		st.AvgLen = float64(total) / float64(len(recs))
	}
	st.Terms = make([]string, 0, len(df))
	for t := range df {
		st.Terms = append(st.Terms, t)
	}
	sort.Strings(st.Terms)
	st.DF = make([]int32, len(st.Terms))
	for i, t := range st.Terms {
		st.DF[i] = df[t]
	}
	for _, a := range c.Articles {
		if a == nil {
			continue
		}
		st.Articles = append(st.Articles, ArticleInfo{ID: a.ID, Title: a.Title, Source: a.Source, Author: a.Author,
			Published: a.Published, URL: a.URL, Paragraphs: len(a.Paragraphs), Passages: count[a.ID]})
	}
	return st
}

// Encode writes st compactly (gzipped JSON).
func (st *Stats) Encode() ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(st); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// DecodeStats reads what Encode wrote and checks its consistency.
func DecodeStats(b []byte) (*Stats, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("retrieval: stats: %w", err)
	}
	var st Stats
	if err := json.NewDecoder(io.LimitReader(zr, 1<<31)).Decode(&st); err != nil {
		return nil, fmt.Errorf("retrieval: stats: %w", err)
	}
	if len(st.Terms) != len(st.DF) || st.Passages < 0 {
		return nil, errors.New("retrieval: stats: terms and frequencies disagree")
	}
	return &st, nil
}

// Generation is a short digest of st, for Backend.Generation.
func (st *Stats) Generation() string {
	b, _ := json.Marshal(st)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}
