package corpus

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// boilerplateRule is one pattern for page furniture that is never article
// text. maxWords keeps a rule from eating a real paragraph that happens to
// contain the phrase (0 means no limit).
type boilerplateRule struct {
	re       *regexp.Regexp
	maxWords int
}

// boilerplateRules returns the patterns, compiled per call site owner (the
// classifier) so the package keeps no mutable globals.
func boilerplateRules() []boilerplateRule {
	r := func(maxWords int, pattern string) boilerplateRule {
		return boilerplateRule{re: regexp.MustCompile(`(?i)` + pattern), maxWords: maxWords}
	}
	return []boilerplateRule{
		// Copyright footers: "© 2024 Cable News Network.", "Copyright 2021 …".
		r(60, `^(©|\(c\)\s*\d{4}|copyright\b)`),
		r(60, `©\s*\d{4}`),
		r(60, `\ball rights reserved\b`),
		// Video/stream promos: "WATCH WION LIVE HERE:".
		r(12, `^watch\b.*\blive\b`),
		// Credits: "CNN’s Jennifer Hansler contributed reporting."
		r(30, `\bcontributed (reporting|to this report|to this story)\b[^.]*\.?$`),
		r(40, `^(additional )?(reporting|writing|editing) by\b`),
		// Agency notes: "(With inputs from agencies)".
		r(15, `^\(?\s*with inputs from\b[^)]*\)?\.?$`),
		// Mirror-site notices and their link lists.
		r(30, `\bcan (also )?be accessed at the following\b`),
		r(30, `\balternate (addresses|domains|urls|links)\b`),
		// Navigation and calls to action.
		r(20, `^(read more|also read|read also|related( articles| stories| news| coverage| content)?|recommended( for you)?|more on this( story)?|more from \w+|trending( now)?)\s*(:|$)`),
		r(6, `^(story continues below( this)? advertisement|listen to this article|\d+\s*min(ute)?s? read|share|tweet|email)$`),
		// Datelines of the page itself: "Updated 3:04 PM ET, Wed May 24, 2023".
		r(14, `^(published|updated|last updated|posted|first published)\b[^.!?]*$`),
		r(15, `^follow (us|@)`),
		r(15, `^(subscribe|sign up) (to|for|now)\b`),
		r(15, `^click here\b`),
		r(15, `^share (this|on)\b`),
		r(3, `^advertisement$`),
		// Bylines: "By Kylie Atwood, CNN".
		bylineRule(),
		r(20, `^download (our|the)\b.*\bapp\b`),
	}
}

// bylineRule matches a short "By Jane Doe, Outlet" line; it is case-sensitive
// so that "by the way" prose is not taken for a byline.
func bylineRule() boilerplateRule {
	return boilerplateRule{re: regexp.MustCompile(`^(By|BY) \p{Lu}[^.!?]*$`), maxWords: 10}
}

// isBoilerplate reports whether a line or block is page furniture.
func isBoilerplate(rules []boilerplateRule, text string) bool {
	words := wordCount(text)
	for _, rule := range rules {
		if rule.maxWords > 0 && words > rule.maxWords {
			continue
		}
		if rule.re.MatchString(text) {
			return true
		}
	}
	return false
}

// captionRules spot photo captions and credits: "CIA Director William Burns
// (Photo by Reuters)", "Photo: AFP", "Image credit: Getty Images".
func captionRules() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`(?i)\((?:[^()]*\b)?(?:photo|photograph|image|picture|pic|file photo|credit|getty images)s?\b[^()]*\)\.?$`),
		regexp.MustCompile(`(?i)^(?:file )?(?:photo|image|picture|pictured|photograph)s?(?: credit)?\s*[:|]`),
		regexp.MustCompile(`(?i)\b(?:photo|image) (?:by|courtesy of|credit)\b[^.]*$`),
	}
}

// isCaption reports whether a short block is a photo caption or credit.
func isCaption(rules []*regexp.Regexp, text string) bool {
	if wordCount(text) > 40 {
		return false
	}
	for _, re := range rules {
		if re.MatchString(text) {
			return true
		}
	}
	return false
}

// isBreadcrumb reports a navigation trail such as "News / Afghanistan" or
// "Home > World > Asia": two to six short capitalized segments joined by a
// spaced separator, and no sentence punctuation.
func isBreadcrumb(text string) bool {
	if endsSentence(text) || wordCount(text) > 12 {
		return false
	}
	var segs []string
	for _, sep := range []string{" / ", " > ", " » ", " › ", " | "} {
		if strings.Contains(text, sep) {
			segs = strings.Split(text, sep)
			break
		}
	}
	if len(segs) < 2 || len(segs) > 6 {
		return false
	}
	for _, s := range segs {
		s = strings.TrimSpace(s)
		r, _ := utf8.DecodeRuneInString(s)
		if s == "" || wordCount(s) > 4 || !(unicode.IsUpper(r) || unicode.IsDigit(r)) {
			return false
		}
	}
	return true
}

// leadsIntoQuote reports words that end a lead-in to a quote or list rather
// than a heading ("He said:", "as follows:").
func leadsIntoQuote(word string) bool {
	switch word {
	case "said", "says", "told", "added", "wrote", "writes", "follows", "following",
		"including", "include", "includes", "is", "are", "was", "were", "stated",
		"explained", "asked", "reads", "read", "announced", "tweeted":
		return true
	}
	return false
}

// isSubheading reports a short heading line such as "Taliban rejects
// extension:": at most 8 words, capitalized, ending in a colon, with no
// sentence inside and not a lead-in to a quote.
func isSubheading(text string) bool {
	if !strings.HasSuffix(text, ":") {
		return false
	}
	body := strings.TrimSpace(strings.TrimSuffix(text, ":"))
	words := strings.Fields(body)
	if len(words) == 0 || len(words) > 8 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(body)
	if !unicode.IsUpper(r) && !unicode.IsDigit(r) {
		return false
	}
	if strings.ContainsAny(body, ".!?;“”\"") {
		return false
	}
	last := strings.ToLower(strings.TrimFunc(words[len(words)-1], func(r rune) bool { return !unicode.IsLetter(r) }))
	return !leadsIntoQuote(last)
}

// isHeadlineLike reports a block that reads as a headline: a few words with
// no sentence-final punctuation and no trailing colon.
func isHeadlineLike(text string) bool {
	n := wordCount(text)
	return n >= 2 && n <= 25 && !endsSentence(text) && !strings.HasSuffix(text, ":")
}

// isShortNonSentence reports short fragments with no sentence punctuation,
// such as the link labels listed under a mirror-site notice.
func isShortNonSentence(text string) bool {
	return wordCount(text) <= 8 && !endsSentence(text)
}
