package scenarios

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"spflab/dkim"
	"spflab/smtpsim"
)

// dmarcFile is a lesson of the forged header From, a signed message and
// two changed in transit, against a server that checks DMARC.
const dmarcFile = `scenarios:
  - id: signed
    title: t
    summary: s
    client: 192.0.2.25
    server: {dmarc: true}
    zones:
      euston.net:
        - TXT: "v=spf1 ip4:192.0.2.25 -all"
        - A: 192.0.2.25
      _dmarc.euston.net:
        - TXT: "v=DMARC1; p=reject"
      spoofer.example:
        - A: 203.0.113.66
        - TXT: "v=spf1 ip4:192.0.2.25 -all"
    dkim:
      - {domain: euston.net, selector: lab, seed: "euston.net lab key"}
    dialogue:
      - send: HELO mail.euston.net
      - send: MAIL FROM:<news@euston.net>
      - send: RCPT TO:<user@example.com>
      - send: DATA
      - sign: euston.net
        data: &invoice |
          From: news@euston.net
          To: user@example.com
          Subject: invoice

          Please pay 1000 EUR.
        expect: {code: 250, dkim: pass, dmarc: pass, header: "Authentication-Results: dkim=pass"}
      - send: MAIL FROM:<news@euston.net>
      - send: RCPT TO:<user@example.com>
      - send: DATA
      - sign: euston.net
        tamper: body
        data: *invoice
        expect: {code: 250, dkim: fail, dmarc: pass}
      - send: MAIL FROM:<news@euston.net>
      - send: RCPT TO:<user@example.com>
      - send: DATA
      - sign: [euston.net]
        tamper: subject
        data: *invoice
        expect: {code: 250, dkim: [fail]}
      - send: MAIL FROM:<crook@spoofer.example>
      - send: RCPT TO:<user@example.com>
      - send: DATA
      - data: |
          From: ceo@euston.net

          Pay.
        expect: {code: 550, enhanced: 5.7.26, dkim: none, dmarc: fail, text: "Unauthenticated email from euston.net"}
`

// TestSignedLesson runs a lesson whose messages the lab signs and changes
// in transit: the key published in the zone, the notes that say what
// changed, and every dkim: and dmarc: expectation met.
func TestSignedLesson(t *testing.T) {
	f, err := Parse([]byte(dmarcFile), "dmarc.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := f.Lookup("signed")
	if got := sc.Zone.TXT("lab._domainkey.euston.net"); len(got) != 1 || got[0] != sc.Signers[0].Key.Record() || !strings.HasPrefix(got[0], "v=DKIM1; k=ed25519; p=") {
		t.Errorf("the key record in the zone: %q", got)
	}
	// A seed makes the same key on every load.
	g, err := Parse([]byte(dmarcFile), "dmarc.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := sc.Signers[0].Key.Record(), g.Lookup("signed").Signers[0].Key.Record(); a != b {
		t.Errorf("two loads, two keys: %q, %q", a, b)
	}
	tampered := sc.Dialogue[8]
	if !strings.Contains(tampered.Wire, "Please pay 2000 EUR.") || !strings.HasPrefix(tampered.Wire, "DKIM-Signature: ") ||
		tampered.Tampered != `in transit, one byte of the body changed after signing: "Please pay 1000 EUR." became "Please pay 2000 EUR."` {
		t.Errorf("tamper: body: %q\n%s", tampered.Tampered, tampered.Wire)
	}
	if w := sc.Dialogue[12].Wire; !strings.Contains(w, "\nSubject: [list] invoice\n") {
		t.Errorf("tamper: subject:\n%s", w)
	}

	tr, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	checks := 0
	for _, c := range tr.Checks() {
		checks++
		if !c.OK {
			t.Errorf("%s", c)
		}
	}
	if checks != 14 {
		t.Errorf("%d expectations checked, want 14", checks)
	}
	var notes []string
	for _, e := range tr.Events() {
		if e.Kind == EventNote {
			notes = append(notes, e.Text)
		}
	}
	want := "the lab signed the message: d=euston.net, selector lab, Ed25519 key; the public half is at lab._domainkey.euston.net"
	if len(notes) != 5 || notes[0] != want || notes[2] != tampered.Tampered {
		t.Errorf("notes:\n%s", strings.Join(notes, "\n"))
	}
}

// TestSignedLessonErrors: the dkim:, sign:, tamper: and dkim:/dmarc:
// expectation keys, each wrong.
func TestSignedLessonErrors(t *testing.T) {
	head := `scenarios:
  - id: s
    title: t
    summary: s
    client: 192.0.2.25
`
	steps := `    dialogue:
      - send: HELO mail.euston.net
      - send: MAIL FROM:<a@euston.net>
      - send: DATA
`
	tests := []struct {
		name, src string
		want      []wantErr
	}{
		{"a key both ways", head + "    dkim:\n      - {domain: euston.net, selector: lab, seed: x, key: y}\n" + steps + "      - {data: \"From: a@euston.net\\n\\nx\\n\"}\n",
			[]wantErr{{7, "s.dkim[1].key", "not both"}}},
		{"no key", head + "    dkim:\n      - {domain: euston.net, selector: lab}\n" + steps + "      - {data: \"From: a@euston.net\\n\\nx\\n\"}\n",
			[]wantErr{{7, "s.dkim[1].seed", "missing"}}},
		{"bad names", head + "    dkim:\n      - {domain: \"euston net\", selector: \"la b\", seed: x}\n" + steps + "      - {data: \"From: a@euston.net\\n\\nx\\n\"}\n",
			[]wantErr{{7, "s.dkim[1].domain", "not a domain name"}, {7, "s.dkim[1].selector", "not a selector"}}},
		{"a key that is not PEM", head + "    dkim:\n      - domain: euston.net\n        selector: lab\n        key: |\n          MC4CAQAwBQYDK2VwBCIEIA==\n" + steps + "      - {data: \"From: a@euston.net\\n\\nx\\n\"}\n",
			[]wantErr{{9, "s.dkim[1].key", "dkim key: no PEM block"}}},
		{"two keys for one domain", head + "    dkim:\n      - {domain: euston.net, selector: a, seed: x}\n      - {domain: Euston.NET, selector: b, seed: y}\n" + steps + "      - {data: \"From: a@euston.net\\n\\nx\\n\"}\n",
			[]wantErr{{8, "s.dkim[2].domain", "a second key for Euston.NET (the first at line 7)"}}},
		{"sign with no key", head + steps + "      - {sign: euston.net, data: \"From: a@euston.net\\n\\nx\\n\"}\n",
			[]wantErr{{10, "s.dialogue[4].sign", `no key for "euston.net": the scenario has no dkim: keys`}}},
		{"sign a message without From", head + "    dkim: [{domain: euston.net, selector: lab, seed: x}]\n" + steps + "      - {sign: euston.net, data: \"To: a@euston.net\\n\\nx\\n\"}\n",
			[]wantErr{{11, "s.dialogue[4].data", "needs one From: field"}}},
		{"sign on a send: step", head + "    dkim: [{domain: euston.net, selector: lab, seed: x}]\n" + strings.Replace(steps, "- send: DATA", "- {send: DATA, sign: euston.net}", 1) + "      - {data: \"From: a@euston.net\\n\\nx\\n\"}\n",
			[]wantErr{{10, "s.dialogue[3]", "belong to a data: step"}}},
		{"tamper without sign", head + steps + "      - {tamper: body, data: \"From: a@euston.net\\n\\nx\\n\"}\n",
			[]wantErr{{10, "s.dialogue[4].tamper", "give sign: too"}}},
		{"tamper unknown", head + steps + "      - {tamper: header, data: \"From: a@euston.net\\n\\nx\\n\"}\n",
			[]wantErr{{10, "s.dialogue[4].tamper", `"header" is not a change in transit (want one of body, subject)`}}},
		{"tamper a subject that is not there", head + "    dkim: [{domain: euston.net, selector: lab, seed: x}]\n" + steps + "      - {sign: euston.net, tamper: subject, data: \"From: a@euston.net\\n\\nx\\n\"}\n",
			[]wantErr{{11, "s.dialogue[4].tamper", "no Subject: field"}}},
		{"dmarc expected of a server that does not check", head + steps + "      - {data: \"From: a@euston.net\\n\\nx\\n\", expect: {dmarc: fail, dkim: none}}\n",
			[]wantErr{{10, "s.dialogue[4].expect.dmarc", "set server.dmarc: true"}, {10, "s.dialogue[4].expect.dkim", "set server.dmarc: true"}}},
		{"dmarc expected at RCPT", head + "    server: {dmarc: true}\n" + steps + "      - {data: \"From: a@euston.net\\n\\nx\\n\"}\n      - {send: \"RCPT TO:<b@example.com>\", expect: {dmarc: pass}}\n",
			[]wantErr{{12, "s.dialogue[5].expect.dmarc", "not at RCPT"}}},
		{"results that are not results", head + "    server: {dmarc: true}\n" + steps + "      - {data: \"From: a@euston.net\\n\\nx\\n\", expect: {dmarc: reject, dkim: [pass, softfail]}}\n",
			[]wantErr{{11, "s.dialogue[4].expect.dmarc", `"reject" is not a DMARC result`}, {11, "s.dialogue[4].expect.dkim", `"softfail" is not a DKIM verdict`}}},
		{"server.dmarc not a boolean", head + "    server: {dmarc: yes please}\n" + steps + "      - {data: \"From: a@euston.net\\n\\nx\\n\"}\n",
			[]wantErr{{6, "s.server.dmarc", "want true or false"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.src), "lesson.yaml", nil)
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse: %v, want errors\n%s", err, tt.src)
			}
			for _, w := range tt.want {
				if !hasError(errs, w) {
					t.Errorf("no error %+v in:\n%v", w, err)
				}
			}
			if len(errs) != len(tt.want) {
				t.Errorf("%d errors, want %d:\n%v", len(errs), len(tt.want), err)
			}
		})
	}
}

// TestSignedKeyOfTheZone: a zone that lists the key's name keeps its own
// record there (a lesson about a wrong key).
func TestSignedKeyOfTheZone(t *testing.T) {
	src := strings.Replace(dmarcFile, "      spoofer.example:\n", "      lab._domainkey.euston.net:\n        - TXT: \"v=DKIM1; p=\"\n      spoofer.example:\n", 1)
	f, err := Parse([]byte(src), "dmarc.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := f.Lookup("signed")
	if got := sc.Zone.TXT("lab._domainkey.euston.net"); len(got) != 1 || got[0] != "v=DKIM1; p=" {
		t.Fatalf("the zone's own key record was replaced: %q", got)
	}
	tr, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var verdicts []string
	for _, e := range tr.Steps[5].Events {
		if e.Is(smtpsim.EventDKIM) && e.SMTP.DKIM.Kind == dkim.EventVerdict {
			verdicts = append(verdicts, e.SMTP.DKIM.String())
		}
	}
	if len(verdicts) != 1 || !strings.HasPrefix(verdicts[0], "DKIM permerror for d=euston.net s=lab: ") {
		t.Errorf("a revoked key (p= empty): verdicts %q, want one permerror", verdicts)
	}
}

// TestBuiltinDMARCLessons checks that the built-in file keeps the lessons
// of the header From: each with the expectations that make its point.
func TestBuiltinDMARCLessons(t *testing.T) {
	f := builtin(t)
	// Each lesson's data: steps, in order, as "code dkim dmarc".
	tests := map[string][]string{
		"dmarc-forged-from":             {"550 none fail"},
		"dmarc-forged-from-unprotected": {"250 none none"},
		"dmarc-relaxed":                 {"250 - pass"},
		"dmarc-strict":                  {"550 - fail"},
		"dkim-sign-verify":              {"250 pass pass", "250 fail pass", "250 fail pass"},
		"dmarc-forwarding":              {"250 pass pass", "250 pass pass", "550 none fail"},
		"dmarc-policies":                {"250 - fail", "250 - fail", "550 - fail"},
	}
	for id, want := range tests {
		sc := f.Lookup(id)
		if sc == nil {
			t.Errorf("no lesson %s", id)
			continue
		}
		if !sc.Server.DMARC {
			t.Errorf("%s: the server does not check DMARC", id)
		}
		var got []string
		for _, st := range sc.Dialogue {
			if st.Kind != StepData {
				continue
			}
			e := st.Expect
			d := "-"
			if len(e.DKIM) > 0 {
				d = joinResults(e.DKIM)
			}
			got = append(got, strings.Join([]string{strconv.Itoa(e.Code), d, string(e.DMARC)}, " "))
		}
		if strings.Join(got, "; ") != strings.Join(want, "; ") {
			t.Errorf("%s: messages expect %q, want %q", id, got, want)
		}
	}
	// The forwarder's SPF fails, then passes with SRS; the relaxed and
	// strict lessons send the same newsletter; a body byte and a Subject
	// change in transit; a quarantined message is marked.
	fwd := f.Lookup("dmarc-forwarding")
	if !hasExpectation(fwd, "RCPT To:<user@example.com>", "spf", "fail") || !hasExpectation(fwd, "RCPT To:<user@example.com>", "spf", "pass") ||
		!strings.HasPrefix(fwd.Dialogue[5].Line, "MAIL From:<SRS0=") {
		t.Error("dmarc-forwarding: no SPF fail, then pass with SRS")
	}
	if a, b := f.Lookup("dmarc-relaxed").Dialogue[4].Data, f.Lookup("dmarc-strict").Dialogue[4].Data; a != b || a == "" {
		t.Error("dmarc-relaxed and dmarc-strict send different messages")
	}
	var tampers []string
	for _, st := range f.Lookup("dkim-sign-verify").Dialogue {
		tampers = append(tampers, st.Tamper)
	}
	if s := strings.Join(tampers, ""); s != "bodysubject" {
		t.Errorf("dkim-sign-verify tampers %q, want body then subject", s)
	}
	marked := false
	for _, st := range f.Lookup("dmarc-policies").Dialogue {
		for _, h := range st.Expect.Headers {
			marked = marked || strings.HasPrefix(h, smtpsim.QuarantineField)
		}
	}
	if !marked {
		t.Error("dmarc-policies: no message expected in quarantine")
	}
}
