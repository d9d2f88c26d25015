package retrieval

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// Calibration is a logistic-regression model of the probability that the
// first result answers, over Signals: p = σ(Bias + Σ Weights[f]·signal f).
// It is fitted by `citebot calibrate` on questions with known answers and
// loaded from a small JSON file (CITEBOT_CALIBRATION), so an operator can
// recalibrate on their own questions.
type Calibration struct {
	// Embedder is the embedder the model was fitted with (Signals.Dense
	// has a different scale under another one).
	Embedder string `json:"embedder"`
	// Weights maps a signal's JSON name (see Signals) to its coefficient;
	// a signal not named weighs 0.
	Weights map[string]float64 `json:"weights"`
	Bias    float64            `json:"bias"`
	// Threshold is the probability below which to abstain; 0 means 0.5.
	Threshold float64 `json:"threshold"`
	// FittedOn describes the questions the model was fitted on.
	FittedOn string `json:"fitted_on,omitempty"`
}

// SignalNames are the JSON names of the Signals fields, in Vector order.
var SignalNames = []string{"evidence", "sentence", "dense", "margin", "key_match", "type_miss", "type_hit", "focus_miss", "unknown", "sent_dense", "sent_margin", "name_miss", "neg_miss", "opposite"}

// SignalSigns is the direction each signal may move the confidence in
// (SignalNames order): more coverage, similarity, margin or a found answer
// type can only raise it; a missing type, focus word, name or negation, an
// opposite, or words the corpus lacks, only lower it. Fit holds the weights
// to these signs so that a model fitted on a few corpora cannot learn a
// quirk of theirs backwards.
var SignalSigns = []float64{1, 1, 1, 1, 1, -1, 1, -1, -1, 1, 1, -1, -1, -1}

// Vector returns the signals in SignalNames order.
func (s Signals) Vector() []float64 {
	return []float64{s.Evidence, s.Sentence, s.Dense, s.Margin, s.KeyMatch, s.TypeMiss, s.TypeHit, s.FocusMiss, s.Unknown, s.SentDense, s.SentMargin, s.NameMiss, s.NegMiss, s.Opposite}
}

// Confidence is the model's probability that a result with signals s
// answers.
func (c *Calibration) Confidence(s Signals) float64 {
	z := c.Bias
	for i, v := range s.Vector() {
		z += c.Weights[SignalNames[i]] * v
	}
	return 1 / (1 + math.Exp(-z))
}

// ReadCalibration parses and checks a calibration file: every weight must
// name a known signal, every number be finite, the threshold lie in (0, 1).
func ReadCalibration(r io.Reader) (*Calibration, error) {
	var c Calibration
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("calibration: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate reports the first problem with c.
func (c *Calibration) Validate() error {
	if len(c.Weights) == 0 {
		return errors.New("calibration: no weights")
	}
	known := map[string]bool{}
	for _, n := range SignalNames {
		known[n] = true
	}
	for k, w := range c.Weights {
		if !known[k] {
			return fmt.Errorf("calibration: unknown signal %q (known: %v)", k, SignalNames)
		}
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return fmt.Errorf("calibration: weight of %q is not a finite number", k)
		}
	}
	if math.IsNaN(c.Bias) || math.IsInf(c.Bias, 0) {
		return errors.New("calibration: bias is not a finite number")
	}
	if c.Threshold < 0 || c.Threshold >= 1 || math.IsNaN(c.Threshold) {
		return fmt.Errorf("calibration: threshold %v, want a probability in (0, 1)", c.Threshold)
	}
	return nil
}

// defaultCalibrations are the shipped models, fitted with `citebot
// calibrate` on the bundled question sets and the SQuAD 2.0 articles in
// testdata (README: quality): one per embedder the dense similarity's
// scale depends on, and one without the dense signal for any other.
//
//go:embed calibration/*.json
var defaultCalibrations embed.FS

// DefaultCalibration returns the shipped calibration for the embedder
// named name: the hashing embedder's, MiniLM's (any embedder whose name
// mentions minilm), else the one without the dense signal.
func DefaultCalibration(name string) *Calibration {
	file := "lexical.json"
	switch n := strings.ToLower(name); {
	case strings.HasPrefix(n, localName):
		file = "hash.json"
	case strings.Contains(n, "minilm"):
		file = "minilm.json"
	}
	f, err := defaultCalibrations.Open("calibration/" + file)
	if err != nil {
		panic("retrieval: shipped calibration missing: " + err.Error())
	}
	defer f.Close()
	c, err := ReadCalibration(f)
	if err != nil {
		panic("retrieval: shipped calibration " + file + ": " + err.Error())
	}
	return c
}

// setAbstention installs the calibration (nil: the default for the
// embedder) and the threshold (≤ 0: the calibration's own).
func (ix *Index) setAbstention(c *Calibration, threshold float64) {
	if c == nil {
		c = DefaultCalibration(ix.emb.Name())
	}
	ix.calib = c
	ix.threshold = threshold
	if ix.threshold <= 0 {
		ix.threshold = c.Threshold
	}
	if ix.threshold <= 0 {
		ix.threshold = 0.5
	}
	ix.calibLex = c
	ix.thresholdLex = ix.threshold
	if c.Weights["dense"] != 0 {
		ix.calibLex = DefaultCalibration("")
		ix.thresholdLex = threshold
		if ix.thresholdLex <= 0 {
			ix.thresholdLex = ix.calibLex.Threshold
		}
	}
}
