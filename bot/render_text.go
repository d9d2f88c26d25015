package bot

import (
	"fmt"
	"strings"

	"citebot/retrieval"
)

// textExcerptRunes bounds one quotation in terminal output.
const textExcerptRunes = 1200

// FormatAnswerText renders a as plain terminal text: each result's excerpt
// quoted with the answering sentence in **bold**, followed by a numbered
// citation (title, publisher, date, paragraph, link where known) and any
// duplicate reports; or, when a abstained, a plain statement that the corpus
// has no passage answering, with the nearest passages marked as not an
// answer. It shares its citation and excerpt logic with the Discord
// renderers; nothing is markdown-escaped.
func FormatAnswerText(a retrieval.Answer, links Links) string {
	var b strings.Builder
	if a.Degraded {
		b.WriteString("Note: semantic search was unavailable; results come from keyword search alone and may be less precise.\n")
	}
	if a.Abstained {
		b.WriteString("The corpus has no passage that answers this question.\n")
		if len(a.Results) > 0 {
			b.WriteString("Nearest passages (not an answer):\n")
		}
	} else if len(a.Results) == 0 {
		b.WriteString("No results.\n")
	}
	if n := len(a.ReadWith); n > 0 && !a.Abstained {
		fmt.Fprintf(&b, "Read with the earlier question: “%s”\n", oneLine(a.ReadWith[n-1]))
	}
	for i, r := range a.Results {
		c := citeResult(r, links)
		fmt.Fprintf(&b, "\n[%d] %s\n", i+1, quoteMarks(formatExcerpt(c.Sentences, oneLine, textExcerptRunes)))
		fmt.Fprintf(&b, "    %s", oneLine(c.Title))
		if m := c.metaWith("paragraph %d", ", "); m != "" {
			b.WriteString(" — " + m)
		}
		b.WriteByte('\n')
		if c.URL != "" {
			fmt.Fprintf(&b, "    %s\n", c.URL)
		}
		for _, d := range r.AlsoReportedBy {
			dc := citeResult(d, links)
			fmt.Fprintf(&b, "    Also reported by: %s", oneLine(dc.Title))
			if dc.Publisher != "" {
				b.WriteString(" (" + dc.Publisher + ")")
			}
			if dc.URL != "" {
				b.WriteString(" " + dc.URL)
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// quoteMarks wraps a quotation in curly quotes unless it already opens with
// one (a passage that is itself a quote), which would read “““.
func quoteMarks(s string) string {
	t := strings.TrimPrefix(s, "**")
	if strings.HasPrefix(t, "“") || strings.HasPrefix(t, "\"") {
		return s
	}
	return "“" + s + "”"
}
