package eval

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// Plot geometry, in SVG user units.
const (
	plotW, plotH     = 740, 440
	marginL, marginR = 64, 210
	marginT, marginB = 56, 56
)

// plotColors are the series colours, in report order.
var plotColors = []string{"#1f5fbf", "#c0392b", "#2e8b57", "#8e44ad"}

// WritePlot draws the risk–coverage curves of reports as an SVG: answered
// accuracy against coverage as the threshold sweeps, one line per report,
// the current threshold of each marked, with the AURC in the legend.
func WritePlot(w io.Writer, title string, reports []Report) error {
	iw, ih := float64(plotW-marginL-marginR), float64(plotH-marginT-marginB)
	x := func(v float64) float64 { return marginL + v*iw }
	y := func(v float64) float64 { return marginT + (1-v)*ih }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", plotW, plotH, plotW, plotH)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", plotW, plotH)
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="14" font-weight="bold">%s</text>`+"\n", marginL, html.EscapeString(title))
	// Grid and ticks.
	for i := 0; i <= 10; i++ {
		v := float64(i) / 10
		stroke := "#eee"
		if i%5 == 0 {
			stroke = "#ccc"
		}
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`+"\n", x(v), y(0), x(v), y(1), stroke)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`+"\n", x(0), y(v), x(1), y(v), stroke)
		if i%2 == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%.1f</text>`+"\n", x(v), y(0)+16, v)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%.1f</text>`+"\n", x(0)-6, y(v)+4, v)
		}
	}
	fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#333"/>`+"\n", x(0), y(1), iw, ih)
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">coverage (share of all questions answered)</text>`+"\n", x(0.5), plotH-14)
	fmt.Fprintf(&b, `<text transform="translate(18 %.1f) rotate(-90)" text-anchor="middle">accuracy of the answers given</text>`+"\n", y(0.5))
	for i, r := range reports {
		col := plotColors[i%len(plotColors)]
		if len(r.Curve) > 0 {
			var pts []string
			for _, p := range r.Curve {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(p.Coverage), y(p.Accuracy)))
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", col, strings.Join(pts, " "))
		}
		// The current threshold: where the index answers today.
		t := r.AtThreshold
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="5" fill="white" stroke="%s" stroke-width="2.5"/>`+"\n", x(t.Coverage), y(t.Accuracy), col)
		ly := float64(marginT + 10 + 70*i)
		lx := float64(plotW - marginR + 14)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"/>`+"\n", lx, ly, lx+20, ly, col)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", lx+26, ly+4, html.EscapeString(r.Config))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11">AURC %.3f</text>`+"\n", lx+26, ly+19, r.AURC)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11">○ threshold %.3g: %.0f%% answered,</text>`+"\n", lx+26, ly+33, t.Threshold, 100*t.Coverage)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11">%.0f%% of them right</text>`+"\n", lx+26, ly+46, 100*t.Accuracy)
	}
	if len(reports) > 0 {
		r := reports[0]
		fmt.Fprintf(&b, `<text x="%d" y="40" font-size="11" fill="#555">%d questions, %d of them unanswerable (answering one is always wrong); the confidence sweeps from high to low</text>`+"\n",
			marginL, r.Questions, r.Unanswerable)
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}
