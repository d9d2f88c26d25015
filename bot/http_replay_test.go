package bot

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// TestInteractionsReplay sends one signed request twice: the second gets
// 200 and nothing is done, so a replay cannot post twice.
func TestInteractionsReplay(t *testing.T) {
	var calls atomic.Int32
	h := interactionHandlerFunc(func(ctx context.Context, i *discordgo.Interaction, resp Responder) {
		calls.Add(1)
		_ = resp.Respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "answer", AllowedMentions: httpNoMentions()}})
	})
	srv, priv, m := newInteractionServer(t, h, nil)
	body := readHTTPTestdata(t, "http_ask.json")
	status, _, first := doHTTP(t, signedInteraction(t, srv.URL, priv, httpTestNow, body))
	if status != 200 || decodeInteractionResponse(t, first).Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Fatalf("first request: %d %s", status, first)
	}
	// The same id again, even signed at another moment within the window.
	for _, ts := range []time.Time{httpTestNow, httpTestNow.Add(time.Minute)} {
		status, _, again := doHTTP(t, signedInteraction(t, srv.URL, priv, ts, body))
		if status != 200 || len(again) != 0 {
			t.Errorf("replay: status %d body %q, want 200 and nothing", status, again)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("handler ran %d times, want 1", n)
	}
	if out := scrape(t, m); !strings.Contains(out, `citebot_http_rejected_total{reason="replay"} 2`) {
		t.Errorf("metrics lack 2 replays")
	}
	other := strings.Replace(string(body), "1300000000000000002", "1300000000000000009", 1)
	if status, _, b := doHTTP(t, signedInteraction(t, srv.URL, priv, httpTestNow, []byte(other))); status != 200 || len(b) == 0 {
		t.Errorf("another interaction: %d %q", status, b)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("handler ran %d times, want 2", n)
	}
}

func TestReplayGuardBounded(t *testing.T) {
	now := httpTestNow
	g := newReplayGuard(100)
	for k := range 1000 {
		if !g.first(fmt.Sprint(k), now, now) {
			t.Fatalf("id %d refused on first sight", k)
		}
		if n := g.len(); n > 100 {
			t.Fatalf("%d ids remembered, bound is 100", n)
		}
	}
	if g.first("999", now, now) {
		t.Error("a recent id was accepted twice")
	}
	if !g.first("0", now, now) {
		t.Error("the oldest id is remembered beyond the bound")
	}
	// Once the signature check refuses an id's timestamp, it is forgotten.
	later := now.Add(MaxSignatureSkew + time.Second)
	g.first("new", later, later)
	if n := g.len(); n != 1 {
		t.Errorf("%d ids remembered after all expired, want 1", n)
	}
	if len(g.order)-g.head != 1 {
		t.Errorf("expiry queue holds %d entries, want 1", len(g.order)-g.head)
	}
	g.first("", now, now)
	if !g.first("", now, now) {
		t.Error("an interaction without id must not be refused")
	}
}

// delayedRouter is a Router whose Handle starts late: the forced
// scheduling delay that makes the endpoint acknowledge on its behalf.
type delayedRouter struct {
	*Router
	release chan struct{}
}

func (d delayedRouter) Handle(ctx context.Context, i *discordgo.Interaction, resp Responder) {
	<-d.release
	d.Router.Handle(ctx, i, resp)
}

// TestInteractionsFallbackDeferralPrivacy: the router is scheduled only
// after the endpoint's deadline. The endpoint's deferral must already be
// what the router would send: ephemeral for a private answer (which is
// then edited into the private message, never a public one), type 6 for a
// click on a message the route updates.
func TestInteractionsFallbackDeferralPrivacy(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		private   bool
		wantType  discordgo.InteractionResponseType
		wantFlags discordgo.MessageFlags
		wantCall  string // method of the one REST call
	}{
		{"private answer", "", true, 5, discordgo.MessageFlagsEphemeral, "PATCH"},
		{"public answer", "", false, 5, 0, "PATCH"},
		{"click on More", httpComponent, false, 6, 0, "POST"}, // expired state: an ephemeral follow-up
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeWebhookAPI(t)
			router := NewRouter(newFakeSearcher(), Config{PrivateDefault: tt.private, InlineBudget: time.Hour})
			d := delayedRouter{router, make(chan struct{})}
			srv, priv, _ := newInteractionServer(t, d, func(c *HTTPConfig) {
				c.APIURL = api.URL
				c.AckDeadline = 10 * time.Millisecond
			})
			in := readHTTPTestdata(t, "http_ask.json")
			if tt.body != "" {
				in = []byte(tt.body)
			}
			_, _, body := doHTTP(t, signedInteraction(t, srv.URL, priv, httpTestNow, in))
			r := decodeInteractionResponse(t, body)
			var flags discordgo.MessageFlags
			if r.Data != nil {
				flags = r.Data.Flags
			}
			if r.Type != tt.wantType || flags != tt.wantFlags {
				t.Fatalf("endpoint deferral %s, want type %d flags %d", body, tt.wantType, tt.wantFlags)
			}
			close(d.release)
			c := api.next(t)
			if c.Method != tt.wantCall {
				t.Fatalf("router's answer went as %s %s %v, want %s", c.Method, c.Path, c.Body, tt.wantCall)
			}
			if c.Method == "POST" {
				if f, _ := c.Body["flags"].(float64); int(f)&int(discordgo.MessageFlagsEphemeral) == 0 {
					t.Errorf("follow-up to a click is public: %v", c.Body)
				}
			}
			if err := router.Wait(t.Context()); err != nil {
				t.Fatal(err)
			}
			select {
			case c := <-api.arrived:
				t.Fatalf("unexpected REST call %s %s %v", c.Method, c.Path, c.Body)
			default:
			}
		})
	}
}
