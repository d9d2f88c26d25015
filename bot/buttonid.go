package bot

import (
	"encoding/base64"
	"encoding/binary"
	"hash/fnv"
	"strings"
	"time"
	"unicode/utf8"

	"citebot/retrieval"
)

// Inline button state lets More and 👍/👎 work on any HTTP replica: instead
// of a StateStore id, the custom_id carries the query itself, so the replica
// a click lands on needs no shared store. The reference after the route is
//
//	~<base64url, no padding, of:>
//	  byte 0    version (high nibble, 1) | has-source (bit 2) | command (bits 0-1)
//	  byte 1    k
//	  uvarint   offset of the page the buttons sit on
//	  uvarint   issue time, minutes since the Unix epoch (expiry survives replicas)
//	  2 bytes   source key (fnv-1a of the lower-cased publisher, folded), if has-source
//	  rest      the query, UTF-8
//
// A StateStore id never starts with "~", so both forms share the custom_id
// shapes more:<ref>:<offset> and vote:up|down:<ref>.
//
// Discord returns a custom_id as sent, but nothing signs the id itself: ids
// outlive versions and corpus updates, and without DISCORD_PUBLIC_KEY anyone
// can post an interaction. decodeInline therefore treats the token as
// untrusted input: every field is range-checked, and the most a forged id
// can cause is a search the user could have typed (clicks are rate-limited
// like commands).
const (
	inlinePrefix  = "~"
	inlineVersion = 1
	// maxButtonOffset bounds the offset a button may ask for; retrieval ranks
	// at most 1000 candidates, so nothing lies beyond it.
	maxButtonOffset = 1000
	// maxInlineRef is the longest "~token" that keeps both
	// "vote:down:<ref>" and "more:<ref>:<maxButtonOffset>" within
	// Discord's 100 characters.
	maxInlineRef = maxCustomID - len("more::1000")
	// clockSkew tolerates replicas whose clocks run slightly apart.
	clockSkew = 2 * time.Minute
)

// inlineState is the part of ButtonState a custom_id can carry, plus the
// page it sits on and when the answer was given.
type inlineState struct {
	Command string
	Query   string
	// Source is the publisher filter in the corpus's spelling; "" is every
	// source.
	Source string
	K      int
	Offset int
	// Issued is when the answer was first given, at minute precision; a
	// button expires ttl after it whichever replica decodes it.
	Issued time.Time
}

// encodeInline returns st as a "~token" reference, or ok=false when it does
// not fit in a custom_id (a long query) or cannot be encoded unambiguously
// (an unknown command, or a source whose key another publisher shares): the
// caller then falls back to the StateStore. sources lists the publishers; it
// is called only when st has one (listing them walks the corpus).
func encodeInline(st inlineState, sources func() []string) (ref string, ok bool) {
	code, known := commandCode(st.Command)
	if !known || st.K < 1 || st.K > retrieval.MaxK || st.Offset < 0 || st.Offset > maxButtonOffset || st.Issued.Unix() < 0 {
		return "", false
	}
	b := make([]byte, 0, 64)
	head := byte(inlineVersion<<4) | code
	if st.Source != "" {
		head |= 1 << 2
	}
	b = append(b, head, byte(st.K))
	b = binary.AppendUvarint(b, uint64(st.Offset))
	b = binary.AppendUvarint(b, uint64(st.Issued.Unix()/60))
	if st.Source != "" {
		key := sourceKey(st.Source)
		if n := len(sourcesWithKey(sources(), key)); n != 1 {
			return "", false
		}
		b = binary.BigEndian.AppendUint16(b, key)
	}
	b = append(b, st.Query...)
	ref = inlinePrefix + base64.RawURLEncoding.EncodeToString(b)
	if len(ref) > maxInlineRef {
		return "", false
	}
	return ref, true
}

// isInlineRef reports whether a custom_id reference is inline state rather
// than a StateStore id.
func isInlineRef(ref string) bool { return strings.HasPrefix(ref, inlinePrefix) }

// decodeInline parses and validates a "~token" reference against the current
// publishers (sources is called only for a token with a source) and clock. A malformed or out-of-range token yields
// errInvalidButton, a well-formed one older than ttl errExpired; both are
// user errors, shown as a private reply.
func decodeInline(ref string, sources func() []string, now time.Time, ttl time.Duration) (inlineState, error) {
	if !isInlineRef(ref) || len(ref) > maxInlineRef {
		return inlineState{}, errInvalidButton()
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(ref[len(inlinePrefix):])
	if err != nil || len(b) < 2 {
		return inlineState{}, errInvalidButton()
	}
	head, k := b[0], int(b[1])
	b = b[2:]
	cmd := commandName(head & 3)
	if head>>4 != inlineVersion || head&0x08 != 0 || cmd == "" || k < 1 || k > retrieval.MaxK {
		return inlineState{}, errInvalidButton()
	}
	st := inlineState{Command: cmd, K: k}
	offset, n := binary.Uvarint(b)
	if n <= 0 || offset > maxButtonOffset {
		return inlineState{}, errInvalidButton()
	}
	st.Offset, b = int(offset), b[n:]
	minute, n := binary.Uvarint(b)
	if n <= 0 || minute > uint64(now.Add(clockSkew).Unix()/60) {
		// From the future: not an id this deployment issued.
		return inlineState{}, errInvalidButton()
	}
	st.Issued, b = time.Unix(int64(minute)*60, 0).UTC(), b[n:]
	if head&(1<<2) != 0 {
		if len(b) < 2 {
			return inlineState{}, errInvalidButton()
		}
		match := sourcesWithKey(sources(), binary.BigEndian.Uint16(b))
		if len(match) != 1 {
			// The publisher left the corpus (or never was in it): the
			// answer cannot be reproduced.
			return inlineState{}, errExpired()
		}
		st.Source, b = match[0], b[2:]
	}
	q := string(b)
	if q == "" || !utf8.ValidString(q) || strings.TrimSpace(q) != q || runeLen(q) > maxQuestionRunes {
		return inlineState{}, errInvalidButton()
	}
	st.Query = q
	// Issued is floored to the minute, so a button lives between ttl and
	// ttl plus a minute: never less than promised.
	if !now.Before(st.Issued.Add(ttl + time.Minute)) {
		return inlineState{}, errExpired()
	}
	return st, nil
}

// query is the search that reproduces the page the buttons sit on.
func (st inlineState) query() retrieval.Query {
	return retrieval.Query{Text: st.Query, K: st.K, Offset: st.Offset, Source: st.Source}
}

// commandCode and commandName map the answer kinds a button may re-run to
// their 2-bit code and back; anything else is not a button's.
func commandCode(cmd string) (code byte, ok bool) {
	switch cmd {
	case "ask":
		return 0, true
	case "search":
		return 1, true
	case "findsources":
		return 2, true
	}
	return 0, false
}

func commandName(code byte) string {
	switch code {
	case 0:
		return "ask"
	case 1:
		return "search"
	case 2:
		return "findsources"
	}
	return ""
}

// sourceKey is a publisher's 16-bit short form: two bytes instead of its
// name, resolved against the corpus when decoded. Retrieval filters
// publishers case-insensitively, so the key is too.
func sourceKey(src string) uint16 {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(strings.TrimSpace(src))))
	s := h.Sum32()
	return uint16(s>>16) ^ uint16(s)
}

// sourcesWithKey returns the publishers whose short form is key.
func sourcesWithKey(sources []string, key uint16) []string {
	var out []string
	for _, s := range sources {
		if sourceKey(s) == key {
			out = append(out, s)
		}
	}
	return out
}

// errInvalidButton is what a custom_id that citebot cannot read says: an id
// from an older version, or one that was never ours.
func errInvalidButton() error {
	return &userError{msg: "This button is expired or invalid. Run the command again for fresh results.", outcome: "expired"}
}
