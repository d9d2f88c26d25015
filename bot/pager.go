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
}

// page searches q and renders it as kind ("ask", "search" or
// "findsources"). sid is the button state of an earlier page; "" stores a
// new one so that More and feedback work.
func (p pager) page(ctx context.Context, kind string, q retrieval.Query, private bool, sid string) (reply, error) {
	a, err := p.s.Search(ctx, q)
	if err != nil {
		return reply{}, fmt.Errorf("search %s: %w", kind, err)
	}
	rep := reply{results: len(a.Results), query: q.Text}
	if a.Abstained {
		rep.outcome = "abstained"
	}
	if sid == "" && len(a.Results) > 0 {
		st := ButtonState{Command: kind, Query: q.Text, Source: q.Source, K: q.K}
		for _, r := range a.Results {
			st.Passages = append(st.Passages, r.Passage.ID)
		}
		sid, err = p.state.Put(ctx, st)
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
