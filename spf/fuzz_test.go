package spf

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// FuzzParse checks that any text parses to terms that point into it, or to
// a *SyntaxError whose column is inside it; never a panic.
func FuzzParse(f *testing.F) {
	f.Add("v=spf1 ip4:192.0.2.0/24 -all")
	f.Add("v=spf1 a:%{d}/24//64 mx include:_spf.example.com exists:%{ir}.%{l1r-}.x.example ~all redirect=x.example exp=e.%{d}")
	f.Fuzz(func(t *testing.T, text string) {
		rec, err := Parse(text)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): %v is not a *SyntaxError", text, err)
			}
			if se.Column < 1 || se.Column > len(text)+1 {
				t.Fatalf("Parse(%q): column %d outside the record", text, se.Column)
			}
			return
		}
		for _, term := range rec.Terms {
			if term.Column < 1 || !strings.HasPrefix(text[term.Column-1:], term.Text) {
				t.Fatalf("Parse(%q): term %q does not sit at column %d", text, term.Text, term.Column)
			}
		}
	})
}

// FuzzExpand checks that any macro-string either fails to parse with an
// offset inside it or expands without a panic to bounded output.
func FuzzExpand(f *testing.F) {
	f.Add("%{ir}.%{v}._spf.%{d2}", false)
	f.Add("%{L}-%% %_ %- %{c} %{t}", true)
	f.Fuzz(func(t *testing.T, s string, exp bool) {
		m, off, reason := parseMacroString(s, exp)
		if reason != "" {
			if off < 0 || off > len(s) {
				t.Fatalf("parseMacroString(%q): offset %d outside", s, off)
			}
			return
		}
		e := &evaluation{c: &Checker{}, sender: "a.b-c@example.com", local: "a.b-c", senderDomain: "example.com",
			domain: "example.com", helo: "h.example.net", ip: netip.MustParseAddr("2001:db8::1"), hasValidated: true, validated: "unknown"}
		out := m.expand(e)
		if len(out) > 200*(len(s)+1) {
			t.Fatalf("expand(%q) gave %d bytes", s, len(out))
		}
	})
}
