package bot

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds citebot's Prometheus series in a registry of its own (never
// the global default, so tests and several instances do not collide). It is
// an Observer; all methods are safe for concurrent use and never block.
//
// Series:
//
//	citebot_interactions_total{kind,command,outcome}  counter
//	citebot_interaction_ack_seconds{kind}              histogram (until the first response)
//	citebot_interaction_total_seconds{kind}            histogram (until the last response)
//	citebot_retrieval_seconds{degraded}                histogram (one Search call)
//	citebot_abstentions_total                          counter (searches with no answer)
//	citebot_index_passages                             gauge
//	citebot_index_passages_without_vector              gauge (found by BM25 only until embedded)
//	citebot_index_unsaved                              gauge (1 while the last save of the index failed)
//	citebot_embedder_errors_total                      counter
//	citebot_http_rejected_total{reason}                counter (/interactions requests refused)
//
// plus the Go runtime and process collectors.
type Metrics struct {
	reg          *prometheus.Registry
	interactions *prometheus.CounterVec
	ack, total   *prometheus.HistogramVec
	retrieval    *prometheus.HistogramVec
	abstentions  prometheus.Counter
	indexSize    prometheus.Gauge
	embedErrors  prometheus.Counter
	rejected     *prometheus.CounterVec
	noVector     prometheus.Gauge
	unsaved      prometheus.Gauge
}

// Latency buckets in seconds: Discord's 3 s acknowledgement limit sits
// between the last two ack buckets, so the histogram shows how close we run.
var (
	ackBuckets       = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 2.5, 3, 5}
	totalBuckets     = []float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
	retrievalBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}
)

// NewMetrics registers every series in a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		interactions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_interactions_total",
			Help: "Interactions handled, by kind, command and outcome.",
		}, []string{"kind", "command", "outcome"}),
		ack: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "citebot_interaction_ack_seconds",
			Help:    "Time from receiving an interaction to its initial response.",
			Buckets: ackBuckets,
		}, []string{"kind"}),
		total: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "citebot_interaction_total_seconds",
			Help:    "Time from receiving an interaction to its last response (edit).",
			Buckets: totalBuckets,
		}, []string{"kind"}),
		retrieval: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "citebot_retrieval_seconds",
			Help:    "Duration of one retrieval (search) call; degraded=true when ranked by BM25 alone.",
			Buckets: retrievalBuckets,
		}, []string{"degraded"}),
		abstentions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "citebot_abstentions_total",
			Help: "Searches for which the corpus had no answer.",
		}),
		indexSize: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "citebot_index_passages",
			Help: "Passages in the loaded index.",
		}),
		embedErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "citebot_embedder_errors_total",
			Help: "Failed embedding calls.",
		}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "citebot_http_rejected_total",
			Help: "Requests to /interactions refused, by reason.",
		}, []string{"reason"}),
		noVector: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "citebot_index_passages_without_vector",
			Help: "Passages without a dense vector (the embedding server failed): BM25 finds them until a retry embeds them.",
		}),
		unsaved: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "citebot_index_unsaved",
			Help: "1 while the last save of the index failed (index directory read-only or full): it serves from memory and retries.",
		}),
	}
	m.reg.MustRegister(m.interactions, m.ack, m.total, m.retrieval, m.abstentions,
		m.indexSize, m.embedErrors, m.rejected, m.noVector, m.unsaved,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// metricMaxLabel bounds label values taken from interactions: command names
// come from Discord, and a stale registration must not grow the series set
// without limit.
const metricMaxLabel = 32

func metricLabel(s, empty string) string {
	if s == "" {
		return empty
	}
	if len(s) > metricMaxLabel {
		return "other"
	}
	return s
}

// Observe records one handled interaction. A nil *Metrics ignores it.
func (m *Metrics) Observe(i Interaction) {
	if m == nil {
		return
	}
	kind := metricLabel(i.Kind, "unknown")
	m.interactions.WithLabelValues(kind, metricLabel(i.Command, "none"), metricLabel(i.Outcome, "unknown")).Inc()
	if i.Ack > 0 {
		m.ack.WithLabelValues(kind).Observe(i.Ack.Seconds())
	}
	if i.Total > 0 {
		m.total.WithLabelValues(kind).Observe(i.Total.Seconds())
	}
}

// ObserveRetrieval records one search: its duration, whether it abstained
// (counted in citebot_abstentions_total) and whether it was degraded.
func (m *Metrics) ObserveRetrieval(d time.Duration, abstained, degraded bool) {
	if m == nil {
		return
	}
	m.retrieval.WithLabelValues(strconv.FormatBool(degraded)).Observe(d.Seconds())
	if abstained {
		m.abstentions.Inc()
	}
}

// SetIndexSize sets the number of passages in the loaded index.
func (m *Metrics) SetIndexSize(n int) {
	if m == nil {
		return
	}
	m.indexSize.Set(float64(n))
}

// SetIndexHealth records what the index lacks while it serves from memory:
// passages without a vector, and whether the last save failed.
func (m *Metrics) SetIndexHealth(withoutVector int, unsaved bool) {
	if m == nil {
		return
	}
	m.noVector.Set(float64(withoutVector))
	m.unsaved.Set(map[bool]float64{true: 1}[unsaved])
}

// EmbedderError counts one failed embedding call.
func (m *Metrics) EmbedderError() {
	if m == nil {
		return
	}
	m.embedErrors.Inc()
}

// rejectedRequest counts one refused /interactions request.
func (m *Metrics) rejectedRequest(reason string) {
	if m == nil {
		return
	}
	m.rejected.WithLabelValues(reason).Inc()
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

var _ Observer = (*Metrics)(nil)
