package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"citebot/corpus"
	"citebot/retrieval"
)

// fakeSearcher serves canned answers keyed by query text; unknown queries
// abstain with no results. It records the queries it saw.
type fakeSearcher struct {
	answers  map[string]retrieval.Answer
	passages map[string]retrieval.Result
	articles []*corpus.Article
	// block, when set, makes Search wait for it (deferral tests).
	block chan struct{}
	// panicOn makes Search panic for that query text.
	panicOn string

	mu      sync.Mutex
	queries []retrieval.Query
}

func (f *fakeSearcher) Search(ctx context.Context, q retrieval.Query) (retrieval.Answer, error) {
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return retrieval.Answer{}, ctx.Err()
		}
	}
	if q.Text == f.panicOn && q.Text != "" {
		panic("fake searcher panic")
	}
	if q.Text == "fail" {
		return retrieval.Answer{}, errors.New("embedder: connection refused")
	}
	a, ok := f.answers[q.Text]
	if !ok {
		return retrieval.Answer{Query: q.Text, Abstained: true}, nil
	}
	a.Query = q.Text
	k := q.K
	if k == 0 {
		k = retrieval.DefaultK
	}
	all := a.Results
	a.Total = len(all)
	lo := min(q.Offset, len(all))
	hi := min(lo+k, len(all))
	a.Results = all[lo:hi]
	return a, nil
}

func (f *fakeSearcher) Passage(id string) (retrieval.Result, bool) {
	r, ok := f.passages[id]
	return r, ok
}

func (f *fakeSearcher) Suggest(text string, n int) []retrieval.Result {
	var out []retrieval.Result
	for _, id := range sortedKeys(f.passages) {
		r := f.passages[id]
		if strings.Contains(strings.ToLower(r.Passage.Text), strings.ToLower(text)) && len(out) < n {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeSearcher) Articles() []*corpus.Article { return f.articles }

func (f *fakeSearcher) Article(id string) (*corpus.Article, bool) {
	for _, a := range f.articles {
		if a.ID == id {
			return a, true
		}
	}
	return nil, false
}

func (f *fakeSearcher) Sources() []string {
	c := corpus.Corpus{Articles: f.articles}
	return c.Sources()
}

// PassageCount counts one passage per paragraph of the fake articles.
func (f *fakeSearcher) PassageCount(docID string) int {
	for _, a := range f.articles {
		if a.ID == docID {
			return len(a.Paragraphs)
		}
	}
	return 0
}

func sortedKeys(m map[string]retrieval.Result) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

// Test corpus: two articles, one with a URL.
func testArticles() []*corpus.Article {
	return []*corpus.Article{
		{ID: "cnn-qatar", Title: "Qatar's prime minister met the Taliban leader", Source: "CNN", Published: "2023-05-20", URL: "https://edition.cnn.com/qatar-taliban"},
		{ID: "reuters-qatar", Title: "Qatar PM held secret talks with Taliban chief", Source: "Reuters", Published: "2023-05-19"},
		{ID: "ap-other", Title: "Markets *rally* | again", Source: "AP", Published: "2023-06-01"},
	}
}

func result(a *corpus.Article, para int, rank int, sentences ...retrieval.Sentence) retrieval.Result {
	var text []string
	for _, s := range sentences {
		text = append(text, s.Text)
	}
	return retrieval.Result{
		Rank:    rank,
		Passage: corpus.Passage{ID: corpus.PassageID(a.ID, para, 1), DocID: a.ID, Paragraph: para, Part: 1, Text: strings.Join(text, " ")},
		Article: a,
		Score:   0.8,
		Excerpt: retrieval.Excerpt{Sentences: sentences},
	}
}

func sent(text string, answer bool) retrieval.Sentence {
	return retrieval.Sentence{Text: text, Answer: answer}
}

// newFakeSearcher holds a known question with four results and every
// passage for /quote.
func newFakeSearcher() *fakeSearcher {
	arts := testArticles()
	gold := result(arts[0], 2, 1,
		sent("The meeting happened in the southern city of Kandahar on May 12.", true),
		sent("It was between the Taliban Supreme Leader and Qatar's Prime Minister.", false))
	dup := result(arts[1], 3, 0, sent("The Qatari prime minister met Akhundzada in Kandahar on May 12.", true))
	gold.AlsoReportedBy = []retrieval.Result{dup}
	f := &fakeSearcher{
		answers:  map[string]retrieval.Answer{},
		passages: map[string]retrieval.Result{},
		articles: arts,
	}
	var rs []retrieval.Result
	rs = append(rs, gold)
	for k := 2; k <= 4; k++ {
		rs = append(rs, result(arts[2], k, k, sent(fmt.Sprintf("Filler passage number %d about markets.", k), true)))
	}
	f.answers["Where did Qatar's prime minister meet the Taliban leader?"] = retrieval.Answer{Results: rs}
	for _, r := range append(rs, dup) {
		f.passages[r.Passage.ID] = r
	}
	return f
}
