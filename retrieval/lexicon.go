package retrieval

import "strings"

// A small general English lexicon. The stemmer joins "meeting" and "meets"
// but not "met" and "meet", and no stemmer knows that a "jail" is a
// "prison"; users paraphrase, news text does not use their words. Nothing
// here is about any corpus: it is the irregular verbs of English and
// synonym groups of everyday question vocabulary, the kind any thesaurus
// lists.

// irregularVerbs maps past tenses and participles to the base form.
// Applied to passages and queries alike, so "met" and "meeting" match.
// Forms that are as often other words ("found" as in "to found") are left
// out.
var irregularVerbs = func() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(`arise arose arisen|awake awoke awoken|bear bore borne|
		beat beaten|become became|begin began begun|bend bent|bet|bind bound|bite bit bitten|bleed bled|
		blow blew blown|break broke broken|breed bred|bring brought|build built|burn burnt|buy bought|
		catch caught|choose chose chosen|cling clung|come came|creep crept|deal dealt|dig dug|
		draw drew drawn|drink drank drunk|drive drove driven|eat ate eaten|fall fell fallen|feed fed|
		fight fought|find found|flee fled|fly flew flown|forbid forbade forbidden|forget forgot forgotten|
		forgive forgave forgiven|freeze froze frozen|get got gotten|give gave given|go went gone|
		grind ground|grow grew grown|hang hung|have had|hear heard|hide hid hidden|hold held|hurt|
		keep kept|kneel knelt|know knew known|lay laid|lead led|leave left|lend lent|let|lie lay lain|
		lose lost|make made|mean meant|meet met|mistake mistook mistaken|overcome overcame|
		overrun overran|overtake overtook overtaken|overthrow overthrew overthrown|pay paid|prove proven|
		put|quit|read|rid|ride rode ridden|ring rang rung|rise rose risen|run ran|say said|see saw seen|
		seek sought|sell sold|send sent|set|shake shook shaken|shoot shot|show shown|shut|sing sang sung|
		sink sank sunk|sit sat|sleep slept|slide slid|speak spoke spoken|spend spent|split|spread|
		stand stood|steal stole stolen|stick stuck|sting stung|strike struck stricken|strive strove striven|
		swear swore sworn|sweep swept|swim swam swum|swing swung|take took taken|teach taught|
		tear tore torn|tell told|think thought|throw threw thrown|understand understood|
		undertake undertook undertaken|uphold upheld|upset|wake woke woken|wear wore worn|weep wept|
		win won|withdraw withdrew withdrawn|withhold withheld|write wrote written`, "|") {
		f := strings.Fields(line)
		for _, form := range f[1:] {
			m[form] = f[0]
		}
	}
	// Ambiguous forms: another word at least as often as a verb form
	// ("found" a party, "bound", "ground", "lay" opinion).
	for _, w := range []string{"found", "lay", "bound", "ground", "bit"} {
		delete(m, w)
	}
	return m
}()

// synonymGroups are sets of words English uses interchangeably in one
// sense, the kind any thesaurus lists under one head word. Each group is
// one sense; a word may sit in several. Groups that only held in the
// bundled articles ("feckless" for "weak", "recognition" for "isolation",
// "sit" for "meet", "fall" for "take") were removed when the eval showed
// them fitted to those articles' question sets (README: quality).
var synonymGroups = [][]string{
	{"talk", "discuss", "discussion", "conversation", "negotiate", "negotiation", "talks"},
	{"say", "tell", "state", "claim", "announce", "declare", "remark", "comment"},
	{"ask", "request", "demand", "urge"},
	{"answer", "reply", "respond", "response"},
	{"journalist", "reporter", "correspondent"},
	{"spokesman", "spokeswoman", "spokesperson"},
	{"attack", "assault", "strike", "raid"},
	{"kill", "slay", "assassinate"},
	{"fight", "battle", "clash", "combat"},
	{"arrest", "detain", "imprison"},
	{"jail", "prison", "imprison"},
	{"soldier", "troop"},
	{"fighter", "militant", "insurgent", "rebel", "combatant"},
	{"leader", "chief", "head", "ruler"},
	{"found", "establish", "create", "founder"},
	{"start", "begin"},
	{"end", "stop", "finish", "conclude", "halt"},
	{"ban", "prohibit", "forbid"},
	{"rule", "govern"},
	{"leave", "depart", "exit", "withdraw", "withdrawal"},
	{"flee", "escape"},
	{"arrive", "reach", "enter"},
	{"trip", "journey", "travel", "tour"},
	{"move", "relocate", "transfer"},
	{"house", "home", "residence", "dwelling"},
	{"live", "reside"},
	{"hide", "conceal"},
	{"close", "shut", "closure"},
	{"open", "reopen", "opening"},
	{"country", "nation"},
	{"resident", "citizen", "inhabitant"},
	{"child", "children", "kid"},
	{"job", "work", "employment", "career"},
	{"woman", "women", "female"},
	{"man", "men", "male"},
	{"money", "fund", "funding", "cash"},
	{"cost", "price", "expense"},
	{"salary", "pay", "wage", "income", "earn"},
	{"deal", "agreement", "accord", "pact", "treaty"},
	{"extend", "extension", "prolong"},
	{"delay", "postpone"},
	{"plan", "strategy", "scheme"},
	{"help", "assist", "assistance", "aid", "support"},
	{"problem", "issue", "trouble", "difficulty"},
	{"role", "position", "post", "function"},
	{"goal", "aim", "purpose", "objective", "intent"},
	{"reason", "cause", "motive"},
	{"danger", "threat", "risk"},
	{"safe", "secure", "security", "safety"},
	{"secret", "covert", "clandestine"},
	{"afraid", "fear", "worry", "worried", "concern", "concerned", "anxious", "scared"},
	{"angry", "anger", "furious", "outrage"},
	{"happy", "pleased", "glad"},
	{"decide", "decision", "choose"},
	{"refuse", "reject", "decline", "deny"},
	{"allow", "let", "permit", "permission"},
	{"want", "wish", "desire"},
	{"believe", "think", "consider"},
	{"warn", "warning", "caution"},
	{"strong", "powerful"},
	{"weak", "feeble"},
	{"hungry", "hunger", "starvation", "starve"},
	{"poor", "poverty"},
	{"freedom", "liberty"},
	{"violence", "violent"},
	{"big", "large", "huge"},
	{"small", "little", "tiny"},
	{"first", "initial", "earliest"},
	{"last", "final", "latest"},
	{"former", "previous"},
	{"friend", "ally", "companion"},
	{"aide", "assistant", "adviser", "advisor"},
	{"enemy", "foe", "opponent", "adversary"},
	{"cooperate", "cooperation", "collaborate", "collaboration"},
	{"learn", "discover"},
	{"build", "construct", "construction"},
	{"buy", "purchase"},
	{"sell", "sale"},
	{"use", "employ", "utilize"},
	{"show", "demonstrate", "prove"},
	{"change", "alter", "modify"},
	{"increase", "rise", "grow", "growth"},
	{"decrease", "decline", "fall", "drop", "reduce"},
	{"win", "victory", "defeat"},
	{"city", "town"},
	{"king", "monarch"},
	{"name", "call"},
}

// synonymIndex maps a stem to the stems of its synonyms (over every group
// the word is in), built once per analyzer.
type synonymIndex map[string][]string

// newSynonymIndex stems the groups with stem (which must be the analyzer's
// own, so both sides of a match agree) and drops self-references.
func newSynonymIndex(stem func(string) string) synonymIndex {
	idx := synonymIndex{}
	for _, g := range synonymGroups {
		stems := make([]string, 0, len(g))
		for _, w := range g {
			stems = append(stems, stem(w))
		}
		for _, a := range stems {
			for _, b := range stems {
				if a != b && !containsString(idx[a], b) {
					idx[a] = append(idx[a], b)
				}
			}
		}
	}
	return idx
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// baseForm returns the base form of an irregular verb form, or w.
func baseForm(w string) string {
	if b, ok := irregularVerbs[w]; ok {
		return b
	}
	return w
}
