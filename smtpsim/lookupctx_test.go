package smtpsim

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"spflab/spf"
)

// TestLookupContext: a command's lookup context ends as
// context.WithDeadline would, whether or not a resolver asked for its
// channel before it ended, and a context derived from it ends with it; no
// timer is made until a resolver asks for the channel.
func TestLookupContext(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ttl     time.Duration
		end     func(l *lookupContext, connCancel context.CancelFunc)
		want    error
		madeBef bool // Done was asked for before the end
	}{
		{"running", time.Hour, func(*lookupContext, context.CancelFunc) {}, nil, false},
		{"running, channel made", time.Hour, func(*lookupContext, context.CancelFunc) {}, nil, true},
		{"command done", time.Hour, func(l *lookupContext, _ context.CancelFunc) { l.stop() }, context.Canceled, false},
		{"command done, channel made", time.Hour, func(l *lookupContext, _ context.CancelFunc) { l.stop() }, context.Canceled, true},
		{"connection closed", time.Hour, func(_ *lookupContext, cancel context.CancelFunc) { cancel() }, context.Canceled, false},
		{"connection closed, channel made", time.Hour, func(_ *lookupContext, cancel context.CancelFunc) { cancel() }, context.Canceled, true},
		{"deadline passed", -time.Second, func(*lookupContext, context.CancelFunc) {}, context.DeadlineExceeded, false},
		{"deadline passed, channel made", -time.Second, func(*lookupContext, context.CancelFunc) {}, context.DeadlineExceeded, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, cancel := context.WithCancel(context.Background())
			defer cancel()
			deadline := time.Now().Add(tc.ttl)
			l := &lookupContext{parent: conn, deadline: deadline}
			defer l.stop()
			var derived context.Context
			if tc.madeBef {
				var stop context.CancelFunc
				derived, stop = context.WithCancel(l)
				defer stop()
			}
			tc.end(l, cancel)
			if d, ok := l.Deadline(); !ok || !d.Equal(deadline) {
				t.Errorf("Deadline() = %v, %v; want %v, true", d, ok, deadline)
			}
			if err := l.Err(); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("Err() = %v, want %v", err, tc.want)
			}
			if derived == nil {
				if l.ctx != nil {
					t.Errorf("the timer was made though no resolver waited")
				}
				derived = l // asked for only now, after the end
			}
			select {
			case <-derived.Done():
				if tc.want == nil {
					t.Errorf("Done closed while running (Err %v)", derived.Err())
				} else if err := derived.Err(); !errors.Is(err, tc.want) {
					t.Errorf("the derived context ended with %v, want %v", err, tc.want)
				}
			case <-time.After(50 * time.Millisecond):
				if tc.want != nil {
					t.Errorf("Done not closed, want it closed with %v", tc.want)
				}
			}
		})
	}
}

// waitingZone answers as the lab zone, except that its reverse lookups
// wait for their context to end, as a resolver that got no answer does.
type waitingZone struct{ spf.Resolver }

func (z waitingZone) LookupPTR(ctx context.Context, _ netip.Addr) ([]string, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestDNSTimeout: a lookup that waits ends at Limits.DNSTimeout, told as
// a temporary failure, and the session goes on.
func TestDNSTimeout(t *testing.T) {
	const timeout = 100 * time.Millisecond
	srv, rec := startServer(t, Config{Resolver: waitingZone{testZone(t)}, Limits: Limits{DNSTimeout: timeout}})
	c := dial(t, srv)
	start := time.Now()
	send(t, c, "EHLO lab.client", want{code: 250})
	if took := time.Since(start); took < timeout || took > timeout+2*time.Second {
		t.Errorf("EHLO took %v, want about the DNS timeout %v", took, timeout)
	}
	send(t, c, "QUIT", want{code: 221})
	evs := waitEvents(t, rec, c)
	dns, helo := find(evs, EventDNS), find(evs, EventHELO)
	if len(dns) != 1 || dns[0].DNS.QType != "PTR" || dns[0].DNS.Err != spf.ErrTemporary.Error() {
		t.Fatalf("DNS events %v, want one PTR that failed temporarily", kinds(dns))
	}
	if len(helo) != 1 || !strings.Contains(helo[0].HELO.Problem, "reverse lookup failed") {
		t.Errorf("HELO event %+v, want the failed reverse lookup as its problem", helo)
	}
}
