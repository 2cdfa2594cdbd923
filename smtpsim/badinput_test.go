package smtpsim

import (
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// step is one move of a client in a bad-input case: bytes to send, the
// replies expected, and whether the server then closes the connection.
type step struct {
	raw     string
	replies []want
	closed  bool
	pause   time.Duration // wait before reading (a stalling client)
}

func TestBadInput(t *testing.T) {
	base := runtime.NumGoroutine()
	long := strings.Repeat("x", 3000)
	for _, tc := range []struct {
		name   string
		limits Limits
		steps  []step
	}{
		{"overlong command", Limits{}, []step{
			{raw: "EHLO lab\r\n", replies: []want{ok}},
			{raw: "NOOP " + long + "\r\n", replies: []want{{500, "5.4.0", "Too long line"}}, closed: true},
		}},
		{"line without end, larger than any buffer", Limits{}, []step{
			{raw: strings.Repeat("y", 20000), replies: []want{{500, "5.4.0", "Too long line"}}, closed: true},
		}},
		{"overlong line in a message", Limits{}, []step{
			{raw: "EHLO lab\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n", replies: []want{ok, ok, ok, {code: 354}}},
			{raw: "Subject: x\r\n\r\n" + long + "\r\n.\r\n", replies: []want{{500, "5.4.0", "Too long line"}}, closed: true},
		}},
		{"unknown and mangled commands", Limits{}, []step{
			{raw: "EHLO lab\r\n", replies: []want{ok}},
			{raw: "WXYZ\r\n", replies: []want{{500, "5.5.2", "WXYZ command unrecognized"}}},
			{raw: "FOO\r\n", replies: []want{{501, "5.5.2", "Bad command"}}},
			{raw: "NOOP\r\n", replies: []want{ok}},
		}},
		{"commands out of order", Limits{}, []step{
			{raw: "MAIL FROM:<a@example.com>\r\n", replies: []want{{502, "5.5.1", "Please introduce yourself first"}}},
			{raw: "HELO\r\n", replies: []want{{501, "5.5.2", "Domain/address argument required"}}},
			{raw: "HELO lab\r\n", replies: []want{ok}},
			{raw: "RCPT TO:<b@example.com>\r\n", replies: []want{{502, "5.5.1", "Missing MAIL FROM"}}},
			{raw: "DATA\r\n", replies: []want{{502, "5.5.1", "Missing RCPT TO"}}},
			{raw: "MAIL FROM:a@example.com\r\n", replies: []want{ok}},
			{raw: "MAIL TO:<b@example.com>\r\n", replies: []want{{501, "5.5.2", "FROM:<address>"}}},
		}},
		{"message over the size limit", Limits{MaxMessageBytes: 1024}, []step{
			{raw: "EHLO lab\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n", replies: []want{ok, ok, ok, {code: 354}}},
			{raw: "Subject: big\r\n\r\n" + strings.Repeat("0123456789\r\n", 400) + ".\r\n", replies: []want{{552, "5.3.4", "Maximum message size exceeded"}}},
			{raw: "NOOP\r\n", replies: []want{ok}},
		}},
		{"SIZE over the limit at MAIL", Limits{MaxMessageBytes: 1024}, []step{
			{raw: "EHLO lab\r\nMAIL FROM:<a@example.com> SIZE=5000\r\n", replies: []want{ok, {552, "5.3.4", "Max message size exceeded"}}},
		}},
		{"too many recipients", Limits{MaxRecipients: 2}, []step{
			{raw: "EHLO lab\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nRCPT TO:<c@example.com>\r\nRCPT TO:<d@example.com>\r\n",
				replies: []want{ok, ok, ok, ok, {452, "4.5.3", "Maximum limit of 2 recipients"}}},
		}},
		{"stalling client", Limits{ReadTimeout: 150 * time.Millisecond}, []step{
			{pause: 300 * time.Millisecond, replies: []want{{421, "4.4.2", "Idle timeout"}}, closed: true},
		}},
		{"client stalling mid-line", Limits{ReadTimeout: 150 * time.Millisecond}, []step{
			{raw: "EHLO lab\r\nMAIL FR", replies: []want{ok, {421, "4.4.2", "Idle timeout"}}, closed: true},
		}},
		{"client stalling in a message", Limits{ReadTimeout: 150 * time.Millisecond}, []step{
			{raw: "EHLO lab\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nSubject: x\r\n", replies: []want{ok, ok, ok, {code: 354}, {code: 554}, {421, "4.4.2", "Idle timeout"}}, closed: true},
		}},
		{"garbage bytes", Limits{}, []step{
			{raw: "\x00\xff\xfe\x01garbage\r\n", replies: []want{{501, "5.5.2", "control character 0x00 at byte 1"}}},
			{raw: "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\x80\x81\r\n", replies: []want{{code: 501}, {code: 501}}},
			// The front's refusals are not go-smtp's errors: two more
			// of those before go-smtp gives up.
			{raw: "\xc3\x28 \xa0\xa1\r\n\x80\x81\r\n\x80\x82\r\n", replies: []want{{code: 501}, {code: 501}, {code: 501}, {500, "5.5.1", "Too many errors"}}, closed: true},
		}},
		{"bare line feeds", Limits{}, []step{
			{raw: "HELO lab\nMAIL FROM:<a@example.com>\nQUIT\n", replies: []want{ok, ok, {code: 221}}, closed: true},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, rec := startServer(t, Config{Limits: tc.limits})
			c := dial(t, srv)
			for i, s := range tc.steps {
				if s.raw != "" {
					if err := c.WriteRaw([]byte(s.raw)); err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
				}
				time.Sleep(s.pause)
				for _, w := range s.replies {
					r, err := c.ReadReply()
					if err != nil {
						t.Fatalf("step %d: reading reply %v: %v", i, w, err)
					}
					w.check(t, "step "+string(rune('0'+i)), r)
				}
				if s.closed {
					// The server may close with unread input: a reset.
					if r, err := c.ReadReply(); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
						t.Fatalf("step %d: connection not closed: %v %v", i, r, err)
					}
				}
			}
			c.Close()
			waitEvents(t, rec, c)
			// The server keeps serving.
			c2 := dial(t, srv)
			send(t, c2, "EHLO lab", ok)
			send(t, c2, "QUIT", want{code: 221})
		})
	}
	settleGoroutines(t, base)
}

func TestMaxSessions(t *testing.T) {
	srv, rec := startServer(t, Config{Limits: Limits{MaxSessions: 2}})
	a, b := dial(t, srv), dial(t, srv)
	send(t, a, "NOOP", ok) // both sent a command: neither gives its place away
	send(t, b, "NOOP", ok)
	c := dial(t, srv)
	want{421, "4.3.2", "Too many sessions (2)"}.check(t, "third greeting", c.Greeting)
	if _, err := c.ReadReply(); !errors.Is(err, io.EOF) {
		t.Fatalf("third connection not closed: %v", err)
	}
	if evs := waitEvents(t, rec, c); evs[len(evs)-1].Reason != "too many sessions" {
		t.Errorf("close reason %q", evs[len(evs)-1].Reason)
	}
	send(t, a, "QUIT", want{code: 221})
	waitEvents(t, rec, a)
	d := dial(t, srv)
	want{code: 220}.check(t, "after one left", d.Greeting)
	send(t, b, "NOOP", ok)
}

func TestShutdownWaitsForSessions(t *testing.T) {
	base := runtime.NumGoroutine()
	srv, err := NewServer(Config{Resolver: testZone(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	c := dial(t, srv)
	send(t, c, "EHLO lab", ok)
	send(t, c, "MAIL FROM:<a@example.com>", ok)
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(context.Background()) }()
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v while a session was open", err)
	default:
	}
	send(t, c, "RCPT TO:<b@example.com>", ok) // the session goes on
	send(t, c, "QUIT", want{code: 221})
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := srv.Shutdown(context.Background()); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("second Shutdown: %v", err)
	}
	if err := srv.Start(); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Start after Shutdown: %v", err)
	}
	settleGoroutines(t, base)
}

func TestShutdownClosesIdleSessions(t *testing.T) {
	base := runtime.NumGoroutine()
	rec := NewRecorder()
	srv, err := NewServer(Config{Resolver: testZone(t), OnEvent: rec.Record})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	c := dial(t, srv)
	send(t, c, "EHLO lab", ok)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown: %v, want deadline exceeded", err)
	}
	if _, err := c.Send("NOOP"); err == nil {
		t.Fatal("session still open after Shutdown")
	}
	if evs := waitEvents(t, rec, c); evs[len(evs)-1].Reason != "server shut down" {
		t.Errorf("close reason %q", evs[len(evs)-1].Reason)
	}
	settleGoroutines(t, base)
}

func TestSeveralServers(t *testing.T) {
	a, _ := startServer(t, Config{Hostname: "mx1.example.net"})
	b, _ := startServer(t, Config{Hostname: "mx2.example.net", CheckAt: CheckAtMAIL})
	ca, cb := dial(t, a), dial(t, b)
	want{220, "", "mx1.example.net"}.check(t, "a", ca.Greeting)
	want{220, "", "mx2.example.net"}.check(t, "b", cb.Greeting)
	for _, c := range []*Client{ca, cb} {
		send(t, c, "EHLO lab", ok)
		send(t, c, "XCLIENT ADDR=192.0.2.80", want{code: 220})
		send(t, c, "EHLO mail.euston.net", ok)
	}
	send(t, ca, "MAIL FROM:<honeypot@euston.net>", ok)
	send(t, cb, "MAIL FROM:<honeypot@euston.net>", seedFail)
}
