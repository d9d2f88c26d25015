package bot

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"citebot/corpus"
	"citebot/retrieval"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// golden compares got with testdata/name.golden, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot/ -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n%s", t.Name(), path, got)
	}
}

func goldenJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, name, append(b, '\n'))
}

// checkLimits fails on any Discord limit the message breaks, and when it
// does not set allowed mentions to "parse": [].
func checkLimits(t *testing.T, d *discordgo.InteractionResponseData) {
	t.Helper()
	if d == nil {
		return
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"allowed_mentions":{"parse":[],`)) {
		t.Errorf("allowed_mentions is not parse:[] in %s", b)
	}
	checkLen := func(what, s string, max int) {
		t.Helper()
		if n := runeLen(s); n > max {
			t.Errorf("%s has %d code points, limit %d", what, n, max)
		}
	}
	checkLen("content", d.Content, maxContent)
	if len(d.Embeds) > maxEmbeds {
		t.Errorf("%d embeds", len(d.Embeds))
	}
	if n := embedsTotal(d.Embeds); n > maxEmbedTotal {
		t.Errorf("embeds total %d", n)
	}
	for _, e := range d.Embeds {
		checkLen("title", e.Title, maxTitle)
		checkLen("description", e.Description, maxDescription)
		if e.Footer != nil {
			checkLen("footer", e.Footer.Text, maxFooter)
		}
		for _, f := range e.Fields {
			checkLen("field name", f.Name, maxFieldName)
			checkLen("field value", f.Value, maxFieldValue)
		}
	}
	if len(d.Choices) > maxChoices {
		t.Errorf("%d choices", len(d.Choices))
	}
	for _, c := range d.Choices {
		checkLen("choice name", c.Name, maxChoiceName)
		if s, ok := c.Value.(string); ok {
			checkLen("choice value", s, maxChoiceValue)
		}
	}
	for _, row := range d.Components {
		ar, ok := row.(discordgo.ActionsRow)
		if !ok {
			continue
		}
		if len(ar.Components) > 5 {
			t.Errorf("%d buttons in a row", len(ar.Components))
		}
		for _, c := range ar.Components {
			if btn, ok := c.(discordgo.Button); ok {
				checkLen("custom_id", btn.CustomID, maxCustomID)
			}
		}
	}
}

func longWords(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "word%d ", i)
	}
	return strings.TrimSpace(b.String())
}

func TestRenderGolden(t *testing.T) {
	arts := testArticles()
	links := Links{PublicURL: "https://citebot.example.org"}
	evil := &corpus.Article{ID: "evil", Title: "@everyone # Breaking [news](https://evil.example)", Source: "Tabloid_Daily", Published: "2024-01-02"}
	bigDupes := func() []retrieval.Result {
		var rs []retrieval.Result
		for k := 0; k < 40; k++ {
			a := &corpus.Article{ID: fmt.Sprintf("d%d", k), Title: fmt.Sprintf("Duplicate report number %d with a fairly long headline", k), Source: fmt.Sprintf("Paper %d", k), URL: fmt.Sprintf("https://paper%d.example/story", k)}
			rs = append(rs, result(a, 1, 0, sent("Same fact.", true)))
		}
		return rs
	}
	normal := newFakeSearcher().answers["Where did Qatar's prime minister meet the Taliban leader?"]
	normal.Query = "Where did Qatar's prime minister meet the Taliban leader?"
	normal.Total = len(normal.Results)
	normal.Results = normal.Results[:3]
	grouped := retrieval.Answer{Query: "who reported the meeting", Total: 1, Results: []retrieval.Result{
		func() retrieval.Result {
			r := result(arts[0], 3, 1, sent("The meeting, first reported by Reuters, is believed to be the first.", true))
			r.AlsoReportedBy = append([]retrieval.Result{result(arts[1], 2, 0, sent("Reuters first reported it.", true))}, bigDupes()...)
			return r
		}(),
	}}
	tests := []struct {
		name string
		a    retrieval.Answer
		v    answerView
		kind string
	}{
		{"ask_normal", normal, answerView{Kind: "ask", Private: true, StateID: "s1"}, "ask"},
		{"ask_abstain", retrieval.Answer{Query: "hello", Abstained: true, Total: 1, Results: []retrieval.Result{
			func() retrieval.Result {
				r := result(arts[2], 1, 1, sent("Markets rallied again on Tuesday.", false))
				r.Weak = true
				return r
			}()}}, answerView{Kind: "ask", StateID: "s1"}, "ask"},
		{"ask_abstain_empty", retrieval.Answer{Query: "hello", Abstained: true}, answerView{Kind: "ask"}, "ask"},
		{"ask_grouped", grouped, answerView{Kind: "ask"}, "ask"},
		{"ask_markdown_mentions", retrieval.Answer{Query: "@everyone *what* happened? <@123>", Degraded: true, Total: 1, Results: []retrieval.Result{
			result(evil, 1, 1,
				sent("> @everyone look: *bold* _it_ `code` ~~strike~~ ||spoiler|| @here!", true),
				sent("# Heading [click](https://evil.example) <@&42> \\ end", false)),
		}}, answerView{Kind: "ask", Private: true, StateID: "s1"}, "ask"},
		{"ask_overlong", retrieval.Answer{Query: longWords(600), Total: 3, Results: []retrieval.Result{
			result(arts[0], 1, 1, sent(longWords(3000), false), sent(longWords(5000), true), sent(longWords(3000), false)),
			result(arts[1], 1, 2, sent(strings.Repeat("x", 6000), true)),
			result(arts[2], 1, 3, sent(longWords(9000), true)),
		}}, answerView{Kind: "ask", StateID: "s1"}, "ask"},
		{"findsources", retrieval.Answer{Query: "Qatar met the Taliban", Total: 1, Results: normal.Results[:1]}, answerView{Kind: "findsources", Private: true, StateID: "s1"}, "ask"},
		{"ask_followup", retrieval.Answer{Query: "when was *that*?", Total: 1, Results: normal.Results[:1],
			ReadWith: []string{"who is Baradar?", "who met _Baradar_ in Kabul?"}}, answerView{Kind: "ask", StateID: "s1"}, "ask"},
		{"search_normal", normal, answerView{Kind: "search", StateID: "s1"}, "search"},
		{"search_page2", retrieval.Answer{Query: normal.Query, Total: 4, Results: normal.Results[2:3]}, answerView{Kind: "search", StateID: "s1", Offset: 3}, "search"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d *discordgo.InteractionResponseData
			if tt.kind == "search" {
				d = renderSearch(tt.a, tt.v, links)
			} else {
				d = renderAnswer(tt.a, tt.v, links)
			}
			clampMessage(d)
			checkLimits(t, d)
			goldenJSON(t, tt.name, d)
		})
	}
}

func TestRenderMarkdownIsEscaped(t *testing.T) {
	evil := &corpus.Article{ID: "evil", Title: "t", Source: "s"}
	a := retrieval.Answer{Query: "q", Total: 1, Results: []retrieval.Result{
		result(evil, 1, 1, sent("@everyone *bold* @here [x](https://e.example)", true)),
	}}
	d := renderAnswer(a, answerView{Kind: "ask"}, Links{})
	desc := d.Embeds[0].Description
	for _, bad := range []string{"@everyone", "@here", " *bold*", "[x]("} {
		if strings.Contains(desc, bad) {
			t.Errorf("description %q still contains %q", desc, bad)
		}
	}
	if !strings.HasPrefix(desc, "> **") || !strings.HasSuffix(desc, "**") {
		t.Errorf("answer sentence not bold in %q", desc)
	}
}

func TestPassageChoicesGolden(t *testing.T) {
	var rs []retrieval.Result
	for k := 1; k <= 30; k++ {
		a := &corpus.Article{ID: fmt.Sprintf("a%02d", k), Title: "T", Source: "The Very Long Publisher Name Of Record Gazette"}
		rs = append(rs, result(a, k, k, sent(fmt.Sprintf("Passage %d: %s", k, longWords(300)), false)))
	}
	rs = append(rs, result(&corpus.Article{ID: strings.Repeat("x", 120)}, 1, 1, sent("id too long", false)))
	choices := passageChoices(rs)
	if len(choices) != maxChoices {
		t.Fatalf("got %d choices, want %d", len(choices), maxChoices)
	}
	d := &discordgo.InteractionResponseData{Choices: choices}
	clampMessage(d)
	checkLimits(t, d)
	goldenJSON(t, "autocomplete_quote", d)
}

func TestFormatAnswerTextGolden(t *testing.T) {
	f := newFakeSearcher()
	a, err := f.Search(t.Context(), retrieval.Query{Text: "Where did Qatar's prime minister meet the Taliban leader?"})
	if err != nil {
		t.Fatal(err)
	}
	abst := retrieval.Answer{Query: "hello", Abstained: true, Degraded: true, Results: []retrieval.Result{
		func() retrieval.Result {
			r := result(testArticles()[2], 1, 1, sent("Markets rallied.", false))
			r.Weak = true
			return r
		}()}}
	links := Links{PublicURL: "https://citebot.example.org"}
	golden(t, "text_answer", []byte(FormatAnswerText(a, links)))
	golden(t, "text_abstain", []byte(FormatAnswerText(abst, links)))
	if got := FormatAnswerText(a, links); !strings.Contains(got, "**The meeting happened in the southern city of Kandahar on May 12.**") {
		t.Errorf("answer sentence not bold:\n%s", got)
	}
}
