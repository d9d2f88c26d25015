package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Defaults shared by the remote embedders.
const (
	DefaultEmbedBatchSize  = 64
	DefaultEmbedTimeout    = 30 * time.Second
	DefaultEmbedMaxRetries = 4
)

const (
	// Backoff between retries doubles from embedBaseBackoff up to embedMaxBackoff, with
	// jitter so that several clients hit by the same outage do not retry in step.
	embedBaseBackoff = 500 * time.Millisecond
	embedMaxBackoff  = 30 * time.Second
	// embedMaxRetryAfter caps a server's Retry-After so one header cannot park an
	// indexing run for hours.
	embedMaxRetryAfter = 2 * time.Minute
	// embedErrBodyLimit bounds what is read of an error response; embedExcerptBytes is
	// what of it goes into the error text.
	embedErrBodyLimit = 64 << 10
	embedExcerptBytes = 200
)

// Error reports a failed call to a remote embedding server: no answer,
// an error status, or an answer that is not usable vectors. Callers tell a
// server that is down or overloaded (Temporary) from a request or
// configuration the server will never accept.
//
// Its text names the endpoint without credentials or query string and never
// contains the API key.
type Error struct {
	// Server is the endpoint URL without user info, query or fragment.
	Server string
	// Status is the HTTP status of the last response, or 0 when no complete
	// response arrived (connection refused or reset, per-request timeout).
	Status int
	// Body is a short single-line excerpt of the response (the server's own
	// error message when it sent JSON with one), with the API key redacted.
	Body string
	// Attempts is how many requests were sent.
	Attempts int
	// Err is the cause when there is one beyond the status: the transport
	// error, a decoding or validation error, or the caller's context error
	// when it ended while waiting to retry.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("embedding server ")
	b.WriteString(e.Server)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": status %d %s", e.Status, http.StatusText(e.Status))
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Body != "" {
		fmt.Fprintf(&b, ": %q", e.Body)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Unwrap returns the cause, so errors.Is(err, context.DeadlineExceeded) and
// the like work through an Error.
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether the same request may succeed later: true when no
// response arrived (server down, timeout), for 408, 429 and 5xx other than
// 501; false for other statuses and for responses that were not usable
// vectors (bad request, unknown model, wrong dimension, malformed JSON).
func (e *Error) Temporary() bool {
	return e.Status == 0 || retryableStatus(e.Status)
}

func retryableStatus(code int) bool {
	switch {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests:
		return true
	case code >= 500 && code != http.StatusNotImplemented:
		return true
	}
	return false
}

// httpCaller posts JSON to one endpoint with a per-request timeout, bounded
// response size and retries with backoff. It is safe for concurrent use.
type httpCaller struct {
	client     *http.Client
	endpoint   *url.URL
	server     string // endpoint as shown in errors
	timeout    time.Duration
	maxRetries int
	apiKey     string // sent as a bearer token when set; redacted from errors
	// sleep and jitter are fields so tests can make waiting instant and
	// backoff deterministic.
	sleep  func(ctx context.Context, d time.Duration) error
	jitter func(n int64) int64 // uniform in [0, n)
}

func newHTTPCaller(client *http.Client, endpoint *url.URL, timeout time.Duration, maxRetries int, apiKey string) *httpCaller {
	if client == nil {
		// No client-wide timeout: each attempt gets its own context deadline.
		client = &http.Client{}
	}
	return &httpCaller{
		client:     client,
		endpoint:   endpoint,
		server:     redactURL(endpoint),
		timeout:    timeout,
		maxRetries: maxRetries,
		apiKey:     apiKey,
		sleep:      sleepOrDone,
		jitter:     rand.Int64N,
	}
}

// post sends payload and returns the body of the first 2xx response (at most
// limit bytes). Failures are *Error, except a ctx that ended before the
// first attempt.
func (c *httpCaller) post(ctx context.Context, payload []byte, limit int64) ([]byte, int, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("embed via %s: %w", c.server, err)
	}
	for attempt := 1; ; attempt++ {
		body, status, wait, e := c.once(ctx, payload, limit)
		if e == nil {
			return body, status, nil
		}
		e.Attempts = attempt
		if err := ctx.Err(); err != nil {
			// The caller gave up; say so even if an answer raced the cancellation.
			if !errors.Is(e.Err, err) {
				e.addCause("caller stopped waiting", err)
			}
			return nil, 0, e
		}
		if !e.Temporary() || attempt > c.maxRetries {
			return nil, 0, e
		}
		if wait <= 0 {
			wait = c.backoff(attempt)
		}
		if err := c.sleep(ctx, wait); err != nil {
			e.addCause("gave up waiting to retry", err)
			return nil, 0, e
		}
	}
}

// addCause adds err to e.Err, keeping both reachable by errors.Is.
func (e *Error) addCause(what string, err error) {
	if e.Err == nil {
		e.Err = fmt.Errorf("%s: %w", what, err)
		return
	}
	e.Err = fmt.Errorf("%w; %s: %w", e.Err, what, err)
}

// once makes one attempt. wait is the server's Retry-After, 0 if none.
func (c *httpCaller) once(ctx context.Context, payload []byte, limit int64) (body []byte, status int, wait time.Duration, e *Error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.endpoint.String(), bytes.NewReader(payload))
	if err != nil {
		return nil, 0, 0, &Error{Server: c.server, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, 0, 0, &Error{Server: c.server, Err: c.transportError(ctx, actx, err)}
	}
	defer func() {
		// Drain a little so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, embedErrBodyLimit))
		resp.Body.Close()
	}()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		raw, _ := io.ReadAll(io.LimitReader(resp.Body, embedErrBodyLimit))
		wait = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return nil, resp.StatusCode, wait, &Error{Server: c.server, Status: resp.StatusCode, Body: c.excerpt(raw)}
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		// A body cut off mid-way is a transport failure, worth a retry.
		return nil, 0, 0, &Error{Server: c.server, Err: fmt.Errorf("reading response: %w", c.transportError(ctx, actx, err))}
	}
	if int64(len(body)) > limit {
		return nil, 0, 0, &Error{Server: c.server, Status: resp.StatusCode, Err: fmt.Errorf("response larger than %d bytes", limit)}
	}
	return body, resp.StatusCode, 0, nil
}

// transportError drops net/http's *url.Error wrapper (whose text repeats the
// URL, user name included) and says when the per-request timeout fired.
func (c *httpCaller) transportError(ctx, actx context.Context, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no response within %v: %w", c.timeout, err)
	}
	return err
}

// backoff is the wait before retry number attempt (1-based): exponential
// with "equal jitter", so it is at least half the nominal delay.
func (c *httpCaller) backoff(attempt int) time.Duration {
	d := embedMaxBackoff
	if attempt < 16 {
		d = min(embedBaseBackoff<<(attempt-1), embedMaxBackoff)
	}
	half := d / 2
	return half + time.Duration(c.jitter(int64(half)+1))
}

// excerpt turns an error body into one short line: the server's own message
// when it sent JSON with one (OpenAI: {"error":{"message":...}}, Ollama:
// {"error":"..."}), the API key redacted.
func (c *httpCaller) excerpt(raw []byte) string {
	s := string(raw)
	var env struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &env) == nil && len(env.Error) > 0 {
		var msg string
		var obj struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(env.Error, &msg) == nil && msg != "" {
			s = msg
		} else if json.Unmarshal(env.Error, &obj) == nil && obj.Message != "" {
			s = obj.Message
		}
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	if c.apiKey != "" {
		s = strings.ReplaceAll(s, c.apiKey, "[redacted]")
	}
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > embedExcerptBytes {
		cut := embedExcerptBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// parseRetryAfter reads a Retry-After header (seconds or an HTTP date),
// capped at embedMaxRetryAfter; 0 when absent or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		if s > int64(embedMaxRetryAfter/time.Second) {
			return embedMaxRetryAfter
		}
		d = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, embedMaxRetryAfter))
}

// sleepOrDone waits for d or until ctx ends, whichever is first.
func sleepOrDone(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// redactURL is u without user info, query or fragment: safe for logs and errors.
func redactURL(u *url.URL) string {
	r := *u
	r.User = nil
	r.RawQuery = ""
	r.ForceQuery = false
	r.Fragment = ""
	r.RawFragment = ""
	return r.String()
}
