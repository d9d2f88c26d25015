package minilm

import (
	"encoding/json"
	"fmt"
	"os"
)

// bertConfig is the part of a Hugging Face BERT config.json the encoder uses.
type bertConfig struct {
	ModelType        string  `json:"model_type"`
	HiddenSize       int     `json:"hidden_size"`
	Layers           int     `json:"num_hidden_layers"`
	Heads            int     `json:"num_attention_heads"`
	Intermediate     int     `json:"intermediate_size"`
	VocabSize        int     `json:"vocab_size"`
	MaxPositions     int     `json:"max_position_embeddings"`
	TypeVocabSize    int     `json:"type_vocab_size"`
	HiddenAct        string  `json:"hidden_act"`
	LayerNormEps     float64 `json:"layer_norm_eps"`
	PositionEmbedder string  `json:"position_embedding_type"`
}

// readConfig reads and validates config.json: a BERT encoder whose sizes the
// kernels support. Errors name the file and the field.
func readConfig(path string) (bertConfig, error) {
	var c bertConfig
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("%s: not a JSON model config: %v", path, err)
	}
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("%s: %s is %v, want %s", path, field, v, want)
	}
	switch {
	case c.ModelType != "bert":
		return c, bad("model_type", fmt.Sprintf("%q", c.ModelType), `"bert"`)
	case c.HiddenAct != "gelu":
		return c, bad("hidden_act", fmt.Sprintf("%q", c.HiddenAct), `"gelu"`)
	case c.PositionEmbedder != "" && c.PositionEmbedder != "absolute":
		return c, bad("position_embedding_type", fmt.Sprintf("%q", c.PositionEmbedder), `"absolute"`)
	case c.HiddenSize <= 0 || c.HiddenSize%panelWidth != 0:
		return c, bad("hidden_size", c.HiddenSize, fmt.Sprintf("a positive multiple of %d", panelWidth))
	case c.Heads <= 0 || c.HiddenSize%c.Heads != 0:
		return c, bad("num_attention_heads", c.Heads, "a divisor of hidden_size")
	case c.Intermediate <= 0 || c.Intermediate%panelWidth != 0:
		return c, bad("intermediate_size", c.Intermediate, fmt.Sprintf("a positive multiple of %d", panelWidth))
	case c.Layers <= 0 || c.Layers > 48:
		return c, bad("num_hidden_layers", c.Layers, "1 to 48")
	case c.VocabSize <= 0:
		return c, bad("vocab_size", c.VocabSize, "positive")
	case c.MaxPositions < MaxTokens:
		return c, bad("max_position_embeddings", c.MaxPositions, fmt.Sprintf("at least %d", MaxTokens))
	case c.TypeVocabSize <= 0:
		return c, bad("type_vocab_size", c.TypeVocabSize, "positive")
	case !(c.LayerNormEps > 0 && c.LayerNormEps < 1):
		return c, bad("layer_norm_eps", c.LayerNormEps, "between 0 and 1")
	}
	return c, nil
}
