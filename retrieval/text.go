package retrieval

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// foldText makes two spellings of the same text compare equal: NFKD with
// combining marks dropped (so "Qaṭar" = "Qatar"), curly quotes and dashes
// made straight, non-breaking and other exotic spaces made plain, and
// lowercase. Offsets are not preserved; use it for matching, never quoting.
func foldText(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == '\u2018' || r == '\u2019' || r == '\u201B' || r == '\u2032' || r == '\u02BC' || r == '`':
			r = '\''
		case r == '\u201C' || r == '\u201D' || r == '\u201E' || r == '\u2033':
			r = '"'
		case r == '\u2010' || r == '\u2011' || r == '\u2012' || r == '\u2013' || r == '\u2014' || r == '\u2212':
			r = '-'
		case unicode.IsSpace(r):
			r = ' '
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// foldWords splits folded text into words: runs of letters and digits,
// with possessives stripped ("qatar's" → "qatar", "taliban'" → "taliban"),
// other apostrophes removed ("o'neil" → "oneil") and hyphenated words split
// into their parts ("al-thani" → "al", "thani") so either spelling matches.
func foldWords(s string) []string {
	s = foldText(s)
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		w := cur.String()
		cur.Reset()
		w = strings.ReplaceAll(strings.TrimSuffix(w, "'s"), "'", "")
		if w != "" {
			out = append(out, w)
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(r)
		case r == '\'' && cur.Len() > 0 && i+1 < len(rs) && (unicode.IsLetter(rs[i+1])):
			// Inside a word: keep for now so the possessive can be recognised.
			cur.WriteRune(r)
		case r == ',' && cur.Len() > 0 && i+1 < len(rs) && unicode.IsDigit(rs[i+1]) && i > 0 && unicode.IsDigit(rs[i-1]):
			// Thousands separator: "20,000" stays one number.
		default:
			flush()
		}
	}
	flush()
	return out
}

// stopWords are English function words plus the question scaffolding users
// type around a question ("tell me", "what happened") and chat pleasantries
// ("thanks", "ok"): with synonyms, "thanks" would otherwise match
// "appreciation" and small talk would get a confident quote. They carry no topic,
// so they neither rank passages nor count as evidence of an answer.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be because been
		before being below between both but by can could did do does doing don down during each few for from further
		had has have having he her here hers herself him himself his how i if in into is it its itself just me more
		most my myself no nor not now of off on once only or other our ours ourselves out over own s same she should
		so some such t than that the their theirs them themselves then there these they this those through to too
		under until up very was we were what when where which while who whom why will with would you your yours
		yourself yourselves also ever get got tell told know let like please really much many whats whos hows
		wheres whens say says said whose whats anybody somebody
		does doesnt didnt dont isnt wasnt arent werent cant wont
		hi hey hello thanks thank thx ty cheers ok okay lol cool nice bye goodbye`) {
		m[w] = true
	}
	return m
}()

// lightWords are content words common in questions but rarely the topic
// ("how bad is it", "what happened"): they still rank, but weigh little as
// evidence that a passage answers.
var lightWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`bad good big small new old happen happened happening thing things way ways
		someone something anyone anything people person ppl time times day days year years today yesterday
		mean means think thought want wanted make made go going went come came take took give gave happen
		situation news latest recent recently right wrong true false exactly actually still bring brought
		put keep kept talk talked ask asked find found show showed look looked seem seemed`) {
		m[w] = true
	}
	return m
}()

// titleWords are honorifics and titles that precede names ("Mullah Omar",
// "President Ghani"): many people share each, so a title is weak evidence
// of which person a passage is about.
var titleWords = wordSet(`mr mrs ms miss dr sir madam mullah sheikh imam ayatollah
	reverend rev prof professor lord lady gen general col colonel capt captain sgt sergeant lt lieutenant cmdr
	commander adm admiral sen senator gov governor president vice director deputy secretary minister chancellor
	chairman chairwoman chair king queen prince princess emir amir sultan mayor ambassador judge justice`)

// shorthand expands abbreviations people type in chat to the words news
// text spells out; applied to passages and queries alike.
var shorthand = map[string][]string{
	"pm": {"prime", "minister"}, "fm": {"foreign", "minister"}, "ppl": {"people"}, "govt": {"government"},
	"gov": {"government"}, "intl": {"international"}, "dept": {"department"}, "admin": {"administration"},
	"pres": {"president"}, "reps": {"representatives"}, "rep": {"representative"}, "usa": {"us"}, "uk": {"united", "kingdom"}, "jan": {"january"}, "feb": {"february"},
	"mar": {"march"}, "apr": {"april"}, "jun": {"june"}, "jul": {"july"}, "aug": {"august"},
	"sep": {"september"}, "sept": {"september"}, "oct": {"october"}, "nov": {"november"}, "dec": {"december"},
}

// analyzer turns text into index terms: folded, stop words removed,
// stemmed with the Snowball English stemmer. Stems are cached because the
// same few thousand words recur in every passage and stemming dominates the
// cost of analysis. Safe for concurrent use.
type analyzer struct {
	mu    sync.RWMutex
	stems map[string]string
	light map[string]bool // stems of lightWords
	title map[string]bool // stems of titleWords
	// lexicon: irregular verb forms become their base form before
	// stemming, and syn lists each stem's synonyms (see lexicon.go).
	lexicon bool
	syn     synonymIndex
}

// maxStemCache bounds the cache so adversarial query text cannot grow it
// without limit; past the bound words are stemmed without caching.
const maxStemCache = 1 << 18

// newAnalyzer returns the index's analyzer, with the English lexicon.
func newAnalyzer() *analyzer {
	a := newPlainAnalyzer()
	a.lexicon = true
	a.syn = newSynonymIndex(a.stem)
	return a
}

// newPlainAnalyzer returns an analyzer without the lexicon, for the local
// embedder: its vectors are persisted under its name, so its features
// must not change with the lexicon.
func newPlainAnalyzer() *analyzer {
	a := &analyzer{stems: make(map[string]string, 4096), light: map[string]bool{}, title: map[string]bool{}}
	for w := range lightWords {
		a.light[english.Stem(w, true)] = true
	}
	for w := range titleWords {
		a.title[english.Stem(w, true)] = true
	}
	return a
}

// isLight reports whether a stem is question scaffolding: a lightWords
// stem or an -ly adverb ("usually", "currently"), which qualify a question
// rather than name its topic.
func (a *analyzer) isLight(stem string) bool {
	return a.light[stem] || (len(stem) > 5 && strings.HasSuffix(stem, "li"))
}

// isTitle reports whether a stem is an honorific or title (titleWords).
func (a *analyzer) isTitle(stem string) bool { return a.title[stem] }

// synonyms returns the stems of stem's synonyms (nil without the lexicon).
func (a *analyzer) synonyms(stem string) []string { return a.syn[stem] }

// stem returns the cached stem of a folded word.
func (a *analyzer) stem(w string) string {
	a.mu.RLock()
	s, ok := a.stems[w]
	a.mu.RUnlock()
	if ok {
		return s
	}
	if a.lexicon {
		s = english.Stem(baseForm(w), true)
	} else {
		s = english.Stem(w, true)
	}
	a.mu.Lock()
	if len(a.stems) < maxStemCache {
		a.stems[w] = s
	}
	a.mu.Unlock()
	return s
}

// terms returns the analyzed terms of s in order: stop words dropped,
// single letters dropped (digits kept), the rest stemmed.
func (a *analyzer) terms(s string) []string {
	words := foldWords(s)
	out := make([]string, 0, len(words))
	for _, w := range words {
		if exp, ok := shorthand[w]; ok {
			for _, e := range exp {
				out = append(out, a.stem(e))
			}
			continue
		}
		if stopWords[w] || (utf8.RuneCountInString(w) < 2 && !isDigits(w)) {
			continue
		}
		out = append(out, a.stem(w))
	}
	return out
}

func isDigits(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return w != ""
}
