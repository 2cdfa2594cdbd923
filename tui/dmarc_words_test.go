package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"spflab/scenarios"
	"spflab/smtpsim"
)

// TestPanesShowDKIMAndDMARC: behind the reply to a message, the SPF pane
// shows every DKIM and DMARC step and the DMARC policy's decision in the
// events' own words, and the SMTP pane the decision beside the reply.
func TestPanesShowDKIMAndDMARC(t *testing.T) {
	f, err := scenarios.LoadFile("../scenarios.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"dmarc-forged-from", "dkim-sign-verify"} {
		t.Run(id, func(t *testing.T) {
			tr, err := scenarios.Run(context.Background(), f.Lookup(id), scenarios.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var lab transcript
			var words, decisions []string
			for _, e := range tr.Events() {
				if e.SMTP == nil {
					continue
				}
				lab.add(entry{ev: e.SMTP, lab: e.Lab})
				switch e.SMTP.Kind {
				case smtpsim.EventDKIM, smtpsim.EventDMARC:
					words = append(words, e.SMTP.String())
				case smtpsim.EventDMARCPolicy:
					words = append(words, e.SMTP.String())
					decisions = append(decisions, e.SMTP.String())
				}
			}
			if len(words) < 10 || len(decisions) == 0 {
				t.Fatalf("only %d DKIM and DMARC events, %d decisions in the lesson", len(words), len(decisions))
			}
			th := newTheme(true, false)
			var shown, wire strings.Builder
			for k := range lab.replies {
				rows, _ := lab.spfRows(th, k, nil)
				for _, r := range rows {
					shown.WriteString(ansi.Strip(renderSegs(r.segs)) + "\n")
				}
			}
			for _, r := range lab.smtpRows(th, -1) {
				wire.WriteString(ansi.Strip(renderSegs(r.segs)) + "\n")
			}
			for _, w := range words {
				if !strings.Contains(shown.String(), w) {
					t.Errorf("the SPF pane lacks %q:\n%s", w, shown.String())
				}
			}
			for _, d := range decisions {
				if !strings.Contains(wire.String(), d) {
					t.Errorf("the SMTP pane lacks %q:\n%s", d, wire.String())
				}
			}
		})
	}
}
