package eval

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Question is one question of a set: the text, the gold answer substrings
// (any of which in a result's passage makes it a hit; none means the corpus
// cannot answer and the right outcome is to abstain) and, for a follow-up,
// the earlier questions of its conversation.
type Question struct {
	Q       string   `json:"q"`
	Gold    []string `json:"gold"`
	Context []string `json:"context,omitempty"`
	// DocID and Paragraph, when set, also require a hit to come from that
	// paragraph of that article (SQuAD: the question's own paragraph).
	DocID     string `json:"-"`
	Paragraph int    `json:"-"`
}

// Answerable reports whether the question has a gold answer.
func (q Question) Answerable() bool {
	for _, g := range q.Gold {
		if strings.TrimSpace(g) != "" {
			return true
		}
	}
	return false
}

// ReadQuestions parses a JSONL question set: one {"q", "gold", "context"}
// object a line. Blank lines are skipped; an error names the offending line.
func ReadQuestions(r io.Reader) ([]Question, error) {
	var out []Question
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		b := strings.TrimSpace(sc.Text())
		if b == "" {
			continue
		}
		var q Question
		dec := json.NewDecoder(strings.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&q); err != nil {
			return nil, fmt.Errorf("questions line %d: %w", line, err)
		}
		if strings.TrimSpace(q.Q) == "" {
			return nil, fmt.Errorf("questions line %d: empty \"q\"", line)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	if len(out) == 0 {
		return nil, errors.New("questions: no questions")
	}
	return out, nil
}
