package bot

import (
	"context"
	"strings"
	"sync"
	"testing"

	"citebot/corpus"
	"citebot/retrieval"

	"github.com/bwmarrin/discordgo"
)

// bundledIndex builds the real index over the bundled corpus with the local
// embedder (no network), once per test binary.
var bundledIndex = sync.OnceValues(func() (*retrieval.Index, error) {
	c, _, err := corpus.Bundled()
	if err != nil {
		return nil, err
	}
	return retrieval.NewIndex(context.Background(), c, retrieval.Options{})
})

func realIndex(t testing.TB) *retrieval.Index {
	t.Helper()
	ix, err := bundledIndex()
	if err != nil {
		t.Fatalf("bundled index: %v", err)
	}
	return ix
}

var _ InteractionHandler = (*Router)(nil)

// TestHTTPWithRouter sends a signed /ask through the endpoint to the real
// Router and index: the answer (inline or deferred then edited) quotes the
// corpus, and /metrics then holds the interaction.
func TestHTTPWithRouter(t *testing.T) {
	ix := realIndex(t)
	m := NewMetrics()
	api := newFakeWebhookAPI(t)
	cfg := DefaultConfig()
	cfg.Observer = m
	cfg.Links = Links{PublicURL: "https://cb.example"}
	router := NewRouter(m.Searcher(ix), cfg)
	srv, priv, _ := newInteractionServer(t, router, func(c *HTTPConfig) {
		c.APIURL = api.URL
		c.Metrics = m
		c.Searcher = ix
	})

	status, _, body := doHTTP(t, signedInteraction(t, srv.URL, priv, httpTestNow, readHTTPTestdata(t, "http_ask.json")))
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	r := decodeInteractionResponse(t, body)
	var text string
	switch r.Type {
	case discordgo.InteractionResponseChannelMessageWithSource:
		text = string(body)
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
		c := api.next(t)
		if c.Method != "PATCH" || c.Path != editPath {
			t.Fatalf("edit went to %s %s", c.Method, c.Path)
		}
		text = stringify(c.Body)
	default:
		t.Fatalf("response type %d: %s", r.Type, body)
	}
	if !strings.Contains(text, "Kandahar") {
		t.Fatalf("answer does not quote the gold passage (Kandahar): %s", text)
	}
	if err := router.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := scrape(t, m)
	for _, want := range []string{
		`citebot_interactions_total{command="ask",kind="command",outcome="ok"} 1`,
		`citebot_interaction_ack_seconds_count{kind="command"} 1`,
		`citebot_retrieval_seconds_count{degraded="false"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func stringify(v any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x + "\n")
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}
