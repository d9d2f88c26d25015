package bot

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeDiscord is Discord on 127.0.0.1: the REST endpoints citebot calls and
// a gateway websocket that says HELLO, answers IDENTIFY with READY, ACKs
// heartbeats and dispatches INTERACTION_CREATE frames.
type fakeDiscord struct {
	t   *testing.T
	srv *httptest.Server
	mux *http.ServeMux

	mu       sync.Mutex
	calls    []restCall
	changed  chan struct{} // closed and replaced on every call
	conn     *websocket.Conn
	connMu   sync.Mutex // serializes websocket writes
	seq      int
	identify map[string]any
	ready    chan struct{}
	closed   chan struct{}
	// disallowed are intents the fake refuses like a portal without them
	// enabled: IDENTIFY asking for one is closed with 4014.
	disallowed int
}

// restCall is one REST request citebot made.
type restCall struct {
	Method, Path string
	// Token is the interaction token in the path ("" for other calls).
	Token string
	Body  map[string]any
	Raw   []byte
	// Auth and Agent are the Authorization and User-Agent headers.
	Auth, Agent string
}

func newFakeDiscord(t *testing.T) *fakeDiscord {
	t.Helper()
	fd := &fakeDiscord{t: t, changed: make(chan struct{}), ready: make(chan struct{}), closed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v10/gateway", func(w http.ResponseWriter, r *http.Request) {
		fd.record(r, "")
		writeJSON(w, map[string]any{"url": "ws://" + r.Host + "/ws"})
	})
	mux.HandleFunc("GET /ws/", fd.serveGateway) // discordgo appends "/"
	mux.HandleFunc("POST /api/v10/interactions/{id}/{token}/callback", func(w http.ResponseWriter, r *http.Request) {
		fd.record(r, r.PathValue("token"))
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("PATCH /api/v10/webhooks/{app}/{token}/messages/{msg}", func(w http.ResponseWriter, r *http.Request) {
		fd.record(r, r.PathValue("token"))
		writeJSON(w, map[string]any{"id": "edited-" + r.PathValue("msg"), "channel_id": "c1"})
	})
	mux.HandleFunc("POST /api/v10/webhooks/{app}/{token}", func(w http.ResponseWriter, r *http.Request) {
		fd.record(r, r.PathValue("token"))
		writeJSON(w, map[string]any{"id": "followup-1", "channel_id": "c1"})
	})
	bulk := func(w http.ResponseWriter, r *http.Request) {
		body := fd.record(r, "")
		writeJSON(w, body["items"])
	}
	mux.HandleFunc("PUT /api/v10/applications/{app}/guilds/{guild}/commands", bulk)
	mux.HandleFunc("PUT /api/v10/applications/{app}/commands", bulk)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fd.record(r, "")
		http.Error(w, `{"message": "404: Not Found", "code": 0}`, http.StatusNotFound)
	})
	fd.mux = mux
	fd.srv = httptest.NewServer(mux)
	t.Cleanup(fd.srv.Close)
	return fd
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// record stores a REST call and wakes waiters; it returns the decoded body.
func (fd *fakeDiscord) record(r *http.Request, token string) map[string]any {
	raw, _ := io.ReadAll(r.Body)
	body := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &body); err != nil {
			// A JSON array (bulk commands) is kept under "items".
			var items []any
			if json.Unmarshal(raw, &items) == nil {
				body = map[string]any{"items": items}
			}
		}
	}
	fd.mu.Lock()
	fd.calls = append(fd.calls, restCall{Method: r.Method, Path: r.URL.Path, Token: token, Body: body, Raw: raw, Auth: r.Header.Get("Authorization"), Agent: r.Header.Get("User-Agent")})
	close(fd.changed)
	fd.changed = make(chan struct{})
	fd.mu.Unlock()
	return body
}

// callsFor returns the calls carrying an interaction token.
func (fd *fakeDiscord) callsFor(token string) []restCall {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	var out []restCall
	for _, c := range fd.calls {
		if c.Token == token {
			out = append(out, c)
		}
	}
	return out
}

// allCalls returns every REST call so far.
func (fd *fakeDiscord) allCalls() []restCall {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	return append([]restCall(nil), fd.calls...)
}

// waitFor blocks until cond holds over the calls for token. The bound only
// turns a hang into a failure; nothing asserts on time.
func (fd *fakeDiscord) waitFor(token string, what string, cond func([]restCall) bool) []restCall {
	fd.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		fd.mu.Lock()
		ch := fd.changed
		fd.mu.Unlock()
		if cs := fd.callsFor(token); cond(cs) {
			return cs
		}
		select {
		case <-ch:
		case <-deadline:
			fd.t.Fatalf("no %s for interaction %s; calls: %+v", what, token, fd.callsFor(token))
		}
	}
}

func (fd *fakeDiscord) serveGateway(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		fd.t.Errorf("upgrade: %v", err)
		return
	}
	defer conn.Close()
	if got := r.URL.Query().Get("encoding"); got != "json" {
		fd.t.Errorf("gateway encoding = %q", got)
	}
	if got := r.URL.Query().Get("v"); got != APIVersion {
		fd.t.Errorf("gateway API version = %q, want %s", got, APIVersion)
	}
	fd.connMu.Lock()
	fd.conn = conn
	fd.connMu.Unlock()
	fd.send(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 41250}})
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			close(fd.closed)
			return
		}
		var frame struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := json.Unmarshal(msg, &frame); err != nil {
			fd.t.Errorf("gateway frame %q: %v", msg, err)
			continue
		}
		switch frame.Op {
		case 1:
			fd.send(map[string]any{"op": 11})
		case 2:
			var id map[string]any
			json.Unmarshal(frame.D, &id)
			fd.mu.Lock()
			fd.identify = id
			refused := fd.disallowed != 0 && int(asFloat(id["intents"]))&fd.disallowed != 0
			fd.mu.Unlock()
			if refused {
				fd.connMu.Lock()
				conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4014, "Disallowed intent(s)."))
				fd.connMu.Unlock()
				return
			}
			fd.dispatchEvent("READY", map[string]any{
				"v": 10, "session_id": "fake-session", "resume_gateway_url": "ws://" + r.Host + "/ws",
				"user":        map[string]any{"id": "900", "username": "citebot", "discriminator": "0", "bot": true},
				"application": map[string]any{"id": "app-1", "flags": 0},
				"guilds":      []any{},
			})
			close(fd.ready)
		}
	}
}

// send writes one gateway frame.
func (fd *fakeDiscord) send(v any) {
	fd.connMu.Lock()
	defer fd.connMu.Unlock()
	if err := fd.conn.WriteJSON(v); err != nil {
		fd.t.Errorf("gateway write: %v", err)
	}
}

// dispatchEvent sends a dispatch (op 0) with the next sequence number.
func (fd *fakeDiscord) dispatchEvent(name string, d any) {
	fd.mu.Lock()
	fd.seq++
	s := fd.seq
	fd.mu.Unlock()
	fd.send(map[string]any{"op": 0, "s": s, "t": name, "d": d})
}

// dispatchInteraction sends an INTERACTION_CREATE for raw interaction JSON.
func (fd *fakeDiscord) dispatchInteraction(raw map[string]any) {
	fd.t.Helper()
	select {
	case <-fd.ready:
	case <-time.After(30 * time.Second):
		fd.t.Fatalf("gateway never became ready; %d REST calls", len(fd.allCalls()))
	}
	fd.dispatchEvent("INTERACTION_CREATE", raw)
}

// identifyPayload returns the IDENTIFY the client sent.
func (fd *fakeDiscord) identifyPayload() map[string]any {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	return fd.identify
}

func (fd *fakeDiscord) String() string { return fmt.Sprintf("fakeDiscord(%s)", fd.srv.URL) }

// gatewayURLFor reports whether calls went through the fake (every REST
// path begins /api/v10).
func restPathsOK(cs []restCall) error {
	for _, c := range cs {
		if !strings.HasPrefix(c.Path, "/api/v10/") {
			return fmt.Errorf("unexpected path %s %s", c.Method, c.Path)
		}
	}
	return nil
}

func asFloat(v any) float64 { f, _ := v.(float64); return f }
