package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeEnv returns a getenv over a fixed map: tests never read the real
// environment.
func fakeEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// runCmd runs citebot with args and a fake environment, returning exit code,
// stdout and stderr.
func runCmd(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"citebot"}, args...), fakeEnv(vars), strings.NewReader(""), &stdout, &stderr)
	return exitCode(err), stdout.String(), stderr.String()
}

func TestRunUsageErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no subcommand", nil, "missing subcommand"},
		{"unknown subcommand", []string{"frobnicate"}, `unknown subcommand "frobnicate"`},
		{"ask without question", []string{"ask"}, "missing question"},
		{"ask with blank question", []string{"ask", "   "}, "missing question"},
		{"search without query", []string{"search"}, "missing query"},
		{"bad flag", []string{"search", "-nope", "x"}, "flag provided but not defined: -nope"},
		{"bad k", []string{"ask", "-k", "0", "who?"}, "-k must be between 1 and 10"},
		{"bad bench sizes", []string{"bench", "-sizes", "ten"}, `-sizes: "ten"`},
		{"bad bench probes", []string{"bench", "-probes", "4,x"}, `-probes: "x"`},
		{"bad bench candidates", []string{"bench", "-candidates", "0"}, `-candidates:`},
		{"bad bench embedder", []string{"bench", "-ann-embedder", "bert"}, `-ann-embedder: want hash or minilm`},
		{"bench prepare without cache", []string{"bench", "-ann-prepare", "-ann-index", "off"}, "-ann-prepare: needs a cache"},
		{"bench prepare without sizes", []string{"bench", "-ann-prepare", "-ann", "0"}, "-ann-prepare: no -ann sizes"},
		{"corpus extra arg", []string{"corpus", "extra"}, `unexpected argument "extra"`},
		{"huge question", []string{"ask", strings.Repeat("why ", 2000)}, "query too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, nil, tt.args...)
			if code != 2 {
				t.Errorf("exit code = %d, want 2 (stderr %q)", code, stderr)
			}
			// Log lines (the embedder's warning) may come first.
			first, rest, _ := strings.Cut(stderr, "\n")
			for strings.HasPrefix(first, "time=") {
				first, rest, _ = strings.Cut(rest, "\n")
			}
			if !strings.HasPrefix(first, "citebot: ") || !strings.Contains(first, tt.wantErr) {
				t.Errorf("first stderr line = %q, want one line containing %q", first, tt.wantErr)
			}
			if !strings.Contains(stderr, "Usage: citebot") {
				t.Errorf("stderr has no usage:\n%s", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
		})
	}
}

func TestRunHelp(t *testing.T) {
	code, stdout, _ := runCmd(t, nil, "help")
	if code != 0 || !strings.Contains(stdout, "ask") || !strings.Contains(stdout, "serve") {
		t.Fatalf("help: code %d, stdout %q", code, stdout)
	}
	for _, c := range commands() {
		code, stdout, stderr := runCmd(t, nil, c.name, "-h")
		if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "Usage: citebot "+c.name) {
			t.Errorf("%s -h: code %d, stdout %q, stderr %q", c.name, code, stdout, stderr)
		}
	}
}

func TestRunConfigErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"CITEBOT_EMBEDDER": "magic"}, "CITEBOT_EMBEDDER"},
		{map[string]string{"CITEBOT_EMBEDDER": "openai"}, "CITEBOT_EMBED_MODEL"},
		{map[string]string{"CITEBOT_PRIVATE_DEFAULT": "maybe"}, "CITEBOT_PRIVATE_DEFAULT"},
		{map[string]string{"CITEBOT_RATE_LIMIT": "lots"}, "CITEBOT_RATE_LIMIT"},
		{map[string]string{"CITEBOT_CHANNELS": "123,general"}, "CITEBOT_CHANNELS"},
		{map[string]string{"DISCORD_API_URL": "discord.com"}, "DISCORD_API_URL"},
		{map[string]string{"CITEBOT_LOG_FORMAT": "xml"}, "CITEBOT_LOG_FORMAT"},
		{map[string]string{"CITEBOT_EMBED_DIMENSIONS": "-3"}, "CITEBOT_EMBED_DIMENSIONS"},
		{map[string]string{"CITEBOT_ABSTAIN_THRESHOLD": "high"}, "CITEBOT_ABSTAIN_THRESHOLD"},
		{map[string]string{"CITEBOT_ANN_PROBES": "0"}, "CITEBOT_ANN_PROBES"},
		{map[string]string{"CITEBOT_ANN_PROBES": "many"}, "CITEBOT_ANN_PROBES"},
		{map[string]string{"CITEBOT_ANN_CANDIDATES": "-3"}, "CITEBOT_ANN_CANDIDATES"},
		{map[string]string{"CITEBOT_ANN_MIN_PASSAGES": "-1"}, "CITEBOT_ANN_MIN_PASSAGES"},
		{map[string]string{"CITEBOT_LATE_INTERACTION": "sometimes"}, "CITEBOT_LATE_INTERACTION"},
		{map[string]string{"CITEBOT_MENTIONS": "yes please"}, "CITEBOT_MENTIONS"},
		{map[string]string{"CITEBOT_MENTIONS": "false", "CITEBOT_MESSAGE_CONTENT": "true"}, "CITEBOT_MESSAGE_CONTENT"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			code, _, stderr := runCmd(t, tt.vars, "ask", "who met Baradar?")
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("code %d, stderr %q: want exit 2 naming %s", code, stderr, tt.want)
			}
		})
	}
}

func TestRunServeWithoutTokenNamesTheVariable(t *testing.T) {
	code, _, stderr := runCmd(t, map[string]string{"CITEBOT_INDEX": "off"}, "serve")
	if code != 2 || !strings.Contains(stderr, "DISCORD_TOKEN") || !strings.Contains(stderr, ".env.example") {
		t.Fatalf("code %d, stderr %q: want exit 2 naming DISCORD_TOKEN and .env.example", code, stderr)
	}
}

// TestAskWithNoEnvironment is the newcomer's first command: no token, no key,
// no network, no environment at all.
func TestAskWithNoEnvironment(t *testing.T) {
	code, stdout, stderr := runCmd(t, nil, "ask", "Who did Qatar's prime minister meet in Kandahar?")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "Akhundzada") || !strings.Contains(stdout, "**") {
		t.Errorf("answer does not quote the meeting with a bold answering sentence:\n%s", stdout)
	}
	if !strings.Contains(stdout, "[1]") {
		t.Errorf("answer has no numbered citation:\n%s", stdout)
	}
}

// TestAskAbstains checks that questions the corpus cannot answer get the
// plain abstention and no highlighted (answer-looking) sentence.
func TestAskFollowup(t *testing.T) {
	vars := map[string]string{"CITEBOT_INDEX": "off"}
	code, out, stderr := runCmd(t, vars, "ask", "-after", "who met Baradar in Kabul?", "when was that?")
	if code != 0 || !strings.Contains(out, "Baradar in Kabul on Monday") || !strings.Contains(out, "Read with the earlier question: “who met Baradar in Kabul?”") {
		t.Errorf("code %d, stdout:\n%s\nstderr: %s", code, out, stderr)
	}
	if code, _, stderr := runCmd(t, vars, "ask", "-after", " ", "when?"); code != 2 || !strings.Contains(stderr, "empty earlier question") {
		t.Errorf("empty -after: code %d, stderr %q", code, stderr)
	}
}

func TestAskAbstains(t *testing.T) {
	for _, q := range []string{"hello", "what is the weather in Paris", "Who won the 2022 World Cup?"} {
		t.Run(q, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, nil, "ask", q)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stdout, "no passage that answers") {
				t.Errorf("no abstention:\n%s", stdout)
			}
			if strings.Contains(stdout, "**") {
				t.Errorf("a highlighted answer for an unanswerable question:\n%s", stdout)
			}
		})
	}
}

func TestSearchJSONShape(t *testing.T) {
	code, stdout, stderr := runCmd(t, nil, "search", "-k", "2", "-json", "Burns Baradar meeting in Kabul")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var out struct {
		Query     string           `json:"query"`
		Abstained *bool            `json:"abstained"`
		Results   []map[string]any `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if out.Query == "" || out.Abstained == nil || len(out.Results) == 0 || len(out.Results) > 2 {
		t.Fatalf("unexpected shape: %+v", out)
	}
	for _, k := range []string{"rank", "id", "doc_id", "title", "source", "url", "paragraph", "passage", "excerpt", "score"} {
		if _, ok := out.Results[0][k]; !ok {
			t.Errorf("result lacks %q: %v", k, out.Results[0])
		}
	}
}

func TestCorpusJSON(t *testing.T) {
	code, stdout, stderr := runCmd(t, nil, "corpus", "-json")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var out corpusJSON
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if len(out.Articles) != 5 || len(out.Passages) < 5 {
		t.Fatalf("got %d articles, %d passages", len(out.Articles), len(out.Passages))
	}
}

func TestCorpusDirFromEnvAndDotenv(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "moon.txt"), []byte("---\ntitle: Moon base\nsource: Lunar Times\n---\nEngineers finished the first lunar greenhouse in Shackleton crater on Tuesday, growing lettuce under artificial light.\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "bad.txt"), []byte{0xff, 0xfe, 0x00, 0x01}, 0o644))
	code, stdout, stderr := runCmd(t, map[string]string{"CITEBOT_CORPUS": dir, "CITEBOT_INDEX": "off"}, "ask", "where is the lunar greenhouse?")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "Shackleton") || !strings.Contains(stdout, "Lunar Times") {
		t.Errorf("answer not from CITEBOT_CORPUS:\n%s", stdout)
	}
	if !strings.Contains(stderr, "bad.txt") {
		t.Errorf("skipped file not named in the log:\n%s", stderr)
	}
}

func TestDotenvFallsBehindEnvironment(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	if err := os.WriteFile(path, []byte("CITEBOT_LOG_FORMAT=json\nCITEBOT_EMBEDDER=local\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv, err := withDotenv(fakeEnv(map[string]string{"CITEBOT_LOG_FORMAT": "text"}), path)
	if err != nil {
		t.Fatal(err)
	}
	if got := getenv("CITEBOT_LOG_FORMAT"); got != "text" {
		t.Errorf("environment should win: got %q", got)
	}
	if got := getenv("CITEBOT_EMBEDDER"); got != "local" {
		t.Errorf(".env should fill unset variables: got %q", got)
	}
	if _, err := withDotenv(fakeEnv(nil), filepath.Join(dir, "missing.env")); err != nil {
		t.Errorf("a missing .env must not be an error: %v", err)
	}
}

func TestParseRate(t *testing.T) {
	n, w, err := parseRate("5/30s")
	if err != nil || n != 5 || w.Seconds() != 30 {
		t.Fatalf("parseRate(5/30s) = %d, %v, %v", n, w, err)
	}
	for _, bad := range []string{"", "5", "0/1s", "x/1s", "5/0s", "5/abc"} {
		if _, _, err := parseRate(bad); err == nil {
			t.Errorf("parseRate(%q) accepted", bad)
		}
	}
}

// TestIndexCommandPersists: the second run reuses every vector it saved.
func TestIndexCommandPersists(t *testing.T) {
	vars := map[string]string{"CITEBOT_INDEX": t.TempDir()}
	code, first, stderr := runCmd(t, vars, "index")
	if code != 0 {
		t.Fatalf("first index: exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(first, "0 kept") || strings.Contains(first, " 0 added") {
		t.Errorf("first run should add everything: %q", first)
	}
	code, second, stderr := runCmd(t, vars, "index")
	if code != 0 {
		t.Fatalf("second index: exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(second, "0 added, 0 changed, 0 removed") || !strings.Contains(second, "(0 embedded)") {
		t.Errorf("second run should reuse every vector: %q", second)
	}
	code, stdout, stderr := runCmd(t, vars, "ask", "Who did Burns meet in Kabul?")
	if code != 0 || !strings.Contains(stdout, "Baradar") {
		t.Errorf("ask from the persisted index: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestBenchANNCache: -ann-prepare embeds the -ann corpus into the
// -ann-index cache and measures nothing; the next run takes every vector
// from it.
func TestBenchANNCache(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCmd(t, nil, "bench", "-ann", "300", "-ann-index", dir, "-ann-prepare")
	if code != 0 || !strings.Contains(stdout, "0 of 300 passages cached") || strings.Contains(stdout, "exact scan") {
		t.Fatalf("prepare: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCmd(t, nil, "bench", "-sizes", "50", "-persist", "0", "-ann", "300", "-probes", "2", "-ann-index", dir)
	if code != 0 || !strings.Contains(stdout, "300 of 300 passages cached") || !strings.Contains(stdout, "vectors from the cache") ||
		!strings.Contains(stdout, "chromem-go exact scan") {
		t.Fatalf("second run: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestBenchANNCorpus: -ann-corpus measures the partitioned store on a corpus
// directory (here the bundled articles) in place of the synthetic ones.
func TestBenchANNCorpus(t *testing.T) {
	dir := copyCorpus(t)
	code, stdout, stderr := runCmd(t, nil, "bench", "-sizes", "50", "-persist", "0", "-ann", "0", "-probes", "2", "-ann-index", "off", "-ann-corpus", dir)
	if code != 0 || !strings.Contains(stdout, "passages, corpus "+filepath.Base(dir)+" (local-hash") || !strings.Contains(stdout, "chromem-go exact scan") ||
		strings.Contains(stdout, "synthetic corpus") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = runCmd(t, nil, "bench", "-ann-corpus", filepath.Join(dir, "missing"))
	if code == 0 || !strings.Contains(stderr, "-ann-corpus: corpus directory") {
		t.Errorf("missing directory: exit %d, stderr %s", code, stderr)
	}
}

// TestBenchRuns exercises `citebot bench` on tiny corpora: it is a
// benchmark, so only its shape is checked, never a time.
func TestBenchRuns(t *testing.T) {
	code, stdout, stderr := runCmd(t, nil, "bench", "-sizes", "50", "-persist", "200", "-ann", "1200", "-probes", "2,4",
		"-candidates", "300")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"hybrid p50", "dense p50", "bm25 p50", "restart", "one article changed",
		"chromem-go exact scan", "recall@50", "sketch, 300 candidates", "ivf, 4 probes", "no-op update"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("bench output lacks %q:\n%s", want, stdout)
		}
	}
}
