package smtpsim

import (
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// The yardstick of issue 14: a bare go-smtp v0.25.1 server that accepts
// every message and does nothing else — no events, no DNS, no SPF, no
// front. spflab's server, doing all of those, is measured against it
// with the same dialogue from 50 concurrent clients.

type bareBackend struct{}

func (bareBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return bareSession{}, nil }

type bareSession struct{}

func (bareSession) Reset()                               {}
func (bareSession) Logout() error                        { return nil }
func (bareSession) Mail(string, *smtp.MailOptions) error { return nil }
func (bareSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (bareSession) Data(r io.Reader) error               { _, err := io.Copy(io.Discard, r); return err }

// startBare serves the bare go-smtp server on a loopback port.
func startBare(tb testing.TB) string {
	tb.Helper()
	s := smtp.NewServer(bareBackend{})
	s.Domain = "mail.example.com"
	s.ReadTimeout, s.WriteTimeout = time.Minute, time.Minute
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go s.Serve(l)
	tb.Cleanup(func() { s.Close() })
	return l.Addr().String()
}

// plainDialogue is the dialogue both servers can play: EHLO, MAIL, RCPT,
// DATA, QUIT (the bare server has no XCLIENT).
func plainDialogue(addr string) error {
	return dialogueOf(addr, false)
}

// rounds plays n dialogues from 50 concurrent clients against addr and
// returns the messages per second.
func rounds(tb testing.TB, addr string, n int) float64 {
	const clients = 50
	var wg sync.WaitGroup
	work := make(chan struct{})
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				if err := plainDialogue(addr); err != nil {
					tb.Error(err)
				}
			}
		}()
	}
	for range n {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	return float64(n) / time.Since(start).Seconds()
}

// BenchmarkPairedBareGoSMTP alternates spflab's server (SPF checked at
// RCPT, every event built and delivered) and the bare go-smtp server,
// 500 dialogues from 50 clients each per round, and reports the median
// of the per-round ratios spflab/bare (issue 14's target: ≥ 0.85).
//
//	go test -run XXX -bench PairedBareGoSMTP -benchtime 6x ./smtpsim
func BenchmarkPairedBareGoSMTP(b *testing.B) {
	srv, _ := benchServer(b, 200)
	spflab, bare := srv.Addr().String(), startBare(b)
	rounds(b, spflab, 100) // warm both up
	rounds(b, bare, 100)
	var ratios, ours, theirs []float64
	for i := 0; b.Loop(); i++ {
		var s, g float64
		if i%2 == 0 {
			s, g = rounds(b, spflab, 500), rounds(b, bare, 500)
		} else {
			g, s = rounds(b, bare, 500), rounds(b, spflab, 500)
		}
		ours, theirs, ratios = append(ours, s), append(theirs, g), append(ratios, s/g)
	}
	b.ReportMetric(median(ratios), "x-bare")
	b.ReportMetric(median(ours), "spflab-msgs/s")
	b.ReportMetric(median(theirs), "bare-msgs/s")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
