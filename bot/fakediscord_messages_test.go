package bot

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeChannels adds to a fakeDiscord the REST routes for answering
// messages: posting a message, starting a thread from one (refused, with
// Discord's error, in the channels of noThreads), and reading a channel.
type fakeChannels struct {
	fd *fakeDiscord

	mu sync.Mutex
	// noThreads maps a channel id to the Discord error code its thread
	// creation fails with (50013 Missing Permissions, 50024 wrong channel
	// type).
	noThreads map[string]int
	// channels are what GET /channels/{id} returns.
	channels map[string]map[string]any
	posted   int
	// history holds the messages posted in each channel, oldest first.
	history map[string][]map[string]any
}

func (fd *fakeDiscord) withChannels() *fakeChannels {
	fc := &fakeChannels{fd: fd, noThreads: map[string]int{}, channels: map[string]map[string]any{}, history: map[string][]map[string]any{}}
	fd.mux.HandleFunc("POST /api/v10/channels/{ch}/messages", func(w http.ResponseWriter, r *http.Request) {
		body := fd.record(r, "")
		fc.mu.Lock()
		fc.posted++
		msg := map[string]any{"id": fmt.Sprintf("posted-%d", fc.posted), "channel_id": r.PathValue("ch"), "type": 0,
			"content": body["content"], "author": map[string]any{"id": "900", "username": "citebot", "bot": true}}
		fc.history[r.PathValue("ch")] = append(fc.history[r.PathValue("ch")], msg)
		fc.mu.Unlock()
		writeJSON(w, msg)
	})
	fd.mux.HandleFunc("GET /api/v10/channels/{ch}/messages", func(w http.ResponseWriter, r *http.Request) {
		fd.record(r, "")
		fc.mu.Lock()
		h := fc.history[r.PathValue("ch")]
		out := make([]map[string]any, 0, len(h))
		for i := len(h) - 1; i >= 0; i-- { // newest first, as Discord
			out = append(out, h[i])
		}
		fc.mu.Unlock()
		writeJSON(w, out)
	})
	fd.mux.HandleFunc("POST /api/v10/channels/{ch}/messages/{msg}/threads", func(w http.ResponseWriter, r *http.Request) {
		body := fd.record(r, "")
		fc.mu.Lock()
		code, refused := fc.noThreads[r.PathValue("ch")]
		fc.mu.Unlock()
		if refused {
			status := http.StatusForbidden
			if code == 50024 {
				status = http.StatusBadRequest
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"message": "refused by the fake", "code": %d}`, code)
			return
		}
		// A thread started from a message has the message's id.
		thread := map[string]any{"id": r.PathValue("msg"), "type": 11, "parent_id": r.PathValue("ch"), "name": body["name"], "owner_id": "900"}
		fc.mu.Lock()
		fc.channels[r.PathValue("msg")] = thread
		fc.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		writeJSON(w, thread)
	})
	fd.mux.HandleFunc("GET /api/v10/channels/{ch}", func(w http.ResponseWriter, r *http.Request) {
		fd.record(r, "")
		fc.mu.Lock()
		ch, ok := fc.channels[r.PathValue("ch")]
		fc.mu.Unlock()
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message": "Unknown Channel", "code": 10003}`)
			return
		}
		writeJSON(w, ch)
	})
	return fc
}

// channelCalls returns the REST calls under /channels/ so far.
func (fd *fakeDiscord) channelCalls() []restCall {
	var out []restCall
	for _, c := range fd.allCalls() {
		if strings.Contains(c.Path, "/channels/") {
			out = append(out, c)
		}
	}
	return out
}

// waitCalls blocks until cond holds over every REST call. The bound only
// turns a hang into a failure; nothing asserts on time.
func (fd *fakeDiscord) waitCalls(what string, cond func([]restCall) bool) []restCall {
	fd.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		fd.mu.Lock()
		ch := fd.changed
		fd.mu.Unlock()
		if cs := fd.allCalls(); cond(cs) {
			return cs
		}
		select {
		case <-ch:
		case <-deadline:
			fd.t.Fatalf("no %s; calls: %+v", what, fd.allCalls())
		}
	}
}

// dispatchMessage sends a MESSAGE_CREATE once the gateway is ready.
func (fd *fakeDiscord) dispatchMessage(t *testing.T, m map[string]any) {
	t.Helper()
	select {
	case <-fd.ready:
	case <-time.After(30 * time.Second):
		t.Fatalf("gateway never became ready")
	}
	fd.dispatchEvent("MESSAGE_CREATE", m)
}
