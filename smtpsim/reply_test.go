package smtpsim

import (
	"bufio"
	"strings"
	"testing"
)

func TestParseReply(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Reply
		err  string
	}{
		{"220 mail.example.com ESMTP Service Ready", Reply{Code: 220, Lines: []string{"mail.example.com ESMTP Service Ready"}}, ""},
		{"250-Hello lab\r\n250-PIPELINING\r\n250 SIZE 1048576\r\n", Reply{Code: 250, Lines: []string{"Hello lab", "PIPELINING", "SIZE 1048576"}}, ""},
		{"550 5.7.23 SPF test returned fail", Reply{Code: 550, Enhanced: "5.7.23", Lines: []string{"SPF test returned fail"}}, ""},
		{"451-4.4.3 one\n451 4.4.3 two", Reply{Code: 451, Enhanced: "4.4.3", Lines: []string{"4.4.3 one", "two"}}, ""}, // the lines before the last keep their code: a reply reads back as sent
		{"250 5.0.0 class differs", Reply{Code: 250, Lines: []string{"5.0.0 class differs"}}, ""},
		{"250 2.1234.0 too long a subject", Reply{Code: 250, Lines: []string{"2.1234.0 too long a subject"}}, ""},
		{"354", Reply{Code: 354, Lines: []string{""}}, ""},
		{"25 short", Reply{}, "does not begin with a three-digit code"},
		{"650 no such class", Reply{}, "outside 200-559"},
		{"250_x", Reply{}, `expected " " or "-" after the code`},
		{"250-a\r\n251 b", Reply{}, "reply line 2 \"251 b\": code 251 differs from 250"},
		{"250-a", Reply{}, "ends with a continuation line"},
		{"250 a\r\n250 b", Reply{}, "a final line (code and space) before the end"},
		// A bare CR inside a line (FuzzParseReply: the server echoed
		// "HELO x\r" into "250-Hello x\r").
		{"250-Hello x\r\r\n250 PIPELINING", Reply{}, "reply line 1 \"250-Hello x\\r\": bare CR at byte 12"},
		{"250 Hello x\rMAIL", Reply{}, "bare CR at byte 12"},
		{"250-2.0.0 2.0.0\n250", Reply{Code: 250, Lines: []string{"2.0.0 2.0.0", ""}}, ""}, // the last line has no enhanced code: the reply has none
	} {
		got, err := ParseReply(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got.Code != tc.want.Code || got.Enhanced != tc.want.Enhanced || strings.Join(got.Lines, "|") != strings.Join(tc.want.Lines, "|") {
			t.Errorf("%q: %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// TestReplyRoundTrip: a reply written by String parses back to itself,
// by ParseReply and by the streaming reader, also when a line's text
// begins like an enhanced code (FuzzParseReply's "250-2.0.0 2.0.0").
func TestReplyRoundTrip(t *testing.T) {
	for _, r := range []Reply{
		{Code: 250, Enhanced: "2.0.0", Lines: []string{"2.0.0", ""}},
		{Code: 250, Enhanced: "2.1.0", Lines: []string{"2.0.0 x", "y"}},
		{Code: 451, Enhanced: "4.4.3", Lines: []string{"one", "two"}},
		{Code: 250, Lines: []string{"Hello lab", "PIPELINING"}},
	} {
		for name, parse := range map[string]func(string) (Reply, error){
			"ParseReply": ParseReply,
			"readReply":  func(s string) (Reply, error) { return readReply(bufio.NewReader(strings.NewReader(s + "\r\n"))) },
		} {
			got, err := parse(r.String())
			if err != nil || got.Enhanced != r.Enhanced || strings.Join(got.Lines, "|") != strings.Join(r.Lines, "|") {
				t.Errorf("%s(%q) = %+v, %v; want %+v", name, r.String(), got, err, r)
			}
		}
	}
}

func TestClientRefusesLineBreaks(t *testing.T) {
	srv, _ := startServer(t, Config{})
	c := dial(t, srv)
	if _, err := c.Send("NOOP\r\nQUIT"); err == nil || !strings.Contains(err.Error(), "line break") {
		t.Fatalf("Send with a line break: %v", err)
	}
	send(t, c, "NOOP", ok) // nothing was sent
}
