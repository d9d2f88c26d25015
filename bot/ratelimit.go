package bot

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxLimiters bounds the per-user limiter map; beyond it, limiters that have
// refilled completely (and so behave like new ones) are dropped.
const maxLimiters = 10000

// userLimiter is a token bucket per user id.
type userLimiter struct {
	limit rate.Limit
	burst int
	now   func() time.Time

	mu sync.Mutex
	m  map[string]*rate.Limiter
}

// newUserLimiter allows rl.Events per rl.Window per user; nil when disabled.
func newUserLimiter(rl RateLimit, now func() time.Time) *userLimiter {
	if rl.Events <= 0 || rl.Window <= 0 {
		return nil
	}
	return &userLimiter{
		limit: rate.Limit(float64(rl.Events) / rl.Window.Seconds()),
		burst: rl.Events,
		now:   now,
		m:     map[string]*rate.Limiter{},
	}
}

// allow takes one token for user; when none is left it returns false and
// how long until one is.
func (l *userLimiter) allow(user string) (bool, time.Duration) {
	if l == nil {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.m[user]
	if !ok {
		if len(l.m) >= maxLimiters {
			l.prune(now)
		}
		lim = rate.NewLimiter(l.limit, l.burst)
		l.m[user] = lim
	}
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// prune drops limiters that are full again.
func (l *userLimiter) prune(now time.Time) {
	for k, lim := range l.m {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.m, k)
		}
	}
}

// waitSeconds rounds a delay up to whole seconds for the user.
func waitSeconds(d time.Duration) int {
	return int(math.Max(1, math.Ceil(d.Seconds())))
}

// slowNotices remembers, per user, until when a "slow down" notice stands.
// The zero value is ready; safe for concurrent use.
type slowNotices struct {
	mu    sync.Mutex
	until map[string]time.Time
}

// first reports whether user should be told to slow down now, and if so
// silences further notices for wait.
func (n *slowNotices) first(user string, now time.Time, wait time.Duration) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if t, ok := n.until[user]; ok && now.Before(t) {
		return false
	}
	if n.until == nil || len(n.until) >= maxLimiters {
		for u, t := range n.until {
			if !now.Before(t) {
				delete(n.until, u)
			}
		}
		if n.until == nil || len(n.until) >= maxLimiters {
			n.until = map[string]time.Time{}
		}
	}
	n.until[user] = now.Add(wait)
	return true
}
