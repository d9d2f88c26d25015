package corpus

import (
	"strings"
	"testing"
)

func loadBundled(t testing.TB) *Corpus {
	t.Helper()
	c, warns, err := Bundled()
	if err != nil {
		t.Fatalf("Bundled: %v", err)
	}
	if len(warns) != 0 {
		t.Fatalf("Bundled warnings: %v", warns)
	}
	return c
}

func TestBundledMetadata(t *testing.T) {
	c := loadBundled(t)
	want := []struct{ id, title, source, published string }{
		{"000_937560379df2ce3c", "Qatar's prime minister met the Taliban's supreme leader in Kandahar", "CNN", "2023-05"},
		{"001_a984e73d7e96d432", "Qatar's Prime Minister met the supreme leader of the Taliban", "The National", ""},
		{"002_150493159232f54a", "US officials hold first in-person meet with Taliban months after Zawahiri’s killing: Report", "WION", ""},
		{"003_22a93641ca303569", "US spy chief holds secret meeting with Taliban leader: Report", "Press TV", "2021-08"},
		// The publisher of 004 is not stated anywhere; it only cites the Post.
		{"004_8d99f1fb4af1b66b", "CIA Director William Burns held a secret meeting in Kabul with Taliban leader Abdul Ghani Baradar", "", "2021-08"},
	}
	if len(c.Articles) != len(want) {
		t.Fatalf("got %d articles, want %d", len(c.Articles), len(want))
	}
	for i, w := range want {
		a := c.Articles[i]
		if a.ID != w.id || a.Title != w.title || a.Source != w.source || a.Published != w.published {
			t.Errorf("article %d = %q %q %q %q, want %+v", i, a.ID, a.Title, a.Source, a.Published, w)
		}
		if a.URL != "" {
			t.Errorf("%s: URL %q invented; no article states its address", a.ID, a.URL)
		}
	}
	if got := strings.Join(c.Sources(), ","); got != "CNN,The National,WION,Press TV" {
		t.Errorf("Sources() = %s", got)
	}
}

func TestBundledNoBoilerplate(t *testing.T) {
	c := loadBundled(t)
	banned := []string{
		"©", "All Rights Reserved", "contributed reporting", "WATCH WION", "LIVE HERE", "With inputs from agencies",
		"alternate addresses", "Roku", "News / Afghanistan", "Photo by", "\u00a0", "<a ", "</", "href",
		"US spy chief holds secret meeting", "months after Zawahiri’s killing: Report", "Taliban rejects extension:",
	}
	for _, p := range c.Passages {
		for _, b := range banned {
			if strings.Contains(p.Text, b) {
				t.Errorf("%s contains %q: %q", p.ID, b, p.Text)
			}
		}
		if p.Text != strings.TrimSpace(p.Text) || strings.Contains(p.Text, "  ") {
			t.Errorf("%s has unnormalized spaces", p.ID)
		}
	}
}

func TestBundledStructure(t *testing.T) {
	c := loadBundled(t)
	paragraphs := map[string]int{}
	passages := map[string]int{}
	for _, a := range c.Articles {
		paragraphs[a.ID] = len(a.Paragraphs)
	}
	seen := map[string]bool{}
	for _, p := range c.Passages {
		passages[p.DocID]++
		if seen[p.ID] {
			t.Errorf("duplicate passage id %s", p.ID)
		}
		seen[p.ID] = true
		if p.ID != PassageID(p.DocID, p.Paragraph, p.Part) {
			t.Errorf("passage id %s does not match its fields", p.ID)
		}
	}
	want := map[string][2]int{ // paragraphs, passages
		"000_937560379df2ce3c": {9, 9},
		"001_a984e73d7e96d432": {1, 3},
		"002_150493159232f54a": {13, 13},
		"003_22a93641ca303569": {10, 10},
		"004_8d99f1fb4af1b66b": {16, 16},
	}
	for id, w := range want {
		if paragraphs[id] != w[0] || passages[id] != w[1] {
			t.Errorf("%s: %d paragraphs, %d passages; want %d, %d", id, paragraphs[id], passages[id], w[0], w[1])
		}
	}

	// 004: the sub-heading is the section of the paragraphs under it.
	a, _ := c.Article("004_8d99f1fb4af1b66b")
	for _, p := range a.Paragraphs {
		wantSection := ""
		switch {
		case p.N >= 6 && p.N <= 10:
			wantSection = "Taliban rejects extension"
		case p.N >= 11:
			wantSection = "Biden expected to keep deadline"
		}
		if p.Section != wantSection {
			t.Errorf("004 ¶%d section = %q, want %q", p.N, p.Section, wantSection)
		}
	}

	// 001: one long HTML line cut into 40–120-word passages keeping its links.
	var links int
	for _, p := range c.Passages {
		if p.DocID != "001_a984e73d7e96d432" {
			continue
		}
		if n := wordCount(p.Text); n < MinPassageWords || n > MaxPassageWords {
			t.Errorf("%s has %d words", p.ID, n)
		}
		for _, l := range p.Links {
			if !strings.Contains(p.Text, l.Text) || !strings.HasPrefix(l.URL, "https://www.thenationalnews.com/") {
				t.Errorf("%s: bad link %+v", p.ID, l)
			}
		}
		links += len(p.Links)
	}
	if links != 3 {
		t.Errorf("001 passages carry %d links, want the 3 of the article", links)
	}

	// 003: "William J. Burns" does not end a sentence.
	p1 := c.Passages[0]
	for _, p := range c.Passages {
		if p.ID == "003_22a93641ca303569:p1.1" {
			p1 = p
		}
	}
	if n := len(Sentences(p1.Text)); n != 1 {
		t.Errorf("003 ¶1 has %d sentences, want 1: %q", n, p1.Text)
	}
}

func TestBundledStable(t *testing.T) {
	a, b := loadBundled(t), loadBundled(t)
	if len(a.Passages) != len(b.Passages) {
		t.Fatal("passage count differs between loads")
	}
	for i := range a.Passages {
		if a.Passages[i].ID != b.Passages[i].ID || a.Passages[i].Hash() != b.Passages[i].Hash() {
			t.Fatalf("passage %d differs between loads", i)
		}
	}
}

func BenchmarkLoadBundled(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Bundled(); err != nil {
			b.Fatal(err)
		}
	}
}
