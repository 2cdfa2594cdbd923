package smtpsim

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

func TestParseXClient(t *testing.T) {
	for _, tc := range []struct {
		args string
		want XClient
		err  string
	}{
		{"ADDR=192.0.2.80 NAME=www.euston.net", XClient{Addr: "192.0.2.80", Name: "www.euston.net"}, ""},
		{"addr=192.0.2.80 name=www.euston.net helo=mail.euston.net proto=esmtp port=4242", XClient{Addr: "192.0.2.80", Name: "www.euston.net", HELO: "mail.euston.net", Proto: "esmtp", Port: "4242"}, ""},
		{"ADDR=IPV6:2001:db8::25", XClient{Addr: "IPV6:2001:db8::25"}, ""},
		{"NAME=[UNAVAILABLE] HELO=[UNAVAILABLE]", XClient{Name: "[UNAVAILABLE]", HELO: "[UNAVAILABLE]"}, ""},
		{"NAME=[TEMPUNAVAIL]", XClient{Name: "[TEMPUNAVAIL]"}, ""},
		{"HELO=odd+20name+2Bplus", XClient{HELO: "odd name+plus"}, ""},
		{"", XClient{}, "501 5.5.4 Syntax: XCLIENT attribute=value..."},
		{"ADDR", XClient{}, `501 5.5.4 Bad XCLIENT syntax: "ADDR" is not attribute=value`},
		{"=x", XClient{}, `is not attribute=value`},
		{"LOGIN=joe", XClient{}, "501 5.5.4 Bad XCLIENT attribute name: LOGIN"},
		{"ADDR=999.0.2.80", XClient{}, "501 5.5.4 Bad XCLIENT ADDR syntax: 999.0.2.80"},
		{"ADDR=2001:db8::1", XClient{}, "Bad XCLIENT ADDR syntax: 2001:db8::1"},
		{"ADDR=IPV6:192.0.2.1", XClient{}, "Bad XCLIENT ADDR syntax"},
		{"ADDR=fe80::1%eth0", XClient{}, "Bad XCLIENT ADDR syntax"},
		{"NAME=bad..name", XClient{}, "Bad XCLIENT NAME syntax: bad..name"},
		{"NAME=", XClient{}, "Bad XCLIENT NAME syntax"},
		{"PORT=65536", XClient{}, "Bad XCLIENT PORT syntax: 65536"},
		{"PORT=-1", XClient{}, "Bad XCLIENT PORT syntax"},
		{"PROTO=LMTP", XClient{}, "Bad XCLIENT PROTO syntax: LMTP"},
		{"HELO=", XClient{}, "Bad XCLIENT HELO syntax"},
		{"NAME=a+2", XClient{}, `Bad XCLIENT NAME value: "+" at 2 is not followed by two upper-case hex digits`},
		{"NAME=a+2f", XClient{}, "not followed by two upper-case hex digits"},
		{"HELO=a+0D+0Ab", XClient{HELO: "a\r\nb"}, ""},
	} {
		got, err := ParseXClient(tc.args)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v, %v; want %+v", tc.args, got, err, tc.want)
			continue
		}
		// The command the client builds parses back to the same.
		again, err := ParseXClient(strings.TrimPrefix(got.Command(), "XCLIENT "))
		if err != nil || again != got {
			t.Errorf("%q: round trip %q gives %+v, %v", tc.args, got.Command(), again, err)
		}
	}
}

// xclientSession opens a session, says EHLO and returns the client.
func xclientSession(t *testing.T, srv *Server) *Client {
	c := dial(t, srv)
	send(t, c, "EHLO lab.client", ok)
	return c
}

func TestXClientRestartsSession(t *testing.T) {
	srv, rec := startServer(t, Config{})
	c := dial(t, srv)
	// Before any EHLO (allowed), then twice in a session, then NAME alone.
	send(t, c, "XCLIENT ADDR=192.0.2.80 PORT=2525", want{220, "", "mail.example.com ESMTP Service Ready"})
	send(t, c, "MAIL FROM:<honeypot@euston.net>", want{502, "5.5.1", "Please introduce yourself first"}) // a new session wants HELO
	send(t, c, "EHLO www.euston.net", ok)
	send(t, c, "MAIL FROM:<honeypot@euston.net>", ok)
	send(t, c, "XCLIENT ADDR=192.0.2.25", want{503, "5.5.1", "Error: MAIL transaction in progress"})
	send(t, c, "RSET", ok)
	send(t, c, "xclient addr=192.0.2.25", want{code: 220})
	send(t, c, "XCLIENT NAME=relay.example.org", want{code: 220})
	send(t, c, "HELO mail.euston.net", ok)
	send(t, c, "MAIL FROM:<honeypot@euston.net>", ok)
	send(t, c, "RCPT TO:<user@example.com>", ok) // 192.0.2.25 is permitted
	send(t, c, "QUIT", want{code: 221})
	evs := waitEvents(t, rec, c)
	xs := find(evs, EventXClient)
	if len(xs) != 3 {
		t.Fatalf("%d XCLIENT events, want 3", len(xs))
	}
	for i, want := range []string{"192.0.2.80", "192.0.2.25", "192.0.2.25"} {
		if xs[i].Client.String() != want {
			t.Errorf("XCLIENT %d: client %s, want %s", i, xs[i].Client, want)
		}
	}
	helos := find(evs, EventHELO)
	last := helos[len(helos)-1].HELO
	if last.Source != "xclient" || last.Name != "relay.example.org" || last.IP.String() != "192.0.2.25" {
		t.Errorf("after XCLIENT NAME: %+v", last)
	}
	// Each accepted XCLIENT is answered by the next incarnation's greeting.
	for _, x := range xs {
		next := evs[x.Seq] // the event after
		if next.Kind != EventReply || next.Reply.Code != 220 || next.Cause != x.Cause {
			t.Errorf("after XCLIENT event %d: %+v", x.Seq, next)
		}
	}
}

func TestXClientUntrusted(t *testing.T) {
	srv, rec := startServer(t, Config{XClientTrusted: []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24")}})
	c := dial(t, srv)
	r := send(t, c, "EHLO lab.client", ok)
	if strings.Contains(r.Text(), "XCLIENT") {
		t.Fatalf("XCLIENT advertised to an untrusted client: %q", r)
	}
	send(t, c, "XCLIENT ADDR=192.0.2.25", want{550, "5.7.0", "Error: insufficient authorization"})
	// The session goes on, as the loopback client it is.
	send(t, c, "MAIL FROM:<honeypot@euston.net>", ok)
	send(t, c, "RCPT TO:<user@example.com>", want{550, "5.7.23", "fail for 127.0.0.1"})
	send(t, c, "QUIT", want{code: 221})
	if evs := waitEvents(t, rec, c); len(find(evs, EventXClient)) != 0 {
		t.Fatal("an XCLIENT event for a refused XCLIENT")
	}
}

func TestXClientErrorsKeepSession(t *testing.T) {
	srv, _ := startServer(t, Config{})
	c := xclientSession(t, srv)
	for _, tc := range []struct {
		line string
		want want
	}{
		{"XCLIENT", want{501, "5.5.4", "Syntax: XCLIENT attribute=value..."}},
		{"XCLIENT LOGIN=joe", want{501, "5.5.4", "Bad XCLIENT attribute name: LOGIN"}},
		{"XCLIENT ADDR=not-an-address", want{501, "5.5.4", "Bad XCLIENT ADDR syntax"}},
		{"XCLIENT ADDR=[UNAVAILABLE]", want{501, "5.5.4", "the lab needs a client address"}},
		{"XCLIENT HELO=a+0D+0AMAIL", want{code: 220}}, // a CR LF in a value is data, not a command
	} {
		send(t, c, tc.line, tc.want)
	}
	send(t, c, "NOOP", ok)
}

// TestXClientPipelined sends XCLIENT and the commands after it in one
// write: the front must not let go-smtp read past XCLIENT.
func TestXClientPipelined(t *testing.T) {
	srv, _ := startServer(t, Config{})
	c := xclientSession(t, srv)
	if err := c.WriteRaw([]byte("XCLIENT ADDR=192.0.2.80\r\nHELO mail.euston.net\r\nMAIL FROM:<honeypot@euston.net>\r\nRCPT TO:<user@example.com>\r\n")); err != nil {
		t.Fatal(err)
	}
	for _, w := range []want{{code: 220}, {code: 250}, {code: 250}, seedFail} {
		r, err := c.ReadReply()
		if err != nil {
			t.Fatal(err)
		}
		w.check(t, "pipelined", r)
	}
}

// TestXClientInsideMessage checks that XCLIENT in a message (after DATA,
// and in a BDAT chunk) is message text, not a command.
func TestXClientInsideMessage(t *testing.T) {
	srv, rec := startServer(t, Config{})
	c := xclientSession(t, srv)
	send(t, c, "XCLIENT ADDR=192.0.2.25", want{code: 220})
	send(t, c, "EHLO mail.euston.net", ok)
	send(t, c, "MAIL FROM:<honeypot@euston.net>", ok)
	send(t, c, "RCPT TO:<user@example.com>", ok)
	send(t, c, "DATA", want{code: 354})
	if _, err := c.SendBody("Subject: one\n\nXCLIENT ADDR=192.0.2.80\n.\n..leading dot\n"); err != nil {
		t.Fatal(err)
	}
	chunk := "Subject: two\r\n\r\nXCLIENT ADDR=192.0.2.80\r\n.\r\n"
	send(t, c, "MAIL FROM:<honeypot@euston.net>", ok)
	send(t, c, "RCPT TO:<user@example.com>", ok)
	if err := c.WriteRaw([]byte("BDAT " + strconv.Itoa(len(chunk)) + " LAST\r\n" + chunk)); err != nil {
		t.Fatal(err)
	}
	r, err := c.ReadReply()
	if err != nil {
		t.Fatal(err)
	}
	ok.check(t, "BDAT", r)
	send(t, c, "QUIT", want{code: 221})
	evs := waitEvents(t, rec, c)
	if n := len(find(evs, EventXClient)); n != 1 {
		t.Fatalf("%d XCLIENT events, want 1", n)
	}
	msgs := srv.Mailbox().Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	if !strings.HasSuffix(string(msgs[0].Data), "\r\n\r\nXCLIENT ADDR=192.0.2.80\r\n.\r\n..leading dot\r\n") {
		t.Errorf("message one: %q", msgs[0].Data)
	}
	if !strings.HasSuffix(string(msgs[1].Data), chunk) || msgs[1].ClientIP.String() != "192.0.2.25" {
		t.Errorf("message two from %s: %q", msgs[1].ClientIP, msgs[1].Data)
	}
	var inData int
	for _, e := range find(evs, EventClientLine) {
		if e.InData {
			inData++
		}
	}
	if inData != 6 { // four lines of message one, its ".", and none for the BDAT chunk
		t.Errorf("%d client lines in DATA, want 6", inData)
	}
}
