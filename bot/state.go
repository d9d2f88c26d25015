package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// ButtonState is what a More or feedback button needs that does not fit in
// its custom_id: the query behind the answer it sits on. Most answers carry
// it inline in the custom_id instead (see buttonid.go); only a query too
// long for that is stored.
type ButtonState struct {
	// Command is the route that produced the answer: "ask", "search" or
	// "findsources".
	Command string
	Query   string
	Source  string
	// K is the page size.
	K int
	// Context holds the earlier questions a follow-up was read with.
	Context []string
	// Passages are the ids of the passages shown on the first page, logged
	// with feedback votes.
	Passages []string
}

// StateStore keeps ButtonState server-side with expiry, for answers whose
// query is too long to travel inline in a custom_id. The in-memory default is
// per-process: with several HTTP replicas behind a load balancer a click on
// such an answer may reach a replica that never saw it, so those clicks need
// a shared implementation (or sticky routing). Implementations must be safe
// for concurrent use.
type StateStore interface {
	// Put stores st and returns its id: at most 24 characters of [0-9a-z],
	// so it fits in a custom_id.
	Put(ctx context.Context, st ButtonState) (id string, err error)
	// Get returns the state stored under id; ok is false when it is unknown
	// or expired.
	Get(ctx context.Context, id string) (st ButtonState, ok bool, err error)
}

// MemoryStore is the in-memory StateStore: entries expire after TTL and the
// oldest are evicted beyond Max entries.
type MemoryStore struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu      sync.Mutex
	entries map[string]memoryEntry
	order   []string // insertion order = expiry order, since TTL is uniform
}

type memoryEntry struct {
	st      ButtonState
	expires time.Time
}

// NewMemoryStore returns a store keeping entries for ttl and at most max of
// them; now is the clock (nil means time.Now).
func NewMemoryStore(ttl time.Duration, max int, now func() time.Time) *MemoryStore {
	if now == nil {
		now = time.Now
	}
	if max < 1 {
		max = 1
	}
	return &MemoryStore{ttl: ttl, max: max, now: now, entries: map[string]memoryEntry{}}
}

// Put implements StateStore.
func (m *MemoryStore) Put(_ context.Context, st ButtonState) (string, error) {
	var raw [8]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("state id: %w", err)
	}
	id := hex.EncodeToString(raw[:])
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.evict(now)
	for len(m.entries) >= m.max && len(m.order) > 0 {
		delete(m.entries, m.order[0])
		m.order = m.order[1:]
	}
	m.entries[id] = memoryEntry{st: st, expires: now.Add(m.ttl)}
	m.order = append(m.order, id)
	return id, nil
}

// Get implements StateStore.
func (m *MemoryStore) Get(_ context.Context, id string) (ButtonState, bool, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[id]
	if !ok || !now.Before(e.expires) {
		return ButtonState{}, false, nil
	}
	return e.st, true, nil
}

// Len reports how many entries are held (expired ones included until the
// next Put evicts them).
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// evict drops expired entries from the front of the insertion order.
func (m *MemoryStore) evict(now time.Time) {
	i := 0
	for ; i < len(m.order); i++ {
		e, ok := m.entries[m.order[i]]
		if ok && now.Before(e.expires) {
			break
		}
		delete(m.entries, m.order[i])
	}
	m.order = m.order[i:]
}
