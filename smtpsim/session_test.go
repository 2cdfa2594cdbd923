package smtpsim

import (
	"encoding/json"
	"strings"
	"testing"

	"spflab/spf"
)

// TestSeedDialogue replays the seed's dialogues from www.euston.net
// (192.0.2.80): the lying HELO revealed by reverse DNS, the 553 for a
// sender domain that does not exist, and SPF's 550 after RCPT; and checks
// that the event stream tells the whole story.
func TestSeedDialogue(t *testing.T) {
	srv, rec := startServer(t, Config{})
	c := dial(t, srv)
	send(t, c, "EHLO lab.client", ok)
	if _, err := c.XClient("192.0.2.80", "", ""); err != nil {
		t.Fatal(err)
	}
	send(t, c, "HELO mail.euston.net", want{250, "", "Hello mail.euston.net"})
	send(t, c, "MAIL From:buddy@your.friend", want{553, "5.1.8", "buddy@your.friend... Domain of sender address buddy@your.friend does not exist"})
	send(t, c, "MAIL From:honeypot@euston.net", want{250, "", "honeypot@euston.net"})
	send(t, c, "RCPT To:user@example.com", seedFail)
	send(t, c, "RSET", ok)
	send(t, c, "MAIL From: <honeypot@euston.net>", ok)
	send(t, c, "RCPT To: <user@example.com>", seedFail)
	send(t, c, "QUIT", want{code: 221})
	evs := waitEvents(t, rec, c)

	// The reveal: said mail.euston.net, is www.euston.net.
	helos := find(evs, EventHELO)
	if len(helos) != 2 {
		t.Fatalf("%d HELO events, want 2 (EHLO, then HELO after XCLIENT)", len(helos))
	}
	h := helos[1].HELO
	if h.Claimed != "mail.euston.net" || h.Name != "www.euston.net" || h.Matches || h.Source != "dns" ||
		len(h.PTR) != 1 || h.PTR[0] != "www.euston.net" || h.IP.String() != "192.0.2.80" || helos[1].Command != "HELO" {
		t.Fatalf("HELO reveal: %+v (command %s)", h, helos[1].Command)
	}
	// The server's own lookups, attributed to their commands.
	var dns []string
	for _, e := range find(evs, EventDNS) {
		dns = append(dns, e.Command+" "+e.DNS.Purpose+" "+e.DNS.QType+" "+e.DNS.Name+" "+strings.Join(e.DNS.Answers, ",")+e.DNS.Err)
	}
	wantDNS := []string{
		"EHLO reverse PTR 127.0.0.1 no such name",
		"HELO reverse PTR 192.0.2.80 www.euston.net",
		"HELO forward A www.euston.net 192.0.2.80",
		"MAIL sender-domain MX your.friend no such name",
		"MAIL sender-domain A your.friend no such name",
		"MAIL sender-domain AAAA your.friend no such name",
		"MAIL sender-domain MX euston.net mail.euston.net",
		"MAIL sender-domain MX euston.net mail.euston.net",
	}
	if strings.Join(dns, "\n") != strings.Join(wantDNS, "\n") {
		t.Errorf("server DNS queries:\n%s\nwant:\n%s", strings.Join(dns, "\n"), strings.Join(wantDNS, "\n"))
	}
	// SPF ran once per transaction, at RCPT, and each of its events points
	// at the RCPT line that caused it.
	spfEvents := find(evs, EventSPF)
	if len(spfEvents) == 0 {
		t.Fatal("no SPF events")
	}
	for _, e := range spfEvents {
		if e.Command != "RCPT" || evs[e.Cause-1].Line != "RCPT To:user@example.com" && evs[e.Cause-1].Line != "RCPT To: <user@example.com>" {
			t.Fatalf("SPF event %d attributed to %s %q", e.Seq, e.Command, evs[e.Cause-1].Line)
		}
	}
	var last spf.Event
	for _, e := range spfEvents {
		if e.SPF.Kind == spf.EventResult && e.SPF.Depth == 0 {
			last = *e.SPF
		}
	}
	if last.Result != spf.Fail || last.Domain != "euston.net" {
		t.Errorf("last SPF result: %+v", last)
	}
	pol := find(evs, EventPolicy)
	if len(pol) != 2 || pol[0].Policy.Action != ActionReject || pol[0].Policy.At != "RCPT" || pol[0].Policy.Reply.Code != 550 {
		t.Fatalf("policy events: %+v", pol)
	}
	// Every client line and reply is there, in order.
	var story []string
	for _, e := range evs {
		switch e.Kind {
		case EventClientLine:
			story = append(story, "> "+e.Line)
		case EventReply:
			story = append(story, "< "+strings.SplitN(e.Reply.String(), "\n", 2)[0])
		}
	}
	wantStory := []string{
		"< 220 mail.example.com ESMTP Service Ready",
		"> EHLO lab.client",
		"< 250-Hello lab.client",
		"> XCLIENT ADDR=192.0.2.80",
		"< 220 mail.example.com ESMTP Service Ready",
		"> HELO mail.euston.net",
		"< 250 2.0.0 Hello mail.euston.net",
		"> MAIL From:buddy@your.friend",
		"< 553 5.1.8 buddy@your.friend... Domain of sender address buddy@your.friend does not exist",
		"> MAIL From:honeypot@euston.net",
		"< 250 2.0.0 Roger, accepting mail from <honeypot@euston.net>",
		"> RCPT To:user@example.com",
		"< 550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net",
		"> RSET",
		"< 250 2.0.0 Session reset",
		"> MAIL From: <honeypot@euston.net>",
		"< 250 2.0.0 Roger, accepting mail from <honeypot@euston.net>",
		"> RCPT To: <user@example.com>",
		"< 550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net",
		"> QUIT",
		"< 221 2.0.0 Bye",
	}
	if strings.Join(story, "\n") != strings.Join(wantStory, "\n") {
		t.Errorf("story:\n%s\nwant:\n%s", strings.Join(story, "\n"), strings.Join(wantStory, "\n"))
	}
	if r := evs[len(evs)-1].Reason; r != "QUIT" {
		t.Errorf("close reason %q", r)
	}
	x := find(evs, EventXClient)
	if len(x) != 1 || x[0].Client.String() != "192.0.2.80" || x[0].XClient.Addr != "192.0.2.80" {
		t.Errorf("XCLIENT event: %+v", x)
	}
	// The stream is JSON for the printers.
	if _, err := json.Marshal(evs); err != nil {
		t.Fatal(err)
	}
}

// TestRecorderSeparatesSessions runs sessions at once and checks that each
// client gets its own stream.
func TestRecorderSeparatesSessions(t *testing.T) {
	srv, rec := startServer(t, Config{})
	const n = 8
	clients := make([]*Client, n)
	for i := range clients {
		clients[i] = dial(t, srv)
	}
	for i, c := range clients {
		send(t, c, "HELO client"+string(rune('a'+i))+".example", ok)
	}
	for _, c := range clients {
		send(t, c, "QUIT", want{code: 221})
	}
	seen := map[uint64]bool{}
	for i, c := range clients {
		evs := waitEvents(t, rec, c)
		if seen[evs[0].Session] {
			t.Fatalf("session %d twice", evs[0].Session)
		}
		seen[evs[0].Session] = true
		lines := find(evs, EventClientLine)
		if len(lines) != 2 || lines[0].Line != "HELO client"+string(rune('a'+i))+".example" {
			t.Fatalf("client %d got lines %+v", i, lines)
		}
	}
}
