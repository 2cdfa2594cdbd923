package smtpsim

import (
	"bufio"
	"log"
	"strings"
	"sync"
	"testing"
	"time"
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

// FuzzFront sends any bytes to a real server of each personality: the
// front and go-smtp must neither panic nor stall, every session's event
// stream must run in order from connect to close, every reply must parse
// back to itself, one line long but for EHLO's, and the server must go on
// serving.
func FuzzFront(f *testing.F) {
	for _, s := range []string{
		"EHLO lab\r\nXCLIENT ADDR=192.0.2.80\r\nHELO mail.euston.net\r\nMAIL FROM:<honeypot@euston.net>\r\nRCPT TO:<user@example.com>\r\n",
		"EHLO lab\r\nXCLIENT ADDR=192.0.2.25\r\nEHLO x\r\nMAIL FROM:<a@euston.net>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nXCLIENT ADDR=192.0.2.80\r\n.\r\nQUIT\r\n",
		"EHLO lab\r\nMAIL FROM:<a@euston.net>\r\nRCPT TO:<b@example.com>\r\nBDAT 9 LAST\r\nXCLIENT\r\n\r\nNOOP\r\n",
		"BDAT 5\r\nXCLIENT ADDR=1.2.3.4\r\n",
		"XCLIENT ADDR=[UNAVAILABLE]\r\nXCLIENT NAME=+0D+0A\r\nXCLIENT\r\n",
		"\x00\xff\r\n\r\n.\r\n\n\n",
		"DATA\r\nRSET\r\nHELO\r\nEHLO \r\n",
		"HELO x\r\nMAIL From:buddy@your.friend\r\nMAIL From:  <a@flaky.example> SIZE=9\r\nRCPT To:<>\r\nNOOP\r\nRSET\r\nQUIT\r\n",
	} {
		f.Add([]byte(s))
	}
	var errs syncBuffer // what go-smtp reports, a recovered panic included
	type lab struct {
		srv *Server
		rec *Recorder // one per server: session numbers count per server
	}
	var labs []lab
	for _, p := range Personalities() {
		rec := NewRecorder()
		srv, err := NewServer(Config{Resolver: testZone(f), OnEvent: rec.Record, Personality: p,
			Limits: Limits{ReadTimeout: time.Second, DNSTimeout: time.Second}, ErrorLog: log.New(&errs, "", 0)})
		if err != nil {
			f.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			f.Fatal(err)
		}
		defer srv.Close()
		labs = append(labs, lab{srv, rec})
	}
	f.Fuzz(func(t *testing.T, input []byte) {
		for _, l := range labs {
			srv, rec := l.srv, l.rec
			c := dial(t, srv)
			c.WriteRaw(input)
			c.Close()
			evs := waitEvents(t, rec, c)
			rec.Forget(evs[0].Session)
			for _, e := range find(evs, EventReply) {
				again, err := ParseReply(e.Reply.String())
				if err != nil || again.String() != e.Reply.String() {
					t.Fatalf("%s: reply %q reads back as %q, %v", srv.cfg.Personality, e.Reply.String(), again.String(), err)
				}
				if len(e.Reply.Lines) > 1 && e.Command != "EHLO" {
					t.Fatalf("%s: reply to %s on %d lines: %q", srv.cfg.Personality, e.Command, len(e.Reply.Lines), e.Reply.String())
				}
			}
			probe := dial(t, srv)
			send(t, probe, "NOOP", want{code: 250})
			probe.Close()
			rec.Forget(waitEvents(t, rec, probe)[0].Session)
			if msg := errs.String(); msg != "" {
				t.Fatalf("go-smtp reported: %s", msg)
			}
		}
	})
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
