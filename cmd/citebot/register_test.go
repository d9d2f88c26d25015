package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestRegisterThroughAPIURL runs `citebot register` against a fake Discord
// REST API on 127.0.0.1 reached through DISCORD_API_URL: one bulk overwrite
// of every command to the guild, authorized with the bot token.
func TestRegisterThroughAPIURL(t *testing.T) {
	var (
		mu    sync.Mutex
		calls []string
		names []string
		auth  string
	)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, r.Method+" "+r.URL.Path)
		auth = r.Header.Get("Authorization")
		var cmds []struct {
			Name string `json:"name"`
		}
		if err := json.NewDecoder(r.Body).Decode(&cmds); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, c := range cmds {
			names = append(names, c.Name)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(cmds)
	}))
	defer fake.Close()

	vars := map[string]string{
		"DISCORD_TOKEN":   "secret-token",
		"DISCORD_APP_ID":  "1234",
		"DISCORD_API_URL": fake.URL,
		"CITEBOT_INDEX":   "off",
	}
	code, stdout, stderr := runCmd(t, vars, "register", "--guild", "5678")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 1 || !strings.HasPrefix(calls[0], "PUT ") || !strings.HasSuffix(calls[0], "/applications/1234/guilds/5678/commands") {
		t.Fatalf("calls = %v, want one PUT of the guild's commands", calls)
	}
	if auth != "Bot secret-token" {
		t.Errorf("Authorization = %q", auth)
	}
	joined := strings.Join(names, ",")
	for _, want := range []string{"ask", "search", "quote", "sources", "help", "Find sources"} {
		if !strings.Contains(joined, want) {
			t.Errorf("registered %v, missing %q", names, want)
		}
	}
	if !strings.Contains(stdout, "in guild 5678") {
		t.Errorf("stdout = %q", stdout)
	}
	if strings.Contains(stderr, "secret-token") {
		t.Errorf("token logged:\n%s", stderr)
	}
}

func TestRegisterWithoutTokenNamesTheVariable(t *testing.T) {
	code, _, stderr := runCmd(t, map[string]string{"DISCORD_APP_ID": "1"}, "register")
	if code != 2 || !strings.Contains(stderr, "DISCORD_TOKEN") {
		t.Fatalf("code %d, stderr %q", code, stderr)
	}
}
