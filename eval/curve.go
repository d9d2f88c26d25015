package eval

import "sort"

// Point is one point of a risk–coverage curve: answering the Coverage share
// of all questions (the most confident first), Accuracy of those answers are
// correct; Threshold is the confidence that gives it.
type Point struct {
	Coverage  float64 `json:"coverage"`
	Accuracy  float64 `json:"accuracy"`
	Threshold float64 `json:"threshold"`
}

// RiskCoverage sweeps the threshold over the outcomes' confidences, most
// confident first, and returns one point per distinct confidence and the
// area under the risk (1 − accuracy) curve, AURC (Geifman & El-Yaniv 2017):
// 0 when every answer the confidence ranks first is right; answering an
// unanswerable question is always wrong.
func RiskCoverage(outs []Outcome) ([]Point, float64) {
	if len(outs) == 0 {
		return nil, 0
	}
	idx := make([]int, len(outs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return outs[idx[a]].Confidence > outs[idx[b]].Confidence })
	n := float64(len(outs))
	var pts []Point
	var area float64
	correct := 0
	for k := 0; k < len(idx); {
		c := outs[idx[k]].Confidence
		start := k
		for k < len(idx) && outs[idx[k]].Confidence == c {
			if outs[idx[k]].Correct() {
				correct++
			}
			k++
		}
		acc := float64(correct) / float64(k)
		// Tied confidences are answered together: every question of the
		// tie gets the accuracy of the whole group.
		area += float64(k-start) * (1 - acc)
		pts = append(pts, Point{Coverage: float64(k) / n, Accuracy: acc, Threshold: c})
	}
	return pts, area / n
}

// pointAt is the curve's point for a threshold: the questions whose
// confidence reaches it are answered.
func pointAt(outs []Outcome, threshold float64) Point {
	p := Point{Threshold: threshold}
	answered, correct := 0, 0
	for _, o := range outs {
		if o.Confidence >= threshold {
			answered++
			if o.Correct() {
				correct++
			}
		}
	}
	if len(outs) > 0 {
		p.Coverage = float64(answered) / float64(len(outs))
	}
	if answered > 0 {
		p.Accuracy = float64(correct) / float64(answered)
	}
	return p
}
