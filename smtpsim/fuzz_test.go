package smtpsim

import (
	"bufio"
	"strings"
	"testing"
)

// FuzzParseReply checks the reply parser on any input: no panic, and a
// parsed reply written out again parses to the same reply.
func FuzzParseReply(f *testing.F) {
	for _, s := range []string{
		"220 mail.example.com ESMTP Service Ready",
		"250-Hello lab\r\n250-PIPELINING\r\n250 SIZE 1048576",
		"550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net",
		"553 5.1.8 buddy@your.friend... Domain of sender address buddy@your.friend does not exist",
		"250-2.0.0 first\n250 2.0.0 last",
		"354",
		"250-a\r\n251 b",
		"5.7.1 no code",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReply(s)
		if err != nil {
			return
		}
		if r.Code < 200 || r.Code > 559 || len(r.Lines) == 0 {
			t.Fatalf("%q parsed to %+v", s, r)
		}
		again, err := ParseReply(r.String())
		if err != nil {
			t.Fatalf("%q: %+v written as %q does not parse: %v", s, r, r.String(), err)
		}
		if again.String() != r.String() {
			t.Fatalf("%q: %q then %q", s, r.String(), again.String())
		}
		// The streaming reader agrees with ParseReply.
		streamed, err := readReply(bufio.NewReader(strings.NewReader(r.String() + "\r\n")))
		if err != nil || streamed.String() != r.String() {
			t.Fatalf("%q: readReply gives %q, %v", r.String(), streamed.String(), err)
		}
	})
}

// FuzzParseXClient checks the XCLIENT attribute parser on any input: no
// panic, refusals are one-line 501 replies, and accepted attributes
// survive Command and parsing again.
func FuzzParseXClient(f *testing.F) {
	for _, s := range []string{
		"ADDR=192.0.2.80 NAME=www.euston.net",
		"addr=IPV6:2001:db8::25 port=25 proto=ESMTP helo=mail.euston.net",
		"NAME=[UNAVAILABLE] HELO=[UNAVAILABLE]",
		"NAME=[TEMPUNAVAIL]",
		"HELO=a+20b+2Bc",
		"LOGIN=joe",
		"ADDR",
		"=",
		"HELO=+0D+0A",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := ParseXClient(s)
		if err != nil {
			xe, ok := err.(*XClientError)
			if !ok || xe.Reply.Code != 501 || len(xe.Reply.Lines) != 1 || strings.ContainsAny(xe.Reply.Lines[0], "\r\n") {
				t.Fatalf("%q: error %#v", s, err)
			}
			return
		}
		line := x.Command()
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("%q: command %q holds a line break", s, line)
		}
		again, err := ParseXClient(strings.TrimPrefix(line, "XCLIENT"))
		if err != nil || again != x {
			t.Fatalf("%q: %+v → %q → %+v, %v", s, x, line, again, err)
		}
	})
}
