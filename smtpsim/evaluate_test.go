package smtpsim

import (
	"bytes"
	"context"
	"log"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"spflab/spf"
)

// stallingZone answers as the lab zone, except that the TXT lookups of
// stall.example wait until release is closed, and those of
// panic.example panic.
type stallingZone struct {
	spf.Resolver
	stalled chan struct{} // one token per stalled lookup
	release chan struct{}
}

func (z stallingZone) LookupTXT(ctx context.Context, name string) ([]string, error) {
	switch strings.TrimSuffix(name, ".") {
	case "stall.example":
		z.stalled <- struct{}{}
		<-z.release
		return []string{"v=spf1 ?all"}, nil
	case "panic.example":
		panic("the resolver broke")
	}
	return z.Resolver.LookupTXT(ctx, name)
}

func newStallingZone(t *testing.T) stallingZone {
	return stallingZone{Resolver: testZone(t), stalled: make(chan struct{}, 64), release: make(chan struct{})}
}

// TestEvaluationWaitingForDNS: while every evaluator goroutine waits for
// a slow lookup (and more sessions than evaluators do), another session's
// SPF check is answered at once, and the waiting ones finish once the
// lookups answer.
func TestEvaluationWaitingForDNS(t *testing.T) {
	z := newStallingZone(t)
	srv, rec := startServer(t, Config{Resolver: z, AllowUnknownSenderDomain: true})
	waiting := runtime.GOMAXPROCS(0) + 1
	var wg sync.WaitGroup
	replies := make(chan Reply, waiting)
	for range waiting {
		c := dial(t, srv)
		send(t, c, "EHLO lab.client", want{code: 250})
		send(t, c, "MAIL FROM:<x@stall.example>", want{code: 250})
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := c.Send("RCPT TO:<user@example.com>")
			if err != nil {
				t.Error(err)
			}
			replies <- r
		}()
		select {
		case <-z.stalled:
		case <-time.After(5 * time.Second):
			t.Fatal("the SPF check of a stalling sender did not look its record up")
		}
	}
	c := dial(t, srv)
	send(t, c, "EHLO lab.client", want{code: 250})
	send(t, c, "MAIL FROM:<bench@neutral.example>", want{code: 250})
	start := time.Now()
	send(t, c, "RCPT TO:<user@example.com>", want{code: 250})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("RCPT took %v while other sessions waited for DNS", took)
	}
	send(t, c, "QUIT", want{code: 221})
	if evs := waitEvents(t, rec, c); len(find(evs, EventSPF)) == 0 || len(find(evs, EventPolicy)) != 1 {
		t.Errorf("events %v, want the SPF steps and one policy decision", kinds(evs))
	}
	close(z.release)
	wg.Wait()
	close(replies)
	for r := range replies {
		want{code: 250}.check(t, "RCPT after the lookup answered", r)
	}
}

// TestEvaluationPanic: a panic in an SPF evaluation, on an evaluator
// goroutine or not, is go-smtp's to recover and log, as a panic on the
// session's goroutine is; the client gets 421 and the server goes on.
func TestEvaluationPanic(t *testing.T) {
	var logged bytes.Buffer
	var mu sync.Mutex
	srv, _ := startServer(t, Config{Resolver: newStallingZone(t), AllowUnknownSenderDomain: true,
		ErrorLog: log.New(writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return logged.Write(p) }), "", 0)})
	for range 3 {
		c := dial(t, srv)
		send(t, c, "EHLO lab.client", want{code: 250})
		send(t, c, "MAIL FROM:<x@panic.example>", want{code: 250})
		send(t, c, "RCPT TO:<user@example.com>", want{code: 421})
	}
	c := dial(t, srv)
	send(t, c, "EHLO lab.client", want{code: 250})
	send(t, c, "MAIL FROM:<bench@neutral.example>", want{code: 250})
	send(t, c, "RCPT TO:<user@example.com>", want{code: 250})
	// go-smtp logs a panic after its 421 reply: wait for the third.
	var got string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		got = logged.String()
		mu.Unlock()
		if strings.Count(got, "panic serving") >= 3 || time.Now().After(deadline) {
			break
		}
	}
	if strings.Count(got, "panic serving") != 3 || !strings.Contains(got, "the resolver broke") {
		t.Errorf("ErrorLog got %q, want the three panics with their value", got)
	}
	if !strings.Contains(got, "on an SPF evaluator goroutine") {
		t.Errorf("ErrorLog got %q, want a panic raised again from an evaluator with its stack", got)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
