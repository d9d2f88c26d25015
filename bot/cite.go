package bot

import (
	"fmt"
	"strings"

	"citebot/retrieval"
)

// citation is what every renderer (embed, compact list, terminal text) says
// about one result; building it once keeps them consistent.
type citation struct {
	Title     string
	Publisher string
	Date      string
	Paragraph int
	// URL is where the citation links; "" means plain text.
	URL string
	// Sentences is the quoted excerpt; at least one sentence when the
	// passage has text.
	Sentences []retrieval.Sentence
	Weak      bool
}

// untitled names an article whose title is unknown.
const untitled = "Untitled article"

// citeResult gathers the citation of r, linking it to the answering words.
func citeResult(r retrieval.Result, links Links) citation {
	c := citation{Paragraph: r.Passage.Paragraph, Weak: r.Weak, Sentences: r.Excerpt.Sentences}
	if r.Weak {
		// A weak result is shown as "not an answer": nothing in it may be
		// highlighted as if it answered.
		c.Sentences = make([]retrieval.Sentence, len(r.Excerpt.Sentences))
		for i, s := range r.Excerpt.Sentences {
			c.Sentences[i] = retrieval.Sentence{Text: s.Text}
		}
	}
	if len(c.Sentences) == 0 && strings.TrimSpace(r.Passage.Text) != "" {
		c.Sentences = []retrieval.Sentence{{Text: strings.TrimSpace(r.Passage.Text)}}
	}
	if a := r.Article; a != nil {
		c.Title, c.Publisher, c.Date = a.Title, a.Source, a.Published
	}
	if strings.TrimSpace(c.Title) == "" {
		c.Title = untitled
	}
	c.URL = links.Cite(r.Article, r.Passage, answerText(c.Sentences))
	return c
}

// answerText is the text of the answering sentences (the quote a link should
// land on), or the first sentence when none is marked.
func answerText(ss []retrieval.Sentence) string {
	var parts []string
	for _, s := range ss {
		if s.Answer {
			parts = append(parts, s.Text)
		}
	}
	if len(parts) == 0 && len(ss) > 0 {
		parts = append(parts, ss[0].Text)
	}
	return strings.Join(parts, " ")
}

// meta is "publisher · date · ¶N", leaving out what is unknown.
func (c citation) meta() string { return c.metaWith("¶%d", " · ") }

// metaWith joins the known parts of publisher, date and paragraph (written
// with paraFormat) with sep.
func (c citation) metaWith(paraFormat, sep string) string {
	var parts []string
	if c.Publisher != "" {
		parts = append(parts, c.Publisher)
	}
	if c.Date != "" {
		parts = append(parts, c.Date)
	}
	if c.Paragraph > 0 {
		parts = append(parts, fmt.Sprintf(paraFormat, c.Paragraph))
	}
	return strings.Join(parts, sep)
}

// formatExcerpt renders sentences with the answering ones in **bold**, each
// passed through esc first (escapeMarkdown for Discord, identity for a
// terminal). The result fits in budget code points: context sentences are
// dropped before answering ones are cut, and bold markers always pair up.
func formatExcerpt(ss []retrieval.Sentence, esc func(string) string, budget int) string {
	render := func(ss []retrieval.Sentence) string {
		parts := make([]string, 0, len(ss))
		for _, s := range ss {
			t := esc(strings.TrimSpace(s.Text))
			if t == "" {
				continue
			}
			if s.Answer {
				t = "**" + t + "**"
			}
			parts = append(parts, t)
		}
		return strings.Join(parts, " ")
	}
	if out := render(ss); runeLen(out) <= budget {
		return out
	}
	// Keep only the answering sentences (or the first one when none is).
	var core []retrieval.Sentence
	for _, s := range ss {
		if s.Answer {
			core = append(core, s)
		}
	}
	if len(core) == 0 && len(ss) > 0 {
		core = ss[:1]
	}
	if out := render(core); runeLen(out) <= budget {
		return out
	}
	// Still too long: cut the escaped text, then add the markers around it so
	// a cut never leaves "**" unpaired.
	var b strings.Builder
	left := budget
	for _, s := range core {
		t := esc(strings.TrimSpace(s.Text))
		markers := 0
		if s.Answer {
			markers = 4
		}
		sep := 0
		if b.Len() > 0 {
			sep = 1
		}
		room := left - markers - sep
		if room < 2 {
			break
		}
		cut := truncate(t, room)
		truncated := cut != t
		if sep == 1 {
			b.WriteByte(' ')
		}
		if s.Answer {
			cut = "**" + cut + "**"
		}
		b.WriteString(cut)
		left -= runeLen(cut) + sep
		if truncated {
			break
		}
	}
	return b.String()
}
