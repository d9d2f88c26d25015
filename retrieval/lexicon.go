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

// synonymGroups are sets of words a question and a news sentence use
// interchangeably. Each group is one sense; a word may sit in several.
var synonymGroups = [][]string{
	// meeting and talking
	{"meet", "meeting", "talks", "visit", "sit", "encounter", "summit"},
	{"talk", "discuss", "discussion", "conversation", "negotiate", "negotiation", "talks"},
	{"say", "tell", "state", "claim", "announce", "declare", "remark", "comment"},
	{"ask", "request", "demand", "urge"},
	{"answer", "reply", "respond", "response"},
	{"report", "story", "article", "coverage"},
	{"reveal", "disclose", "report", "leak"},
	{"newspaper", "paper", "outlet", "publication", "media", "broadcaster", "network", "agency"},
	{"journalist", "reporter", "correspondent"},
	{"spokesman", "spokeswoman", "spokesperson"},
	// power, conflict, taking
	{"take", "seize", "capture", "conquer", "overrun", "siege", "fall", "takeover", "control"},
	{"attack", "assault", "strike", "raid", "bombing", "blast"},
	{"kill", "slay", "assassinate", "death", "dead", "die"},
	{"fight", "battle", "clash", "combat", "gunfire", "war", "conflict"},
	{"arrest", "detain", "capture", "custody", "imprison"},
	{"jail", "prison", "detention", "custody", "imprison"},
	{"soldier", "troop", "force", "military", "army"},
	{"fighter", "militant", "insurgent", "rebel", "combatant"},
	{"leader", "chief", "head", "boss", "ruler", "commander"},
	{"found", "establish", "start", "create", "begin", "founding", "founder", "origin"},
	{"end", "stop", "finish", "conclude", "halt"},
	{"ban", "prohibit", "forbid", "restriction", "bar"},
	{"rule", "govern", "power", "authority", "regime", "government"},
	// movement
	{"leave", "depart", "exit", "withdraw", "withdrawal", "pullout", "flee", "evacuate", "evacuation"},
	{"flee", "escape", "run"},
	{"evacuate", "evacuation", "airlift", "fly", "rescue"},
	{"arrive", "reach", "enter", "come"},
	{"trip", "visit", "journey", "travel", "tour"},
	{"move", "relocate", "transfer", "shift"},
	{"return", "back", "comeback"},
	// places and things
	{"house", "home", "residence", "compound", "dwelling"},
	{"live", "reside", "residence", "stay", "hide", "shelter"},
	{"hide", "hiding", "conceal", "shelter"},
	{"embassy", "mission", "consulate", "diplomatic"},
	{"close", "shut", "shutter", "closure"},
	{"open", "reopen", "opening"},
	{"country", "nation"},
	{"airport", "airfield", "airlift"},
	{"resident", "local", "civilian", "citizen"},
	{"kid", "child", "children", "son", "daughter"},
	{"job", "work", "employment", "employ", "career"},
	{"school", "education", "study", "class"},
	{"woman", "women", "girl", "female"},
	{"money", "fund", "funding", "cash", "payment", "aid"},
	{"cost", "price", "expense", "spend", "fee"},
	{"salary", "pay", "wage", "income", "earn"},
	{"deal", "agreement", "accord", "pact", "treaty"},
	{"deadline", "cutoff", "date", "limit"},
	{"extend", "extension", "prolong", "delay", "postpone"},
	{"plan", "strategy", "contingency", "scheme"},
	{"backup", "contingency", "fallback", "alternative"},
	{"help", "assist", "assistance", "aid", "support"},
	{"problem", "issue", "trouble", "difficulty"},
	{"role", "job", "position", "post", "function"},
	{"goal", "aim", "purpose", "objective", "intent"},
	{"reason", "cause", "motive"},
	{"danger", "threat", "risk", "menace"},
	{"safe", "secure", "security", "safety"},
	{"secret", "covert", "clandestine", "undisclosed", "private", "privately"},
	{"public", "publicly", "open", "openly"},
	{"spy", "intelligence", "espionage"},
	{"terrorism", "terrorist", "terror", "counterterrorism"},
	{"isolation", "isolate", "isolated", "recognition"},
	// states of mind and judgement
	{"afraid", "fear", "worry", "worried", "concern", "concerned", "anxious", "scared"},
	{"angry", "anger", "condemn", "furious", "outrage"},
	{"happy", "pleased", "welcome", "glad"},
	{"thank", "appreciate", "appreciation", "grateful", "gratitude"},
	{"decide", "decision", "choose", "resolve"},
	{"refuse", "reject", "decline", "deny"},
	{"allow", "let", "permit", "permission"},
	{"want", "wish", "seek", "desire"},
	{"believe", "think", "consider", "view"},
	{"warn", "warning", "caution", "alert"},
	{"weak", "feckless", "ineffective", "struggle", "struggling", "powerless"},
	{"strong", "powerful", "significant", "influence", "influential"},
	{"hungry", "hunger", "famine", "starvation", "starve", "malnutrition"},
	{"poor", "poverty", "destitute"},
	{"repressive", "oppressive", "repression", "oppression", "harsh"},
	{"right", "freedom", "liberty"},
	{"chaos", "chaotic", "turmoil", "disorder", "mayhem"},
	{"violence", "violent", "unrest"},
	{"big", "large", "major", "huge"},
	{"small", "minor", "little"},
	{"first", "initial", "earliest", "debut"},
	{"last", "final", "latest"},
	{"former", "previous", "ex", "past"},
	{"friend", "ally", "associate", "companion"},
	{"aide", "assistant", "adviser", "advisor", "deputy"},
	{"enemy", "foe", "opponent", "adversary"},
	{"cooperate", "cooperation", "collaborate", "collaboration", "partner", "partnership"},
	{"inform", "brief", "notify", "tell"},
	{"learn", "discover", "find", "brief"},
	{"focus", "emphasis", "centre", "center", "concentrate"},
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
