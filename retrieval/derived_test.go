package retrieval

import (
	"context"
	"reflect"
	"testing"

	"citebot/corpus"
)

// TestDerivedCacheBounded: the cache starts over past maxDerived entries,
// so memory stays flat on a large corpus.
func TestDerivedCacheBounded(t *testing.T) {
	var d derivedCache
	for i := 0; i <= maxDerived; i++ {
		d.putAnalysis(i, &analyzed{})
		d.putContext(i, contextSet{})
	}
	if n := len(d.an); n != 1 {
		t.Errorf("analyses after overflow = %d, want 1 (started over)", n)
	}
	if _, ok := d.analysis(maxDerived); !ok {
		t.Error("the entry that overflowed the cache is missing")
	}
	if n := len(d.ctx); n != 1 {
		t.Errorf("contexts after overflow = %d, want 1", n)
	}
}

// TestDerivedCacheSameAnswers: a search served from cached analyses gives
// exactly the answer of the first, uncached one.
func TestDerivedCacheSameAnswers(t *testing.T) {
	c, _, err := corpus.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	ix := newTestIndex(t, c, nil)
	ctx := context.Background()
	for _, q := range []string{"Who met Baradar in Kabul?", "when did the taliban take kabul", "hello"} {
		first, err := ix.Search(ctx, Query{Text: q, K: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(ix.snap.Load().derived.an) == 0 {
			t.Fatalf("%q: nothing cached", q)
		}
		again, err := ix.Search(ctx, Query{Text: q, K: 5})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(first, again) {
			t.Errorf("%q: cached search differs:\nfirst %+v\nagain %+v", q, first, again)
		}
	}
}
