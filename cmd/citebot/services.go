package main

import (
	"context"
	"sync"
	"time"
)

// services runs serve's long-lived parts (HTTP server, gateway, corpus
// watch) under one context: the first part to fail cancels it, so every
// other part stops too and serve exits instead of waiting forever on a part
// that will never end.
type services struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	first error
}

func newServices(parent context.Context) *services {
	ctx, cancel := context.WithCancel(parent)
	return &services{ctx: ctx, cancel: cancel}
}

// run starts f in its own goroutine with the shared context. A non-nil error
// from f is a fatal error of the whole: it is kept (the first one wins) and
// the context is cancelled.
func (s *services) run(f func(ctx context.Context) error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := f(s.ctx); err != nil {
			s.mu.Lock()
			if s.first == nil {
				s.first = err
			}
			s.mu.Unlock()
			s.cancel()
		}
	}()
}

// err returns the first fatal error, nil when none happened.
func (s *services) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

// stop cancels the shared context.
func (s *services) stop() { s.cancel() }

// wait cancels the context and waits up to d for every part to return; false
// means some did not.
func (s *services) wait(d time.Duration) bool {
	s.cancel()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
