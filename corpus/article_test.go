package corpus

import (
	"errors"
	"reflect"
	"testing"
)

// para is a compact expected paragraph: section and text.
type para struct{ Section, Text string }

func parsed(t *testing.T, name, body, metaTitle string) (string, []para, []Paragraph) {
	t.Helper()
	headline, paras, err := newParser().parse(name, body, metaTitle)
	if err != nil {
		t.Fatalf("parse(%s): %v", name, err)
	}
	var got []para
	for i, p := range paras {
		if p.N != i+1 {
			t.Errorf("paragraph %d has N=%d", i+1, p.N)
		}
		got = append(got, para{p.Section, p.Text})
	}
	return headline, got, paras
}

func TestParseMessyText(t *testing.T) {
	tests := []struct {
		name, file, body, metaTitle string
		wantHeadline                string
		want                        []para
	}{
		{
			name: "whitespace-only blank lines and NBSP",
			file: "a.txt",
			body: "\n      First\u00a0paragraph here.\n     \n      Second one.\u00a0 Still second. \n     \n",
			want: []para{{"", "First paragraph here."}, {"", "Second one. Still second."}},
		},
		{
			name: "no blank lines: one paragraph per line",
			file: "a.txt",
			body: "Line one is a sentence.\nLine two is another.\nLine three ends it.",
			want: []para{{"", "Line one is a sentence."}, {"", "Line two is another."}, {"", "Line three ends it."}},
		},
		{
			name: "lines of one block are joined",
			file: "a.txt",
			body: "A wrapped\nparagraph.\n\nNext one.",
			want: []para{{"", "A wrapped paragraph."}, {"", "Next one."}},
		},
		{
			name: "copyright footer glued under the last paragraph",
			file: "a.txt",
			body: "Body text here.\n\n  CNN’s Jane Roe contributed reporting.\n © 2024 Cable News Network. All Rights Reserved.",
			want: []para{{"", "Body text here."}},
		},
		{
			name:         "headline repeated verbatim, dek kept, agency and promo dropped",
			file:         "a.txt",
			body:         "Officials hold talks with Taliban: Report\n\nOfficials hold talks with Taliban: Report\n\nThe meeting focused on security\n\nThe talks were held in Doha.\n\n(With inputs from agencies)\n\nWATCH XYZ LIVE HERE:",
			wantHeadline: "Officials hold talks with Taliban: Report",
			want:         []para{{"", "The meeting focused on security"}, {"", "The talks were held in Doha."}},
		},
		{
			name:         "breadcrumb, caption, mirror notice and trailing link list",
			file:         "a.txt",
			body:         "News \u00a0/ \u00a0Afghanistan\n\nSpy chief meets Taliban leader\n\nCIA Director William Burns (Photo by Reuters)\n\nThe director met Baradar in Kabul.\n\nThe talks were secret.\n\nExample TV’s website can also be accessed at the following alternate addresses:\n\nExample TV News Roku",
			wantHeadline: "Spy chief meets Taliban leader",
			want:         []para{{"", "The director met Baradar in Kabul."}, {"", "The talks were secret."}},
		},
		{
			name: "a few trailing fragments are a link list",
			file: "a.txt",
			body: "Intro sentence.\n\nHome\n\nWorld News",
			want: []para{{"", "Intro sentence."}},
		},
		{
			name: "a long trailing run of fragments is a list and stays",
			file: "a.txt",
			body: "Intro sentence.\n\nApples\n\nPears\n\nPlums\n\nFigs",
			want: []para{{"", "Intro sentence."}, {"", "Apples"}, {"", "Pears"}, {"", "Plums"}, {"", "Figs"}},
		},
		{
			name: "byline and page dateline dropped",
			file: "a.txt",
			body: "By Jane Roe, CNN\n\nUpdated 3:04 PM ET, Wed May 24, 2023\n\nThe talks ended on Monday.",
			want: []para{{"", "The talks ended on Monday."}},
		},
		{
			name: "sub-headings become sections",
			file: "a.txt",
			body: "Burns met Baradar on Monday.\nTaliban rejects extension:\nThe Taliban said August 31 is a red line.\n“No extensions,” he said.\nBiden expected to keep deadline:\nBiden decided to keep the deadline.",
			want: []para{
				{"", "Burns met Baradar on Monday."},
				{"Taliban rejects extension", "The Taliban said August 31 is a red line."},
				{"Taliban rejects extension", "“No extensions,” he said."},
				{"Biden expected to keep deadline", "Biden decided to keep the deadline."},
			},
		},
		{
			name: "lead-in to a quote is not a heading",
			file: "a.txt",
			body: "The spokesman then spoke.\n\nHe said:\n\n“We will not allow it.”",
			want: []para{{"", "The spokesman then spoke."}, {"", "He said:"}, {"", "“We will not allow it.”"}},
		},
		{
			name:         "metadata title dropped from the body",
			file:         "a.txt",
			body:         "A Known Title\n\nBody sentence here.",
			metaTitle:    "A known title",
			wantHeadline: "A Known Title",
			want:         []para{{"", "Body sentence here."}},
		},
		{
			name: "first line that is a sentence is not a headline",
			file: "a.txt",
			body: "Qatar’s prime minister met the Taliban leader.\n\nMore text follows.",
			want: []para{{"", "Qatar’s prime minister met the Taliban leader."}, {"", "More text follows."}},
		},
		{
			name:         "markdown headings, links and emphasis",
			file:         "a.md",
			body:         "# The Title\n\nIntro with a [link](https://example.com/x) and **bold**.\n\n## Background\n\n- First point here.\n- Second point here.",
			wantHeadline: "The Title",
			want:         []para{{"", "Intro with a link and bold."}, {"Background", "First point here. Second point here."}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			headline, got, _ := parsed(t, tc.file, tc.body, tc.metaTitle)
			if headline != tc.wantHeadline {
				t.Errorf("headline = %q, want %q", headline, tc.wantHeadline)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("paragraphs\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestParseInlineHTML(t *testing.T) {
	body := `Qatar's leader met the head of the <a href="https://example.com/taliban" target="_blank">Taliban</a> in May. <i>Al Jazeera English </i>reported it, and <a href="/relative">a relative link</a> was there. Ben &amp; Jerry's too.`
	_, got, paras := parsed(t, "one.txt", body, "")
	want := []para{{"", "Qatar's leader met the head of the Taliban in May. Al Jazeera English reported it, and a relative link was there. Ben & Jerry's too."}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("paragraphs\n got %q\nwant %q", got, want)
	}
	wantLinks := []Link{{Text: "Taliban", URL: "https://example.com/taliban"}}
	if !reflect.DeepEqual(paras[0].Links, wantLinks) {
		t.Errorf("links = %v, want %v (relative links have no known address)", paras[0].Links, wantLinks)
	}
}

func TestParseHTMLDocument(t *testing.T) {
	body := `<!DOCTYPE html><html><head><title>Page title - Site</title><style>p{}</style></head>
<body><header><nav>Home / News</nav></header>
<h1>The Real Headline</h1>
<figure><img src="x.jpg"><figcaption>A caption (Photo by AFP)</figcaption></figure>
<p>First paragraph with <a href="https://example.com/a">a link</a>.</p>
<script>var x = "not text";</script>
<h2>Background</h2>
<p>Second&nbsp;paragraph.</p>
<ul><li>A list item sentence.</li></ul>
<blockquote><p>A quoted passage.</p></blockquote>
<aside>Related: other story</aside>
<footer>© 2024 Example Media</footer>
</body></html>`
	headline, got, paras := parsed(t, "doc.html", body, "")
	if headline != "The Real Headline" {
		t.Errorf("headline = %q", headline)
	}
	want := []para{
		{"", "First paragraph with a link."},
		{"Background", "Second paragraph."},
		{"Background", "A list item sentence."},
		{"Background", "A quoted passage."},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("paragraphs\n got %q\nwant %q", got, want)
	}
	if want := []Link{{"a link", "https://example.com/a"}}; !reflect.DeepEqual(paras[0].Links, want) {
		t.Errorf("links = %v, want %v", paras[0].Links, want)
	}
}

func TestParseHTMLTitleFallback(t *testing.T) {
	headline, got, _ := parsed(t, "doc.htm", "<html><head><title>Only Title</title></head><body><p>Body.</p></body></html>", "")
	if headline != "Only Title" || !reflect.DeepEqual(got, []para{{"", "Body."}}) {
		t.Errorf("headline %q paragraphs %q", headline, got)
	}
}

func TestParseNothingLeft(t *testing.T) {
	for _, body := range []string{"© 2024 Example. All Rights Reserved.", "<script>x()</script>", "WATCH XYZ LIVE HERE:"} {
		if _, _, err := newParser().parse("a.txt", body, ""); !errors.Is(err, errNothingLeft) {
			t.Errorf("parse(%q) error = %v, want errNothingLeft", body, err)
		}
	}
}
