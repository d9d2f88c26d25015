package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"citebot/retrieval"
)

// squadPath is the SQuAD 2.0 subset in testdata (CC BY-SA 4.0).
const squadPath = "../../testdata/squad2-dev-2articles.json"

func TestEvalSQuADJSONAndPlot(t *testing.T) {
	plot := filepath.Join(t.TempDir(), "rc.svg")
	code, out, errOut := runCmd(t, map[string]string{"CITEBOT_INDEX": "off"}, "eval", "-squad", squadPath, "-json", "-plot", plot)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Reports []struct {
			Config             string  `json:"config"`
			Answerable         int     `json:"answerable"`
			Unanswerable       int     `json:"unanswerable"`
			AnsweredCorrectly1 float64 `json:"answered_correctly_at_1"`
			RecallAt1          float64 `json:"recall_at_1"`
			AURC               float64 `json:"aurc"`
		} `json:"reports"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("JSON: %v\n%s", err, out[:min(len(out), 300)])
	}
	if len(got.Reports) != 3 || got.Reports[0].Config != "hybrid" || got.Reports[2].Config != "bm25" {
		t.Fatalf("reports %+v", got.Reports)
	}
	r := got.Reports[0]
	if r.Answerable != 293 || r.Unanswerable != 333 || r.AnsweredCorrectly1 <= 0 || r.AnsweredCorrectly1 > r.RecallAt1 || r.AURC <= 0 {
		t.Errorf("hybrid report %+v", r)
	}
	svg, err := os.ReadFile(plot)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "coverage", "accuracy", "threshold", "hybrid", "bm25", "AURC"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("plot lacks %q", want)
		}
	}
}

func TestEvalUsage(t *testing.T) {
	for _, args := range [][]string{
		{"eval"},
		{"eval", "-squad", squadPath, "extra.jsonl"},
		{"calibrate"},
		{"calibrate", "-target", "2", "-squad", squadPath},
		{"calibrate", "-signals", "nonsense", "-squad", squadPath},
	} {
		if code, _, _ := runCmd(t, nil, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
	if code, _, errOut := runCmd(t, nil, "eval", "-squad", "/nonexistent.json"); code != 1 || !strings.Contains(errOut, "nonexistent") {
		t.Errorf("missing squad file: exit %d, %q", code, errOut)
	}
}

func TestCalibrateWritesALoadableFile(t *testing.T) {
	dir := t.TempDir()
	cal := filepath.Join(dir, "cal.json")
	code, _, errOut := runCmd(t, map[string]string{"CITEBOT_INDEX": "off"}, "calibrate", "-squad", squadPath,
		"../../testdata/dev_questions.jsonl", "-o", cal)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "(held out)") {
		t.Errorf("no held-out figures reported:\n%s", errOut)
	}
	code, out, errOut := runCmd(t, map[string]string{"CITEBOT_INDEX": "off", "CITEBOT_CALIBRATION": cal}, "ask", "Who did Qatar's prime minister meet in Kandahar?")
	if code != 0 || !strings.Contains(out, "Akhundzada") {
		t.Errorf("ask with the fitted calibration: exit %d\n%s\n%s", code, out, errOut)
	}
	// -per-corpus holds each corpus to the target: its threshold is at
	// most the pooled one (some corpus has at least the target's share
	// below the pooled threshold).
	each := filepath.Join(dir, "each.json")
	code, _, errOut = runCmd(t, map[string]string{"CITEBOT_INDEX": "off"}, "calibrate", "-per-corpus", "-squad", squadPath,
		"../../testdata/dev_questions.jsonl", "-o", each)
	if code != 0 {
		t.Fatalf("-per-corpus: exit %d: %s", code, errOut)
	}
	read := func(path string) *retrieval.Calibration {
		t.Helper()
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		c, err := retrieval.ReadCalibration(f)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	pooled, perCorpus := read(cal), read(each)
	if !strings.Contains(perCorpus.FittedOn, "on each corpus") || strings.Contains(pooled.FittedOn, "on each corpus") {
		t.Errorf("fitted_on: pooled %q, per corpus %q", pooled.FittedOn, perCorpus.FittedOn)
	}
	if perCorpus.Threshold > pooled.Threshold {
		t.Errorf("-per-corpus threshold %.4f above the pooled %.4f", perCorpus.Threshold, pooled.Threshold)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"weights": {"nonsense": 1}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCmd(t, map[string]string{"CITEBOT_INDEX": "off", "CITEBOT_CALIBRATION": bad}, "ask", "anything")
	if code != 2 || !strings.Contains(errOut, "CITEBOT_CALIBRATION") || !strings.Contains(errOut, "nonsense") {
		t.Errorf("bad calibration: exit %d, %q", code, errOut)
	}
}

func TestEvalCorpusDir(t *testing.T) {
	dir := t.TempDir()
	articles := map[string]string{
		"lighthouse.md": "---\ntitle: The red lighthouse\nsource: Coast Weekly\n---\n\nThe lighthouse keeper Ada Quist painted the tower red in 1931, after a storm stripped the old white paint.\n\nVisitors climb its 212 steps every summer.\n",
		"glacier.md":    "---\ntitle: A glacier in retreat\nsource: Alpine News\n---\n\nThe Morteratsch glacier retreated four kilometres over the last century, surveyors said.\n\nIts tongue now ends far above the old railway station.\n",
	}
	for name, body := range articles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	qs := filepath.Join(t.TempDir(), "q.jsonl")
	lines := `{"q": "What colour did Ada Quist paint the lighthouse?", "gold": ["red"]}
{"q": "How far did the Morteratsch glacier retreat?", "gold": ["four kilometres"]}
{"q": "Which stock exchange listed the semiconductor firm?", "gold": []}
`
	if err := os.WriteFile(qs, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, map[string]string{"CITEBOT_INDEX": "off"}, "eval", "-corpus", dir, qs)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// hybrid: both answered at rank 1, the unanswerable one abstained.
	fields := strings.Fields(strings.Split(out, "\n")[1])
	if fields[0] != "hybrid" || fields[1] != "1.000" || fields[7] != "1.000" {
		t.Errorf("hybrid row %q, want answered@1 1.000 and unanswerable abstained 1.000\n%s", fields, out)
	}
	if !strings.Contains(out, "3 questions (2 answerable, 1 unanswerable), 4 passages") {
		t.Errorf("summary line missing:\n%s", out)
	}
}
