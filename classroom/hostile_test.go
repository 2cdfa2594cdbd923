package classroom

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"spflab/smtpsim"
)

// Issue 11's attacks on serve's monitor and log, reproduced, with their
// bounded outcome asserted: neither ever makes a session wait, and a
// message costs the log a few lines whatever its length.

// stuckWriter is an output that takes nothing until released: a terminal
// paused with Ctrl+S, a pipe nobody reads.
type stuckWriter struct {
	release chan struct{}
	mu      sync.Mutex
	b       bytes.Buffer
}

func newStuckWriter() *stuckWriter { return &stuckWriter{release: make(chan struct{})} }

func (w *stuckWriter) Write(p []byte) (int, error) {
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *stuckWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// servedWithin plays the seed's permitted dialogue, message included, as
// a new client whose every wait is bounded by d (a safety bound: the
// outcome is that it is served at all).
func servedWithin(t *testing.T, b *Lab, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	c, err := smtpsim.Dial(ctx, b.SMTPAddr())
	if err != nil {
		t.Fatalf("a normal client: %v", err)
	}
	defer c.Close()
	c.Timeout = d
	if err := seedDialogue(c, "192.0.2.25"); err != nil {
		t.Fatalf("a normal client: %v", err)
	}
}

// flood sends the lab 20,000 pipelined NOOPs and a message of 40,000
// lines, more events than any consumer buffers.
func flood(t *testing.T, b *Lab) *smtpsim.Client {
	t.Helper()
	c, err := smtpsim.Dial(context.Background(), b.SMTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.Timeout = waitFor
	if err := c.WriteRaw([]byte(strings.Repeat("NOOP\r\n", 20000))); err != nil {
		t.Fatal(err)
	}
	for i := range 20000 {
		if r, err := c.ReadReply(); err != nil || r.Code != 250 {
			t.Fatalf("NOOP %d of the flood: %v %v", i+1, r, err)
		}
	}
	for _, l := range []string{"XCLIENT ADDR=192.0.2.25", "HELO mail.euston.net", "MAIL From:honeypot@euston.net", "RCPT To:user@example.com", "DATA"} {
		if _, err := c.Send(l); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := c.SendBody(strings.Repeat("a line of the message\r\n", 40000)); err != nil || r.Code != 250 {
		t.Fatalf("the flood's message: %v %v", r, err)
	}
	return c
}

// TestSlowConsumerDoesNotStallSessions reproduces issue 11's stall: the
// monitor (or the log's output) is behind while a client floods the lab,
// and a normal client is served all the same. Then the consumer catches
// up and is told what it missed.
func TestSlowConsumerDoesNotStallSessions(t *testing.T) {
	t.Run("monitor", func(t *testing.T) {
		feed := NewFeed() // the monitor reads nothing until the end
		defer feed.Close()
		b := startTestLab(t, "seed-spf-fail", Config{OnSMTP: feed.SMTP, OnDNS: feed.DNS})
		flooder := flood(t, b)
		if n := len(feed.SMTPEvents()); n != feedBuffer {
			t.Fatalf("%d events wait for the monitor, want the buffer full (%d)", n, feedBuffer)
		}
		servedWithin(t, b, time.Second)
		dropped, _ := feed.Dropped()
		if dropped == 0 {
			t.Fatal("no event dropped")
		}
		// The monitor catches up and reads on: in place of each session's
		// dropped events it gets one count, before that session's next
		// event, so that every dropped event is told.
		var got []smtpsim.Event
		stop, stopped := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(stopped)
			for {
				select {
				case e := <-feed.SMTPEvents():
					got = append(got, e)
				case <-stop:
					for len(feed.SMTPEvents()) > 0 {
						got = append(got, <-feed.SMTPEvents())
					}
					return
				}
			}
		}()
		servedWithin(t, b, time.Second)
		flooder.Close()
		b.Shutdown(context.Background()) // every session ends: its last event is offered
		close(stop)
		<-stopped
		told := map[uint64]int{}
		for _, e := range got {
			if e.Kind == smtpsim.EventOmitted {
				told[e.Session] += e.Omitted.Events
			}
		}
		sum := 0
		for _, n := range told {
			sum += n
		}
		// The second client may lose events too while the reader drains a
		// full buffer on a busy machine; what matters is that every drop
		// is told, the flood's and the first client's among them.
		all, _ := feed.Dropped()
		if int64(sum) != all || all < dropped || told[1] == 0 || told[2] == 0 {
			t.Errorf("the monitor was told of %v dropped events (%d in all), want all %d told, the flood's (session 1) and the first client's (session 2) among them", told, sum, all)
		}
	})
	t.Run("log", func(t *testing.T) {
		out := newStuckWriter()
		log := NewLog(out, false)
		b := startTestLab(t, "seed-spf-fail", Config{OnSMTP: log.SMTP, OnDNS: log.DNS})
		flood(t, b)
		servedWithin(t, b, time.Second)
		close(out.release) // the output takes lines again
		if err := log.Flush(); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(out.String(), " events not logged: the output fell behind\n"); n != 1 {
			t.Errorf("%d lines say that events were not logged, want 1", n)
		}
		if len(out.String()) > 2*maxBacklog {
			t.Errorf("%d bytes logged while the output was stuck, want at most %d", len(out.String()), 2*maxBacklog)
		}
	})
}

// TestLogDropsAndCounts: a log over a stuck output takes 100,000 events
// without waiting, keeps maxBacklog bytes of them, and counts the others
// in one line; every event is either written or counted.
func TestLogDropsAndCounts(t *testing.T) {
	const events = 100000
	for _, asJSON := range []bool{false, true} {
		t.Run(fmt.Sprint("json ", asJSON), func(t *testing.T) {
			out := newStuckWriter()
			l := NewLog(out, asJSON)
			returned := make(chan struct{})
			go func() {
				defer close(returned)
				for i := range events {
					l.SMTP(smtpsim.Event{Session: 1, Seq: i + 1, Kind: smtpsim.EventClientLine, Command: "NOOP", Line: "NOOP"})
				}
			}()
			select {
			case <-returned:
			case <-time.After(waitFor):
				t.Fatal("the log makes its caller wait for a stuck output")
			}
			close(out.release)
			l.Serve("stopped", State{State: "stopped"}) // never dropped
			if err := l.Flush(); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			written, dropped := 0, 0
			for _, line := range lines {
				switch {
				case strings.Contains(line, "C: NOOP"):
					written++
				case strings.Contains(line, "not logged: the output fell behind"):
					m := regexp.MustCompile(`… (\d+) events not logged`).FindStringSubmatch(line)
					if m == nil {
						t.Fatalf("count line %q", line)
					}
					n, _ := strconv.Atoi(m[1])
					dropped += n
					if asJSON {
						var e logEntry
						if err := json.Unmarshal([]byte(line), &e); err != nil || e.Source != "log" || e.Dropped != n {
							t.Errorf("count line %q: %+v %v", line, e, err)
						}
					}
				}
			}
			if written+dropped != events || dropped == 0 || !strings.Contains(lines[len(lines)-1], "stopped") {
				t.Errorf("%d events written and %d counted as dropped, want %d in all; last line %q", written, dropped, events, lines[len(lines)-1])
			}
		})
	}
}

// TestLogSummarisesMessages: the log shows the first lines of a message
// and one line for the rest, so its size does not grow with the
// messages' (the log kept every line: 333 MB for 10,000 messages).
func TestLogSummarisesMessages(t *testing.T) {
	const messages = 20
	logged := map[int]int{} // lines per message → bytes of log
	for _, lines := range []int{1000, 10000} {
		var out bytes.Buffer
		log := NewLog(&out, false)
		b := startTestLab(t, "seed-spf-fail", Config{OnSMTP: log.SMTP})
		c, err := smtpsim.Dial(context.Background(), b.SMTPAddr())
		if err != nil {
			t.Fatal(err)
		}
		c.Timeout = waitFor
		body := strings.Repeat("line of the message\r\n", lines)
		for _, l := range []string{"XCLIENT ADDR=192.0.2.25", "HELO mail.euston.net"} {
			if _, err := c.Send(l); err != nil {
				t.Fatal(err)
			}
		}
		for range messages {
			for _, l := range []string{"MAIL From:honeypot@euston.net", "RCPT To:user@example.com", "DATA"} {
				if _, err := c.Send(l); err != nil {
					t.Fatal(err)
				}
			}
			if r, err := c.SendBody(body); err != nil || r.Code != 250 {
				t.Fatalf("message: %v %v", r, err)
			}
		}
		c.Send("QUIT")
		c.Close()
		b.Shutdown(context.Background())
		if err := log.Flush(); err != nil {
			t.Fatal(err)
		}
		text := out.String()
		summary := fmt.Sprintf("… %s more lines of the message", map[int]string{1000: "980", 10000: "9,980"}[lines])
		if n := strings.Count(text, summary); n != messages {
			t.Errorf("%d lines %q, want %d", n, summary, messages)
		}
		if n := strings.Count(text, "C: line of the message"); n != messages*messageLines {
			t.Errorf("%d lines of the messages logged, want %d", n, messages*messageLines)
		}
		logged[lines] = len(text)
	}
	t.Logf("log of %d messages: %d bytes for 1,000 lines each, %d for 10,000", messages, logged[1000], logged[10000])
	// Ten times the message, the same log but for the digits of the counts.
	if d := logged[10000] - logged[1000]; d < 0 || d > 8*messages {
		t.Errorf("the log grew by %d bytes with messages ten times longer", d)
	}
}
