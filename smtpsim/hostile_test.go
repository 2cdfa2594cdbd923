package smtpsim

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Attacks on the server from a hostile client, each reproduced and its
// bounded outcome asserted: no control character echoed into a reply,
// silent connections that cannot keep a real client out, a big message
// that costs its consumers a few events.

// TestControlCharactersRefused: a command holding a bare CR, a NUL or
// another control character is refused with 501 5.5.2 naming the byte,
// never echoed into a reply (go-smtp echoed "HELO x\rMAIL" as
// "250-Hello x\rMAIL", FuzzParseReply's crasher); the session goes on.
func TestControlCharactersRefused(t *testing.T) {
	srv, rec := startServer(t, Config{})
	for _, tc := range []struct {
		name  string
		setup []string // commands sent first, as they are
		line  string
		want  string // in the refusal
	}{
		{"bare CR in HELO", nil, "HELO x\rMAIL", "bare CR at byte 7"},
		{"bare CR in EHLO", nil, "EHLO x\ry", "bare CR at byte 7"},
		{"CR before CRLF", nil, "HELO x\r", "bare CR at byte 7"},
		{"NUL in HELO", nil, "HELO a\x00b", "control character 0x00 at byte 7"},
		{"escape in HELO", nil, "HELO \x1b]52;c;aGk=\x07", "control character 0x1b at byte 6"},
		{"bare CR in MAIL", []string{"HELO lab"}, "MAIL FROM:<a\rb@euston.net>", "bare CR at byte 13"},
		{"bare CR in RCPT", []string{"HELO lab", "MAIL FROM:<a@euston.net>"}, "RCPT TO:<b\rc@example.com>", "bare CR at byte 11"},
		{"bare CR in XCLIENT", nil, "XCLIENT ADDR=192.0.2.80\rX", "bare CR at byte 24"},
		{"escape in an unknown command", nil, "WXYZ\x1b[2J", "control character 0x1b at byte 5"},
		{"DEL in NOOP", nil, "NOOP \x7f", "control character 0x7f at byte 6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, srv)
			for _, l := range tc.setup {
				if r, err := c.Send(l); err != nil || r.Code/100 != 2 {
					t.Fatalf("%s: %v %v", l, r, err)
				}
			}
			if err := c.WriteRaw([]byte(tc.line + "\r\n")); err != nil {
				t.Fatal(err)
			}
			// The raw reply: one line, no control character but its CRLF.
			c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			raw, err := c.br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if body := strings.TrimSuffix(raw, "\r\n"); strings.ContainsFunc(body, func(r rune) bool { return r < ' ' || r == 0x7f }) {
				t.Errorf("reply %q holds a control character", raw)
			}
			r, err := ParseReply(raw)
			if err != nil {
				t.Fatalf("reply %q: %v", raw, err)
			}
			want{501, "5.5.2", tc.want}.check(t, fmt.Sprintf("%q", tc.line), r)
			// Nothing happened: the session is where it was.
			send(t, c, "NOOP", ok)
			send(t, c, "QUIT", want{code: 221})
			evs := waitEvents(t, rec, c)
			if lines := find(evs, EventClientLine); len(lines) < len(tc.setup)+1 || lines[len(tc.setup)].Line != tc.line {
				t.Errorf("the refused line is not reported as received: %+v", lines)
			}
		})
	}
}

// dialFrom connects to srv from a loopback address of the test's choice
// (Linux routes all of 127.0.0.0/8 to lo) and reads the greeting.
func dialFrom(t testing.TB, srv *Server, local string) *Client {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	nc, err := d.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := &Client{conn: nc, br: bufio.NewReaderSize(nc, maxReplyLineSize+2), Timeout: 5 * time.Second}
	t.Cleanup(func() { c.Close() })
	if c.Greeting, err = c.ReadReply(); err != nil {
		t.Fatalf("greeting from %s: %v", local, err)
	}
	return c
}

// normalDialogue plays a whole transaction, every exchange within the
// one second left of its deadline (a safety bound, not a measure), and
// waits for the session's end.
func normalDialogue(t *testing.T, rec *Recorder, c *Client) {
	t.Helper()
	want{code: 220}.check(t, "greeting", c.Greeting)
	deadline := time.Now().Add(time.Second)
	for _, s := range []struct {
		line string
		code int
	}{{"EHLO client.example", 250}, {"MAIL FROM:<a@example.com>", 250}, {"RCPT TO:<b@example.com>", 250}, {"DATA", 354}} {
		c.Timeout = time.Until(deadline)
		send(t, c, s.line, want{code: s.code})
	}
	c.Timeout = time.Until(deadline)
	if r, err := c.SendBody("Subject: still served\r\n\r\nhello\r\n"); err != nil || r.Code != 250 {
		t.Fatalf("end of data: %v %v", r, err)
	}
	c.Timeout = time.Until(deadline)
	send(t, c, "QUIT", want{code: 221})
	waitEvents(t, rec, c)
}

// closedAfter reads what the server sends a connection it drops: the
// reply, then the end of the connection.
func closedAfter(t *testing.T, c *Client, w want) {
	t.Helper()
	c.Timeout = 10 * time.Second
	r, err := c.ReadReply()
	if err != nil {
		t.Fatalf("%s: no reply before the close: %v", c.LocalAddr(), err)
	}
	w.check(t, c.LocalAddr(), r)
	if _, err := c.ReadReply(); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("%s: not closed: %v", c.LocalAddr(), err)
	}
}

func lastReason(t *testing.T, rec *Recorder, c *Client) string {
	t.Helper()
	evs := waitEvents(t, rec, c)
	return evs[len(evs)-1].Reason
}

// TestSilentConnectionsMakeRoom reproduces the slowloris of issue 11: 600
// connections that say nothing, more than the 500 sessions serve allows.
// Each one past the 500th takes the place of the oldest silent one, so a
// real client is still served, at once.
func TestSilentConnectionsMakeRoom(t *testing.T) {
	const maxSessions, silent = 500, 600
	srv, rec := startServer(t, Config{Limits: Limits{MaxSessions: maxSessions, GreetingTimeout: time.Hour}})
	idle := make([]*Client, silent)
	for i := range idle {
		idle[i] = dialFrom(t, srv, fmt.Sprintf("127.0.0.%d", 2+i%30))
		want{code: 220}.check(t, fmt.Sprintf("silent connection %d", i+1), idle[i].Greeting)
	}
	normalDialogue(t, rec, dialFrom(t, srv, "127.0.0.1"))

	// The 100 oldest gave their places to the 100 newest, the next
	// oldest to the real client; the others are still there.
	dropped := silent - maxSessions + 1
	for i, c := range idle[:dropped] {
		closedAfter(t, c, want{421, "4.4.2", "Idle timeout"})
		if r := lastReason(t, rec, c); r != "dropped to make room: no command yet while all 500 sessions were taken" {
			t.Fatalf("silent connection %d closed: %s", i+1, r)
		}
	}
	for _, c := range idle[dropped:] {
		send(t, c, "NOOP", ok)
	}
	// When every session has sent a command, there is no room to make.
	send(t, dialFrom(t, srv, "127.0.0.1"), "NOOP", ok) // the 500th
	full := dialFrom(t, srv, "127.0.0.1")
	want{421, "4.3.2", "Too many sessions (500)"}.check(t, "with every session busy", full.Greeting)
}

// TestSessionsPerIP: one address cannot hold more than MaxSessionsPerIP
// sessions: 600 silent connections from 127.0.0.2 get 20 places and 580
// refusals, and a client from another address is served. Loopback is
// exempt by default (the lab's runner and load tests connect from it).
func TestSessionsPerIP(t *testing.T) {
	srv, rec := startServer(t, Config{Limits: Limits{MaxSessionsPerIP: 20, PerIPExempt: []netip.Prefix{}, GreetingTimeout: time.Hour}})
	var admitted []*Client
	for i := range 600 {
		c := dialFrom(t, srv, "127.0.0.2")
		if c.Greeting.Code == 220 {
			admitted = append(admitted, c)
			continue
		}
		want{421, "4.7.0", "Too many sessions from 127.0.0.2 (20)"}.check(t, fmt.Sprintf("connection %d", i+1), c.Greeting)
		if i == 599 {
			if r := lastReason(t, rec, c); r != "too many sessions from 127.0.0.2 (20)" {
				t.Errorf("close reason %q", r)
			}
		}
		c.Close()
	}
	if len(admitted) != 20 {
		t.Fatalf("%d connections from one address admitted, want 20", len(admitted))
	}
	normalDialogue(t, rec, dialFrom(t, srv, "127.0.0.1"))
	// One leaves: its place is free for the same address.
	send(t, admitted[0], "QUIT", want{code: 221})
	waitEvents(t, rec, admitted[0])
	want{code: 220}.check(t, "after one left", dialFrom(t, srv, "127.0.0.2").Greeting)

	// By default loopback only counts against MaxSessions.
	dflt, _ := startServer(t, Config{})
	for i := range 25 {
		want{code: 220}.check(t, fmt.Sprintf("loopback connection %d", i+1), dialFrom(t, dflt, "127.0.0.2").Greeting)
	}
}

// TestGreetingTimeout: a connection that sends no command is dropped
// after GreetingTimeout, also when bytes trickle in without a line end;
// after the first command, ReadTimeout applies.
func TestGreetingTimeout(t *testing.T) {
	const greeting = 500 * time.Millisecond
	srv, rec := startServer(t, Config{Limits: Limits{GreetingTimeout: greeting}})
	reason := "greeting timeout: the client sent no command for 500ms"

	silent := make([]*Client, 20)
	for i := range silent {
		silent[i] = dial(t, srv)
	}
	trickle := dial(t, srv)
	stop := make(chan struct{})
	go func() { // a byte every 50 ms, never a line end
		for range 200 {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := trickle.conn.Write([]byte("H")); err != nil {
				return
			}
		}
	}()
	defer close(stop)
	early := dial(t, srv)
	send(t, early, "EHLO lab", ok)
	refused := dial(t, srv)
	send(t, refused, "XCLIENT BOGUS", want{501, "5.5.4", ""}) // answered by the front

	for _, c := range append(silent, trickle) {
		closedAfter(t, c, want{421, "4.4.2", "Idle timeout"})
		if r := lastReason(t, rec, c); r != reason {
			t.Errorf("%s closed: %q, want %q", c.LocalAddr(), r, reason)
		}
	}
	// Well past the greeting deadline, the clients that spoke go on.
	time.Sleep(2 * greeting)
	send(t, early, "NOOP", ok)
	send(t, refused, "NOOP", ok)
}

// TestMessageLineEvents: past MessageLineEvents lines, the lines of a
// message are counted, not reported one by one: a 10,000-line message
// gives 20 line events, one EventOmitted and the final ".", and is stored
// whole. By default every line is reported.
func TestMessageLineEvents(t *testing.T) {
	const lines = 10000
	var body strings.Builder
	for i := range lines {
		fmt.Fprintf(&body, "line %05d of the message\r\n", i)
	}
	omittedBytes := int64(lines-20) * int64(len("line 00000 of the message\r\n"))
	for _, tc := range []struct {
		limit, reported int
		omitted         *Omitted
	}{
		{20, 20, &Omitted{Lines: lines - 20, Bytes: omittedBytes}},
		{0, lines, nil},
	} {
		t.Run(fmt.Sprint("limit ", tc.limit), func(t *testing.T) {
			srv, rec := startServer(t, Config{Limits: Limits{MessageLineEvents: tc.limit}})
			c := dial(t, srv)
			for _, l := range []string{"EHLO lab", "MAIL FROM:<a@example.com>", "RCPT TO:<b@example.com>", "DATA"} {
				if r, err := c.Send(l); err != nil || r.Code/100 > 3 {
					t.Fatalf("%s: %v %v", l, r, err)
				}
			}
			if r, err := c.SendBody(body.String()); err != nil || r.Code != 250 {
				t.Fatalf("end of data: %v %v", r, err)
			}
			send(t, c, "QUIT", want{code: 221})
			evs := waitEvents(t, rec, c)
			var data []Event
			var omitted []*Omitted
			for _, e := range evs {
				switch {
				case e.Kind == EventClientLine && e.InData:
					data = append(data, e)
				case e.Kind == EventOmitted:
					omitted = append(omitted, e.Omitted)
					if i := len(data); i != tc.limit || e.Command != "DATA" {
						t.Errorf("omitted reported after %d lines, command %s", i, e.Command)
					}
				}
			}
			if len(data) != tc.reported+1 || data[len(data)-1].Line != "." || data[tc.reported-1].Line != fmt.Sprintf("line %05d of the message", tc.reported-1) {
				t.Fatalf("%d lines of the message reported, want %d and the final \".\"", len(data), tc.reported)
			}
			switch {
			case tc.omitted == nil && len(omitted) > 0:
				t.Errorf("omitted %+v, want none", *omitted[0])
			case tc.omitted != nil && (len(omitted) != 1 || *omitted[0] != *tc.omitted):
				t.Errorf("omitted %v, want one %+v", omitted, *tc.omitted)
			}
			if m := srv.Mailbox().Messages(); len(m) != 1 || !strings.HasSuffix(string(m[0].Data), body.String()) {
				t.Errorf("the message was not stored whole")
			}
		})
	}
	// A message cut off: what was counted is reported before the close.
	srv, rec := startServer(t, Config{Limits: Limits{MessageLineEvents: 3}})
	c := dial(t, srv)
	for _, l := range []string{"EHLO lab", "MAIL FROM:<a@example.com>", "RCPT TO:<b@example.com>", "DATA"} {
		if _, err := c.Send(l); err != nil {
			t.Fatal(err)
		}
	}
	c.WriteRaw([]byte("a\r\nb\r\nc\r\nd\r\ne\r\nand no end"))
	c.Close()
	evs := waitEvents(t, rec, c)
	data := find(evs, EventClientLine)
	if o := find(evs, EventOmitted); len(o) != 1 || *o[0].Omitted != (Omitted{Lines: 3, Bytes: 6 + 10}) || o[0].Seq < data[len(data)-1].Seq {
		t.Errorf("omitted %+v after the message's last line, want one of 3 lines, 16 bytes", o)
	}
	if w := (&Event{Kind: EventOmitted, Omitted: &Omitted{Lines: 12345, Bytes: 1234567}}).String(); w != "… 12,345 more lines of the message (1.2 MB)" {
		t.Errorf("words: %q", w)
	}
}
