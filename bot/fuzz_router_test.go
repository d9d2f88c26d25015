package bot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"citebot/corpus"
	"citebot/retrieval"
)

// fuzzIndex is a real index over the bundled corpus, built once per target.
func fuzzIndex(f *testing.F) *retrieval.Index {
	f.Helper()
	c, _, err := corpus.Bundled()
	if err != nil {
		f.Fatal(err)
	}
	ix, err := retrieval.NewIndex(context.Background(), c, retrieval.Options{})
	if err != nil {
		f.Fatal(err)
	}
	return ix
}

// addInteractionSeeds adds every testdata interaction to f's corpus.
func addInteractionSeeds(f *testing.F, add func(body []byte)) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no testdata interactions: %v", err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		add(b)
	}
	huge := strings.Repeat("@everyone **x** ", 2000)
	for _, s := range []string{
		`{"type":2,"id":"1","token":"t","data":{"name":"ask","type":1}}`,
		`{"type":2,"id":"1","token":"t","data":{"name":"ask","options":[{"name":"question","type":3,"value":"` + huge + `"}]}}`,
		`{"type":2,"id":"1","token":"t","user":{"id":"u"},"data":{"name":"search","options":[{"name":"query","type":3,"value":"Taliban"},{"name":"results","type":4,"value":1e300},{"name":"page","type":4,"value":-3}]}}`,
		`{"type":2,"id":"1","token":"t","data":{"name":"quote","options":[{"name":"passage","type":3,"value":null},null]}}`,
		`{"type":4,"id":"1","token":"t","data":{"name":"ask","options":[{"name":"source","type":3,"focused":true,"value":7}]}}`,
		`{"type":4,"id":"1","token":"t","data":{"name":"search","options":[{"name":"source","type":3,"focused":true,"value":"` + huge + `"}]}}`,
		`{"type":3,"id":"1","token":"t","data":{"custom_id":"more:::::-1","component_type":2},"message":{"embeds":[null,{}],"content":"@everyone"}}`,
		`{"type":3,"id":"1","token":"t","data":{"custom_id":"share","component_type":2},"message":{"embeds":[{"title":"` + huge + `","fields":[null]}],"content":"` + huge + `"}}`,
		`{"type":3,"id":"1","token":"t","data":{"custom_id":"src:99999999999999999999","component_type":2}}`,
		`{"type":3,"id":"1","token":"t","data":{"custom_id":"vote:up:","component_type":2}}`,
		`{"type":5,"id":"1","token":"t","data":{"custom_id":"modal"}}`,
		`{"type":2,"id":"1","token":"t","data":{"name":"findsources","type":3,"target_id":"m","resolved":{"messages":{"m":{"content":"` + huge + `"}}}}}`,
		`{"type":2,"id":"1","token":"t","data":{"name":"sources","options":[{"name":"page","type":4,"value":9007199254740993}]}}`,
	} {
		add([]byte(s))
	}
}

// FuzzRouter decodes arbitrary interaction JSON and hands it to a Router
// over the real bundled index: Handle never panics, sends exactly one
// initial response (even for input that makes a handler panic), and every
// payload obeys Discord's limits and parses no mentions.
func FuzzRouter(f *testing.F) {
	ix := fuzzIndex(f)
	base := Config{RateLimit: RateLimit{Events: -1}, InlineBudget: time.Hour, Now: func() time.Time { return httpTestNow },
		Links: Links{PublicURL: "https://citebot.example.org"}}
	inline := NewRouter(ix, base)
	strict := base
	strict.AllowedChannels = []string{"chan-1"}
	strict.PrivateDefault = true
	allowlisted := NewRouter(ix, strict)
	addInteractionSeeds(f, func(b []byte) { f.Add(b, false) })
	f.Fuzz(func(t *testing.T, body []byte, useAllowlist bool) {
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			return // the HTTP endpoint answers 400 before the router
		}
		r := inline
		if useAllowlist {
			r = allowlisted
		}
		rec := newRecResponder()
		r.Handle(t.Context(), &i, rec)
		checkExchange(t, &i, rec)
	})
}

// checkExchange checks what a Router sent for one interaction.
func checkExchange(t *testing.T, i *discordgo.Interaction, rec *recResponder) {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.responds) != 1 {
		t.Fatalf("%d initial responses, want 1", len(rec.responds))
	}
	ir := rec.responds[0]
	auto := i.Type == discordgo.InteractionApplicationCommandAutocomplete
	switch ir.Type {
	case discordgo.InteractionResponsePong:
		if i.Type != discordgo.InteractionPing {
			t.Errorf("pong for interaction type %d", i.Type)
		}
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		if !auto {
			t.Errorf("autocomplete result for interaction type %d", i.Type)
		}
	case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseDeferredChannelMessageWithSource,
		discordgo.InteractionResponseDeferredMessageUpdate, discordgo.InteractionResponseUpdateMessage:
		if auto {
			t.Errorf("response type %d to autocomplete", ir.Type)
		}
	default:
		t.Errorf("response type %d", ir.Type)
	}
	if ir.Data != nil && (ir.Type == discordgo.InteractionResponseChannelMessageWithSource ||
		ir.Type == discordgo.InteractionResponseUpdateMessage || ir.Type == discordgo.InteractionApplicationCommandAutocompleteResult) {
		checkMessage(t, "initial response", messageOfData(ir.Data), auto)
	}
	for _, e := range rec.edits {
		checkMessage(t, "edit", messageOfEdit(e), false)
	}
	for _, p := range rec.followups {
		checkMessage(t, "followup", messageOfParams(p), false)
	}
}

// FuzzHTTPInteractions posts arbitrary bodies, correctly signed with a
// fixed test key, to the interactions endpoint in front of a real Router:
// no panic, a status of 200, 400, 401 or 413, and a 200 body that is a
// valid interaction response with mentions off and every limit kept.
func FuzzHTTPInteractions(f *testing.F) {
	ix := fuzzIndex(f)
	pub, priv := httpTestKey(7)
	// Edits and follow-ups go to a Discord stand-in on 127.0.0.1.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	f.Cleanup(api.Close)
	router := NewRouter(ix, Config{RateLimit: RateLimit{Events: -1}, InlineBudget: time.Hour, Now: func() time.Time { return httpTestNow }})
	// A handler per input: the seeds share interaction ids, which one
	// handler would refuse as replays after the first.
	newHandler := func() http.Handler {
		return NewHTTPHandler(HTTPConfig{PublicKey: pub, Handler: router, APIURL: api.URL, AppID: "app-1",
			Now: func() time.Time { return httpTestNow }})
	}
	addInteractionSeeds(f, func(b []byte) { f.Add(b) })
	f.Add([]byte(`{"type":1}`))
	f.Add([]byte(`{"type":99}`))
	f.Add([]byte(`not json`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, body []byte) {
		stamp := strconv.FormatInt(httpTestNow.Unix(), 10)
		sig := ed25519.Sign(priv, append([]byte(stamp), body...))
		req := httptest.NewRequest("POST", "/interactions", bytes.NewReader(body))
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
		req.Header.Set("X-Signature-Timestamp", stamp)
		w := httptest.NewRecorder()
		newHandler().ServeHTTP(w, req)
		switch w.Code {
		case http.StatusOK:
		case http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge:
			return
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		checkWireResponse(t, w.Body.Bytes())
	})
	// Let handlers still editing finish before the index and fake API go.
	f.Cleanup(func() {
		router.Drain()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = router.Wait(ctx)
	})
}

// checkWireResponse checks a 200 body of POST /interactions as JSON, since
// discordgo cannot decode components.
func checkWireResponse(t *testing.T, b []byte) {
	t.Helper()
	var r struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data *struct {
			Content         string                                      `json:"content"`
			Embeds          []*discordgo.MessageEmbed                   `json:"embeds"`
			Choices         []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
			AllowedMentions *discordgo.MessageAllowedMentions           `json:"allowed_mentions"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("200 body %q is not JSON: %v", b, err)
	}
	switch r.Type {
	case discordgo.InteractionResponsePong, discordgo.InteractionApplicationCommandAutocompleteResult,
		discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseDeferredChannelMessageWithSource,
		discordgo.InteractionResponseDeferredMessageUpdate, discordgo.InteractionResponseUpdateMessage:
	default:
		t.Fatalf("200 body has response type %d: %s", r.Type, b)
	}
	if r.Data == nil || r.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource {
		return
	}
	auto := r.Type == discordgo.InteractionApplicationCommandAutocompleteResult
	checkMessage(t, "HTTP response", message{r.Data.Content, r.Data.Embeds, nil, r.Data.Choices, r.Data.AllowedMentions}, auto)
}
