package retrieval

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// answerType is the kind of expression a question asks for ("when" asks
// for a date, "how many" for a number). A sentence that contains such an
// expression is more likely to answer; a passage with none cannot answer a
// "how much did it cost" question however many of its words it shares.
// The cues are general English question forms, not words of any corpus.
type answerType uint8

const (
	typeNone answerType = iota
	typeDate
	typeDuration
	typeAge
	typeNumber
	typeMoney
	typeMeasure
	typePerson
	typePlace
)

var answerTypeNames = [...]string{"none", "date", "duration", "age", "number", "money", "measure", "person", "place"}

func (t answerType) String() string {
	if int(t) < len(answerTypeNames) {
		return answerTypeNames[t]
	}
	return "unknown"
}

// strict reports whether the type is specific enough that a passage
// without it should not be taken as an answer. Person names and places
// occur in nearly every news sentence, so they only nudge the ranking.
func (t answerType) strict() bool {
	return t != typeNone && t != typePerson && t != typePlace
}

// typeMask is a set of answer types found in a piece of text.
type typeMask uint16

func (m typeMask) has(t answerType) bool { return t != typeNone && m&(1<<t) != 0 }

// moneyWords in a question make it ask for an amount of money.
var moneyWords = wordSet(`cost costs costing price prices priced salary salaries wage wages paid pay pays
	worth fee fees budget spend spent spending money funding fund funds revenue income earn earns earned`)

// measureWords after "how" ask for a measured quantity.
var measureWords = wordSet(`tall far high big large heavy deep wide fast hot cold`)

// timeNouns after "what"/"which" ask for a date ("what year", "which day").
var timeNouns = wordSet(`date day year month time week`)

// detectAnswerType returns the answer type a question asks for and the
// folded words the type stands for ("old" in "how old", "born" in "when was
// X born"): they name the kind of answer rather than its topic, so they are
// checked as a type instead of matched as terms.
func detectAnswerType(question string) (answerType, []string) {
	words := foldWords(question)
	money := false
	for _, w := range words {
		if moneyWords[w] {
			money = true
		}
	}
	for i, w := range words {
		next := ""
		if i+1 < len(words) {
			next = words[i+1]
		}
		switch w {
		case "when":
			for _, v := range words[i+1:] {
				if v == "born" || v == "birth" {
					return typeAge, []string{v}
				}
			}
			return typeDate, nil
		case "what", "which":
			if timeNouns[next] {
				return typeDate, []string{next}
			}
			if next == "age" {
				return typeAge, []string{next}
			}
			if money {
				return typeMoney, nil
			}
		case "how":
			switch {
			case next == "long":
				return typeDuration, []string{next}
			case next == "old":
				return typeAge, []string{next}
			case next == "many":
				return typeNumber, nil
			case next == "much" && money:
				return typeMoney, nil
			case next == "much":
				return typeNumber, nil
			case measureWords[next]:
				return typeMeasure, []string{next}
			}
		case "where":
			return typePlace, nil
		case "who", "whom", "whose":
			return typePerson, nil
		}
	}
	return typeNone, nil
}

// Vocabulary of the sentence-side detectors.
var (
	monthWords = wordSet(`january february march april may june july august september october november december
		jan feb mar apr jun jul aug sep sept oct nov dec`)
	weekdayWords  = wordSet(`monday tuesday wednesday thursday friday saturday sunday`)
	dateWords     = wordSet(`today yesterday tomorrow tonight ago`)
	relativeWords = wordSet(`last next this past previous coming same`)
	periodWords   = wordSet(`week weeks month months year years weekend morning night decade century summer winter
		spring autumn`)
	unitWords = wordSet(`second seconds minute minutes hour hours day days week weeks month months year years
		decade decades century centuries`)
	numberWords = wordSet(`zero single one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
		sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds
		thousand thousands million millions billion billions trillion dozen dozens half`)
	currencyWords = wordSet(`dollar dollars usd euro euros pound pounds sterling riyal riyals rupee rupees yuan yen
		cent cents`)
	measureUnits = wordSet(`meter meters metre metres km kilometer kilometers kilometre kilometres mile miles feet
		foot ft inch inches cm centimeters kg kilogram kilograms kilo kilos lb lbs ton tons tonne tonnes acre acres
		hectare hectares degree degrees percent mph`)
	placePreps = wordSet(`in at from to near into across outside inside of`)
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// token is one word of a sentence with its case kept.
type token struct {
	lower string
	upper bool // starts with an upper-case letter
	digit bool // contains a digit
}

// sentenceTokens splits a sentence into words (letters, digits and inner
// hyphens) and currency symbols, keeping whether each word is capitalized.
// Words are substrings of s, lowered only when they hold a capital, so a
// sentence costs few allocations: this runs on every candidate sentence.
func sentenceTokens(s string) []token {
	out := make([]token, 0, 32)
	start := -1
	var upper, digit bool
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := s[start:end]
		if upper {
			w = strings.ToLower(w)
		}
		first, _ := utf8.DecodeRuneInString(s[start:end])
		out = append(out, token{lower: w, upper: unicode.IsUpper(first), digit: digit})
		start, upper, digit = -1, false, false
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
			upper = upper || unicode.IsUpper(r)
			digit = digit || unicode.IsDigit(r)
		case r == '-' && start >= 0:
		case unicode.Is(unicode.Sc, r):
			flush(i)
			out = append(out, token{lower: string(r)})
		default:
			flush(i)
		}
	}
	flush(len(s))
	return out
}

// sentenceTypes returns the answer types whose expressions occur in s.
func sentenceTypes(s string) typeMask {
	toks := sentenceTokens(s)
	var m typeMask
	set := func(t answerType) { m |= 1 << t }
	isNum := func(t token) bool { return t.digit || numberWords[t.lower] }
	for i, t := range toks {
		var prev, next token
		if i > 0 {
			prev = toks[i-1]
		}
		if i+1 < len(toks) {
			next = toks[i+1]
		}
		w := t.lower
		if isNum(t) {
			set(typeNumber)
			switch {
			case unitWords[next.lower]:
				set(typeDuration)
			case measureUnits[next.lower]:
				set(typeMeasure)
			case currencyWords[next.lower]:
				set(typeMoney)
			}
			if strings.HasSuffix(w, "-year-old") || (next.lower == "years" && i+2 < len(toks) && toks[i+2].lower == "old") {
				set(typeAge)
			}
			if t.digit && (isYearOrDay(w) || isDecade(w)) {
				set(typeDate)
			}
		}
		switch {
		case monthWords[w] && (t.upper || i == 0), weekdayWords[w], dateWords[w]:
			set(typeDate)
		case relativeWords[w] && periodWords[next.lower]:
			set(typeDate)
		case (w == "a" || w == "an" || w == "several" || w == "few") && unitWords[next.lower]:
			set(typeDuration)
		case w == "born" || w == "birth" || w == "aged" || strings.HasSuffix(w, "-year-old"):
			set(typeAge)
		case w == "$" || w == "£" || w == "€" || w == "¥" || currencyWords[w] && isNum(prev):
			set(typeMoney)
		}
		if t.upper && i > 0 && !monthWords[w] && !weekdayWords[w] {
			if next.upper {
				set(typePerson) // a run of capitalized words: a name
			}
			if placePreps[prev.lower] {
				set(typePlace)
			}
		}
	}
	return m
}

// isYearOrDay reports whether a digit token reads as a year (1800–2199) or
// an ordinal day ("31st").
func isYearOrDay(w string) bool {
	if len(w) == 4 && (strings.HasPrefix(w, "18") || strings.HasPrefix(w, "19") || strings.HasPrefix(w, "20") || strings.HasPrefix(w, "21")) {
		for _, r := range w {
			if r < '0' || r > '9' {
				return false
			}
		}
		return true
	}
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if d := strings.TrimSuffix(w, suf); d != w && len(d) <= 2 && isDigits(d) {
			return true
		}
	}
	return false
}

// isDecade reports whether a token names a decade ("1990s", "1050s",
// "80s"): unlike a bare number, it is always a time.
func isDecade(w string) bool {
	d, ok := strings.CutSuffix(w, "s")
	return ok && (len(d) == 4 || len(d) == 2) && isDigits(d) && strings.HasSuffix(d, "0")
}

// subordinators open a clause that sets a condition or a time for the
// question rather than asking it ("If NP is not equal to P, …", "When the
// list is sorted, …").
var subordinators = wordSet(`if when whenever unless although though while since because assuming given once`)

// auxiliaries after a first "when" or "since" make it a question word
// ("When did …", "Since when has …").
var auxiliaries = wordSet(`did do does is was were are will would has have had can could should may might when`)

// questionWords ask.
var questionWords = wordSet(`what which who whom whose where when why how`)

// askedClause returns the part of a question that asks: a question that
// opens with a subordinate clause and a comma ("If NP is not equal to P,
// what problems are intractable?", "When time is extensive, this is what
// case?") asks after the comma, provided a question word follows it; any
// other question is its own asked clause. The answer type and the question's
// negation are read from the asked clause, so a "when" or a "not" of the
// condition states neither.
func askedClause(question string) string {
	words := foldWords(question)
	if len(words) < 2 || !subordinators[words[0]] || auxiliaries[words[1]] {
		return question // "When did the treaty pass, and who signed it?" asks both
	}
	comma := strings.IndexAny(question, ",;")
	if comma < 0 {
		return question
	}
	rest := question[comma+1:]
	for _, w := range foldWords(rest) {
		if questionWords[w] {
			return rest
		}
	}
	return question
}
