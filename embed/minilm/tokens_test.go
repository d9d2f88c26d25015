package minilm

import (
	"context"
	"strings"
	"testing"
)

// TestEmbedTokens checks the word-piece vectors: one unit vector per piece
// ([CLS] and [SEP] left out), the same whether a text runs alone or in a
// batch with others (rows of different texts must not mix), and their mean
// close to the direction of the text's own embedding.
func TestEmbedTokens(t *testing.T) {
	m := testModel(t)
	ctx := context.Background()
	texts := []string{
		"When did the Normans attack Dyrrachium?",
		"",
		"The Normans attacked Dyrrachium in 1185, and the city fell after a short siege.",
		strings.Repeat("word ", 400), // truncated like an embedded text
	}
	batch, err := m.EmbedTokens(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(batch) != len(texts) {
		t.Fatalf("%d results for %d texts", len(batch), len(texts))
	}
	for i, text := range texts {
		if got, want := len(batch[i]), len(m.Tokenize(text))-2; got != want || m.Pieces(text) != want {
			t.Errorf("text %d: %d vectors, Pieces %d, want %d (its word pieces)", i, got, m.Pieces(text), want)
		}
		for _, v := range batch[i] {
			checkUnit(t, "token vector", v)
		}
		alone, err := m.EmbedTokens(ctx, []string{text})
		if err != nil {
			t.Fatal(err)
		}
		for k := range alone[0] {
			if c := cosine(alone[0][k], batch[i][k]); c < 0.9999 {
				t.Fatalf("text %d piece %d: alone vs in a batch cosine %.6f, want 1", i, k, c)
			}
		}
	}
	// The pieces of a text are closer to its own embedding than to another
	// text's: they are the states the embedding pools.
	q, err := m.EmbedQuery(ctx, texts[2])
	if err != nil {
		t.Fatal(err)
	}
	other, err := m.EmbedQuery(ctx, "Rain is expected over the northern hills tomorrow.")
	if err != nil {
		t.Fatal(err)
	}
	mean := make([]float32, m.Dim())
	for _, v := range batch[2] {
		for d := range v {
			mean[d] += v[d]
		}
	}
	if own, far := cosine(mean, q), cosine(mean, other); own < 0.9 || own <= far {
		t.Errorf("mean piece vector: cosine %.3f with its text's embedding, %.3f with another's; want ≥ 0.9 and higher", own, far)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := m.EmbedTokens(cancelled, texts); err == nil {
		t.Error("EmbedTokens with a cancelled context: nil error")
	}
}

// TestPiecesOfPrefix checks what retrieval relies on to find a sentence's
// pieces in its passage's: the pieces of the text up to a sentence's end
// are the first pieces of the whole text.
func TestPiecesOfPrefix(t *testing.T) {
	m := testModel(t)
	text := "In 1066, Duke William II of Normandy conquered England. The invading Normans replaced the Anglo-Saxons. " +
		"Edgar Atheling's sister—Margaret—married Malcolm III (of Scotland)."
	whole := m.Tokenize(text)
	for _, end := range []int{strings.Index(text, " The"), strings.Index(text, " Edgar"), len(text)} {
		prefix := m.Tokenize(text[:end])
		n := m.Pieces(text[:end])
		if n != len(prefix)-2 || n > len(whole)-2 {
			t.Fatalf("Pieces(%q) = %d, %d ids", text[:end], n, len(prefix))
		}
		for k := 1; k <= n; k++ {
			if prefix[k] != whole[k] {
				t.Errorf("prefix %q: piece %d is %d, the whole text's is %d", text[:end], k, prefix[k], whole[k])
			}
		}
	}
}
