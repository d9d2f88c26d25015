//go:build load

package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Run with: go test -tags load -run TestHTTPLoad -v ./bot/
//
// TestHTTPLoad sends loadRequests signed /ask interactions from loadClients
// concurrent clients over loopback to the endpoint with the real Router and
// the real index over the bundled corpus, requires zero errors, and reports
// the acknowledgement latency (time until the HTTP response) percentiles.
const (
	loadRequests = 2000
	loadClients  = 50
)

var loadQuestions = []string{
	"Where did Qatar's prime minister meet the Taliban leader?",
	"How many people were evacuated from Kabul airport?",
	"When is the deadline for US troops to leave Afghanistan?",
	"Who told reporters there was time to get Americans out?",
	"What did the State Department say about Qatar?",
	"Who is the supreme leader of the Taliban?",
	"What happened to Ayman al-Zawahiri?",
	"Where is the US diplomatic mission now?",
}

func TestHTTPLoad(t *testing.T) {
	// The Router answers inline when the search beats its InlineBudget, so
	// with the default budget the ack waits for the search and its p99 is
	// the search's queueing time under load; a short budget acknowledges
	// with "thinking…" at once and edits when the search is done.
	// LimitSearches queues searches instead of interleaving them all.
	for _, tc := range []struct {
		budget time.Duration
		limit  int // 0: unlimited
	}{
		{DefaultConfig().InlineBudget, 0},
		{DefaultConfig().InlineBudget, runtime.GOMAXPROCS(0)},
		{100 * time.Millisecond, runtime.GOMAXPROCS(0)},
	} {
		t.Run(fmt.Sprintf("inline_budget=%v,search_limit=%d", tc.budget, tc.limit), func(t *testing.T) { loadRun(t, tc.budget, tc.limit) })
	}
}

func loadRun(t *testing.T, budget time.Duration, limit int) {
	var ix Searcher = realIndex(t)
	if limit > 0 {
		ix = LimitSearches(ix, limit)
	}
	var edits atomic.Int64
	api := newFakeWebhookAPI(t)
	go func() { // drain the fake REST server's notifications
		for range api.arrived {
			edits.Add(1)
		}
	}()
	var outcomes sync.Map // outcome → *atomic.Int64
	cfg := DefaultConfig()
	cfg.InlineBudget = budget
	cfg.Observer = ObserverFunc(func(i Interaction) {
		v, _ := outcomes.LoadOrStore(i.Outcome, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	})
	router := NewRouter(ix, cfg)
	srv, priv, _ := newInteractionServer(t, router, func(c *HTTPConfig) { c.APIURL = api.URL })
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: loadClients}, Timeout: 30 * time.Second}

	template := readHTTPTestdata(t, "http_ask.json")
	bodies := make([][]byte, loadRequests)
	for n := range bodies {
		var i map[string]any
		if err := json.Unmarshal(template, &i); err != nil {
			t.Fatal(err)
		}
		i["id"] = fmt.Sprint(1300000000000000000 + n)
		i["token"] = fmt.Sprintf("load-token-%d", n)
		// Distinct users: the per-user rate limit must not turn load into refusals.
		i["member"].(map[string]any)["user"].(map[string]any)["id"] = fmt.Sprint(1000000000000000000 + n)
		opt := i["data"].(map[string]any)["options"].([]any)[0].(map[string]any)
		opt["value"] = loadQuestions[n%len(loadQuestions)]
		bodies[n], _ = json.Marshal(i)
	}

	acks := make([]time.Duration, loadRequests)
	var deferred, failures atomic.Int64
	var firstErr sync.Once
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range loadClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range jobs {
				req := signedInteraction(t, srv.URL, priv, httpTestNow, bodies[n])
				sent := time.Now()
				res, err := client.Do(req)
				if err != nil {
					failures.Add(1)
					firstErr.Do(func() { t.Errorf("request %d: %v", n, err) })
					continue
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				acks[n] = time.Since(sent)
				var r struct {
					Type discordgo.InteractionResponseType
				}
				if res.StatusCode != 200 || json.Unmarshal(b, &r) != nil ||
					(r.Type != discordgo.InteractionResponseChannelMessageWithSource && r.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource) ||
					bytes.Contains(b, []byte(httpFallbackMessage)) {
					failures.Add(1)
					firstErr.Do(func() { t.Errorf("request %d: status %d %s", n, res.StatusCode, b) })
					continue
				}
				if r.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource {
					deferred.Add(1)
				}
			}
		}()
	}
	for n := range loadRequests {
		jobs <- n
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := router.Wait(ctx); err != nil {
		t.Fatalf("router did not finish: %v", err)
	}

	if f := failures.Load(); f != 0 {
		t.Fatalf("%d of %d requests failed", f, loadRequests)
	}
	summary := ""
	outcomes.Range(func(k, v any) bool {
		summary += fmt.Sprintf(" %s=%d", k, v.(*atomic.Int64).Load())
		if k != "ok" && k != "abstained" {
			t.Errorf("outcome %s: %d interactions", k, v.(*atomic.Int64).Load())
		}
		return true
	})
	slices.Sort(acks)
	pct := func(p float64) time.Duration { return acks[int(p*float64(len(acks)-1))] }
	t.Logf("%d signed /ask from %d clients in %v (%.0f/s); ack p50 %v p90 %v p99 %v max %v; deferred %d, edits %d; outcomes:%s",
		loadRequests, loadClients, elapsed.Round(time.Millisecond), float64(loadRequests)/elapsed.Seconds(),
		pct(.50).Round(time.Microsecond), pct(.90).Round(time.Microsecond), pct(.99).Round(time.Microsecond),
		acks[len(acks)-1].Round(time.Microsecond), deferred.Load(), edits.Load(), summary)
}
