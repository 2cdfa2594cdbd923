package spf

import (
	"net/netip"
	"testing"
	"time"
)

// TestExpandRFCExamples checks the examples of RFC 7208 §7.4.
func TestExpandRFCExamples(t *testing.T) {
	c := &Checker{Receiver: "mx.example.org", Now: func() time.Time { return time.Unix(1700000000, 0) }}
	e := &evaluation{c: c, sender: "strong-bad@email.example.com", local: "strong-bad",
		senderDomain: "email.example.com", domain: "email.example.com", helo: "mail.example.net",
		ip: netip.MustParseAddr("192.0.2.3")}
	e6 := *e
	e6.ip = netip.MustParseAddr("2001:db8::cb01")
	tests := []struct {
		e    *evaluation
		in   string
		want string
	}{
		{e, "%{s}", "strong-bad@email.example.com"},
		{e, "%{o}", "email.example.com"},
		{e, "%{d}", "email.example.com"},
		{e, "%{d4}", "email.example.com"},
		{e, "%{d3}", "email.example.com"},
		{e, "%{d2}", "example.com"},
		{e, "%{d1}", "com"},
		{e, "%{dr}", "com.example.email"},
		{e, "%{d2r}", "example.email"},
		{e, "%{l}", "strong-bad"},
		{e, "%{l-}", "strong.bad"},
		{e, "%{lr}", "strong-bad"},
		{e, "%{lr-}", "bad.strong"},
		{e, "%{l1r-}", "strong"},
		{e, "%{d99999999999}", "email.example.com"},
		{e, "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
		{e, "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
		{e, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
		{e, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
		{e, "%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
		{&e6, "%{ir}.%{v}._spf.%{d2}", "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com"},
		{&e6, "%{c}", "2001:db8::cb01"},
		{e, "%{c} %{h} %{r} %{t}", "192.0.2.3 mail.example.net mx.example.org 1700000000"},
		{e, "%% %_%-", "%  %20"},
		{e, "%{S}", "strong-bad%40email.example.com"},
		{e, "a%{l}b", "astrong-badb"},
		{e, "%{l+-}", "strong.bad"},
		{e, "%{o2r}", "example.email"},
	}
	for _, tt := range tests {
		m, _, reason := parseMacroString(tt.in, true)
		if reason != "" {
			t.Errorf("parse %q: %s", tt.in, reason)
			continue
		}
		if got := m.expand(tt.e); got != tt.want {
			t.Errorf("expand %q = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestURLEscape(t *testing.T) {
	e := &evaluation{c: &Checker{}, local: "~jack&jill=up-a_b3.c"}
	m, _, _ := parseMacroString("l=%{L}", false)
	if got, want := m.expand(e), "l=~jack%26jill%3Dup-a_b3.c"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestExpandTruncatesLongNames(t *testing.T) {
	long := ""
	for i := 0; i < 60; i++ {
		long += "abcd."
	}
	e := &evaluation{c: &Checker{}, local: long + "x"}
	m, _, _ := parseMacroString("%{l}.example.com", false)
	got := e.expandDomain(m, "%{l}.example.com")
	if len(got) > 253 || got[len(got)-len(".example.com"):] != ".example.com" || got[0] == '.' {
		t.Errorf("got %d characters: %q", len(got), got)
	}
}
