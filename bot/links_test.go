package bot

import (
	"net/url"
	"strings"
	"testing"

	"citebot/corpus"
)

func TestTextFragment(t *testing.T) {
	tests := []struct {
		name, quote, want string
	}{
		{"empty", "", ""},
		{"whitespace only", " \n\t ", ""},
		{"ellipsis only", "…", ""},
		{"plain", "Qatar met the Taliban", "Qatar%20met%20the%20Taliban"},
		{"dash", "al-Zawahiri took up residence", "al%2DZawahiri%20took%20up%20residence"},
		{"ampersand", "Johnson & Johnson", "Johnson%20%26%20Johnson"},
		{"comma", "Doha, since 2021", "Doha%2C%20since%202021"},
		{"percent and hash", "up 5% #1", "up%205%25%20%231"},
		{"non-ASCII curly apostrophe", "Qatar’s leader", "Qatar%E2%80%99s%20leader"},
		{"non-ASCII accents", "café déjà", "caf%C3%A9%20d%C3%A9j%C3%A0"},
		{"whitespace collapsed", "  two\n\tlines  ", "two%20lines"},
		{"trailing ellipsis dropped", "the meeting happened …", "the%20meeting%20happened"},
		{"glued ellipsis dropped", "the meeting happened…", "the%20meeting%20happened"},
		{"ten words stay whole", "one two three four five six seven eight nine ten",
			"one%20two%20three%20four%20five%20six%20seven%20eight%20nine%20ten"},
		{"long quote becomes start,end", "one two three four five six seven eight nine ten eleven",
			"one%20two%20three%20four%20five,seven%20eight%20nine%20ten%20eleven"},
		{"long quote with reserved chars in both ends",
			"A-B, C & D said: the fee – 5% – was paid, per the co-op & its members.",
			"A%2DB%2C%20C%20%26%20D%20said%3A,the%20co%2Dop%20%26%20its%20members."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TextFragment(tt.quote)
			if got != tt.want {
				t.Fatalf("TextFragment(%q)\n got %q\nwant %q", tt.quote, got, tt.want)
			}
			assertDirectiveSafe(t, got)
		})
	}
}

// assertDirectiveSafe checks the spec's syntax rule: within each parameter,
// '-', '&' and ',' appear only percent-encoded, and every parameter decodes.
func assertDirectiveSafe(t *testing.T, frag string) {
	t.Helper()
	if frag == "" {
		return
	}
	params := strings.Split(frag, ",")
	if len(params) > 2 {
		t.Fatalf("directive %q has %d parameters, want start or start,end", frag, len(params))
	}
	for _, p := range params {
		if p == "" || strings.ContainsAny(p, "-& #") {
			t.Fatalf("parameter %q is empty or holds an unencoded reserved character", p)
		}
		if _, err := url.PathUnescape(p); err != nil {
			t.Fatalf("parameter %q does not percent-decode: %v", p, err)
		}
	}
}

// TestTextFragmentRoundTrip decodes the directive back and checks that the
// decoded start (and end) are exactly the quote's words.
func TestTextFragmentRoundTrip(t *testing.T) {
	quotes := []string{
		"Despite American warnings to the Taliban not harbor terrorists, Al Qaeda’s leader Ayman al-Zawahiri took up residence in Kabul.",
		"AT&T, Inc. — “the carrier” — said 50% of users (in São Paulo) were affected.",
		"短い引用",
	}
	for _, q := range quotes {
		frag := TextFragment(q)
		parts := strings.Split(frag, ",")
		words := strings.Fields(q)
		var decoded []string
		for _, p := range parts {
			d, err := url.PathUnescape(p)
			if err != nil {
				t.Fatalf("decode %q: %v", p, err)
			}
			decoded = append(decoded, d)
		}
		if len(words) <= 2*fragmentWords {
			if len(decoded) != 1 || decoded[0] != strings.Join(words, " ") {
				t.Fatalf("short quote %q decoded to %q", q, decoded)
			}
			continue
		}
		wantStart := strings.Join(words[:fragmentWords], " ")
		wantEnd := strings.Join(words[len(words)-fragmentWords:], " ")
		if len(decoded) != 2 || decoded[0] != wantStart || decoded[1] != wantEnd {
			t.Fatalf("long quote %q decoded to %q, want [%q %q]", q, decoded, wantStart, wantEnd)
		}
	}
}

func TestCite(t *testing.T) {
	withURL := &corpus.Article{ID: "cnn-qatar", URL: "https://example.com/news/qatar?id=7"}
	withFragURL := &corpus.Article{ID: "x", URL: "https://example.com/a#section-2"}
	noURL := &corpus.Article{ID: "000_937560379df2ce3c"}
	nested := &corpus.Article{ID: "world/2023/qatar & co"}
	p3 := corpus.Passage{Paragraph: 3}
	quote := "The meeting, first reported by Reuters, is believed to be the first between Akhundzada and a foreign leader."
	long := strings.Repeat("word ", 40) + "end."

	tests := []struct {
		name  string
		links Links
		a     *corpus.Article
		p     corpus.Passage
		quote string
		want  string
	}{
		{"nil article", Links{PublicURL: "https://cb.example"}, nil, p3, quote, ""},
		{"url + fragment, no public url", Links{}, withURL, p3, "Reuters, first",
			"https://example.com/news/qatar?id=7#:~:text=Reuters%2C%20first"},
		{"url wins over public url", Links{PublicURL: "https://cb.example"}, withURL, p3, "a-b",
			"https://example.com/news/qatar?id=7#:~:text=a%2Db"},
		{"url, empty quote: url unchanged", Links{}, withFragURL, p3, "", "https://example.com/a#section-2"},
		{"url with own fragment keeps it", Links{}, withFragURL, p3, "x & y",
			"https://example.com/a#section-2:~:text=x%20%26%20y"},
		{"no url, no public url: plain text", Links{}, noURL, p3, quote, ""},
		{"no url, public url: reader with q and anchor", Links{PublicURL: "https://cb.example/"}, noURL, p3, "Doha, 5% & more",
			"https://cb.example/articles/000_937560379df2ce3c?q=Doha%2C+5%25+%26+more#p3"},
		{"reader, no quote, no paragraph", Links{PublicURL: "https://cb.example"}, noURL, corpus.Passage{}, "",
			"https://cb.example/articles/000_937560379df2ce3c"},
		{"reader, id with slash and space", Links{PublicURL: "https://cb.example"}, nested, p3, "",
			"https://cb.example/articles/world/2023/qatar%20&%20co#p3"},
		{"reader, non-ASCII quote", Links{PublicURL: "https://cb.example"}, noURL, p3, "Qatar’s",
			"https://cb.example/articles/000_937560379df2ce3c?q=Qatar%E2%80%99s#p3"},
		{"reader, long quote cut to 30 words", Links{PublicURL: "https://cb.example"}, noURL, p3, long,
			"https://cb.example/articles/000_937560379df2ce3c?q=" + strings.TrimSuffix(strings.Repeat("word+", 30), "+") + "#p3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.links.Cite(tt.a, tt.p, tt.quote); got != tt.want {
				t.Fatalf("Cite\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestArticleURL(t *testing.T) {
	tests := []struct {
		name  string
		links Links
		a     *corpus.Article
		want  string
	}{
		{"nil", Links{PublicURL: "https://cb.example"}, nil, ""},
		{"own url", Links{PublicURL: "https://cb.example"}, &corpus.Article{ID: "a", URL: "https://x.example/a"}, "https://x.example/a"},
		{"reader", Links{PublicURL: "https://cb.example/"}, &corpus.Article{ID: "a b"}, "https://cb.example/articles/a%20b"},
		{"nothing", Links{}, &corpus.Article{ID: "a"}, ""},
		{"no id", Links{PublicURL: "https://cb.example"}, &corpus.Article{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.links.ArticleURL(tt.a); got != tt.want {
				t.Fatalf("ArticleURL = %q, want %q", got, tt.want)
			}
		})
	}
}
