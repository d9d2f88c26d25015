package bot

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"citebot/retrieval"
)

var testIssued = time.Date(2024, 5, 20, 10, 0, 0, 0, time.UTC)

func testSources() []string { return []string{"CNN", "Reuters", "AP"} }

func TestInlineRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		st   inlineState
	}{
		{"ask", inlineState{Command: "ask", Query: "Where did Qatar's prime minister meet the Taliban leader?", K: retrieval.DefaultK}},
		{"search with source", inlineState{Command: "search", Query: "Kandahar talks", Source: "Reuters", K: 10, Offset: 10}},
		{"findsources", inlineState{Command: "findsources", Query: "Qatar met the Taliban", K: 3, Offset: 3}},
		{"two-byte offset", inlineState{Command: "search", Query: "q", K: 1, Offset: 128}},
		{"largest offset", inlineState{Command: "search", Query: "q", K: retrieval.MaxK, Offset: maxButtonOffset}},
		{"non-ASCII", inlineState{Command: "ask", Query: "Qu'a dit le président à Doha ? 🇶🇦", Source: "AP", K: 3}},
		{"colons and tildes", inlineState{Command: "ask", Query: "more:~x:3 vote:up:~y", K: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.st.Issued = testIssued.Add(59 * time.Second) // floored to the minute
			ref, ok := encodeInline(tt.st, testSources)
			if !ok {
				t.Fatalf("encodeInline(%+v) did not fit", tt.st)
			}
			if !strings.HasPrefix(ref, inlinePrefix) || strings.Contains(ref, ":") || len(ref) > maxInlineRef {
				t.Errorf("ref %q: want ~, no colon, at most %d bytes", ref, maxInlineRef)
			}
			got, err := decodeInline(ref, testSources, testIssued.Add(5*time.Minute), 15*time.Minute)
			if err != nil {
				t.Fatalf("decodeInline: %v", err)
			}
			want := tt.st
			want.Issued = testIssued
			if got != want {
				t.Errorf("round trip = %+v, want %+v", got, want)
			}
		})
	}
}

// The longest query that still chooses the inline form, with every field at
// its widest, must give custom_ids Discord accepts.
func TestInlineWorstCaseLength(t *testing.T) {
	far := time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC) // a wider issue-time varint
	for _, cmd := range []string{"ask", "search", "findsources"} {
		for _, unit := range []string{"x", "é", "🇶"} {
			fitted := 0
			for n := 1; n <= 100; n++ {
				st := inlineState{Command: cmd, Query: strings.Repeat(unit, n), Source: "Reuters", K: retrieval.MaxK, Offset: maxButtonOffset, Issued: far}
				ref, ok := encodeInline(st, testSources)
				if !ok {
					continue
				}
				fitted = n
				for _, b := range answerButtons(true, ref, maxButtonOffset, true)[0].(discordgo.ActionsRow).Components {
					id := b.(discordgo.Button).CustomID
					if len(id) > maxCustomID || !utf8.ValidString(id) || (id != routeShare && !strings.Contains(id, ref)) {
						t.Errorf("%s %q×%d: custom_id %q (%d bytes)", cmd, unit, n, id, len(id))
					}
				}
			}
			if fitted == 0 {
				t.Errorf("%s: no query of %q fits inline", cmd, unit)
			}
			t.Logf("%s: up to %d × %q inline in the worst case", cmd, fitted, unit)
		}
	}
}

func TestEncodeInlineRefuses(t *testing.T) {
	base := inlineState{Command: "ask", Query: "q", K: 3, Issued: testIssued}
	tests := []struct {
		name    string
		edit    func(*inlineState)
		sources []string
	}{
		{"long query", func(s *inlineState) { s.Query = strings.Repeat("word ", 20) }, nil},
		{"unknown command", func(s *inlineState) { s.Command = "quote" }, nil},
		{"k zero", func(s *inlineState) { s.K = 0 }, nil},
		{"offset too far", func(s *inlineState) { s.Offset = maxButtonOffset + 1 }, nil},
		{"unknown source", func(s *inlineState) { s.Source = "Daily Planet" }, testSources()},
		{"ambiguous source key", func(s *inlineState) { s.Source = "CNN" }, []string{"CNN", "cnn "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := base
			tt.edit(&st)
			if ref, ok := encodeInline(st, func() []string { return tt.sources }); ok {
				t.Errorf("encoded %+v as %q, want the store fallback", st, ref)
			}
		})
	}
}

// rawRef builds a token from raw bytes, as a forger would.
func rawRef(b ...byte) string { return inlinePrefix + base64.RawURLEncoding.EncodeToString(b) }

// header is a valid token head: version 1, command code, k, offset, minute.
func header(code byte, k byte, offset uint64, at time.Time) []byte {
	b := []byte{inlineVersion<<4 | code, k}
	b = binary.AppendUvarint(b, offset)
	return binary.AppendUvarint(b, uint64(at.Unix()/60))
}

func TestDecodeInlineRejects(t *testing.T) {
	now := testIssued.Add(time.Minute)
	q := []byte("Kandahar")
	valid := append(header(0, 3, 0, testIssued), q...)
	cnn := binary.BigEndian.AppendUint16(nil, sourceKey("CNN"))
	planet := binary.BigEndian.AppendUint16(nil, sourceKey("Daily Planet"))
	tests := []struct {
		name        string
		ref         string
		wantExpired bool // errExpired rather than errInvalidButton
	}{
		{"empty", "", false},
		{"prefix only", "~", false},
		{"store id", "0123456789abcdef", false},
		{"not base64", "~!!!", false},
		{"padded", rawRef(valid...) + "==", false},
		{"standard alphabet", "~EAMA+/8", false},
		{"one byte", rawRef(0x10), false},
		{"version 2", rawRef(append([]byte{0x20}, valid[1:]...)...), false},
		{"reserved bit", rawRef(append([]byte{0x18}, valid[1:]...)...), false},
		{"command code 3", rawRef(append(header(3, 3, 0, testIssued), q...)...), false},
		{"k zero", rawRef(append(header(0, 0, 0, testIssued), q...)...), false},
		{"k 26", rawRef(append(header(0, retrieval.MaxK+1, 0, testIssued), q...)...), false},
		{"offset too far", rawRef(append(header(1, 5, maxButtonOffset+1, testIssued), q...)...), false},
		{"truncated offset", rawRef(0x10, 3, 0x80), false},
		{"truncated minute", rawRef(0x10, 3, 0, 0xff, 0xff), false},
		{"from the future", rawRef(append(header(0, 3, 0, now.Add(time.Hour)), q...)...), false},
		{"no query", rawRef(header(0, 3, 0, testIssued)...), false},
		{"padded query", rawRef(append(header(0, 3, 0, testIssued), " Kandahar"...)...), false},
		{"invalid UTF-8", rawRef(append(header(0, 3, 0, testIssued), 'a', 0xff)...), false},
		{"source flag, no key", rawRef(append([]byte{0x14}, header(0, 3, 0, testIssued)[1:]...)...), false},
		{"too long", rawRef(append(header(0, 3, 0, testIssued), strings.Repeat("a", 80)...)...), false},
		{"expired", rawRef(valid...), true},
		{"unknown source", rawRef(append(append(append([]byte{0x14}, header(0, 3, 0, testIssued)[1:]...), planet...), q...)...), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := now
			if tt.name == "expired" {
				at = testIssued.Add(16 * time.Minute)
			}
			st, err := decodeInline(tt.ref, testSources, at, 15*time.Minute)
			var ue *userError
			if !errors.As(err, &ue) || ue.outcome != "expired" {
				t.Fatalf("decodeInline(%q) = %+v, %v; want a user error", tt.ref, st, err)
			}
			if gotExpired := ue.msg == errExpired().Error(); gotExpired != tt.wantExpired {
				t.Errorf("message %q, want expired=%v", ue.msg, tt.wantExpired)
			}
		})
	}
	// The same bytes with a known source key decode: the failures above are
	// the fields, not the test's construction.
	ok := rawRef(append(append(append([]byte{0x14}, header(0, 3, 0, testIssued)[1:]...), cnn...), q...)...)
	if st, err := decodeInline(ok, testSources, now, 15*time.Minute); err != nil || st.Source != "CNN" || st.Query != "Kandahar" {
		t.Errorf("control token: %+v, %v", st, err)
	}
}

func TestDecodeInlineExpiry(t *testing.T) {
	ttl := 15 * time.Minute
	ref, ok := encodeInline(inlineState{Command: "ask", Query: "q", K: 3, Issued: testIssued}, testSources)
	if !ok {
		t.Fatal("did not fit")
	}
	tests := []struct {
		after   time.Duration
		wantErr bool
	}{
		{-clockSkew, false}, // a replica whose clock runs behind
		{0, false},
		{ttl - time.Second, false},
		{ttl, false}, // floored to the minute: never expires early
		{ttl + time.Minute, true},
		{24 * time.Hour, true},
	}
	for _, tt := range tests {
		_, err := decodeInline(ref, testSources, testIssued.Add(tt.after), ttl)
		if (err != nil) != tt.wantErr {
			t.Errorf("after %v: err %v, want error %v", tt.after, err, tt.wantErr)
		}
		if err != nil && err.Error() != errExpired().Error() {
			t.Errorf("after %v: %q, want the expired message", tt.after, err)
		}
	}
}
