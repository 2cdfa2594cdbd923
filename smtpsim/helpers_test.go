package smtpsim

import (
	"context"
	"fmt"
	"log"
	"runtime"
	"strings"
	"testing"
	"time"

	"spflab/fakedns/zonedata"
	"spflab/spf"
)

// labZone is the seed's world with documentation addresses: mail.euston.net
// (192.0.2.25) is the permitted sender, www.euston.net (192.0.2.80) is not,
// and a domain for each SPF result.
const labZone = `
euston.net:
  - TXT: "v=spf1 ip4:192.0.2.25 -all"
  - MX: [10, mail.euston.net]
mail.euston.net:
  - A: 192.0.2.25
  - TXT: "v=spf1 ip4:192.0.2.25 -all"
www.euston.net:
  - A: 192.0.2.80
25.2.0.192.in-addr.arpa:
  - PTR: mail.euston.net
80.2.0.192.in-addr.arpa:
  - PTR: www.euston.net
example.com:
  - A: 192.0.2.10
explained.example:
  - A: 192.0.2.40
  - TXT: "v=spf1 -all exp=why.explained.example"
why.explained.example:
  - A: 192.0.2.40
  - TXT: "%{i} may not send mail for %{d}"
soft.example:
  - A: 192.0.2.40
  - TXT: "v=spf1 ~all"
neutral.example:
  - A: 192.0.2.40
  - TXT: "v=spf1 ?all"
plain.example:
  - A: 192.0.2.30
broken.example:
  - A: 192.0.2.40
  - TXT: "v=spf1 ip4:192.0.2.300 -all"
flaky.example:
  - A: 192.0.2.31
  - TIMEOUT
99.2.0.192.in-addr.arpa:
  - PTR: liar.example
liar.example:
  - A: 192.0.2.1
98.2.0.192.in-addr.arpa:
  - TIMEOUT
six.example:
  - TXT: "v=spf1 ip6:2001:db8::25 -all"
  - AAAA: 2001:db8::25
`

func testZone(t testing.TB) spf.Resolver {
	t.Helper()
	z, err := zonedata.Parse([]byte(labZone), "labZone")
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// startServer starts a server on loopback with the lab zone (unless cfg
// has a resolver) and a Recorder; it is shut down when the test ends.
func startServer(t testing.TB, cfg Config) (*Server, *Recorder) {
	t.Helper()
	if cfg.Resolver == nil {
		cfg.Resolver = testZone(t)
	}
	if cfg.ErrorLog == nil {
		cfg.ErrorLog = failLog(t)
	}
	rec := NewRecorder()
	if cfg.OnEvent == nil {
		cfg.OnEvent = rec.Record
	}
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return srv, rec
}

// failLog is an ErrorLog that fails the test: go-smtp reports there what
// went wrong inside, a recovered panic included.
func failLog(t testing.TB) *log.Logger {
	return log.New(testLogWriter{t}, "go-smtp: ", 0)
}

type testLogWriter struct{ t testing.TB }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Errorf("%s", p)
	return len(p), nil
}

func dial(t testing.TB, srv *Server) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Timeout = 5 * time.Second
	t.Cleanup(func() { c.Close() })
	return c
}

// want is an expected reply: code, enhanced code ("" for any) and a part of
// the text ("" for any).
type want struct {
	code     int
	enhanced string
	text     string
}

func (w want) String() string { return fmt.Sprintf("%d %s %q", w.code, w.enhanced, w.text) }

func (w want) check(t testing.TB, what string, r Reply) {
	t.Helper()
	if r.Code != w.code || w.enhanced != "" && r.Enhanced != w.enhanced || !strings.Contains(r.Text(), w.text) {
		t.Fatalf("%s: got %q, want %v", what, r.String(), w)
	}
}

// send sends a line and checks its reply.
func send(t testing.TB, c *Client, line string, w want) Reply {
	t.Helper()
	r, err := c.Send(line)
	if err != nil {
		t.Fatal(err)
	}
	w.check(t, line, r)
	return r
}

// waitEvents returns the events of the client's session once it closed.
func waitEvents(t testing.TB, rec *Recorder, c *Client) []Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	evs, err := rec.Wait(ctx, c.LocalAddr())
	if err != nil {
		t.Fatalf("waiting for the session of %s: %v", c.LocalAddr(), err)
	}
	checkStream(t, evs)
	return evs
}

// checkStream checks what every session's stream must be: numbered from 1
// in order, times not going back, Connect first and Close last.
func checkStream(t testing.TB, evs []Event) {
	t.Helper()
	if len(evs) < 2 || evs[0].Kind != EventConnect || evs[len(evs)-1].Kind != EventClose {
		t.Fatalf("stream does not run from connect to close: %v", kinds(evs))
	}
	for i, e := range evs {
		if e.Seq != i+1 || e.Session != evs[0].Session {
			t.Fatalf("event %d: session %d seq %d, want session %d seq %d", i, e.Session, e.Seq, evs[0].Session, i+1)
		}
		if i > 0 && e.Time.Before(evs[i-1].Time) {
			t.Fatalf("event %d goes back in time", i)
		}
		if e.Cause > e.Seq || (e.Cause > 0 && evs[e.Cause-1].Kind != EventClientLine) {
			t.Fatalf("event %d (%s): cause %d is not an earlier client line", e.Seq, e.Kind, e.Cause)
		}
	}
}

func kinds(evs []Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "%s ", e.Kind)
	}
	return b.String()
}

// find returns the events of a kind.
func find(evs []Event, k EventKind) []Event {
	var out []Event
	for _, e := range evs {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// settleGoroutines waits until the number of goroutines is back to at most
// base, and fails the test if it is not within 5 seconds.
func settleGoroutines(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines, want at most %d:\n%s", n, base, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
