package eval

import (
	"math"
	"math/rand/v2"
	"testing"

	"citebot/retrieval"
)

// TestFitRecoversModel draws outcomes from a known logistic model and
// checks that Fit finds its weights and a threshold meeting the target.
func TestFitRecoversModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var outs []Outcome
	for range 4000 {
		s := retrieval.Signals{Dense: rng.Float64(), Margin: rng.Float64(), TypeMiss: float64(rng.IntN(2))}
		p := 1 / (1 + math.Exp(-(-2 + 4*s.Dense + 2*s.Margin - 1.5*s.TypeMiss)))
		o := Outcome{Answerable: true, Signals: s}
		if o.Answerable && rng.Float64() < p {
			o.Rank = 1
		}
		outs = append(outs, o)
	}
	cal, err := Fit(outs, FitOptions{Signals: []string{"dense", "margin", "type_miss"}})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{"dense": 4, "margin": 2, "type_miss": -1.5} {
		if got := cal.Weights[name]; math.Abs(got-want) > 0.5 {
			t.Errorf("weight %s = %.2f, want ≈ %.1f", name, got, want)
		}
	}
	abst, ans := 0, 0
	for _, o := range outs {
		if o.Answerable {
			ans++
			if cal.Confidence(o.Signals) < cal.Threshold {
				abst++
			}
		}
	}
	if share := float64(abst) / float64(ans); share > 0.05 || share < 0.04 {
		t.Errorf("threshold %.3f abstains on %.3f of answerable questions, want just under 0.05", cal.Threshold, share)
	}
}

func TestFitSigns(t *testing.T) {
	// Evidence anti-correlated with success in this sample: the fit must
	// not learn that more coverage means less confidence.
	var outs []Outcome
	for i := range 200 {
		o := Outcome{Answerable: true, Signals: retrieval.Signals{Evidence: float64(i%2) * 0.9, Dense: float64(i%3) / 2}}
		if i%2 == 0 && i%3 != 0 {
			o.Rank = 1
		}
		outs = append(outs, o)
	}
	cal, err := Fit(outs, FitOptions{Signals: []string{"evidence", "dense"}})
	if err != nil {
		t.Fatal(err)
	}
	if cal.Weights["evidence"] < 0 {
		t.Errorf("evidence weight %.3f, want ≥ 0", cal.Weights["evidence"])
	}
	if _, err := Fit(outs[:1], FitOptions{}); err == nil {
		t.Error("Fit on one outcome = nil error")
	}
	if _, err := Fit(outs, FitOptions{Signals: []string{"bogus"}}); err == nil {
		t.Error("Fit with an unknown signal = nil error")
	}
}

// TestFitGroupThreshold fits on two corpora whose answerable questions get
// different confidences: pooled, the threshold would abstain on far more
// than the target in the harder one; with Groups every corpus stays within
// it.
func TestFitGroupThreshold(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var outs []Outcome
	var groups []int
	for g, shift := range []float64{0.3, 0} {
		for range 1000 {
			s := retrieval.Signals{Dense: shift + rng.Float64()}
			o := Outcome{Answerable: true, Signals: s}
			if rng.Float64() < s.Dense/1.3 {
				o.Rank = 1
			}
			outs = append(outs, o)
			groups = append(groups, g)
		}
	}
	share := func(cal *retrieval.Calibration, g int) float64 {
		abst, n := 0, 0
		for i, o := range outs {
			if groups[i] == g {
				n++
				if cal.Confidence(o.Signals) < cal.Threshold {
					abst++
				}
			}
		}
		return float64(abst) / float64(n)
	}
	pooled, err := Fit(outs, FitOptions{Signals: []string{"dense"}})
	if err != nil {
		t.Fatal(err)
	}
	if s := share(pooled, 1); s <= 0.06 {
		t.Fatalf("pooled threshold abstains on %.3f of the harder corpus: the test's corpora are not different enough", s)
	}
	cal, err := Fit(outs, FitOptions{Signals: []string{"dense"}, Groups: groups})
	if err != nil {
		t.Fatal(err)
	}
	for g := range 2 {
		if s := share(cal, g); s > 0.05 {
			t.Errorf("corpus %d: threshold %.3f abstains on %.3f of its answerable questions, want ≤ 0.05", g, cal.Threshold, s)
		}
	}
	if s := share(cal, 1); s < 0.04 {
		t.Errorf("harder corpus: %.3f abstained, want just under 0.05 (the threshold is the highest that meets the target)", s)
	}
	if _, err := Fit(outs, FitOptions{Groups: groups[:3]}); err == nil {
		t.Error("Fit with a short Groups = nil error")
	}
}
