package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"spflab/scenarios"
	"spflab/smtpsim"
)

// TestNarrationByRole checks that the narration pane and the transcript
// follow each step's role, whatever events the step holds: a hang-up with
// a line not marked lab is still the lab closing the connection, and only
// the typed step's lines are the learner's.
func TestNarrationByRole(t *testing.T) {
	sc := testLessons(t).Scenarios[0]
	line := func(s string) scenarios.Event {
		return scenarios.Event{Kind: scenarios.EventSMTP, SMTP: &smtpsim.Event{Kind: smtpsim.EventClientLine, Line: s}}
	}
	xclient := line("XCLIENT ADDR=192.0.2.80")
	xclient.Lab = true
	steps := []scenarios.Step{
		{Index: 0, Role: scenarios.RoleSetUp, Events: []scenarios.Event{xclient}},
		{Index: 1, Role: scenarios.RoleDialogue, Number: 1, Script: &sc.Dialogue[0], Events: []scenarios.Event{line("HELO scripted")}},
		{Index: 2, Role: scenarios.RoleTyped, Events: []scenarios.Event{line("NOOP")}},
		{Index: 3, Role: scenarios.RoleHangUp, Events: []scenarios.Event{line("QUIT")}},
	}
	tests := []struct {
		role       scenarios.StepRole
		says       string
		typedLines string
	}{
		{scenarios.RoleSetUp, "The lab has connected to the server", ""},
		{scenarios.RoleDialogue, "", ""},
		{scenarios.RoleTyped, "Your own line, sent to the same server.", "NOOP"},
		{scenarios.RoleHangUp, "The lab closed the connection.", ""},
	}
	// What the narration says of each role; a dialogue step says none.
	roleSentences := []string{tests[0].says, tests[2].says, tests[3].says}
	l := &lesson{sc: sc}
	l.reset(steps)
	th := newTheme(true, false)
	for i, tt := range tests {
		st := &l.steps[i]
		if st.Role != tt.role {
			t.Fatalf("step %d is a %s, want %s", i, st.Role, tt.role)
		}
		text := ansi.Strip(strings.Join(l.narration(th, st, 200), "\n"))
		for _, s := range roleSentences {
			if strings.Contains(text, s) != (s == tt.says) {
				t.Errorf("%s step: narration %q, want %q", tt.role, text, tt.says)
			}
		}
		var typed []string
		for _, e := range l.tr.entries {
			if e.group == st.Index && e.typed {
				typed = append(typed, e.ev.Line)
			}
		}
		if got := strings.Join(typed, " "); got != tt.typedLines {
			t.Errorf("%s step: typed lines %q, want %q", tt.role, got, tt.typedLines)
		}
	}
}
