package smtpsim

import (
	"strings"
	"testing"
	"time"
)

// TestHELOReveal checks what the server learns about the client at HELO,
// and how the Received field shows it.
func TestHELOReveal(t *testing.T) {
	clock := func() time.Time { return time.Date(2008, 1, 8, 12, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name, addr, xname, helo string
		want                    HELOCheck
		received                string
	}{
		{"the seed's lie", "192.0.2.80", "", "mail.euston.net",
			HELOCheck{PTR: []string{"www.euston.net"}, Name: "www.euston.net", Source: "dns"},
			"from mail.euston.net (www.euston.net [192.0.2.80])"},
		{"the truth", "192.0.2.25", "", "MAIL.euston.net.",
			HELOCheck{PTR: []string{"mail.euston.net"}, Name: "mail.euston.net", Source: "dns", Matches: true},
			"from MAIL.euston.net. (mail.euston.net [192.0.2.25])"},
		{"PTR not confirmed by A", "192.0.2.99", "", "liar.example",
			HELOCheck{PTR: []string{"liar.example"}, Source: "dns"},
			"from liar.example (unknown [192.0.2.99])"},
		{"no PTR", "192.0.2.7", "", "nobody.example",
			HELOCheck{Source: "dns"},
			"from nobody.example (unknown [192.0.2.7])"},
		{"PTR lookup times out", "192.0.2.98", "", "slow.example",
			HELOCheck{Source: "dns", Problem: "reverse lookup failed: timeout or server failure"},
			"from slow.example (unknown [192.0.2.98])"},
		{"XCLIENT NAME", "192.0.2.80", "gateway.example", "mail.euston.net",
			HELOCheck{Name: "gateway.example", Source: "xclient"},
			"from mail.euston.net (gateway.example [192.0.2.80])"},
		{"XCLIENT NAME=[UNAVAILABLE]", "192.0.2.80", "[UNAVAILABLE]", "mail.euston.net",
			HELOCheck{Source: "xclient", Problem: "XCLIENT NAME=[UNAVAILABLE]: the address has no name"},
			"from mail.euston.net (unknown [192.0.2.80])"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, rec := startServer(t, Config{Clock: clock, AllowUnknownSenderDomain: true, Policy: policyAcceptAll()})
			c := xclientSession(t, srv)
			send(t, c, XClient{Addr: tc.addr, Name: tc.xname}.Command(), want{code: 220})
			send(t, c, "HELO "+tc.helo, ok)
			send(t, c, "MAIL FROM:<a@plain.example>", ok)
			send(t, c, "RCPT TO:<b@example.com>", ok)
			send(t, c, "DATA", want{code: 354})
			if _, err := c.SendBody("Subject: x\n\nx\n"); err != nil {
				t.Fatal(err)
			}
			send(t, c, "QUIT", want{code: 221})
			helos := find(waitEvents(t, rec, c), EventHELO)
			got := *helos[len(helos)-1].HELO
			w := tc.want
			w.Claimed, w.IP = tc.helo, got.IP
			if got.IP.String() != tc.addr || strings.Join(got.PTR, ",") != strings.Join(w.PTR, ",") ||
				got.Name != w.Name || got.Source != w.Source || got.Matches != w.Matches || got.Problem != w.Problem || got.Claimed != w.Claimed {
				t.Fatalf("got %+v\nwant %+v", got, w)
			}
			m := srv.Mailbox().Messages()[0]
			recv := m.Fields[len(m.Fields)-1]
			if recv.Name != "Received" || !strings.HasPrefix(recv.Value, tc.received) || !strings.HasSuffix(recv.Value, "; Tue, 08 Jan 2008 12:00:00 +0000") {
				t.Fatalf("Received: %s", recv.Value)
			}
		})
	}
}

// policyAcceptAll accepts every result, for tests about something else.
func policyAcceptAll() Policy {
	p := Policy{}
	for _, r := range results {
		p[r] = Rule{Action: ActionHeader}
	}
	return p
}

func TestMailboxBounds(t *testing.T) {
	b := newMailbox(2, 100)
	put := func(size int) int {
		return b.put(&Message{ID: b.newID(), Data: make([]byte, size)})
	}
	if put(10) != 0 || put(10) != 0 {
		t.Fatal("evicted from a mailbox with room")
	}
	if n := put(10); n != 1 || b.Len() != 2 {
		t.Fatalf("third message: evicted %d, %d stored", n, b.Len())
	}
	if _, ok := b.Get(1); ok {
		t.Fatal("the oldest message is still there")
	}
	if n := put(95); n != 2 || b.Len() != 1 {
		t.Fatalf("a large message: evicted %d, %d stored", n, b.Len())
	}
	if m := b.Messages(); len(m) != 1 || m[0].ID != 4 {
		t.Fatalf("messages %+v", m)
	}
	b.Clear()
	if b.Len() != 0 {
		t.Fatal("Clear left messages")
	}
}
