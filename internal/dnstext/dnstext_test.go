package dnstext

import (
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	for in, want := range map[string]string{
		"plain":              "plain",
		`a\"b\\c`:            `a"b\c`,
		`\065\066C`:          "ABC",
		`\0651`:              "A1",
		`\12x`:               "12x", // not three digits: \1 is "1"
		`space\032name`:      "space name",
		`\255\000`:           "\xff\x00",
		`dangling\`:          "dangling",
		`v=spf1 \195\175 -a`: "v=spf1 \xc3\xaf -a",
	} {
		if got := Decode(in); got != want {
			t.Errorf("Decode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ got, want string }{
		{EscapeName("mail.euston.net"), "mail.euston.net"},
		{EscapeName("a b\\c\"d(e);f@g$h.example"), `a\032b\\c\"d\(e\)\;f\@g\$h.example`},
		{EscapeName("\x1b[2J.example"), `\027[2J.example`},
		{Printable("v=spf1 -all"), "v=spf1 -all"},
		{Printable("a \x1b]0;t\x07 \xc2\x85\x7f"), `a \027]0;t\007 \194\133\127`},
		{strings.Join(SplitTXT("say \"hi\" \\ \x00"), "|"), `say \"hi\" \\ \000`},
		{strings.Join(SplitTXT(""), "|"), ""},
		{strings.Join(SplitTXT(strings.Repeat("a", 256)), "|"), strings.Repeat("a", 255) + "|a"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: %q, want %q", i, tt.got, tt.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Printable("nothing to escape") }); n != 0 {
		t.Errorf("Printable allocates %v times for printable text", n)
	}
}

// FuzzRoundTrip: escaping and decoding give back the octets, the pieces of
// SplitTXT are at most 255 octets once decoded, and Printable leaves
// nothing a terminal obeys.
func FuzzRoundTrip(f *testing.F) {
	f.Add("v=spf1 ip4:192.0.2.25 -all")
	f.Add("a\\\"b\x1b\xff\x00 ")
	f.Fuzz(func(t *testing.T, raw string) {
		if got := Decode(EscapeName(raw)); got != raw {
			t.Fatalf("Decode(EscapeName(%q)) = %q", raw, got)
		}
		strs := SplitTXT(raw)
		for _, s := range strs {
			if n := len(Decode(s)); n > 255 {
				t.Fatalf("a character-string of %d octets", n)
			}
		}
		if got := JoinTXT(strs); got != raw {
			t.Fatalf("JoinTXT(SplitTXT(%q)) = %q", raw, got)
		}
		p := Printable(raw)
		if i := strings.IndexFunc(p, func(c rune) bool { return c < ' ' || c > '~' }); i >= 0 {
			t.Fatalf("Printable(%q) = %q: %q at %d", raw, p, p[i], i)
		}
		if Decode(strings.ReplaceAll(raw, `\`, `\\`)) != raw {
			t.Fatalf("a backslash does not escape itself in %q", raw)
		}
	})
}
