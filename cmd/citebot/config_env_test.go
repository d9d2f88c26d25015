package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/joho/godotenv"
)

// TestEnvExampleAssignsNothing: every setting in .env.example is commented
// out, so a copy used as is (or passed to docker run --env-file) changes no
// default; and every variable citebot reads is documented there.
func TestEnvExampleAssignsNothing(t *testing.T) {
	path := filepath.Join("..", "..", ".env.example")
	vals, err := godotenv.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range vals {
		t.Errorf(".env.example assigns %s=%q: unset settings must be commented out", k, v)
	}
	example, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("config.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`getenv\("([A-Z][A-Z0-9_]+)"\)`).FindAllStringSubmatch(string(src), -1) {
		name := m[1]
		if name == "XDG_CACHE_HOME" || name == "HOME" {
			continue
		}
		if !strings.Contains(string(example), "# "+name+"=") {
			t.Errorf("%s is not in .env.example", name)
		}
	}
}

// TestEmptyEnvCountsAsUnset pins the documented rule: a variable set to the
// empty string in the environment counts as unset, so .env's value applies
// (and without one, the default).
func TestEmptyEnvCountsAsUnset(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte("CITEBOT_LOG_FORMAT=json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	getenv, err := withDotenv(fakeEnv(map[string]string{"CITEBOT_LOG_FORMAT": "", "CITEBOT_LOG_LEVEL": ""}), path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := loadConfig(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if c.LogFormat != "json" {
		t.Errorf("CITEBOT_LOG_FORMAT= in the environment, json in .env: got %q, want json", c.LogFormat)
	}
	if c.LogLevel != "" {
		t.Errorf("CITEBOT_LOG_LEVEL= in the environment, absent from .env: got %q, want the default", c.LogLevel)
	}
}

// TestAskUnknownSource: an unknown -source is named, as the bot does,
// instead of an answer that no passage answers; a known one in another case
// works.
func TestAskUnknownSource(t *testing.T) {
	vars := map[string]string{"CITEBOT_INDEX": "off", "CITEBOT_EMBEDDER": "hash"}
	code, stdout, stderr := runCmd(t, vars, "ask", "-source", "Daily Planet", "Who met the Taliban leader?")
	if code != 2 || !strings.Contains(stderr, `no source "Daily Planet"`) || !strings.Contains(stderr, "CNN") || stdout != "" {
		t.Errorf("unknown source: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runCmd(t, vars, "ask", "-source", "cnn", "Who did Qatar's prime minister meet in Kandahar?")
	if code != 0 || !strings.Contains(stdout, "CNN") {
		t.Errorf("known source in lower case: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr = runCmd(t, vars, "search", "-article", "no-such-article", "Taliban")
	if code != 2 || !strings.Contains(stderr, `no article "no-such-article"`) {
		t.Errorf("unknown article: exit %d, stderr %q", code, stderr)
	}
}
