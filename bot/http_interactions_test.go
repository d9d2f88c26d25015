package bot

import (
	"bytes"
	"context"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

func TestInteractionsRefused(t *testing.T) {
	ping := readHTTPTestdata(t, "http_ping.json")
	_, otherKey := httpTestKey(2)
	big := append([]byte(`{"type":1,"x":"`), bytes.Repeat([]byte("a"), MaxInteractionBody)...)
	big = append(big, `"}`...)

	tests := []struct {
		name   string
		nilKey bool
		build  func(t *testing.T, url string) *http.Request
		status int
		reason string
	}{
		{"not configured", true, func(t *testing.T, url string) *http.Request {
			return signedInteraction(t, url, otherKey, httpTestNow, ping)
		}, 503, rejectNotConfigured},
		{"no signature", false, func(t *testing.T, url string) *http.Request {
			r := signedInteraction(t, url, otherKey, httpTestNow, ping)
			r.Header.Del("X-Signature-Ed25519")
			return r
		}, 401, rejectNoSignature},
		{"no timestamp", false, func(t *testing.T, url string) *http.Request {
			r := signedInteraction(t, url, otherKey, httpTestNow, ping)
			r.Header.Del("X-Signature-Timestamp")
			return r
		}, 401, rejectNoSignature},
		{"malformed hex", false, func(t *testing.T, url string) *http.Request {
			r := signedInteraction(t, url, otherKey, httpTestNow, ping)
			r.Header.Set("X-Signature-Ed25519", "zz"+r.Header.Get("X-Signature-Ed25519")[2:])
			return r
		}, 401, rejectBadSignature},
		{"short signature", false, func(t *testing.T, url string) *http.Request {
			r := signedInteraction(t, url, otherKey, httpTestNow, ping)
			r.Header.Set("X-Signature-Ed25519", hex.EncodeToString([]byte("short")))
			return r
		}, 401, rejectBadSignature},
		{"wrong key", false, func(t *testing.T, url string) *http.Request {
			return signedInteraction(t, url, otherKey, httpTestNow, ping)
		}, 401, rejectBadSignature},
		{"tampered body", false, func(t *testing.T, url string) *http.Request {
			_, priv := httpTestKey(1)
			r := signedInteraction(t, url, priv, httpTestNow, ping)
			tampered := bytes.Replace(ping, []byte(`"type":1`), []byte(`"type":2`), 1)
			r2, _ := http.NewRequest("POST", url+"/interactions", bytes.NewReader(tampered))
			r2.Header = r.Header
			return r2
		}, 401, rejectBadSignature},
		{"tampered timestamp", false, func(t *testing.T, url string) *http.Request {
			_, priv := httpTestKey(1)
			r := signedInteraction(t, url, priv, httpTestNow, ping)
			r.Header.Set("X-Signature-Timestamp", strconv.FormatInt(httpTestNow.Unix()+1, 10))
			return r
		}, 401, rejectBadSignature},
		{"stale timestamp", false, func(t *testing.T, url string) *http.Request {
			_, priv := httpTestKey(1)
			return signedInteraction(t, url, priv, httpTestNow.Add(-MaxSignatureSkew-time.Second), ping)
		}, 401, rejectStale},
		{"future timestamp", false, func(t *testing.T, url string) *http.Request {
			_, priv := httpTestKey(1)
			return signedInteraction(t, url, priv, httpTestNow.Add(MaxSignatureSkew+time.Second), ping)
		}, 401, rejectStale},
		{"body of 1 MiB + 1", false, func(t *testing.T, url string) *http.Request {
			_, priv := httpTestKey(1)
			body := big[:MaxInteractionBody+1]
			return signedInteraction(t, url, priv, httpTestNow, body)
		}, 413, rejectTooLarge},
		{"invalid JSON", false, func(t *testing.T, url string) *http.Request {
			_, priv := httpTestKey(1)
			return signedInteraction(t, url, priv, httpTestNow, []byte(`{"type":1,`))
		}, 400, rejectBadJSON},
		{"unknown interaction type", false, func(t *testing.T, url string) *http.Request {
			_, priv := httpTestKey(1)
			return signedInteraction(t, url, priv, httpTestNow, []byte(`{"type":99,"token":"x"}`))
		}, 400, rejectBadType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var called atomic.Bool
			h := interactionHandlerFunc(func(context.Context, *discordgo.Interaction, Responder) { called.Store(true) })
			srv, _, m := newInteractionServer(t, h, func(c *HTTPConfig) {
				if tt.nilKey {
					c.PublicKey = nil
				}
			})
			status, _, body := doHTTP(t, tt.build(t, srv.URL))
			if status != tt.status {
				t.Fatalf("status = %d (%s), want %d", status, body, tt.status)
			}
			if called.Load() {
				t.Fatal("the handler ran for a refused request")
			}
			want := `citebot_http_rejected_total{reason="` + tt.reason + `"} 1`
			if out := scrape(t, m); !strings.Contains(out, want) {
				t.Fatalf("metrics lack %s", want)
			}
		})
	}
}

func TestInteractionsBoundaryAccepted(t *testing.T) {
	// Exactly at the limits is accepted: 5 minutes of skew, a 1 MiB body.
	srv, priv, _ := newInteractionServer(t, nil, func(c *HTTPConfig) {
		c.Handler = interactionHandlerFunc(func(context.Context, *discordgo.Interaction, Responder) {})
	})
	body := []byte(`{"type":1,"pad":"` + strings.Repeat("a", MaxInteractionBody-len(`{"type":1,"pad":""}`)) + `"}`)
	for _, ts := range []time.Time{httpTestNow.Add(-MaxSignatureSkew), httpTestNow.Add(MaxSignatureSkew)} {
		status, _, b := doHTTP(t, signedInteraction(t, srv.URL, priv, ts, body))
		if status != 200 || decodeInteractionResponse(t, b).Type != discordgo.InteractionResponsePong {
			t.Fatalf("ts %v, %d-byte body: status %d %s", ts, len(body), status, b)
		}
	}
}

func TestInteractionsPing(t *testing.T) {
	var called atomic.Bool
	srv, priv, _ := newInteractionServer(t, interactionHandlerFunc(func(context.Context, *discordgo.Interaction, Responder) { called.Store(true) }), nil)
	status, h, body := doHTTP(t, signedInteraction(t, srv.URL, priv, httpTestNow, readHTTPTestdata(t, "http_ping.json")))
	if status != 200 || h.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, content type %q", status, h.Get("Content-Type"))
	}
	if got := strings.TrimSpace(string(body)); got != `{"type":1}` {
		t.Fatalf("PING answered %s, want {\"type\":1}", got)
	}
	if called.Load() {
		t.Fatal("PING reached the handler")
	}
}

func TestInteractionsInline(t *testing.T) {
	got := make(chan *discordgo.Interaction, 1)
	h := interactionHandlerFunc(func(ctx context.Context, i *discordgo.Interaction, resp Responder) {
		got <- i
		err := resp.Respond(ctx, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "In Kandahar.", AllowedMentions: httpNoMentions()},
		})
		if err != nil {
			t.Errorf("Respond: %v", err)
		}
		if err := resp.Respond(ctx, &discordgo.InteractionResponse{Type: 4}); err != ErrAlreadyResponded {
			t.Errorf("second Respond = %v, want ErrAlreadyResponded", err)
		}
	})
	srv, priv, _ := newInteractionServer(t, h, nil)
	status, hdr, body := doHTTP(t, signedInteraction(t, srv.URL, priv, httpTestNow, readHTTPTestdata(t, "http_ask.json")))
	if status != 200 || hdr.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, content type %q: %s", status, hdr.Get("Content-Type"), body)
	}
	r := decodeInteractionResponse(t, body)
	if r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Data == nil || r.Data.Content != "In Kandahar." {
		t.Fatalf("response %s", body)
	}
	if !strings.Contains(string(body), `"allowed_mentions":{"parse":[]`) {
		t.Fatalf("allowed mentions lost: %s", body)
	}
	i := <-got
	if i.Type != discordgo.InteractionApplicationCommand || i.ApplicationCommandData().Name != "ask" || i.AppID != "1200000000000000001" {
		t.Fatalf("handler got %+v", i)
	}
	if q := i.ApplicationCommandData().GetOption("question"); q == nil || !strings.Contains(q.StringValue(), "Qatar") {
		t.Fatalf("question option lost: %+v", i.ApplicationCommandData().Options)
	}
}

func TestInteractionsAutocomplete(t *testing.T) {
	tests := []struct {
		name     string
		respond  bool // false: the handler blocks past the deadline
		deadline time.Duration
		want     int // choices
	}{
		{"answered inline", true, time.Minute, 2},
		{"too slow: endpoint answers with no choices", false, 50 * time.Millisecond, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			lateErr := make(chan error, 1)
			h := interactionHandlerFunc(func(ctx context.Context, i *discordgo.Interaction, resp Responder) {
				choices := []*discordgo.ApplicationCommandOptionChoice{{Name: "Kandahar — CNN", Value: "p1"}, {Name: "Doha — CNN", Value: "p2"}}
				if !tt.respond {
					<-release
				}
				lateErr <- resp.Respond(ctx, &discordgo.InteractionResponse{
					Type: discordgo.InteractionApplicationCommandAutocompleteResult,
					Data: &discordgo.InteractionResponseData{Choices: choices},
				})
			})
			srv, priv, _ := newInteractionServer(t, h, func(c *HTTPConfig) { c.AckDeadline = tt.deadline })
			status, _, body := doHTTP(t, signedInteraction(t, srv.URL, priv, httpTestNow, readHTTPTestdata(t, "http_autocomplete.json")))
			close(release)
			r := decodeInteractionResponse(t, body)
			if status != 200 || r.Type != discordgo.InteractionApplicationCommandAutocompleteResult || r.Data == nil || len(r.Data.Choices) != tt.want {
				t.Fatalf("status %d, response %s", status, body)
			}
			err := <-lateErr
			if tt.respond && err != nil {
				t.Fatalf("Respond: %v", err)
			}
			if !tt.respond && err == nil {
				t.Fatal("a late autocomplete Respond reported success")
			}
		})
	}
}
