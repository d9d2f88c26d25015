package bot

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"citebot/retrieval"
)

// pager runs a search and renders one page of it with its buttons; /ask,
// /search, Find sources and the More button share it.
type pager struct {
	s     Searcher
	links Links
	state StateStore
	now   func() time.Time
	// ttl is how long buttons keep working (Config.ButtonTTL); inline state
	// carries its issue time so every replica enforces it.
	ttl time.Duration
}

// page searches q and renders it as kind ("ask", "search" or
// "findsources"). sid is the StateStore id of an earlier page; "" gives the
// answer new button state, issued now.
func (p pager) page(ctx context.Context, kind string, q retrieval.Query, private bool, sid string) (reply, error) {
	return p.pageAt(ctx, kind, q, private, sid, p.clock())
}

// pageAt is page for an answer first given at issued: a More click on
// inline state passes the original time, so paging does not extend a
// button's life.
func (p pager) pageAt(ctx context.Context, kind string, q retrieval.Query, private bool, sid string, issued time.Time) (reply, error) {
	a, err := p.s.Search(ctx, q)
	if err != nil {
		return reply{}, fmt.Errorf("search %s: %w", kind, err)
	}
	rep := reply{results: len(a.Results), query: q.Text}
	if a.Abstained {
		rep.outcome = "abstained"
	}
	if sid == "" && len(a.Results) > 0 {
		sid, err = p.newState(ctx, kind, q, a, issued)
		if err != nil {
			// The answer still stands; it just gets no More/feedback buttons.
			rep.attrs = append(rep.attrs, slog.String("state_error", err.Error()))
			sid = ""
		}
	}
	v := answerView{Kind: kind, Private: private, StateID: sid, Offset: q.Offset}
	if kind == "search" {
		rep.data = renderSearch(a, v, p.links)
	} else {
		rep.data = renderAnswer(a, v, p.links)
	}
	return rep, nil
}

// newState returns the button reference for a page of a: inline state when
// it fits in a custom_id, so any replica can serve the click, else a
// StateStore entry (a long query, a follow-up), which only replicas
// sharing the store can.
func (p pager) newState(ctx context.Context, kind string, q retrieval.Query, a retrieval.Answer, issued time.Time) (string, error) {
	in := inlineState{Command: kind, Query: q.Text, Source: q.Source, K: q.K, Offset: q.Offset, Issued: issued}
	// A follow-up's earlier questions do not fit in a custom_id: its
	// buttons keep them in the store.
	if len(q.Context) == 0 {
		if ref, ok := encodeInline(in, p.s.Sources); ok {
			return ref, nil
		}
	}
	st := ButtonState{Command: kind, Query: q.Text, Source: q.Source, K: q.K, Context: q.Context}
	for _, r := range a.Results {
		st.Passages = append(st.Passages, r.Passage.ID)
	}
	return p.state.Put(ctx, st)
}

// decode reads an inline button reference against the current corpus and
// clock.
func (p pager) decode(ref string) (inlineState, error) {
	return decodeInline(ref, p.s.Sources, p.clock(), p.buttonTTL())
}

func (p pager) clock() time.Time {
	if p.now == nil {
		return time.Now()
	}
	return p.now()
}

func (p pager) buttonTTL() time.Duration {
	if p.ttl <= 0 {
		return DefaultConfig().ButtonTTL
	}
	return p.ttl
}

// checkSource resolves a typed publisher to the corpus's spelling; "" stays
// "" (every source).
func checkSource(s Searcher, typed string) (string, error) {
	if typed == "" {
		return "", nil
	}
	for _, src := range s.Sources() {
		if equalFold(src, typed) {
			return src, nil
		}
	}
	return "", userErrorf("I don't know the source %q. Pick one from the suggestions, or leave it empty to search every source; /sources lists them.", typed)
}
