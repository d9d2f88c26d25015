package eval

import (
	"context"
	"math"
	"strings"
	"testing"

	"citebot/corpus"
	"citebot/retrieval"
)

func res(doc string, para int, text, excerpt string) retrieval.Result {
	return retrieval.Result{
		Passage: corpus.Passage{DocID: doc, Paragraph: para, Text: text},
		Excerpt: retrieval.Excerpt{Sentences: []retrieval.Sentence{{Text: excerpt, Answer: true}}},
	}
}

// TestSummarizeCounts scores hand-made answers whose every figure is known.
func TestSummarizeCounts(t *testing.T) {
	qs := []Question{
		{Q: "a1", Gold: []string{"May 12"}},                           // hit at 1, answered, excerpt holds it
		{Q: "a2", Gold: []string{"Kandahar"}},                         // hit at 1 but abstained: not an answer
		{Q: "a3", Gold: []string{"“Doha”"}},                           // hit at 2 (curly quotes fold), answered
		{Q: "a4", Gold: []string{"Kabul"}},                            // hit at 1, answered, excerpt misses it
		{Q: "a5", Gold: []string{"nowhere"}},                          // no hit
		{Q: "s1", Gold: []string{"France"}, DocID: "n", Paragraph: 2}, // SQuAD: right text, wrong paragraph at 1
		{Q: "u1"}, // unanswerable, abstained
		{Q: "u2"}, // unanswerable, answered (wrong)
	}
	answers := []retrieval.Answer{
		{Confidence: 0.9, Results: []retrieval.Result{res("x", 1, "met on May 12 in Kandahar", "met on May 12")}},
		{Confidence: 0.2, Abstained: true, Results: []retrieval.Result{res("x", 1, "in Kandahar", "in Kandahar")}},
		{Confidence: 0.7, Results: []retrieval.Result{res("x", 1, "other", "other"), res("x", 2, `flew to "Doha"`, "")}},
		{Confidence: 0.8, Results: []retrieval.Result{res("x", 3, "left Kabul. Then more.", "Then more.")}},
		{Confidence: 0.6, Results: []retrieval.Result{res("x", 1, "other", "other")}},
		{Confidence: 0.5, Results: []retrieval.Result{res("n", 1, "France", "France"), res("n", 2, "in France", "in France")}},
		{Confidence: 0.1, Abstained: true},
		{Confidence: 0.95, Results: []retrieval.Result{res("x", 1, "anything", "anything")}},
	}
	var outs []Outcome
	for i, q := range qs {
		outs = append(outs, outcome(q, answers[i]))
	}
	wantRanks := []int{1, 1, 2, 1, 0, 2, 0, 0}
	for i, o := range outs {
		if o.Rank != wantRanks[i] {
			t.Errorf("%s: rank %d, want %d", o.Q, o.Rank, wantRanks[i])
		}
	}
	r := Summarize("test", 0.4, outs)
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %.4f, want %.4f", name, got, want)
		}
	}
	if r.Answerable != 6 || r.Unanswerable != 2 || r.Questions != 8 {
		t.Fatalf("counts %d/%d/%d, want 6 answerable, 2 unanswerable, 8", r.Answerable, r.Unanswerable, r.Questions)
	}
	near("answered-correctly@1", r.AnsweredCorrectly1, 2.0/6) // a1, a4 (a2 abstained)
	near("R@1", r.RecallAt1, 3.0/6)                           // a1, a2, a4: the ranking, decision aside
	near("R@5", r.RecallAt5, 5.0/6)
	near("MRR@5", r.MRRAt5, (1+1+0.5+1+0+0.5)/6)
	near("excerpt", r.Excerpt, 1.0/6) // a1 only
	near("wrongly abstained", r.WronglyAbstained, 1.0/6)
	near("unanswerable abstained", r.UnanswerableAbstained, 1.0/2)

	// Risk–coverage, most confident first: u2 (wrong) .95, a1 (right) .9,
	// a4 (right) .8, a3 .7, a5 .6, s1 .5, a2 (right) .2, u1 .1.
	wantAcc := []float64{0, 1.0 / 2, 2.0 / 3, 2.0 / 4, 2.0 / 5, 2.0 / 6, 3.0 / 7, 3.0 / 8}
	if len(r.Curve) != len(wantAcc) {
		t.Fatalf("curve has %d points, want %d", len(r.Curve), len(wantAcc))
	}
	area := 0.0
	for i, p := range r.Curve {
		near("curve accuracy", p.Accuracy, wantAcc[i])
		near("curve coverage", p.Coverage, float64(i+1)/8)
		area += 1 - wantAcc[i]
	}
	near("AURC", r.AURC, area/8)
	// Threshold 0.4 answers the six above it, two of them right.
	near("coverage at threshold", r.AtThreshold.Coverage, 6.0/8)
	near("accuracy at threshold", r.AtThreshold.Accuracy, 2.0/6)
}

// TestRiskCoverageTies: tied confidences are one step of the sweep.
func TestRiskCoverageTies(t *testing.T) {
	outs := []Outcome{
		{Answerable: true, Rank: 1, Confidence: 0.5},
		{Answerable: false, Confidence: 0.5},
		{Answerable: true, Rank: 1, Confidence: 0.9},
	}
	pts, aurc := RiskCoverage(outs)
	if len(pts) != 2 || pts[0].Accuracy != 1 || math.Abs(pts[1].Accuracy-2.0/3) > 1e-9 {
		t.Fatalf("points %+v", pts)
	}
	if want := (0 + 2*(1-2.0/3)) / 3; math.Abs(aurc-want) > 1e-9 {
		t.Errorf("AURC %.4f, want %.4f", aurc, want)
	}
}

// TestRunTinyCorpus runs real searches over a corpus of three unrelated
// paragraphs, where which question hits and which abstains is plain.
func TestRunTinyCorpus(t *testing.T) {
	a := &corpus.Article{ID: "t", Title: "Notes", Paragraphs: []corpus.Paragraph{
		{N: 1, Text: "The lighthouse keeper Ada Quist painted the tower red in 1931."},
		{N: 2, Text: "Marmalade from Seville oranges needs a long, slow boil."},
		{N: 3, Text: "The glacier retreated four kilometres over the last century."},
	}}
	c := &corpus.Corpus{Articles: []*corpus.Article{a}, Passages: corpus.Split(a)}
	ix, err := retrieval.NewIndex(context.Background(), c, retrieval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	qs := []Question{
		{Q: "What colour did Ada Quist paint the lighthouse tower?", Gold: []string{"red"}},
		{Q: "How far did the glacier retreat?", Gold: []string{"four kilometres"}},
		{Q: "Which stock exchange listed the semiconductor firm?"},
	}
	r, err := Run(context.Background(), ix, qs, retrieval.Hybrid)
	if err != nil {
		t.Fatal(err)
	}
	if r.AnsweredCorrectly1 != 1 || r.RecallAt1 != 1 || r.UnanswerableAbstained != 1 || r.WronglyAbstained != 0 {
		for _, o := range r.Outcomes {
			t.Logf("%+v", o)
		}
		t.Errorf("answered@1 %.2f R@1 %.2f unanswerable abstained %.2f wrongly abstained %.2f, want 1 1 1 0",
			r.AnsweredCorrectly1, r.RecallAt1, r.UnanswerableAbstained, r.WronglyAbstained)
	}
}

func TestReadQuestionsContext(t *testing.T) {
	qs, err := ReadQuestions(strings.NewReader(`{"q": "when was that", "gold": ["May"], "context": ["who met Baradar"]}` + "\n\n" + `{"q": "x", "gold": []}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 || len(qs[0].Context) != 1 || qs[0].Context[0] != "who met Baradar" || qs[1].Answerable() {
		t.Errorf("got %+v", qs)
	}
	for _, bad := range []string{``, `{"q": ""}`, `{"q": "a", "extra": 1}`, `not json`} {
		if _, err := ReadQuestions(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadQuestions(%q) = nil error", bad)
		}
	}
}

func TestLoadSQuAD(t *testing.T) {
	const js = `{"version": "v2.0", "data": [{"title": "Tiny_Topic", "paragraphs": [
		{"context": "Alpha is first. Beta is second.", "qas": [
			{"question": "What is first?", "id": "1", "answers": [{"text": "Alpha", "answer_start": 0}, {"text": "Alpha", "answer_start": 0}], "is_impossible": false},
			{"question": "What is third?", "id": "2", "answers": [], "plausible_answers": [{"text": "Beta", "answer_start": 16}], "is_impossible": true}]},
		{"context": "Gamma  is\nthird.", "qas": []}]}]}`
	c, qs, err := LoadSQuAD(strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Articles) != 1 || c.Articles[0].ID != "tiny-topic" || c.Articles[0].Title != "Tiny Topic" || len(c.Passages) != 2 {
		t.Fatalf("corpus %+v", c)
	}
	if c.Passages[1].Text != "Gamma is third." || c.Passages[1].Paragraph != 2 {
		t.Errorf("second passage %+v", c.Passages[1])
	}
	if len(qs) != 2 || len(qs[0].Gold) != 1 || qs[0].Paragraph != 1 || qs[0].DocID != "tiny-topic" || qs[1].Answerable() {
		t.Errorf("questions %+v", qs)
	}
	for _, bad := range []string{`{}`, `{"data": []}`, `[`, `{"data": [{"title": "x", "paragraphs": []}]}`} {
		if _, _, err := LoadSQuAD(strings.NewReader(bad)); err == nil {
			t.Errorf("LoadSQuAD(%q) = nil error", bad)
		}
	}
}
