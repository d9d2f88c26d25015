package eval

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"citebot/corpus"
)

// squadFile is the SQuAD 1.1/2.0 JSON layout (only the fields used).
type squadFile struct {
	Version string `json:"version"`
	Data    []struct {
		Title      string `json:"title"`
		Paragraphs []struct {
			Context string `json:"context"`
			QAs     []struct {
				Question     string `json:"question"`
				ID           string `json:"id"`
				IsImpossible bool   `json:"is_impossible"`
				Answers      []struct {
					Text string `json:"text"`
				} `json:"answers"`
			} `json:"qas"`
		} `json:"paragraphs"`
	} `json:"data"`
}

// maxSQuADBytes bounds what LoadSQuAD reads (the whole SQuAD 2.0 dev set
// is about 4 MiB, train about 40).
const maxSQuADBytes = 256 << 20

// LoadSQuAD reads a SQuAD 1.1 or 2.0 JSON file and returns its articles as
// an in-memory corpus (each paragraph one block, split into passages as any
// article is) and its questions. An answerable question's gold is its answer
// spans and it hits only in its own paragraph; an is_impossible one has no
// gold. Questions whose text is empty are skipped.
func LoadSQuAD(r io.Reader) (*corpus.Corpus, []Question, error) {
	var f squadFile
	b, err := io.ReadAll(io.LimitReader(r, maxSQuADBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("squad: %w", err)
	}
	if len(b) > maxSQuADBytes {
		return nil, nil, fmt.Errorf("squad: file larger than %d MiB", maxSQuADBytes>>20)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, nil, fmt.Errorf("squad: %w", err)
	}
	if len(f.Data) == 0 {
		return nil, nil, errors.New("squad: no articles in \"data\"")
	}
	c := &corpus.Corpus{}
	var qs []Question
	ids := map[string]int{}
	for ai, d := range f.Data {
		title := strings.TrimSpace(d.Title)
		id := articleID(title, ai)
		if n := ids[id]; n > 0 {
			id = fmt.Sprintf("%s-%d", id, n+1)
		}
		ids[id]++
		a := &corpus.Article{ID: id, Title: strings.ReplaceAll(title, "_", " "), Source: "SQuAD", File: id + ".txt"}
		for pi, p := range d.Paragraphs {
			text := strings.Join(strings.Fields(p.Context), " ")
			if text == "" {
				continue
			}
			n := pi + 1
			a.Paragraphs = append(a.Paragraphs, corpus.Paragraph{N: n, Text: text})
			for _, qa := range p.QAs {
				q := Question{Q: strings.TrimSpace(qa.Question), DocID: id, Paragraph: n}
				if q.Q == "" {
					continue
				}
				if !qa.IsImpossible {
					for _, an := range qa.Answers {
						if t := strings.TrimSpace(an.Text); t != "" && !contains(q.Gold, t) {
							q.Gold = append(q.Gold, t)
						}
					}
				}
				qs = append(qs, q)
			}
		}
		if len(a.Paragraphs) == 0 {
			continue
		}
		c.Articles = append(c.Articles, a)
		c.Passages = append(c.Passages, corpus.Split(a)...)
	}
	if len(c.Passages) == 0 || len(qs) == 0 {
		return nil, nil, errors.New("squad: no paragraphs with questions")
	}
	return c, qs, nil
}

// articleID makes a corpus id of a SQuAD title ("Computational_complexity_theory").
func articleID(title string, i int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	if id := strings.Trim(b.String(), "-"); id != "" {
		return id
	}
	return fmt.Sprintf("article-%d", i+1)
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
