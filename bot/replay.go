package bot

import (
	"sync"
	"time"
)

// MaxRememberedInteractions bounds the interaction ids the HTTP endpoint
// remembers against replays (about 100 bytes each).
const MaxRememberedInteractions = 100_000

// replayGuard remembers the ids of interactions the endpoint has taken, so
// that a signed request sent again is not answered twice. An id is kept
// until its signed timestamp is older than MaxSignatureSkew: from then on
// the signature check refuses the request anyway. At most max ids are kept;
// past that the oldest are forgotten first. Safe for concurrent use.
type replayGuard struct {
	mu    sync.Mutex
	max   int
	seen  map[string]time.Time // id → when the signature check starts refusing it
	order []seenID             // insertion order, for expiry and eviction
	head  int                  // order[:head] is already forgotten
}

type seenID struct {
	id      string
	expires time.Time
}

func newReplayGuard(max int) *replayGuard {
	return &replayGuard{max: max, seen: map[string]time.Time{}}
}

// first records id, signed at signed, and reports whether it is new. An
// empty id is never remembered.
func (g *replayGuard) first(id string, signed, now time.Time) bool {
	if id == "" {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.forget(now)
	if exp, ok := g.seen[id]; ok && now.Before(exp) {
		return false
	}
	expires := signed.Add(MaxSignatureSkew)
	g.seen[id] = expires
	g.order = append(g.order, seenID{id, expires})
	return true
}

// forget drops the ids that expired, and the oldest ones beyond max.
func (g *replayGuard) forget(now time.Time) {
	for g.head < len(g.order) {
		s := g.order[g.head]
		if len(g.seen) < g.max && now.Before(s.expires) {
			break
		}
		// The map entry may be a later sighting of the same id: keep that.
		if exp, ok := g.seen[s.id]; ok && exp.Equal(s.expires) {
			delete(g.seen, s.id)
		}
		g.order[g.head] = seenID{}
		g.head++
	}
	// Reuse the slice once most of it is forgotten.
	if g.head > 1024 && g.head*2 > len(g.order) {
		g.order = append(g.order[:0], g.order[g.head:]...)
		g.head = 0
	}
}

// len reports how many ids are remembered.
func (g *replayGuard) len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.seen)
}
