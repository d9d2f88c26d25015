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

// deferringHandler is a handler that says how it defers (Deferrer).
type deferringHandler struct {
	interactionHandlerFunc
	deferral *discordgo.InteractionResponse
}

func (d deferringHandler) Deferral(*discordgo.Interaction) *discordgo.InteractionResponse {
	return d.deferral
}

// httpComponent is a click on a More button of a public message, for the
// HTTP tests.
const httpComponent = `{"id":"1300000000000000003","application_id":"` + askAppID + `","type":3,"token":"` + askToken + `",
	"channel_id":"1100000000000000002","guild_id":"1100000000000000001",
	"member":{"user":{"id":"1000000000000000001","username":"reader"}},
	"message":{"id":"1400000000000000001","channel_id":"1100000000000000002","content":"answer","flags":0},
	"data":{"custom_id":"more:x","component_type":2}}`

// TestInteractionsSlowHandler: the handler misses the deadline and the
// endpoint acknowledges on its behalf; the handler's late response then
// reaches Discord without ever putting a private answer in a public
// message or replacing a clicked message with a new one.
func TestInteractionsSlowHandler(t *testing.T) {
	public5 := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
	ack6 := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	msg := func(typ discordgo.InteractionResponseType, flags discordgo.MessageFlags) *discordgo.InteractionResponse {
		return &discordgo.InteractionResponse{Type: typ, Data: &discordgo.InteractionResponseData{Content: "late answer", Flags: flags}}
	}
	eph := discordgo.MessageFlagsEphemeral
	notice := webhookCall{Method: "PATCH", Path: editPath, Body: map[string]any{"content": "The answer was sent privately."}}
	privately := webhookCall{Method: "POST", Path: postPath, Body: map[string]any{"content": "late answer", "flags": float64(eph)}}
	tests := []struct {
		name      string
		body      string
		deferral  *discordgo.InteractionResponse // the handler's Deferral; nil: none
		wantType  discordgo.InteractionResponseType
		wantFlags discordgo.MessageFlags
		late      *discordgo.InteractionResponse
		edit      bool // the handler edits after its late response
		want      []webhookCall
	}{
		{"public answer after public deferral becomes an edit", "", public5, 5, 0, msg(4, 0), false,
			[]webhookCall{{Method: "PATCH", Path: editPath, Body: map[string]any{"content": "late answer"}}}},
		{"ephemeral answer after public deferral: notice + ephemeral follow-up", "", public5, 5, 0, msg(4, eph), false,
			[]webhookCall{notice, privately}},
		{"late ephemeral deferral after public deferral: its edit goes privately", "", public5, 5, 0,
			&discordgo.InteractionResponse{Type: 5, Data: &discordgo.InteractionResponseData{Flags: eph}}, true,
			[]webhookCall{notice, privately}},
		{"a handler that does not say is deferred privately", "", nil, 5, eph, msg(4, 0), false,
			[]webhookCall{{Method: "PATCH", Path: editPath, Body: map[string]any{"content": "late answer"}}}},
		{"a click is acknowledged with type 6 and a late message is a follow-up", httpComponent, nil, 6, 0, msg(4, eph), false,
			[]webhookCall{privately}},
		{"a click's late update edits the clicked message", httpComponent, ack6, 6, 0, msg(7, 0), false,
			[]webhookCall{{Method: "PATCH", Path: editPath, Body: map[string]any{"content": "late answer"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeWebhookAPI(t)
			release := make(chan struct{})
			lateErr := make(chan error, 2)
			var h InteractionHandler = interactionHandlerFunc(func(ctx context.Context, i *discordgo.Interaction, resp Responder) {
				<-release
				lateErr <- resp.Respond(ctx, tt.late)
				if tt.edit {
					content := "late answer"
					lateErr <- resp.Edit(ctx, &discordgo.WebhookEdit{Content: &content})
				}
			})
			if tt.deferral != nil {
				h = deferringHandler{h.(interactionHandlerFunc), tt.deferral}
			}
			srv, priv, _ := newInteractionServer(t, h, func(c *HTTPConfig) {
				c.APIURL = api.URL
				c.AckDeadline = 20 * time.Millisecond
			})
			in := readHTTPTestdata(t, "http_ask.json")
			if tt.body != "" {
				in = []byte(tt.body)
			}
			status, _, body := doHTTP(t, signedInteraction(t, srv.URL, priv, httpTestNow, in))
			r := decodeInteractionResponse(t, body)
			if status != 200 || r.Type != tt.wantType {
				t.Fatalf("status %d, response %s, want the endpoint's type %d", status, body, tt.wantType)
			}
			if got := discordgo.MessageFlags(0); r.Data != nil {
				got = r.Data.Flags
				if got != tt.wantFlags {
					t.Fatalf("deferral flags %d, want %d", got, tt.wantFlags)
				}
			} else if tt.wantFlags != 0 {
				t.Fatalf("deferral %s has no flags, want %d", body, tt.wantFlags)
			}
			close(release)
			for range 1 + map[bool]int{true: 1}[tt.edit] {
				if err := <-lateErr; err != nil {
					t.Fatalf("late response: %v", err)
				}
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
			select {
			case c := <-api.arrived:
				t.Fatalf("unexpected REST call %s %s %v", c.Method, c.Path, c.Body)
			case <-time.After(20 * time.Millisecond):
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
	if want := "POST http://127.0.0.1:1/api/v10/webhooks/" + askAppID + "/{token}"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name the URL requested (%s)", err, want)
	}
}
