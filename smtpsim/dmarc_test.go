package smtpsim

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"

	"spflab/dkim"
	"spflab/dmarc"
	"spflab/fakedns"
	"spflab/fakedns/zonedata"
)

// dmarcZone: euston.net asks for reject and signs with the selector lab;
// spoofer.example passes SPF for its own envelope from 203.0.113.66; a
// domain for each other disposition, and one without a DMARC record.
const dmarcZone = `
euston.net:
  - TXT: "v=spf1 ip4:192.0.2.25 -all"
  - MX: [10, mail.euston.net]
_dmarc.euston.net:
  - TXT: "v=DMARC1; p=reject"
mail.euston.net:
  - A: 192.0.2.25
spoofer.example:
  - A: 203.0.113.66
  - TXT: "v=spf1 ip4:203.0.113.66 -all"
quarantine.example:
  - A: 192.0.2.40
_dmarc.quarantine.example:
  - TXT: "v=DMARC1; p=quarantine"
watch.example:
  - A: 192.0.2.41
_dmarc.watch.example:
  - TXT: "v=DMARC1; p=none"
plain.example:
  - A: 192.0.2.42
`

// labKey is euston.net's Ed25519 signing key, published at
// lab._domainkey.euston.net.
func labKey(t testing.TB) *dkim.Key {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{5}, ed25519.SeedSize)))
	if err != nil {
		t.Fatal(err)
	}
	k, err := dkim.ParseKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func dmarcTestZone(t testing.TB) *fakedns.Zone {
	t.Helper()
	z, err := zonedata.Parse([]byte(dmarcZone), "dmarcZone")
	if err != nil {
		t.Fatal(err)
	}
	z.AddTXT("lab._domainkey.euston.net", labKey(t).Record())
	return z
}

// TestDMARCPolicy sends one message per case, a header From of its own,
// and checks the reply after DATA, the mailbox, the header fields and the
// events of the checks.
func TestDMARCPolicy(t *testing.T) {
	tests := []struct {
		name      string
		off       bool   // Config.DMARC left off
		reject    string // Config.DMARC.RejectText
		addr      string // the client
		from      string // MAIL FROM
		header    string // the From: field's body
		sign      bool   // signed by euston.net, selector lab
		reply     want
		fields    []string // in the stored message; none when refused
		quarantin bool
		dmarc     dmarc.Result // of the dmarc-policy event; "" for none
		dkim      dkim.Result  // of the last DKIM verdict
	}{
		{name: "forged From, p=reject: 550 5.7.26 after DATA", addr: "203.0.113.66", from: "crook@spoofer.example", header: "The CEO <ceo@euston.net>",
			reply: want{550, "5.7.26", "Unauthenticated email from euston.net is not accepted due to domain's DMARC policy"}, dmarc: dmarc.Fail, dkim: dkim.None},
		{name: "the same with the server's own text", reject: "{domain} says no", addr: "203.0.113.66", from: "crook@spoofer.example", header: "ceo@euston.net",
			reply: want{550, "5.7.26", "euston.net says no"}, dmarc: dmarc.Fail, dkim: dkim.None},
		{name: "forged From, DMARC off: delivered", off: true, addr: "203.0.113.66", from: "crook@spoofer.example", header: "ceo@euston.net",
			reply: ok, fields: []string{"Authentication-Results: mail.example.com; spf=pass"}},
		{name: "p=quarantine: accepted, marked", addr: "203.0.113.66", from: "crook@spoofer.example", header: "boss@quarantine.example",
			reply: ok, quarantin: true, dmarc: dmarc.Fail, dkim: dkim.None,
			fields: []string{"X-Spflab-Quarantine: DMARC fail for quarantine.example, policy quarantine", "dmarc=fail", "policy.dmarc=quarantine"}},
		{name: "p=none: accepted", addr: "203.0.113.66", from: "crook@spoofer.example", header: "boss@watch.example",
			reply: ok, dmarc: dmarc.Fail, dkim: dkim.None, fields: []string{"dmarc=fail", "policy.dmarc=none", "dkim=none"}},
		{name: "no DMARC record: none", addr: "203.0.113.66", from: "crook@spoofer.example", header: "boss@plain.example",
			reply: ok, dmarc: dmarc.None, dkim: dkim.None, fields: []string{"dmarc=none"}},
		{name: "SPF aligned: pass", addr: "192.0.2.25", from: "news@euston.net", header: "news@euston.net",
			reply: ok, dmarc: dmarc.Pass, dkim: dkim.None, fields: []string{"spf=pass", "dmarc=pass"}},
		{name: "DKIM aligned, SPF not: pass", addr: "203.0.113.66", from: "bounce@spoofer.example", header: "news@euston.net", sign: true,
			reply: ok, dmarc: dmarc.Pass, dkim: dkim.Pass, fields: []string{"dkim=pass", "header.d=euston.net", "dmarc=pass"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Resolver: dmarcTestZone(t), DMARC: DMARCPolicy{Check: !tt.off, RejectText: tt.reject}}
			srv, rec := startServer(t, cfg)
			c := dial(t, srv)
			send(t, c, "XCLIENT ADDR="+tt.addr, want{code: 220})
			send(t, c, "EHLO client.example", ok)
			send(t, c, "MAIL FROM:<"+tt.from+">", ok)
			send(t, c, "RCPT TO:<user@example.com>", ok)
			send(t, c, "DATA", want{code: 354})
			msg := fmt.Sprintf("From: %s\nTo: user@example.com\nSubject: invoice\nDate: Tue, 8 Jan 2008 00:00:00 +0000\n\nPlease pay 1000 EUR.\n", tt.header)
			if tt.sign {
				signed, err := dkim.Sign([]byte(msg), dkim.SignOptions{Domain: "euston.net", Selector: "lab", Key: labKey(t)})
				if err != nil {
					t.Fatal(err)
				}
				msg = strings.ReplaceAll(string(signed), "\r\n", "\n")
			}
			r, err := c.SendBody(msg)
			if err != nil {
				t.Fatal(err)
			}
			tt.reply.check(t, "the message", r)
			send(t, c, "QUIT", want{code: 221})
			evs := waitEvents(t, rec, c)

			msgs := srv.Mailbox().Messages()
			if tt.reply.code != 250 {
				if len(msgs) != 0 {
					t.Errorf("a refused message was stored: %+v", msgs)
				}
			} else {
				if len(msgs) != 1 {
					t.Fatalf("%d messages stored, want 1", len(msgs))
				}
				m := msgs[0]
				if m.Quarantined != tt.quarantin {
					t.Errorf("Quarantined = %v, want %v", m.Quarantined, tt.quarantin)
				}
				var head strings.Builder
				for _, f := range m.Fields {
					fmt.Fprintf(&head, "%s: %s\n", f.Name, f.Value)
				}
				for _, f := range tt.fields {
					if !strings.Contains(head.String(), f) {
						t.Errorf("the fields lack %q:\n%s", f, head.String())
					}
				}
				if !tt.quarantin && strings.Contains(head.String(), QuarantineField) {
					t.Errorf("a message not quarantined is marked:\n%s", head.String())
				}
			}

			pol := find(evs, EventDMARCPolicy)
			if tt.off {
				if len(pol)+len(find(evs, EventDKIM))+len(find(evs, EventDMARC)) != 0 {
					t.Errorf("DMARC off, but the session has its events: %s", kinds(evs))
				}
				return
			}
			if len(pol) != 1 || pol[0].DMARCPolicy.Result != tt.dmarc {
				t.Fatalf("dmarc-policy events %+v, want one with %s", pol, tt.dmarc)
			}
			var verdict dkim.Result
			for _, e := range find(evs, EventDKIM) {
				if e.DKIM.Kind == dkim.EventVerdict {
					verdict = e.DKIM.Result
				}
			}
			if verdict != tt.dkim {
				t.Errorf("DKIM verdict %q, want %q", verdict, tt.dkim)
			}
			// The checks come after the message's last line and before the
			// reply to it: the reply's trace holds them.
			last := -1
			for i, e := range evs {
				if e.Kind == EventClientLine && e.InData && e.Line == "." {
					last = i
				}
			}
			dkimAt, policyAt, replyAt := -1, -1, -1
			for i, e := range evs[last+1:] {
				switch {
				case e.Kind == EventDKIM && dkimAt < 0:
					dkimAt = i
				case e.Kind == EventDMARCPolicy:
					policyAt = i
				case e.Kind == EventReply && replyAt < 0:
					replyAt = i
				}
			}
			if last < 0 || !(0 <= dkimAt && dkimAt < policyAt && policyAt < replyAt) {
				t.Errorf("after the message's end, DKIM at %d, the policy at %d, the reply at %d: %s", dkimAt, policyAt, replyAt, kinds(evs))
			}
		})
	}
}

// TestDMARCDecisionWords words each disposition.
func TestDMARCDecisionWords(t *testing.T) {
	tests := []struct {
		d    DMARCDecision
		want string
	}{
		{DMARCDecision{Result: dmarc.Fail, Author: "euston.net", Disposition: dmarc.PolicyReject, Reply: &Reply{Code: 550, Enhanced: "5.7.26"}},
			"policy: DMARC fail for euston.net, disposition reject → refuse (5xx) after DATA (550 5.7.26)"},
		{DMARCDecision{Result: dmarc.Fail, Author: "euston.net", Disposition: dmarc.PolicyQuarantine},
			"policy: DMARC fail for euston.net, disposition quarantine → accept into quarantine, marked X-Spflab-Quarantine"},
		{DMARCDecision{Result: dmarc.Pass, Author: "euston.net", Disposition: dmarc.PolicyNone}, "policy: DMARC pass for euston.net → accept"},
		{DMARCDecision{Result: dmarc.PermError, Disposition: dmarc.PolicyNone, Problem: "no From: field"}, "policy: DMARC permerror → accept: no From: field"},
	}
	for _, tt := range tests {
		e := Event{Kind: EventDMARCPolicy, DMARCPolicy: &tt.d}
		if got := e.String(); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}
