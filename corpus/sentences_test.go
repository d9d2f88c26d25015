package corpus

import (
	"reflect"
	"testing"
	"unicode"
	"unicode/utf8"
)

func sentenceTexts(text string) []string {
	var out []string
	for _, sp := range Sentences(text) {
		out = append(out, text[sp.Start:sp.End])
	}
	return out
}

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"only spaces", "  \u00a0 \n ", nil},
		{"one without period", "Taliban rejects extension", []string{"Taliban rejects extension"}},
		{"two plain", "One two. Three four.", []string{"One two.", "Three four."}},
		{"question and exclamation", "Is it? Yes! Done.", []string{"Is it?", "Yes!", "Done."}},
		{"surrounding space trimmed", "  First one.   Second one.  ", []string{"First one.", "Second one."}},
		{"curly closing quote", "He said “no extensions.” Then he left.", []string{"He said “no extensions.”", "Then he left."}},
		{"straight closing quote", `It is a "red line." The group said.`, []string{`It is a "red line."`, "The group said."}},
		{"single closing quote", "He said ‘go home.’ They left.", []string{"He said ‘go home.’", "They left."}},
		{"closing paren", "It was done (in 2021.) Then more.", []string{"It was done (in 2021.)", "Then more."}},
		{"question inside quote continues", "“Why?” he asked. Nobody knew.", []string{"“Why?” he asked.", "Nobody knew."}},
		{"U.S. abbreviation", "The U.S. State Department declined. It said so.", []string{"The U.S. State Department declined.", "It said so."}},
		{"U.K. abbreviation", "The U.K. Foreign Office agreed. Done.", []string{"The U.K. Foreign Office agreed.", "Done."}},
		{"Mr.", "Mr. Biden spoke. Then Mrs. Smith.", []string{"Mr. Biden spoke.", "Then Mrs. Smith."}},
		{"Ms. and Dr.", "Ms. Lee met Dr. Khan. They talked.", []string{"Ms. Lee met Dr. Khan.", "They talked."}},
		{"St.", "He lives on St. Mark's Place. Fine.", []string{"He lives on St. Mark's Place.", "Fine."}},
		{"military ranks", "Gen. Milley and Lt. Col. Ford spoke. Yes.", []string{"Gen. Milley and Lt. Col. Ford spoke.", "Yes."}},
		{"Sen. Rep. Gov.", "Sen. Warren, Rep. Cheney and Gov. Hochul met. Yes.", []string{"Sen. Warren, Rep. Cheney and Gov. Hochul met.", "Yes."}},
		{"Jr. Sr.", "Martin Luther King Jr. Day and John Sr. Smith. End.", []string{"Martin Luther King Jr. Day and John Sr. Smith.", "End."}},
		{"Inc. Co. Corp.", "Apple Inc. Board, Ford Co. Staff and IBM Corp. Sales rose. End.", []string{"Apple Inc. Board, Ford Co. Staff and IBM Corp. Sales rose.", "End."}},
		{"No. before number", "He lives at No. 10 Downing Street. Yes.", []string{"He lives at No. 10 Downing Street.", "Yes."}},
		{"no. ending sentence", "They said No. Then they left.", []string{"They said No.", "Then they left."}},
		{"vs.", "It was Kabul vs. Kandahar. Fine.", []string{"It was Kabul vs. Kandahar.", "Fine."}},
		{"etc. then capital", "Guns, trucks, etc. All were left. Yes.", []string{"Guns, trucks, etc. All were left.", "Yes."}},
		{"e.g.", "Some cities (e.g. Kabul) fell. Yes.", []string{"Some cities (e.g. Kabul) fell.", "Yes."}},
		{"i.e.", "The capital, i.e. Kabul, fell. Yes.", []string{"The capital, i.e. Kabul, fell.", "Yes."}},
		{"month abbreviations", "On Aug. 31 and Sept. 1 and Jan. 5 they met. Done.", []string{"On Aug. 31 and Sept. 1 and Jan. 5 they met.", "Done."}},
		{"Dec. Feb.", "From Dec. 1 to Feb. 3 it snowed. Done.", []string{"From Dec. 1 to Feb. 3 it snowed.", "Done."}},
		{"single-letter initial", "CIA Director William J. Burns met Baradar. Then he left.", []string{"CIA Director William J. Burns met Baradar.", "Then he left."}},
		{"two initials", "J. R. R. Tolkien wrote it. Yes.", []string{"J. R. R. Tolkien wrote it.", "Yes."}},
		{"decimal number", "Growth was 3.5 percent. It rose.", []string{"Growth was 3.5 percent.", "It rose."}},
		{"number ends sentence", "It happened in 2021. The Taliban won.", []string{"It happened in 2021.", "The Taliban won."}},
		{"ellipsis continues lowercase", "He paused… and then spoke. Done.", []string{"He paused… and then spoke.", "Done."}},
		{"ellipsis then capital", "He paused… Then he spoke.", []string{"He paused…", "Then he spoke."}},
		{"three dots continue lowercase", "Wait... and see. Done.", []string{"Wait... and see.", "Done."}},
		{"ellipsis in quote at end", "part of “the international community…”", []string{"part of “the international community…”"}},
		{"lowercase after period continues", "Use the iPhone. iOS is fine.", []string{"Use the iPhone. iOS is fine."}},
		{"digit starts next", "He left. 20,000 people stayed.", []string{"He left.", "20,000 people stayed."}},
		{"opening quote starts next", "He spoke. “We will go,” he said.", []string{"He spoke.", "“We will go,” he said."}},
		{"no space after period", "See example.com for more. Yes.", []string{"See example.com for more.", "Yes."}},
		{"repeated terminal", "Really?! Yes.", []string{"Really?!", "Yes."}},
		{"newline separated", "One here.\nTwo there.", []string{"One here.", "Two there."}},
		{"NBSP between", "One here.\u00a0Two there.", []string{"One here.", "Two there."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := sentenceTexts(tc.in)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Sentences(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			checkSpans(t, tc.in, Sentences(tc.in))
		})
	}
}

// checkSpans asserts the Sentences contract: in bounds, ordered,
// non-overlapping, non-empty and trimmed, and only whitespace left out.
func checkSpans(t *testing.T, text string, spans []Span) {
	t.Helper()
	prev := 0
	for i, sp := range spans {
		if sp.Start < prev || sp.End <= sp.Start || sp.End > len(text) {
			t.Fatalf("span %d %v out of order or bounds (prev end %d, len %d)", i, sp, prev, len(text))
		}
		for _, r := range text[prev:sp.Start] {
			if !unicode.IsSpace(r) {
				t.Fatalf("span %d: non-space %q left between sentences", i, r)
			}
		}
		first, _ := utf8.DecodeRuneInString(text[sp.Start:])
		last, _ := utf8.DecodeLastRuneInString(text[:sp.End])
		if unicode.IsSpace(first) || unicode.IsSpace(last) {
			t.Fatalf("span %d %q not trimmed", i, text[sp.Start:sp.End])
		}
		prev = sp.End
	}
	for _, r := range text[prev:] {
		if !unicode.IsSpace(r) {
			t.Fatalf("non-space %q after last sentence", r)
		}
	}
}

func FuzzSentences(f *testing.F) {
	for _, s := range []string{
		"", "One. Two.", "U.S. officials met Mr. Khan… and left.", "“Why?” he asked.", "3.5. 4.", "\xff. \x00?",
		"a.b.c. D. e? “F!” (G.) ...", "No. 10. No. Yes.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSpans(t, s, Sentences(s))
	})
}
