package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"spflab/classroom"
	"spflab/scenarios"
	"spflab/smtpsim"
	"spflab/spf"
)

// TestOneVocabulary feeds one evaluation — the seed's forged sender, 550
// after RCPT — to every printer and asserts that each shows every step in
// the same words, the event's own (Event.String): spflab run as text and
// as Markdown, serve --no-tui's log, and spflab check on the lesson's
// zone. (The lab's and the monitor's panes: tui's TestPanesUseEventWords.)
func TestOneVocabulary(t *testing.T) {
	f := mustLessons(t)
	tr, err := scenarios.Run(context.Background(), f.Lookup("seed-spf-fail"), scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var smtpWords, spfWords []string
	var text, md, log bytes.Buffer
	serveLog := classroom.NewLog(&log, false)
	for _, e := range tr.Events() {
		if e.SMTP == nil {
			continue
		}
		serveLog.SMTP(*e.SMTP)
		switch {
		case e.SMTP.Kind == smtpsim.EventSPF && !e.SMTP.SPF.Echoed():
			spfWords = append(spfWords, e.SMTP.String())
		case e.SMTP.Kind == smtpsim.EventHELO || e.SMTP.Kind == smtpsim.EventPolicy || e.SMTP.Kind == smtpsim.EventDNS:
			smtpWords = append(smtpWords, e.SMTP.String())
		}
	}
	if len(spfWords) < 5 || len(smtpWords) < 3 {
		t.Fatalf("the lesson gave %d SPF and %d other events", len(spfWords), len(smtpWords))
	}
	if err := scenarios.WriteText(&text, tr); err != nil {
		t.Fatal(err)
	}
	if err := scenarios.WriteMarkdown(&md, tr); err != nil {
		t.Fatal(err)
	}
	unescaped := strings.ReplaceAll(md.String(), `\`, "")
	for _, w := range append(spfWords, smtpWords...) {
		for _, out := range []struct{ name, text string }{{"run", text.String()}, {"run --format markdown", unescaped}, {"serve --no-tui", log.String()}} {
			if !strings.Contains(out.text, w) {
				t.Errorf("%s lacks %q", out.name, w)
			}
		}
	}

	// spflab check evaluates the same record for the same client: the same
	// steps, but the explanation is the checker's own.
	code, out, errs := spflab("check", "euston.net", "--zone", "testdata/lessons/euston.net.zone",
		"--ip", "192.0.2.80", "--sender", "honeypot@euston.net", "--helo", "mail.euston.net")
	if code != 1 {
		t.Fatalf("check: exit %d, want 1 (fail)\n%s%s", code, out, errs)
	}
	for _, e := range tr.Events() {
		if e.SMTP == nil || e.SMTP.Kind != smtpsim.EventSPF || e.SMTP.SPF.Echoed() || e.SMTP.SPF.Kind == spf.EventResult {
			continue
		}
		if w := e.SMTP.SPF.String(); !strings.Contains(out, w) {
			t.Errorf("check lacks %q:\n%s", w, out)
		}
	}
}
