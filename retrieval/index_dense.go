package retrieval

import (
	"context"
	"math/rand"
	"strings"
)

// Glue between a snapshot and its dense store (store.go, store_ivf.go).

// storeDocs lists s's passages as store documents. Passages of one article
// share one metadata map (the store never changes it; chromem-go keeps its
// own copy).
func storeDocs(s *snapshot) []storeDoc {
	docs := make([]storeDoc, 0, len(s.passages))
	metas := map[[2]string]map[string]string{}
	for i, p := range s.passages {
		if s.vecs[i] == nil {
			continue // no vector yet (snapshot.missing): BM25 only
		}
		key := [2]string{p.DocID, s.source[i]}
		m, ok := metas[key]
		if !ok {
			m = map[string]string{metaDoc: p.DocID, metaSource: s.source[i]}
			metas[key] = m
		}
		docs = append(docs, storeDoc{ID: p.ID, Vector: s.vecs[i], Metadata: m})
	}
	return docs
}

// prevStore returns prev's store, if it has one (a seed from disk has not).
func prevStore(prev *snapshot) *store {
	if prev == nil {
		return nil
	}
	return prev.store
}

// seedFor returns the persisted partition layout of a seed snapshot prev,
// with assignments only for the passages of s whose content (so vector) is
// unchanged; nil when prev carries none.
func seedFor(s, prev *snapshot) *storeSeed {
	if prev == nil || prev.ivf == nil {
		return nil
	}
	sd := *prev.ivf
	sd.part = make(map[string]int32, len(s.passages))
	for i, p := range s.passages {
		j, ok := prev.byID[p.ID]
		if !ok || prev.hashes[j] != s.hashes[i] {
			continue
		}
		if part, ok := prev.ivf.part[p.ID]; ok {
			sd.part[p.ID] = part
		}
	}
	return &sd
}

// storeConfigFor returns the store configuration for building s: the
// index's, with calibration queries drawn from s's passages (six to ten
// consecutive words of a random passage, seeded, like a short question),
// embedded only if centroids get trained. The closure keeps the sample
// texts, not the snapshot.
func (ix *Index) storeConfigFor(s *snapshot) storeConfig {
	cfg := ix.storeCfg
	if len(s.passages) >= cfg.minPartitioned()/2 {
		cfg.Calibration = ix.calibrationFor(s)
	}
	return cfg
}

// calibrationFor returns the calibration queries' source for s.
func (ix *Index) calibrationFor(s *snapshot) func(ctx context.Context) ([][]float32, error) {
	rng := rand.New(rand.NewSource(11))
	texts := make([]string, calibQueries)
	for i := range texts {
		words := strings.Fields(passageText(s.passages[rng.Intn(len(s.passages))]))
		n := 6 + rng.Intn(5)
		k := rng.Intn(max(1, len(words)-n))
		texts[i] = strings.Join(words[k:min(len(words), k+n)], " ")
	}
	emb := ix.emb
	return func(ctx context.Context) ([][]float32, error) {
		vecs := make([][]float32, 0, len(texts))
		for _, t := range texts {
			if strings.TrimSpace(t) == "" {
				continue
			}
			v, err := emb.EmbedQuery(ctx, t)
			if err != nil {
				return nil, err
			}
			vecs = append(vecs, v)
		}
		return vecs, nil
	}
}
