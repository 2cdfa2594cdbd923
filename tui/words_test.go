package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"spflab/scenarios"
	"spflab/smtpsim"
)

// TestPanesUseEventWords: the SPF pane of the lab and of the monitor shows
// every step of an evaluation in the words the event gives itself
// (Event.String), unwrapped at a width that fits them.
func TestPanesUseEventWords(t *testing.T) {
	f, err := scenarios.LoadFile("../scenarios.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := scenarios.Run(context.Background(), f.Lookup("seed-spf-fail"), scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var lab transcript
	var words []string
	for _, e := range tr.Events() {
		if e.SMTP == nil {
			continue
		}
		lab.add(entry{ev: e.SMTP, lab: e.Lab})
		switch e.SMTP.Kind {
		case smtpsim.EventSPF, smtpsim.EventHELO, smtpsim.EventPolicy, smtpsim.EventDNS, smtpsim.EventHeader:
			words = append(words, e.SMTP.String())
		}
	}
	if len(words) < 8 {
		t.Fatalf("only %d events with words in the lesson", len(words))
	}
	th := newTheme(true, false)
	var shown strings.Builder
	for k := range lab.replies {
		rows, _ := lab.spfRows(th, k, nil)
		for _, r := range rows {
			shown.WriteString(ansi.Strip(renderSegs(r.segs)) + "\n")
		}
	}
	for _, w := range words {
		if !strings.Contains(shown.String(), w) {
			t.Errorf("the SPF pane lacks %q:\n%s", w, shown.String())
		}
	}
}
