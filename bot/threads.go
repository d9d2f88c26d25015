package bot

import (
	"container/list"
	"sync"
)

// maxThreadQuestions is how many of a thread's questions are kept: the
// ones a follow-up is read with (retrieval reads at most the last three).
const maxThreadQuestions = 3

// threadState is what citebot remembers of a thread it started.
type threadState struct {
	// parent is the channel the thread was started in (the allowlist is
	// about channels, and a thread's id is not its channel's).
	parent string
	// questions are the thread's questions so far, oldest first.
	questions []string
}

// threadMemory remembers the threads citebot started, the least recently
// used forgotten beyond max, so memory stays bounded however many threads
// a long-running gateway opens. A forgotten thread's follow-ups are
// answered as new questions. Safe for concurrent use.
type threadMemory struct {
	max int

	mu    sync.Mutex
	byID  map[string]*list.Element
	order *list.List // front: most recently used; values are *threadEntry
}

type threadEntry struct {
	id string
	st threadState
}

func newThreadMemory(max int) *threadMemory {
	return &threadMemory{max: max, byID: map[string]*list.Element{}, order: list.New()}
}

// get returns a copy of thread id's state.
func (t *threadMemory) get(id string) (threadState, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.byID[id]
	if !ok {
		return threadState{}, false
	}
	t.order.MoveToFront(el)
	st := el.Value.(*threadEntry).st
	st.questions = append([]string(nil), st.questions...)
	return st, true
}

// asked records question q in thread id (started from a channel parent
// if it is new), keeping the last maxThreadQuestions; an empty q only
// remembers the thread.
func (t *threadMemory) asked(id, parent, q string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.byID[id]
	if !ok {
		el = t.order.PushFront(&threadEntry{id: id, st: threadState{parent: parent}})
		t.byID[id] = el
		for t.order.Len() > t.max {
			old := t.order.Back()
			t.order.Remove(old)
			delete(t.byID, old.Value.(*threadEntry).id)
		}
	}
	t.order.MoveToFront(el)
	e := el.Value.(*threadEntry)
	if q == "" {
		return
	}
	e.st.questions = append(e.st.questions, q)
	if n := len(e.st.questions); n > maxThreadQuestions {
		e.st.questions = append([]string(nil), e.st.questions[n-maxThreadQuestions:]...)
	}
}

// adopt remembers thread id, started from channel parent, with the
// questions qs (oldest first), as if they had been asked here.
func (t *threadMemory) adopt(id, parent string, qs []string) {
	if len(qs) == 0 {
		qs = []string{""}
	}
	for _, q := range qs {
		t.asked(id, parent, q)
	}
}

// len is how many threads are remembered.
func (t *threadMemory) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.order.Len()
}

// maxPlainChannels bounds the set of channels known not to be threads.
const maxPlainChannels = 10000

// channelSet is a bounded set of channel ids; past its bound it starts
// over. The zero value is ready; safe for concurrent use.
type channelSet struct {
	mu  sync.Mutex
	ids map[string]struct{}
}

func (c *channelSet) has(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.ids[id]
	return ok
}

func (c *channelSet) add(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil || len(c.ids) >= maxPlainChannels {
		c.ids = map[string]struct{}{}
	}
	c.ids[id] = struct{}{}
}
