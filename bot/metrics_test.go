package bot

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("GET /metrics = %d", rec.Code)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func TestMetricsExposition(t *testing.T) {
	m := NewMetrics()
	m.Observe(Interaction{Kind: "command", Command: "ask", Outcome: "ok", Ack: 20 * time.Millisecond, Total: 900 * time.Millisecond, Results: 3})
	m.Observe(Interaction{Kind: "command", Command: strings.Repeat("x", 200), Outcome: "error"})
	m.ObserveRetrieval(40*time.Millisecond, true, false)
	m.ObserveRetrieval(10*time.Millisecond, false, true)
	m.SetIndexSize(1234)
	m.EmbedderError()
	m.rejectedRequest("bad_signature")

	out := scrape(t, m)
	for _, want := range []string{
		`citebot_interactions_total{command="ask",kind="command",outcome="ok"} 1`,
		`citebot_interactions_total{command="other",kind="command",outcome="error"} 1`,
		`citebot_interaction_ack_seconds_count{kind="command"} 1`,
		`citebot_interaction_ack_seconds_bucket{kind="command",le="0.025"} 1`,
		`citebot_interaction_total_seconds_count{kind="command"} 1`,
		`citebot_retrieval_seconds_count{degraded="false"} 1`,
		`citebot_retrieval_seconds_count{degraded="true"} 1`,
		`citebot_abstentions_total 1`,
		`citebot_index_passages 1234`,
		`citebot_embedder_errors_total 1`,
		`citebot_http_rejected_total{reason="bad_signature"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks %q", want)
		}
	}
}

func TestMetricsNilSafe(t *testing.T) {
	var m *Metrics
	m.Observe(Interaction{Kind: "command"})
	m.ObserveRetrieval(time.Second, true, true)
	m.SetIndexSize(1)
	m.EmbedderError()
	m.rejectedRequest("x")
}

func TestMetricsSeparateRegistries(t *testing.T) {
	a, b := NewMetrics(), NewMetrics()
	a.SetIndexSize(7)
	if strings.Contains(scrape(t, b), "citebot_index_passages 7") {
		t.Fatal("two Metrics share a registry")
	}
}
