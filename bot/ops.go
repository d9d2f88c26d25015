package bot

import (
	"context"
	"log/slog"
	"net/http"
)

// handleHealthz answers 200 while the process serves HTTP at all.
func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
}

// handleReadyz answers 200 once ready() is true (the index is loaded), else
// 503, so a load balancer sends no traffic to a replica still loading.
func handleReadyz(ready func() bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("loading\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
}

// NewLogObserver returns an Observer that logs one line per interaction:
// kind, command, outcome, latencies and result count. The user's text is
// logged only when logQueries is true (CITEBOT_LOG_QUERIES); abstentions are
// logged at Warn so operators can see what the corpus is missing.
func NewLogObserver(log *slog.Logger, logQueries bool) Observer {
	return ObserverFunc(func(i Interaction) {
		attrs := []slog.Attr{
			slog.String("kind", i.Kind),
			slog.String("command", i.Command),
			slog.String("outcome", i.Outcome),
			slog.Duration("ack", i.Ack),
			slog.Duration("total", i.Total),
			slog.Int("results", i.Results),
		}
		if logQueries && i.Query != "" {
			attrs = append(attrs, slog.String("query", i.Query))
		}
		level, msg := slog.LevelInfo, "interaction"
		switch i.Outcome {
		case "abstained":
			level, msg = slog.LevelWarn, "interaction unanswered by the corpus"
		case "error":
			level = slog.LevelError
		}
		log.LogAttrs(context.Background(), level, msg, attrs...)
	})
}

// Observers fans one interaction out to several observers (nil ones skipped).
func Observers(obs ...Observer) Observer {
	return ObserverFunc(func(i Interaction) {
		for _, o := range obs {
			if o != nil {
				o.Observe(i)
			}
		}
	})
}
