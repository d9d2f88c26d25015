package retrieval

import "citebot/corpus"

// Mode selects which rankings a search uses.
type Mode int

const (
	// Hybrid fuses the dense (chromem-go) and lexical (BM25) rankings.
	Hybrid Mode = iota
	// DenseOnly ranks by embedding similarity alone.
	DenseOnly
	// LexicalOnly ranks by BM25 alone.
	LexicalOnly
)

func (m Mode) String() string {
	switch m {
	case DenseOnly:
		return "dense"
	case LexicalOnly:
		return "bm25"
	default:
		return "hybrid"
	}
}

// Query is one search request.
type Query struct {
	// Text is the question or lookup as the user typed it.
	Text string
	// K is how many results to return; 0 means DefaultK. It is capped at MaxK.
	K int
	// Offset skips that many results first (for "More" pages).
	Offset int
	// Source keeps only passages whose article's publisher equals it
	// (case-insensitive); empty means every source.
	Source string
	// DocID keeps only passages of that article; empty means every article.
	DocID string
	// Mode picks the rankings; the zero value is Hybrid.
	Mode Mode
	// Context holds earlier questions of the same conversation, oldest
	// first (at most the last three are used). They help resolve what a
	// follow-up's "it", "that" or "the meeting" refers to; how much they
	// weigh against Text is retrieval's decision, never the caller's.
	Context []string
	// KeepRanking, when the index abstains, keeps the top K of the ranking
	// in Results (all marked Weak) instead of at most two nearest passages,
	// so an evaluation can measure the ranking apart from the decision.
	KeepRanking bool
}

// Limits on queries.
const (
	DefaultK = 3
	MaxK     = 25
	// MaxQueryRunes is the longest query text accepted; longer text is an
	// error of kind ErrQueryTooLong.
	MaxQueryRunes = 4096
)

// Answer is the outcome of a search.
type Answer struct {
	Query string
	// Abstained is true when no passage scores above the calibrated
	// threshold: the corpus has no passage that answers. Results then hold at
	// most the nearest passages, each marked Weak.
	Abstained bool
	// Confidence is the answer confidence of the first result (0 with no
	// result); the index abstains when it is below Index.Threshold.
	Confidence float64
	// Signals are the features the confidence was computed from.
	Signals Signals
	// Degraded is true when the dense side failed (embedding server down) and
	// the ranking comes from BM25 alone.
	Degraded bool
	// Total is how many results there were before Offset and K cut the list
	// (so callers can tell whether a "More" page exists).
	Total   int
	Results []Result
	// ReadWith lists the earlier questions of Query.Context (oldest first)
	// whose words the first result contains: the follow-up was answered
	// as read with them. Empty when the answer rests on the question's own
	// words, when there was no context, and on abstentions.
	ReadWith []string
}

// Result is one ranked passage with the sentences that answer.
type Result struct {
	// Rank is 1-based over the whole ranking (Offset included).
	Rank    int
	Passage corpus.Passage
	// Article is the passage's article; callers must treat it as read-only.
	Article *corpus.Article
	// Score is the fused score used for ranking; Dense and Lexical are the
	// raw cosine similarity and BM25 score (0 when that side did not find it).
	Score   float64
	Dense   float64
	Lexical float64
	// Weak marks a result below the answer threshold.
	Weak bool
	// Excerpt is 1–3 consecutive sentences of the passage with the answering
	// sentence(s) marked.
	Excerpt Excerpt
	// AlsoReportedBy holds near-duplicate passages from other articles that
	// report the same fact; they are not repeated in Answer.Results.
	AlsoReportedBy []Result
}

// Excerpt is a short quotation from a passage.
type Excerpt struct {
	Sentences []Sentence
}

// Sentence is one quoted sentence; Answer marks the one(s) that answer.
type Sentence struct {
	Text   string
	Answer bool
}

// Text joins the excerpt's sentences with single spaces.
func (e Excerpt) Text() string {
	s := ""
	for i, sn := range e.Sentences {
		if i > 0 {
			s += " "
		}
		s += sn.Text
	}
	return s
}
