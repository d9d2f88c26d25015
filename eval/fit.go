package eval

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"citebot/retrieval"
)

// FitOptions configures Fit. The zero value fits every signal for a 5%
// wrongly-abstained target.
type FitOptions struct {
	// Signals names the signals to use (retrieval.SignalNames by default).
	Signals []string
	// TargetWrongAbstain is the share of answerable questions the chosen
	// threshold may abstain on; 0 means 0.05.
	TargetWrongAbstain float64
	// L2 is the ridge penalty on the standardized weights; 0 means 0.01.
	L2 float64
	// Groups, when set, gives each outcome's corpus (one entry per
	// outcome): the threshold then abstains on at most TargetWrongAbstain
	// of the answerable questions of every corpus, not of them pooled, so
	// that a corpus unlike the others in the fit is held to the target too.
	Groups []int
}

// Fit fits a logistic regression of "the first result is a hit" on the
// outcomes' signals (answering an unanswerable question is never a hit),
// each weight held to its signal's sign (retrieval.SignalSigns), and
// picks the threshold: the highest probability that abstains on at most
// TargetWrongAbstain of the answerable questions (of each of opts.Groups).
// It needs both outcomes.
func Fit(outs []Outcome, opts FitOptions) (*retrieval.Calibration, error) {
	names := opts.Signals
	if len(names) == 0 {
		names = retrieval.SignalNames
	}
	col := map[string]int{}
	for i, n := range retrieval.SignalNames {
		col[n] = i
	}
	var idx []int
	var sign []float64
	for _, n := range names {
		i, ok := col[n]
		if !ok {
			return nil, fmt.Errorf("fit: unknown signal %q", n)
		}
		idx = append(idx, i)
		sign = append(sign, retrieval.SignalSigns[i])
	}
	target := opts.TargetWrongAbstain
	if target <= 0 {
		target = 0.05
	}
	if opts.Groups != nil && len(opts.Groups) != len(outs) {
		return nil, fmt.Errorf("fit: %d groups for %d outcomes", len(opts.Groups), len(outs))
	}
	l2 := opts.L2
	if l2 <= 0 {
		l2 = 0.01
	}
	n, d := len(outs), len(idx)
	x := make([][]float64, n)
	y := make([]float64, n)
	pos := 0
	for i, o := range outs {
		v := o.Signals.Vector()
		x[i] = make([]float64, d)
		for k, j := range idx {
			x[i][k] = v[j]
		}
		if o.Correct() {
			y[i] = 1
			pos++
		}
	}
	if pos == 0 || pos == n {
		return nil, errors.New("fit: need questions answered right and questions not (both outcomes)")
	}
	// Standardize so one step size and one penalty suit every signal.
	mean, sd := make([]float64, d), make([]float64, d)
	for k := range d {
		for i := range n {
			mean[k] += x[i][k]
		}
		mean[k] /= float64(n)
		for i := range n {
			sd[k] += (x[i][k] - mean[k]) * (x[i][k] - mean[k])
		}
		sd[k] = math.Sqrt(sd[k] / float64(n))
		if sd[k] < 1e-9 {
			sd[k] = 1 // a constant signal: its weight stays 0
		}
	}
	z := make([][]float64, n)
	for i := range n {
		z[i] = make([]float64, d)
		for k := range d {
			z[i][k] = (x[i][k] - mean[k]) / sd[k]
		}
	}
	w := make([]float64, d)
	b := 0.0
	// Newton's method on the penalized log-likelihood: d+1 unknowns, a
	// few iterations converge.
	for iter := 0; iter < 50; iter++ {
		m := d + 1
		h := make([][]float64, m)
		for r := range h {
			h[r] = make([]float64, m)
		}
		g := make([]float64, m)
		for i := range n {
			s := b
			for k := range d {
				s += w[k] * z[i][k]
			}
			p := 1 / (1 + math.Exp(-s))
			e := p - y[i]
			q := p * (1 - p)
			feat := append(z[i][:d:d], 1)
			for r := range m {
				g[r] += e * feat[r]
				for c := range m {
					h[r][c] += q * feat[r] * feat[c]
				}
			}
		}
		for k := range d {
			g[k] += l2 * float64(n) * w[k]
			h[k][k] += l2 * float64(n)
		}
		step, err := solve(h, g)
		if err != nil {
			return nil, fmt.Errorf("fit: %w", err)
		}
		delta := 0.0
		for k := range d {
			w[k] -= step[k]
			delta = max(delta, math.Abs(step[k]))
		}
		b -= step[d]
		// Hold each weight to its signal's sign (projected Newton).
		for k := range d {
			if w[k]*sign[k] < 0 {
				w[k] = 0
			}
		}
		if delta < 1e-8 {
			break
		}
	}
	cal := &retrieval.Calibration{Weights: map[string]float64{}}
	cal.Bias = b
	for k, name := range names {
		cal.Weights[name] = w[k] / sd[k]
		cal.Bias -= w[k] * mean[k] / sd[k]
	}
	ans := map[int][]float64{}
	for i, o := range outs {
		if o.Answerable {
			g := 0
			if opts.Groups != nil {
				g = opts.Groups[i]
			}
			ans[g] = append(ans[g], cal.Confidence(o.Signals))
		}
	}
	cal.Threshold = 1
	for _, conf := range ans {
		cal.Threshold = min(cal.Threshold, thresholdFor(conf, target))
	}
	if len(ans) == 0 {
		cal.Threshold = 0.5
	}
	return cal, nil
}

// thresholdFor returns the highest threshold that abstains (confidence
// below it) on at most target of the confidences, midway between two
// observed values so that rounding cannot move a question across it.
func thresholdFor(conf []float64, target float64) float64 {
	if len(conf) == 0 {
		return 0.5
	}
	sort.Float64s(conf)
	k := int(math.Floor(target * float64(len(conf)))) // questions allowed below
	if k >= len(conf) {
		return conf[len(conf)-1]
	}
	if k == 0 {
		return conf[0] / 2
	}
	// Skip ties so that exactly the k lowest (or fewer) fall below.
	for k > 0 && conf[k-1] == conf[k] {
		k--
	}
	if k == 0 {
		return conf[0] / 2
	}
	return (conf[k-1] + conf[k]) / 2
}

// solve solves a·x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	m := make([][]float64, n)
	for i := range n {
		m[i] = append(append([]float64(nil), a[i]...), b[i])
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) < 1e-12 {
			return nil, errors.New("singular system")
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, nil
}

// Rescore recomputes the outcomes' confidences and abstentions under cal
// (at threshold, or cal's own when threshold ≤ 0), without searching again:
// to measure a calibration on questions it was not fitted on. The ranking
// is the one the outcomes were measured with.
func Rescore(outs []Outcome, cal *retrieval.Calibration, threshold float64) []Outcome {
	if threshold <= 0 {
		threshold = cal.Threshold
	}
	res := make([]Outcome, len(outs))
	for i, o := range outs {
		o.Confidence = cal.Confidence(o.Signals)
		o.Abstained = o.Confidence < threshold
		res[i] = o
	}
	return res
}
