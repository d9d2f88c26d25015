package minilm

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// tokenizer is BERT's WordPiece tokenizer as a tokenizer.json of the Hugging
// Face tokenizers library describes it: BertNormalizer (clean text, CJK
// splitting, accent stripping, lower-casing), BertPreTokenizer (whitespace
// and punctuation splitting), WordPiece with a continuing-subword prefix,
// [CLS] … [SEP] around the pieces. It reproduces that library's output for
// this configuration and is safe for concurrent use.
type tokenizer struct {
	vocab       map[string]int32
	prefix      string // continuing-subword prefix, "##"
	maxChars    int    // a longer word is one [UNK]
	unk         int32
	cls, sep    int32
	special     []specialToken // matched in the raw text, before normalising
	cleanText   bool
	chinese     bool
	stripAccent bool
	lowercase   bool
}

type specialToken struct {
	content string
	id      int32
}

// tokenizerJSON is the part of tokenizer.json the tokenizer reads.
type tokenizerJSON struct {
	AddedTokens []struct {
		ID         int32  `json:"id"`
		Content    string `json:"content"`
		Special    bool   `json:"special"`
		Normalized bool   `json:"normalized"`
	} `json:"added_tokens"`
	Normalizer *struct {
		Type         string `json:"type"`
		CleanText    bool   `json:"clean_text"`
		ChineseChars bool   `json:"handle_chinese_chars"`
		StripAccents *bool  `json:"strip_accents"`
		Lowercase    bool   `json:"lowercase"`
	} `json:"normalizer"`
	PreTokenizer *struct {
		Type string `json:"type"`
	} `json:"pre_tokenizer"`
	PostProcessor *struct {
		Type   string            `json:"type"`
		Single []json.RawMessage `json:"single"`
	} `json:"post_processor"`
	Model *struct {
		Type     string           `json:"type"`
		Unk      string           `json:"unk_token"`
		Prefix   string           `json:"continuing_subword_prefix"`
		MaxChars int              `json:"max_input_chars_per_word"`
		Vocab    map[string]int32 `json:"vocab"`
	} `json:"model"`
}

// readTokenizer reads tokenizer.json and checks it has the BERT WordPiece
// shape this tokenizer implements, with a vocabulary of vocabSize ids.
// Errors name the file and what differs.
func readTokenizer(path string, vocabSize int) (*tokenizer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseTokenizer(path, b, vocabSize)
}

func parseTokenizer(path string, b []byte, vocabSize int) (*tokenizer, error) {
	var tj tokenizerJSON
	if err := json.Unmarshal(b, &tj); err != nil {
		return nil, fmt.Errorf("%s: not a tokenizer.json: %v", path, err)
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: not a BERT WordPiece tokenizer: %s", path, fmt.Sprintf(format, a...))
	}
	switch {
	case tj.Model == nil || tj.Model.Type != "WordPiece":
		return nil, bad("model.type is not WordPiece")
	case tj.Normalizer == nil || tj.Normalizer.Type != "BertNormalizer":
		return nil, bad("normalizer.type is not BertNormalizer")
	case tj.PreTokenizer == nil || tj.PreTokenizer.Type != "BertPreTokenizer":
		return nil, bad("pre_tokenizer.type is not BertPreTokenizer")
	case tj.PostProcessor == nil || (tj.PostProcessor.Type != "TemplateProcessing" && tj.PostProcessor.Type != "BertProcessing"):
		return nil, bad("post_processor.type is neither TemplateProcessing nor BertProcessing")
	case tj.Model.Prefix == "":
		return nil, bad("model.continuing_subword_prefix is empty")
	case tj.Model.MaxChars <= 0:
		return nil, bad("model.max_input_chars_per_word is %d", tj.Model.MaxChars)
	case len(tj.Model.Vocab) != vocabSize:
		return nil, bad("the vocabulary has %d entries, the model config %d", len(tj.Model.Vocab), vocabSize)
	}
	if tj.PostProcessor.Type == "TemplateProcessing" {
		// The single-sequence template must be [CLS] $A [SEP].
		var tmpl []string
		for _, raw := range tj.PostProcessor.Single {
			var item struct {
				Special *struct{ ID string } `json:"SpecialToken"`
				Seq     *struct{ ID string } `json:"Sequence"`
			}
			if err := json.Unmarshal(raw, &item); err != nil {
				return nil, bad("post_processor.single: %v", err)
			}
			switch {
			case item.Special != nil:
				tmpl = append(tmpl, item.Special.ID)
			case item.Seq != nil:
				tmpl = append(tmpl, "$"+item.Seq.ID)
			}
		}
		if strings.Join(tmpl, " ") != "[CLS] $A [SEP]" {
			return nil, bad("post_processor.single is %q, want [CLS] $A [SEP]", strings.Join(tmpl, " "))
		}
	}
	seen := make([]bool, vocabSize)
	for tok, id := range tj.Model.Vocab {
		if id < 0 || int(id) >= vocabSize || seen[id] {
			return nil, bad("vocabulary id %d of %q is out of range or repeated", id, tok)
		}
		seen[id] = true
	}
	t := &tokenizer{
		vocab:     tj.Model.Vocab,
		prefix:    tj.Model.Prefix,
		maxChars:  tj.Model.MaxChars,
		cleanText: tj.Normalizer.CleanText,
		chinese:   tj.Normalizer.ChineseChars,
		lowercase: tj.Normalizer.Lowercase,
	}
	// As in BertNormalizer, accents are stripped when lower-casing unless
	// strip_accents says otherwise.
	t.stripAccent = t.lowercase
	if tj.Normalizer.StripAccents != nil {
		t.stripAccent = *tj.Normalizer.StripAccents
	}
	for _, want := range []struct {
		tok string
		id  *int32
	}{{tj.Model.Unk, &t.unk}, {"[CLS]", &t.cls}, {"[SEP]", &t.sep}} {
		id, ok := t.vocab[want.tok]
		if !ok {
			return nil, bad("the vocabulary lacks %q", want.tok)
		}
		*want.id = id
	}
	for _, at := range tj.AddedTokens {
		if at.Special && !at.Normalized && at.Content != "" {
			if id, ok := t.vocab[at.Content]; !ok || id != at.ID {
				return nil, bad("added token %q has id %d, the vocabulary %d", at.Content, at.ID, id)
			}
			t.special = append(t.special, specialToken{at.Content, at.ID})
		}
	}
	return t, nil
}

// Tokenize returns the ids of text as the model reads it: [CLS], at most
// maxTokens-2 word pieces, [SEP]. maxTokens below 2 is taken as 2.
func (t *tokenizer) Tokenize(text string, maxTokens int) []int32 {
	limit := max(maxTokens, 2) - 2
	ids := make([]int32, 0, min(limit, len(text)/3+4)+2)
	ids = append(ids, t.cls)
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	// Special tokens are matched in the raw text, as the tokenizers
	// library's added vocabulary does, and the rest is normalised.
	for text != "" && len(ids)-1 < limit {
		seg, sp, rest := t.nextSpecial(text)
		ids = t.appendPieces(ids, seg, limit+1)
		if sp >= 0 && len(ids)-1 < limit {
			ids = append(ids, sp)
		}
		text = rest
	}
	return append(ids, t.sep)
}

// nextSpecial splits text at the first special token: the text before it,
// its id (-1 if none) and the text after it.
func (t *tokenizer) nextSpecial(text string) (string, int32, string) {
	at, which := -1, -1
	for i, sp := range t.special {
		if j := strings.Index(text, sp.content); j >= 0 && (at < 0 || j < at || (j == at && len(sp.content) > len(t.special[which].content))) {
			at, which = j, i
		}
	}
	if at < 0 {
		return text, -1, ""
	}
	return text[:at], t.special[which].id, text[at+len(t.special[which].content):]
}

// appendPieces normalises seg, splits it into words and appends their word
// pieces to ids until ids holds limit entries.
func (t *tokenizer) appendPieces(ids []int32, seg string, limit int) []int32 {
	norm := t.normalize(seg)
	var word []rune
	flush := func() {
		if len(word) > 0 {
			ids = t.wordPieces(ids, word, limit)
			word = word[:0]
		}
	}
	for _, r := range norm {
		if len(ids) >= limit {
			return ids
		}
		switch {
		case unicode.IsSpace(r):
			flush()
		case isPunct(r):
			flush()
			word = append(word, r)
			flush()
		default:
			word = append(word, r)
		}
	}
	flush()
	return ids
}

// wordPieces appends the greedy longest-match-first WordPiece split of word;
// a word longer than maxChars, or with a part no piece matches, is [UNK].
func (t *tokenizer) wordPieces(ids []int32, word []rune, limit int) []int32 {
	if len(word) > t.maxChars {
		return append(ids, t.unk)
	}
	n := len(ids)
	var sb strings.Builder
	for start := 0; start < len(word); {
		end, id := len(word), int32(-1)
		for ; end > start; end-- {
			sb.Reset()
			if start > 0 {
				sb.WriteString(t.prefix)
			}
			for _, r := range word[start:end] {
				sb.WriteRune(r)
			}
			if v, ok := t.vocab[sb.String()]; ok {
				id = v
				break
			}
		}
		if id < 0 {
			return append(ids[:n], t.unk)
		}
		ids = append(ids, id)
		start = end
	}
	if len(ids) > limit {
		ids = ids[:limit]
	}
	return ids
}

// normalize applies BertNormalizer: drop control characters and map
// whitespace to a space, put spaces around CJK ideographs, strip accents
// (NFD, then drop non-spacing marks), lower-case — in that order.
func (t *tokenizer) normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		if t.cleanText {
			if r == 0 || r == 0xFFFD || isControl(r) {
				continue
			}
			if unicode.IsSpace(r) {
				r = ' '
			}
		}
		if t.chinese && isCJK(r) {
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
			continue
		}
		b.WriteRune(r)
	}
	out := b.String()
	if t.stripAccent {
		out = stripMarks(norm.NFD.String(out))
	}
	if t.lowercase {
		out = strings.Map(unicode.ToLower, out)
	}
	return out
}

// stripMarks drops non-spacing marks (Unicode category Mn).
func stripMarks(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, s)
}

// isControl is the tokenizers library's notion: categories Cc, Cf, Co, Cs
// and unassigned code points, except tab, newline and carriage return,
// which count as whitespace.
func isControl(r rune) bool {
	switch r {
	case '\t', '\n', '\r':
		return false
	}
	if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs) {
		return true
	}
	return !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z)
}

// isPunct is BertPreTokenizer's punctuation: ASCII punctuation (which
// includes symbols such as $ + < = > ^ ` | ~) and Unicode category P.
func isPunct(r rune) bool {
	if r < 0x80 {
		return (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126)
	}
	return unicode.IsPunct(r)
}

// isCJK reports whether r is in the CJK Unified Ideographs blocks BERT
// splits into single-character words (not Hiragana, Katakana or Hangul).
func isCJK(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) ||
		(r >= 0x3400 && r <= 0x4DBF) ||
		(r >= 0x20000 && r <= 0x2A6DF) ||
		(r >= 0x2A700 && r <= 0x2B73F) ||
		(r >= 0x2B740 && r <= 0x2B81F) ||
		(r >= 0x2B820 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) ||
		(r >= 0x2F800 && r <= 0x2FA1F)
}
