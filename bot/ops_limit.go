package bot

import (
	"context"
	"fmt"

	"citebot/retrieval"
)

// LimitSearches wraps s so at most n Search calls run at once; the others
// wait their turn in arrival order (or until their ctx ends). Search is
// CPU-bound: on a small machine, running fifty at once only interleaves them
// so every one finishes late, while a queue of n ≈ GOMAXPROCS finishes each
// in turn and keeps the latency tail short. n < 1 is treated as 1. The other
// methods (autocomplete's Suggest included) are not limited.
func LimitSearches(s Searcher, n int) Searcher {
	return limitedSearcher{Searcher: s, slots: make(chan struct{}, max(n, 1))}
}

type limitedSearcher struct {
	Searcher
	slots chan struct{}
}

func (l limitedSearcher) Search(ctx context.Context, q retrieval.Query) (retrieval.Answer, error) {
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return retrieval.Answer{}, fmt.Errorf("waiting for a search slot: %w", ctx.Err())
	}
	defer func() { <-l.slots }()
	return l.Searcher.Search(ctx, q)
}
