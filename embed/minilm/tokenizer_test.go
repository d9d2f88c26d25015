package minilm

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tinyTokenizerJSON is a tokenizer.json of the real shape with a small
// vocabulary, so the tokenizer's tests need no model.
func tinyTokenizerJSON(mutate func(map[string]any)) []byte {
	vocab := map[string]int{}
	for i, tok := range []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
		"the", "cafe", "un", "##aff", "##able", ",", ".", "!", "东", "京", "hello", "world", "##s", "a", "##b"} {
		vocab[tok] = i
	}
	special := func(id int, s string) map[string]any {
		return map[string]any{"id": id, "content": s, "special": true, "normalized": false}
	}
	tj := map[string]any{
		"version":       "1.0",
		"added_tokens":  []any{special(0, "[PAD]"), special(1, "[UNK]"), special(2, "[CLS]"), special(3, "[SEP]"), special(4, "[MASK]")},
		"normalizer":    map[string]any{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": nil, "lowercase": true},
		"pre_tokenizer": map[string]any{"type": "BertPreTokenizer"},
		"post_processor": map[string]any{"type": "TemplateProcessing", "single": []any{
			map[string]any{"SpecialToken": map[string]any{"id": "[CLS]", "type_id": 0}},
			map[string]any{"Sequence": map[string]any{"id": "A", "type_id": 0}},
			map[string]any{"SpecialToken": map[string]any{"id": "[SEP]", "type_id": 0}},
		}},
		"model": map[string]any{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": vocab},
	}
	if mutate != nil {
		mutate(tj)
	}
	b, _ := json.Marshal(tj)
	return b
}

func tinyTokenizer(t testing.TB) *tokenizer {
	t.Helper()
	tok, err := parseTokenizer("tiny.json", tinyTokenizerJSON(nil), 20)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestTokenizeTiny(t *testing.T) {
	tok := tinyTokenizer(t)
	for _, c := range []struct {
		text string
		want []int32
	}{
		{"", []int32{2, 3}},
		{"The Café, unaffable!", []int32{2, 5, 6, 10, 7, 8, 9, 12, 3}},
		{"  HELLO\tworlds\n", []int32{2, 15, 16, 17, 3}},
		{"东京", []int32{2, 13, 14, 3}},
		{"hello zzz", []int32{2, 15, 1, 3}},                      // no piece matches: [UNK]
		{"ab abx", []int32{2, 18, 19, 1, 3}},                     // a partial match is one [UNK]
		{"hello[MASK]world", []int32{2, 15, 4, 16, 3}},           // special tokens match the raw text
		{"he\u200bllo\u0000 wor\u00adld", []int32{2, 15, 16, 3}}, // format and control characters vanish
		{strings.Repeat("a", 101), []int32{2, 1, 3}},             // longer than max_input_chars_per_word
	} {
		if got := tok.Tokenize(c.text, 256); !slices.Equal(got, c.want) {
			t.Errorf("Tokenize(%q) = %v, want %v", c.text, got, c.want)
		}
	}
	if got := tok.Tokenize("hello world hello world", 4); !slices.Equal(got, []int32{2, 15, 16, 3}) {
		t.Errorf("truncated to 4: %v", got)
	}
	if got := tok.Tokenize("unaffable", 4); !slices.Equal(got, []int32{2, 7, 8, 3}) {
		t.Errorf("truncation inside a word: %v", got)
	}
}

// TestTokenizeRealVocabulary checks well-known ids of bert-base-uncased's
// vocabulary, which all-MiniLM-L6-v2 shares.
func TestTokenizeRealVocabulary(t *testing.T) {
	dir := testModelDir(t)
	tok, err := readTokenizer(filepath.Join(dir, TokenizerFile), 30522)
	if err != nil {
		t.Fatal(err)
	}
	got := tok.Tokenize("The quick brown fox jumps over the lazy dog.", 256)
	want := []int32{101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := tok.Tokenize(strings.Repeat("word ", 1000), 256); len(got) != 256 || got[255] != 102 {
		t.Errorf("a 1000-word text gives %d ids ending %d, want 256 ending [SEP]", len(got), got[len(got)-1])
	}
}

func TestTokenizerRejectsOtherShapes(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(map[string]any)
		size   int
		errHas string
	}{
		{"BPE model", func(tj map[string]any) { tj["model"].(map[string]any)["type"] = "BPE" }, 20, "WordPiece"},
		{"other normalizer", func(tj map[string]any) { tj["normalizer"] = map[string]any{"type": "NFC"} }, 20, "BertNormalizer"},
		{"no pre-tokenizer", func(tj map[string]any) { delete(tj, "pre_tokenizer") }, 20, "BertPreTokenizer"},
		{"other template", func(tj map[string]any) {
			tj["post_processor"].(map[string]any)["single"] = []any{map[string]any{"Sequence": map[string]any{"id": "A"}}}
		}, 20, "[CLS] $A [SEP]"},
		{"vocabulary of another size", nil, 30522, "vocabulary has 20 entries"},
		{"no [CLS]", func(tj map[string]any) {
			v := tj["model"].(map[string]any)["vocab"].(map[string]int)
			delete(v, "[CLS]")
			v["[XLS]"] = 2
		}, 20, `lacks "[CLS]"`},
		{"repeated id", func(tj map[string]any) { tj["model"].(map[string]any)["vocab"].(map[string]int)["the"] = 6 }, 20, "repeated"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseTokenizer("x/tokenizer.json", tinyTokenizerJSON(c.mutate), c.size)
			if err == nil || !strings.Contains(err.Error(), "x/tokenizer.json") || !strings.Contains(err.Error(), c.errHas) {
				t.Fatalf("error %v, want one naming the file and saying %q", err, c.errHas)
			}
		})
	}
	if _, err := parseTokenizer("x/tokenizer.json", []byte(`{"model": [`), 20); err == nil || !strings.Contains(err.Error(), "not a tokenizer.json") {
		t.Fatalf("truncated JSON: %v", err)
	}
}

// FuzzTokenize checks the tokenizer's contract on any input: no panic,
// [CLS] first, [SEP] last, no more than the limit, every id in the
// vocabulary, and the same ids twice. It uses the installed model's
// tokenizer when there is one, a tiny one otherwise.
func FuzzTokenize(f *testing.F) {
	tok, size := tinyTokenizer(f), 20
	if dir, err := DefaultDir(os.Getenv); err == nil {
		if real, err := readTokenizer(filepath.Join(dir, TokenizerFile), 30522); err == nil {
			tok, size = real, 30522
		}
	}
	for _, s := range []string{"", "The Café, unaffable!", "东京は日本", "🎉🚀👍🏽", "a\x00b\xffc", "[CLS][SEP][MASK]x", strings.Repeat("é", 300), "İstanbul ΣΊΣΥΦΟΣ"} {
		f.Add(s, 256)
	}
	f.Fuzz(func(t *testing.T, text string, limit int) {
		limit = 2 + (limit%300+300)%300
		ids := tok.Tokenize(text, limit)
		if len(ids) < 2 || len(ids) > limit || ids[0] != tok.cls || ids[len(ids)-1] != tok.sep {
			t.Fatalf("Tokenize(%q, %d) = %v", text, limit, ids)
		}
		for _, id := range ids {
			if id < 0 || int(id) >= size {
				t.Fatalf("id %d out of range", id)
			}
		}
		if again := tok.Tokenize(text, limit); !slices.Equal(ids, again) {
			t.Fatalf("not deterministic: %v then %v", ids, again)
		}
	})
}
