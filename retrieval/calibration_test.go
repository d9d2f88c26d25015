package retrieval

import (
	"strings"
	"testing"
)

func TestReadCalibration(t *testing.T) {
	good := `{"embedder": "x", "weights": {"dense": 2, "margin": 1}, "bias": -1, "threshold": 0.3}`
	c, err := ReadCalibration(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	// σ(-1 + 2·0.5 + 1·0) = 0.5
	if got := c.Confidence(Signals{Dense: 0.5}); got < 0.4999 || got > 0.5001 {
		t.Errorf("Confidence = %v, want 0.5", got)
	}
	for _, bad := range []string{
		``, `{`, `{"weights": {}}`, `{"weights": {"nope": 1}}`, `{"weights": {"dense": 1}, "threshold": 1.5}`,
		`{"weights": {"dense": 1}, "extra": true}`,
	} {
		if _, err := ReadCalibration(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadCalibration(%q) = nil error", bad)
		}
	}
}

func TestDefaultCalibration(t *testing.T) {
	for name, wantDense := range map[string]bool{
		localName:                                       true,
		"minilm:all-MiniLM-L6-v2@0.1.0":                 true,
		"openai:text-embedding-3-small":                 false,
		"ollama:nomic-embed-text":                       false,
		"openai:sentence-transformers/all-minilm-l6-v2": true,
	} {
		c := DefaultCalibration(name)
		if (c.Weights["dense"] != 0) != wantDense || c.Threshold <= 0 || c.Threshold >= 1 {
			t.Errorf("DefaultCalibration(%q): dense weight %v, threshold %v", name, c.Weights["dense"], c.Threshold)
		}
	}
	if len(SignalNames) != len(SignalSigns) || len(SignalNames) != len(Signals{}.Vector()) {
		t.Error("SignalNames, SignalSigns and Signals.Vector disagree in length")
	}
}
