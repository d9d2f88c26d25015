package retrieval

import (
	"slices"
	"testing"
)

func TestDetectAnswerType(t *testing.T) {
	tests := []struct {
		q        string
		want     answerType
		absorbed []string
	}{
		{"When did the army enter the city?", typeDate, nil},
		{"on what date was the treaty signed", typeDate, []string{"date"}},
		{"which year did the war end", typeDate, []string{"year"}},
		{"when was the mayor born", typeAge, []string{"born"}},
		{"how old is the senator", typeAge, []string{"old"}},
		{"what age did she retire at", typeAge, []string{"age"}},
		{"how long was he held", typeDuration, []string{"long"}},
		{"how many soldiers died", typeNumber, nil},
		{"how much rain fell", typeNumber, nil},
		{"how much did the bridge cost", typeMoney, nil},
		{"what is the governor's salary", typeMoney, nil},
		{"how tall is the tower", typeMeasure, []string{"tall"}},
		{"where did the ministers meet", typePlace, nil},
		{"who signed the deal", typePerson, nil},
		{"whose car was it", typePerson, nil},
		{"what did the report say", typeNone, nil},
		{"hello", typeNone, nil},
		{"", typeNone, nil},
	}
	for _, tt := range tests {
		got, abs := detectAnswerType(tt.q)
		if got != tt.want || !slices.Equal(abs, tt.absorbed) {
			t.Errorf("detectAnswerType(%q) = %v %q, want %v %q", tt.q, got, abs, tt.want, tt.absorbed)
		}
	}
}

func TestSentenceTypes(t *testing.T) {
	tests := []struct {
		s    string
		has  []answerType
		lack []answerType
	}{
		{"The rebels marched into Kabul on August 15.", []answerType{typeDate, typeNumber, typePlace}, []answerType{typeMoney, typeAge}},
		{"Talks were held on Monday in Geneva.", []answerType{typeDate, typePlace}, []answerType{typeNumber}},
		{"He spent eight years in prison.", []answerType{typeDuration, typeNumber}, []answerType{typeMoney, typeAge}},
		{"The bridge cost $4 million to build.", []answerType{typeMoney, typeNumber}, []answerType{typeAge}},
		{"The 63-year-old envoy resigned.", []answerType{typeAge, typeNumber}, nil},
		{"She was born in a small village.", []answerType{typeAge}, []answerType{typeDate}},
		{"The tower is 300 meters high.", []answerType{typeMeasure, typeNumber}, []answerType{typeDuration}},
		{"Foreign Minister Ana Costa signed the accord.", []answerType{typePerson}, []answerType{typeDate, typeNumber}},
		{"Officials declined to comment.", nil, []answerType{typeDate, typeNumber, typeMoney, typePerson, typePlace}},
		{"It happened two weeks ago.", []answerType{typeDate, typeDuration}, nil},
		{"We may march later.", nil, []answerType{typeDate}},
		{"Trade grew in the 1990s.", []answerType{typeDate}, nil},
		{"Mercenaries served there in the 1050s.", []answerType{typeDate}, nil},
		{"He bowled 1995 balls.", []answerType{typeDate}, nil}, // a bare year-like number still counts
		{"They sold 1995s.", nil, []answerType{typeDate}},
		{"A function problem expects a single output for every input.", []answerType{typeNumber}, nil},
		{"Zero votes were cast against it.", []answerType{typeNumber}, nil},
		{"", nil, []answerType{typeDate, typeNumber}},
	}
	for _, tt := range tests {
		m := sentenceTypes(tt.s)
		for _, a := range tt.has {
			if !m.has(a) {
				t.Errorf("sentenceTypes(%q) lacks %v", tt.s, a)
			}
		}
		for _, a := range tt.lack {
			if m.has(a) {
				t.Errorf("sentenceTypes(%q) has %v, want not", tt.s, a)
			}
		}
	}
}

func TestFuzzyFloor(t *testing.T) {
	// "cost" and "post" share half their trigrams: different words, no match.
	v := newVocabulary([]string{"post", "akhundzada", "offici"})
	if got := v.variants("cost", 4); len(got) != 0 {
		t.Errorf("variants(cost) = %v, want none", got)
	}
	if got := v.variants("akhunzada", 4); len(got) != 1 || got[0].term != "akhundzada" {
		t.Errorf("variants(akhunzada) = %v, want akhundzada", got)
	}
}

func TestAskedClause(t *testing.T) {
	for _, tt := range []struct{ q, want string }{
		{"If NP is not equal to P, what problems are intractable?", " what problems are intractable?"},
		{"When extensive time is required to sort integers, this represents what case complexity?", " this represents what case complexity?"},
		{"When did the treaty pass, and who signed it?", "When did the treaty pass, and who signed it?"}, // asks both
		{"If so, the army left.", "If so, the army left."},                                               // no question word after the comma
		{"Although late, the report came", "Although late, the report came"},
		{"What if the army, not the navy, won?", "What if the army, not the navy, won?"},
		{"If nothing else", "If nothing else"},
		{"", ""},
	} {
		if got := askedClause(tt.q); got != tt.want {
			t.Errorf("askedClause(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
	// queryTerms reads the answer type and the negation from the asked
	// clause: the condition's "not" and "when" state neither.
	ix := newTestIndex(t, testCorpus(t), nil)
	s := ix.snap.Load()
	if qt := ix.queryTerms(s, "If the meeting was not secret, when did it happen?"); qt.negated || qt.atype != typeDate {
		t.Errorf("negated condition: negated %v, type %v; want false, date", qt.negated, qt.atype)
	}
	if qt := ix.queryTerms(s, "When the meeting happened in Kandahar, who was there?"); qt.atype != typePerson {
		t.Errorf("when-clause: type %v, want person", qt.atype)
	}
	if qt := ix.queryTerms(s, "Why was the meeting not announced?"); !qt.negated {
		t.Error("negated question: not negated")
	}
}
