package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// restClient calls Discord's interaction webhook endpoints with a plain
// net/http client. A discordgo Session is not used: its endpoints are fixed
// at package init (DISCORD_API_URL would need a rewriting transport), and
// all its response edits share one rate-limit bucket (discordgo #1384),
// whereas each interaction token here is its own webhook and its own bucket.
type restClient struct {
	base   string // e.g. "https://discord.com", no trailing '/'
	token  string // optional bot token
	client *http.Client
}

func newRESTClient(base, token string, c *http.Client) *restClient {
	return &restClient{base: strings.TrimRight(base, "/"), token: token, client: c}
}

// restMaxRetries bounds retries after 429 responses; restMaxRetryWait bounds one wait.
const (
	restMaxRetries   = 3
	restMaxRetryWait = 5 * time.Second
)

// webhook sends body as JSON to /api/v10/webhooks/{appID}/{token}{suffix}.
// Errors never contain the interaction token (it is a credential for 15
// minutes): they name the method and the endpoint with the token elided.
func (c *restClient) webhook(ctx context.Context, method, appID, token, suffix string, body any) error {
	where := method + " /api/v10/webhooks/" + appID + "/{token}" + suffix
	if appID == "" || token == "" {
		return fmt.Errorf("%s: interaction has no application id or token", where)
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", where, err)
	}
	u := c.base + "/api/v10/webhooks/" + url.PathEscape(appID) + "/" + url.PathEscape(token) + suffix
	for attempt := 0; ; attempt++ {
		wait, err := c.send(ctx, method, u, payload)
		if err == nil {
			return nil
		}
		if wait < 0 || attempt >= restMaxRetries {
			return fmt.Errorf("%s: %w", where, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%s: %w (while rate limited)", where, ctx.Err())
		case <-t.C:
		}
	}
}

// errRateLimited is wrapped by send's error for a 429.
var errRateLimited = errors.New("rate limited")

// send performs one request. On a 429 it returns how long to wait before a
// retry; otherwise wait is -1.
func (c *restClient) send(ctx context.Context, method, u string, payload []byte) (wait time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(payload))
	if err != nil {
		return -1, errors.New("build request") // the error would quote the URL
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "DiscordBot (https://github.com/citebot, 1.0)")
	if c.token != "" {
		req.Header.Set("Authorization", "Bot "+c.token)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error quotes the URL, which holds the token
		}
		return -1, err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return 0, nil
	case resp.StatusCode == http.StatusTooManyRequests:
		return restRetryAfter(resp.Header, msg), errRateLimited
	}
	return -1, fmt.Errorf("discord answered %s: %s", resp.Status, bytes.TrimSpace(msg))
}

// retryAfter reads Discord's wait from the Retry-After header or the JSON
// body's retry_after (seconds, fractional), capped at restMaxRetryWait.
func restRetryAfter(h http.Header, body []byte) time.Duration {
	secs, err := strconv.ParseFloat(h.Get("Retry-After"), 64)
	if err != nil {
		var b struct {
			RetryAfter float64 `json:"retry_after"`
		}
		if json.Unmarshal(body, &b) == nil {
			secs = b.RetryAfter
		}
	}
	d := time.Duration(secs * float64(time.Second))
	if d <= 0 {
		d = 100 * time.Millisecond
	}
	return min(d, restMaxRetryWait)
}
