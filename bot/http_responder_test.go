package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

const (
	askAppID = "1200000000000000001"
	askToken = "aW50ZXJhY3Rpb246MTMwMDAwMDAwMDAwMDAwMDAwMjpzZWNyZXQtdG9rZW4"
	editPath = "/api/v10/webhooks/" + askAppID + "/" + askToken + "/messages/@original"
	postPath = "/api/v10/webhooks/" + askAppID + "/" + askToken
)

// TestInteractionsDeferredThenEdit: the handler defers itself (type 5) and
// edits later; the edit reaches the fake REST server on the right path.
func TestInteractionsDeferredThenEdit(t *testing.T) {
	api := newFakeWebhookAPI(t)
	editErr := make(chan error, 1)
	release := make(chan struct{})
	h := interactionHandlerFunc(func(ctx context.Context, i *discordgo.Interaction, resp Responder) {
		if err := resp.Respond(ctx, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
			t.Errorf("Respond: %v", err)
		}
		<-release // the work happens after the acknowledgement
		content := "In Kandahar, on May 12."
		embeds := []*discordgo.MessageEmbed{{Title: "Qatar’s PM met the Taliban", URL: "https://example.com/a#:~:text=Kandahar"}}
		editErr <- resp.Edit(ctx, &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, AllowedMentions: httpNoMentions()})
		editErr <- resp.Followup(ctx, &discordgo.WebhookParams{Content: "more", AllowedMentions: httpNoMentions()})
	})
	srv, priv, _ := newInteractionServer(t, h, func(c *HTTPConfig) { c.APIURL = api.URL })
	status, _, body := doHTTP(t, signedInteraction(t, srv.URL, priv, httpTestNow, readHTTPTestdata(t, "http_ask.json")))
	if r := decodeInteractionResponse(t, body); status != 200 || r.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Fatalf("status %d, response %s", status, body)
	}
	close(release)
	for _, want := range []struct{ method, path, content string }{{"PATCH", editPath, "In Kandahar, on May 12."}, {"POST", postPath, "more"}} {
		if err := <-editErr; err != nil {
			t.Fatalf("%s: %v", want.method, err)
		}
		c := api.next(t)
		if c.Method != want.method || c.Path != want.path || c.Body["content"] != want.content {
			t.Fatalf("REST got %s %s %v, want %s %s content %q", c.Method, c.Path, c.Body, want.method, want.path, want.content)
		}
		if c.Auth != "" {
			t.Fatalf("webhook call sent Authorization %q without a configured token", c.Auth)
		}
		if am, _ := c.Body["allowed_mentions"].(map[string]any); am == nil || am["parse"] == nil {
			t.Fatalf("allowed_mentions missing: %v", c.Body)
		}
	}
}

// TestInteractionsSlowHandler: the handler misses the deadline, the endpoint
// answers with type 5 itself, and the handler's late message response
// becomes an edit (or, when ephemeral, a notice plus an ephemeral follow-up).
func TestInteractionsSlowHandler(t *testing.T) {
	tests := []struct {
		name  string
		flags discordgo.MessageFlags
		want  []webhookCall // Method, Path, Body["content"], Body["flags"]
	}{
		{"public answer becomes an edit", 0, []webhookCall{
			{Method: "PATCH", Path: editPath, Body: map[string]any{"content": "late answer"}},
		}},
		{"ephemeral answer becomes notice + ephemeral follow-up", discordgo.MessageFlagsEphemeral, []webhookCall{
			{Method: "PATCH", Path: editPath, Body: map[string]any{"content": "The answer was sent privately."}},
			{Method: "POST", Path: postPath, Body: map[string]any{"content": "late answer", "flags": float64(discordgo.MessageFlagsEphemeral)}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeWebhookAPI(t)
			release := make(chan struct{})
			lateErr := make(chan error, 1)
			h := interactionHandlerFunc(func(ctx context.Context, i *discordgo.Interaction, resp Responder) {
				<-release
				lateErr <- resp.Respond(ctx, &discordgo.InteractionResponse{
					Type: discordgo.InteractionResponseChannelMessageWithSource,
					Data: &discordgo.InteractionResponseData{Content: "late answer", Flags: tt.flags},
				})
			})
			srv, priv, _ := newInteractionServer(t, h, func(c *HTTPConfig) {
				c.APIURL = api.URL
				c.AckDeadline = 20 * time.Millisecond
			})
			status, _, body := doHTTP(t, signedInteraction(t, srv.URL, priv, httpTestNow, readHTTPTestdata(t, "http_ask.json")))
			if r := decodeInteractionResponse(t, body); status != 200 || r.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
				t.Fatalf("status %d, response %s, want the endpoint's type 5", status, body)
			}
			close(release)
			if err := <-lateErr; err != nil {
				t.Fatalf("late Respond: %v", err)
			}
			for _, w := range tt.want {
				c := api.next(t)
				if c.Method != w.Method || c.Path != w.Path {
					t.Fatalf("REST got %s %s, want %s %s", c.Method, c.Path, w.Method, w.Path)
				}
				for k, v := range w.Body {
					if c.Body[k] != v {
						t.Fatalf("REST %s body[%s] = %v, want %v (%v)", c.Method, k, c.Body[k], v, c.Body)
					}
				}
			}
		})
	}
}

// TestInteractionsHandlerFailures: a panic or a forgotten response still
// gets the user a short ephemeral message, before or after the deadline.
func TestInteractionsHandlerFailures(t *testing.T) {
	tests := []struct {
		name     string
		deadline time.Duration
		handle   func(release <-chan struct{})
		wantType discordgo.InteractionResponseType
		wantEdit bool
	}{
		{"panic before responding", time.Minute, func(<-chan struct{}) { panic("boom") }, discordgo.InteractionResponseChannelMessageWithSource, false},
		{"returns without responding", time.Minute, func(<-chan struct{}) {}, discordgo.InteractionResponseChannelMessageWithSource, false},
		{"panic after the endpoint deferred", 20 * time.Millisecond, func(r <-chan struct{}) { <-r; panic("late boom") }, discordgo.InteractionResponseDeferredChannelMessageWithSource, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeWebhookAPI(t)
			release := make(chan struct{})
			h := interactionHandlerFunc(func(context.Context, *discordgo.Interaction, Responder) { tt.handle(release) })
			srv, priv, _ := newInteractionServer(t, h, func(c *HTTPConfig) {
				c.APIURL = api.URL
				c.AckDeadline = tt.deadline
			})
			_, _, body := doHTTP(t, signedInteraction(t, srv.URL, priv, httpTestNow, readHTTPTestdata(t, "http_ask.json")))
			close(release)
			r := decodeInteractionResponse(t, body)
			if r.Type != tt.wantType {
				t.Fatalf("response %s, want type %d", body, tt.wantType)
			}
			if !tt.wantEdit {
				if r.Data == nil || r.Data.Content != httpFallbackMessage || r.Data.Flags&discordgo.MessageFlagsEphemeral == 0 {
					t.Fatalf("fallback response %s", body)
				}
				return
			}
			if c := api.next(t); c.Method != "PATCH" || c.Path != editPath || c.Body["content"] != httpFallbackMessage {
				t.Fatalf("fallback edit %+v", c)
			}
		})
	}
}

func TestWebhookREST(t *testing.T) {
	tests := []struct {
		name     string
		statuses []int
		token    string
		wantErr  string
		calls    int
	}{
		{"ok", nil, "", "", 1},
		{"bot token sent when configured", nil, "bot-secret", "", 1},
		{"429 then ok is retried", []int{http.StatusTooManyRequests}, "", "", 2},
		{"429 forever gives up", []int{429, 429, 429, 429, 429}, "", "rate limited", restMaxRetries + 1},
		{"404 unknown interaction", []int{http.StatusNotFound}, "", "404", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeWebhookAPI(t, tt.statuses...)
			rest := newRESTClient(api.URL+"/", tt.token, &http.Client{Timeout: 5 * time.Second})
			r := newHTTPResponder(rest, askAppID, askToken)
			content := "x"
			err := r.Edit(context.Background(), &discordgo.WebhookEdit{Content: &content})
			if tt.wantErr == "" && err != nil {
				t.Fatalf("Edit: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Edit error %v, want one containing %q", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), askToken) {
				t.Fatalf("error leaks the interaction token: %v", err)
			}
			for range tt.calls {
				c := api.next(t)
				if c.Path != editPath {
					t.Fatalf("path %s", c.Path)
				}
				if want := map[bool]string{true: "Bot " + tt.token, false: ""}[tt.token != ""]; c.Auth != want {
					t.Fatalf("Authorization %q, want %q", c.Auth, want)
				}
			}
		})
	}
}

func TestWebhookRESTUnreachableHidesToken(t *testing.T) {
	rest := newRESTClient("http://127.0.0.1:1", "", &http.Client{Timeout: 5 * time.Second})
	err := newHTTPResponder(rest, askAppID, askToken).Followup(context.Background(), &discordgo.WebhookParams{Content: "x"})
	if err == nil || strings.Contains(err.Error(), askToken) {
		t.Fatalf("error %v: want an error without the token", err)
	}
}
