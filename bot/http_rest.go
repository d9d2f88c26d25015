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

// restClient calls Discord's interaction endpoints (the callback and the
// webhook of each interaction token) with a plain net/http client, for both
// the HTTP endpoint and the gateway. A discordgo Session is not used: its
// endpoints are fixed at package init with API v9, and it keeps a rate-limit
// bucket per URL forever (every interaction token adds two to a map that is
// never pruned). Here each call carries its own bounded 429 handling and
// nothing outlives it.
type restClient struct {
	base   string // e.g. "https://discord.com", no trailing '/'
	token  string // optional bot token
	client *http.Client
}

func newRESTClient(base, token string, c *http.Client) *restClient {
	return &restClient{base: strings.TrimRight(base, "/"), token: token, client: c}
}

// APIVersion is the Discord API version of every REST path and of the
// gateway connection.
const APIVersion = "10"

// apiPrefix starts every REST path.
const apiPrefix = "/api/v" + APIVersion

// restMaxRetries bounds retries after 429 responses; restMaxRetryWait bounds one wait.
const (
	restMaxRetries   = 3
	restMaxRetryWait = 5 * time.Second
)

// webhook sends body as JSON to /api/v10/webhooks/{appID}/{token}{suffix}.
func (c *restClient) webhook(ctx context.Context, method, appID, token, suffix string, body any) error {
	if appID == "" || token == "" {
		return fmt.Errorf("%s %s%s/webhooks/%s/{token}%s: interaction has no application id or token", method, c.base, apiPrefix, appID, suffix)
	}
	return c.call(ctx, method, "/webhooks/"+url.PathEscape(appID)+"/", token, suffix, body)
}

// callback sends the initial response:
// POST /api/v10/interactions/{id}/{token}/callback.
func (c *restClient) callback(ctx context.Context, id, token string, body any) error {
	if id == "" || token == "" {
		return fmt.Errorf("POST %s%s/interactions/%s/{token}/callback: interaction has no id or token", c.base, apiPrefix, id)
	}
	return c.call(ctx, "POST", "/interactions/"+url.PathEscape(id)+"/", token, "/callback", body)
}

// call sends body as JSON to base + /api/v10 + path + token + suffix.
// Errors name the method and the URL actually requested (DISCORD_API_URL
// included) but never the interaction token, a credential for 15 minutes.
func (c *restClient) call(ctx context.Context, method, path, token, suffix string, body any) error {
	where := method + " " + c.base + apiPrefix + path + "{token}" + suffix
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", where, err)
	}
	u := c.base + apiPrefix + path + url.PathEscape(token) + suffix
	_, err = c.retry(ctx, where, method, u, payload)
	return err
}

// retry sends the request, waiting out up to restMaxRetries 429 answers
// (each wait bounded by restMaxRetryWait and by ctx), and returns the
// response body of the first 2xx answer. where names the request in errors.
func (c *restClient) retry(ctx context.Context, where, method, u string, payload []byte) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		body, wait, err := c.send(ctx, method, u, payload)
		if err == nil {
			return body, nil
		}
		if wait < 0 || attempt >= restMaxRetries {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%s: %w (while rate limited)", where, ctx.Err())
		case <-t.C:
		}
	}
}

// errRateLimited is wrapped by send's error for a 429.
var errRateLimited = errors.New("rate limited")

// restMaxBody bounds a response body read: a page of 100 messages of
// 4,000 characters with embeds fits several times over.
const restMaxBody = 8 << 20

// send performs one request (payload nil: no body) and returns the body of
// a 2xx response. On a 429 it returns how long to wait before a retry;
// otherwise wait is -1.
func (c *restClient) send(ctx context.Context, method, u string, payload []byte) (body []byte, wait time.Duration, err error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, -1, errors.New("build request") // the error would quote the URL
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
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
		return nil, -1, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		b, err := io.ReadAll(io.LimitReader(resp.Body, restMaxBody))
		if err != nil {
			return nil, -1, fmt.Errorf("read response: %w", err)
		}
		return b, 0, nil
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode == http.StatusTooManyRequests {
		return nil, restRetryAfter(resp.Header, msg), errRateLimited
	}
	return nil, -1, fmt.Errorf("discord answered %s: %s", resp.Status, bytes.TrimSpace(msg))
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

// botCall sends body (nil: none) as JSON to base + /api/v10 + path with the
// bot token and decodes the 2xx answer into out (nil: ignored). path holds
// no secret, so errors name it in full.
func (c *restClient) botCall(ctx context.Context, method, path string, body, out any) error {
	where := method + " " + c.base + apiPrefix + path
	if c.token == "" {
		return fmt.Errorf("%s: no bot token", where)
	}
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("%s: encode: %w", where, err)
		}
	}
	b, err := c.retry(ctx, where, method, c.base+apiPrefix+path, payload)
	if err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s: decode the answer: %w", where, err)
		}
	}
	return nil
}
