package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"spflab/scenarios"
	"spflab/spf"
)

// TestListKeys presses every key of the lesson list.
func TestListKeys(t *testing.T) {
	tests := []struct {
		keys  []string
		check func(t *testing.T, m *Model)
	}{
		{[]string{"down"}, cursorAt(1)},
		{[]string{"j", "j"}, cursorAt(2)},
		{[]string{"up"}, cursorAt(3)}, // wraps around
		{[]string{"j", "k"}, cursorAt(0)},
		{[]string{"end"}, cursorAt(3)},
		{[]string{"end", "home"}, cursorAt(0)},
		{[]string{"enter"}, openedLesson("spf-fail")},
		{[]string{"down", "space"}, openedLesson("include")},
		{[]string{"down", "down", "right"}, openedLesson("honest")},
		{[]string{"l"}, openedLesson("spf-fail")},
		{[]string{"p"}, func(t *testing.T, m *Model) {
			if !m.predict || !strings.Contains(m.status, "Predict mode on") {
				t.Errorf("predict %v, status %q", m.predict, m.status)
			}
		}},
		{[]string{"p", "p"}, func(t *testing.T, m *Model) {
			if m.predict {
				t.Error("p twice left predict mode on")
			}
		}},
		{[]string{"m"}, func(t *testing.T, m *Model) {
			if !m.mouse || m.View().MouseMode != tea.MouseModeCellMotion {
				t.Errorf("mouse %v, view mouse mode %v", m.mouse, m.View().MouseMode)
			}
		}},
		{[]string{"?"}, func(t *testing.T, m *Model) {
			if !m.keysPg.open || !strings.Contains(plain(m), "Keys") {
				t.Error("? did not show the keys")
			}
		}},
		{[]string{"?", "esc"}, func(t *testing.T, m *Model) {
			if m.keysPg.open {
				t.Error("esc did not close the keys")
			}
		}},
		{[]string{"?", "?"}, func(t *testing.T, m *Model) {
			if m.keysPg.open {
				t.Error("? did not close the keys")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, " "), func(t *testing.T) {
			hs, _ := lab(t, Options{}, 80, 24)
			hs.press(tt.keys...)
			hs.idle()
			hs.lab(func(m *Model) { tt.check(t, m) })
		})
	}
}

func cursorAt(i int) func(*testing.T, *Model) {
	return func(t *testing.T, m *Model) {
		if m.cursor != i {
			t.Errorf("cursor %d, want %d", m.cursor, i)
		}
	}
}

func openedLesson(id string) func(*testing.T, *Model) {
	return func(t *testing.T, m *Model) {
		switch {
		case m.screen != screenLesson || m.les == nil:
			t.Fatalf("no lesson open")
		case m.les.sc.ID != id:
			t.Errorf("opened %s, want %s", m.les.sc.ID, id)
		case len(m.les.steps) != 1 || m.les.steps[0].Index != 0:
			t.Errorf("opened with %d steps, want the setup only", len(m.les.steps))
		}
	}
}

// TestQuitKeys checks that q and ctrl+c end the program, from the list, a
// lesson and the keys.
func TestQuitKeys(t *testing.T) {
	for _, keys := range [][]string{{"q"}, {"ctrl+c"}, {"enter", "q"}, {"enter", "ctrl+c"}, {"?", "q"}, {"enter", "t", "ctrl+c"}} {
		t.Run(strings.Join(keys, " "), func(t *testing.T) {
			hs, _ := lab(t, Options{}, 80, 24)
			if keys[0] == "enter" {
				hs.openLesson("spf-fail")
				keys = keys[1:]
			}
			hs.press(keys...)
			hs.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
		})
	}
}

// TestLessonKeys presses every key of a lesson, from the third step of
// spf-fail (the 550 after RCPT) unless said otherwise.
func TestLessonKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		steps int
		keys  []string
		check func(t *testing.T, m *Model)
	}{
		{"space", 0, []string{"space"}, doneSteps(1)},
		{"right", 0, []string{"right"}, doneSteps(1)},
		{"l", 0, []string{"l"}, doneSteps(1)},
		{"queued", 0, []string{"space", "space", "space"}, doneSteps(3)},
		{"left", 3, []string{"left"}, doneSteps(2)},
		{"h", 3, []string{"h"}, doneSteps(2)},
		{"left at the start", 0, []string{"left"}, func(t *testing.T, m *Model) {
			if len(m.les.steps) != 1 || !strings.Contains(m.status, "start of the lesson") {
				t.Errorf("%d steps, status %q", len(m.les.steps), m.status)
			}
		}},
		{"r", 3, []string{"r"}, doneSteps(0)},
		{"space at the end", 4, []string{"space", "space"}, func(t *testing.T, m *Model) {
			if !m.les.eof || !strings.Contains(m.status, "End of the lesson") || !m.done["spf-fail"] {
				t.Errorf("eof %v, status %q, done %v", m.les.eof, m.status, m.done)
			}
		}},
		{"+", 0, []string{"+"}, speedAt(defaultSpeed - 1)},
		{"+ at the fastest", 0, []string{"+", "+", "+", "+"}, speedAt(0)},
		{"-", 0, []string{"-"}, speedAt(defaultSpeed + 1)},
		{"- at the slowest", 0, []string{"-", "-", "-", "-"}, speedAt(len(speeds) - 1)},
		{"a twice", 0, []string{"a", "a"}, func(t *testing.T, m *Model) {
			if m.les.playing {
				t.Error("a twice left auto-play on")
			}
		}},
		{"tab", 0, []string{"tab"}, focusOn(paneSPF)},
		{"tab tab tab", 0, []string{"tab", "tab", "tab"}, focusOn(paneSMTP)},
		{"shift+tab", 0, []string{"shift+tab"}, focusOn(paneNarration)},
		// ↑ and ↓ select replies whatever pane has the focus; j, k, pgup
		// and pgdn scroll and never select.
		{"up", 3, []string{"up"}, selectedReply(3)},
		{"up up", 3, []string{"up", "up"}, selectedReply(2)},
		{"up in the SPF pane", 3, []string{"tab", "up"}, selectedReply(3)},
		{"up in the narration pane", 3, []string{"shift+tab", "up"}, selectedReply(3)},
		{"up down", 3, []string{"up", "down"}, selectedReply(-1)},
		{"down after the newest", 3, []string{"down"}, selectedReply(-1)},
		{"home", 3, []string{"home"}, selectedReply(0)},
		{"end", 3, []string{"home", "end"}, selectedReply(-1)},
		{"G", 3, []string{"home", "G"}, selectedReply(-1)},
		{"k scrolls", 3, []string{"k", "k"}, selectedReply(-1)},
		{"pgup scrolls", 3, []string{"pgup"}, selectedReply(-1)},
		{"p", 0, []string{"p"}, func(t *testing.T, m *Model) {
			if !m.predict {
				t.Error("p did not turn predict mode on")
			}
		}},
		{"e", 3, []string{"e"}, func(t *testing.T, m *Model) {
			ed := m.les.edit
			if ed == nil || ed.domain() != "euston.net" || ed.input.Value() != "v=spf1 ip4:192.0.2.25 -all" {
				t.Fatalf("editor %+v", ed)
			}
		}},
		{"t", 0, []string{"t"}, func(t *testing.T, m *Model) {
			if m.les.typing == nil {
				t.Error("t did not open free typing")
			}
		}},
		{":", 0, []string{":"}, func(t *testing.T, m *Model) {
			if m.les.typing == nil {
				t.Error(": did not open free typing")
			}
		}},
		{"esc", 3, []string{"esc"}, backToList},
		{"backspace", 3, []string{"backspace"}, backToList},
		{"?", 3, []string{"?"}, func(t *testing.T, m *Model) {
			if !m.keysPg.open || !strings.Contains(plain(m), "Replies and panes") {
				t.Error("? did not show the lesson's keys")
			}
		}},
		{"m", 0, []string{"m"}, func(t *testing.T, m *Model) {
			if m.View().MouseMode != tea.MouseModeCellMotion {
				t.Error("m did not turn the mouse on")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, _ := lab(t, Options{}, 80, 24)
			hs.openLesson("spf-fail")
			hs.steps(tt.steps)
			hs.screen() // a view, for the scroll limits
			hs.press(tt.keys...)
			hs.idle()
			hs.screen()
			hs.lab(func(m *Model) { tt.check(t, m) })
		})
	}
}

func doneSteps(n int) func(*testing.T, *Model) {
	return func(t *testing.T, m *Model) {
		if got := m.les.dialogueDone(); got != n {
			t.Errorf("%d dialogue steps done, want %d", got, n)
		}
		if got := len(m.les.actions); got != n+1 {
			t.Errorf("%d actions, want %d", got, n+1)
		}
	}
}

func speedAt(i int) func(*testing.T, *Model) {
	return func(t *testing.T, m *Model) {
		if m.les.speed != i {
			t.Errorf("speed %d, want %d", m.les.speed, i)
		}
	}
}

func focusOn(p pane) func(*testing.T, *Model) {
	return func(t *testing.T, m *Model) {
		if m.les.focus != p {
			t.Errorf("focus %d, want %d", m.les.focus, p)
		}
	}
}

func selectedReply(k int) func(*testing.T, *Model) {
	return func(t *testing.T, m *Model) {
		if m.les.selected != k {
			t.Errorf("selected reply %d, want %d", m.les.selected, k)
		}
	}
}

func backToList(t *testing.T, m *Model) {
	if m.screen != screenList || m.les != nil {
		t.Error("not back at the list")
	}
}

// TestScrollPanes scrolls the SMTP and SPF panes of spf-fail's 550 at
// 80×24 from where they open: the SMTP pane at the end, the SPF pane on
// the term that decided, some way down its trace.
func TestScrollPanes(t *testing.T) {
	tests := []struct {
		pane pane
		keys []string
		want func(opened, page, max int) int
	}{
		{paneSMTP, []string{"k"}, func(o, _, _ int) int { return o - 1 }},
		{paneSMTP, []string{"pgup", "j"}, func(o, p, _ int) int { return max(o-(p-1), 0) + 1 }},
		{paneSPF, []string{"tab", "k"}, func(o, _, _ int) int { return o - 1 }},
		{paneSPF, []string{"tab", "k", "k", "j"}, func(o, _, _ int) int { return o - 1 }},
		{paneSPF, []string{"tab", "pgup"}, func(o, p, _ int) int { return max(o-(p-1), 0) }},
		{paneSPF, []string{"tab", "pgup", "pgdown"}, func(o, p, m int) int { return min(max(o-(p-1), 0)+p-1, m) }},
		{paneSPF, []string{"tab", "j"}, func(o, _, m int) int { return min(o+1, m) }},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, " "), func(t *testing.T) {
			hs, _ := lab(t, Options{}, 80, 24)
			hs.openLesson("spf-fail")
			hs.steps(3)
			hs.screen()
			at := func(m *Model) (scrolled, int) {
				if tt.pane == paneSPF {
					return m.hit.spf, m.les.spfTop
				}
				return m.hit.smtp, m.les.smtpTop
			}
			var opened scrolled
			hs.lab(func(m *Model) { opened, _ = at(m) })
			if opened.top < 2 {
				t.Fatalf("the pane opens at %d, want some way down", opened.top)
			}
			hs.press(tt.keys...)
			hs.screen()
			hs.lab(func(m *Model) {
				drawn, top := at(m)
				if want := tt.want(opened.top, opened.page, opened.max); top != want || drawn.top != want {
					t.Errorf("scrolled to %d (drawn at %d), want %d (opened at %d, page %d, max %d)", top, drawn.top, want, opened.top, opened.page, opened.max)
				}
				if m.les.selected != -1 {
					t.Errorf("scrolling selected reply %d", m.les.selected)
				}
			})
		})
	}
}

// TestRewindIsDeterministic steps back and checks that the lesson shows
// exactly what it showed at that step the first time.
func TestRewindIsDeterministic(t *testing.T) {
	hs, _ := lab(t, Options{}, 100, 30)
	hs.openLesson("spf-fail")
	hs.steps(2)
	var want []string
	hs.lab(func(m *Model) { want = transcriptLines(m) })
	hs.steps(2)
	hs.press("left")
	hs.idle()
	hs.press("left")
	hs.idle()
	var got []string
	hs.lab(func(m *Model) { got = transcriptLines(m) })
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("after rewinding:\n%s\nthe first time:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// plain is the screen without colours.
func plain(m *Model) string { return ansi.Strip(m.render()) }

func transcriptLines(m *Model) []string {
	var out []string
	for _, e := range m.les.tr.entries {
		if e.ev != nil {
			out = append(out, e.ev.String())
		}
	}
	return out
}

// TestAutoPlay plays a lesson to its end.
func TestAutoPlay(t *testing.T) {
	saved := speeds[defaultSpeed]
	speeds[defaultSpeed] = 10 * time.Millisecond
	defer func() { speeds[defaultSpeed] = saved }()
	hs, _ := lab(t, Options{}, 80, 24)
	hs.openLesson("spf-fail")
	hs.press("a")
	hs.waitLab("auto-play to reach the end", func(m *Model) bool { return m.les.eof })
	hs.lab(func(m *Model) {
		if m.les.playing || !m.done["spf-fail"] || m.les.dialogueDone() != 4 {
			t.Errorf("playing %v, done %v, %d steps", m.les.playing, m.done, m.les.dialogueDone())
		}
	})
}

// TestAutoPlayWaitsForPredictions checks that auto-play stops at a
// prediction and goes on after it.
func TestAutoPlayWaitsForPredictions(t *testing.T) {
	saved := speeds[defaultSpeed]
	speeds[defaultSpeed] = 10 * time.Millisecond
	defer func() { speeds[defaultSpeed] = saved }()
	hs, _ := lab(t, Options{Predict: true}, 80, 24)
	hs.openLesson("spf-fail")
	hs.press("a")
	hs.waitLab("the first prediction", func(m *Model) bool { return m.les.guess != nil })
	time.Sleep(50 * time.Millisecond)
	hs.lab(func(m *Model) {
		if m.les.dialogueDone() != 0 {
			t.Errorf("auto-play ran %d steps past a prediction", m.les.dialogueDone())
		}
	})
	hs.press("2")
	hs.waitLab("the next prediction", func(m *Model) bool { return m.les.guess != nil && m.les.guess.step == 2 })
}

// TestPredictKeys guesses replies and SPF results.
func TestPredictKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		steps int // before the prediction
		keys  []string
		check func(t *testing.T, m *Model)
	}{
		{"right class", 0, []string{"space", "2"}, scored(1, 1, 1)},
		{"wrong class", 0, []string{"space", "3"}, scored(1, 0, 1)},
		{"class 4", 0, []string{"space", "4"}, scored(1, 0, 1)},
		{"class and result right", 2, []string{"space", "5", "f"}, scored(3, 2, 2)},
		{"class right, result wrong", 2, []string{"space", "5", "p"}, scored(3, 1, 2)},
		{"softfail", 2, []string{"space", "5", "s"}, scored(3, 1, 2)},
		{"neutral", 2, []string{"space", "2", "n"}, scored(3, 0, 2)},
		{"none", 2, []string{"space", "5", "o"}, scored(3, 1, 2)},
		{"temperror", 2, []string{"space", "5", "t"}, scored(3, 1, 2)},
		{"permerror", 2, []string{"space", "5", "e"}, scored(3, 1, 2)},
		{"reveal", 0, []string{"space", "space"}, func(t *testing.T, m *Model) {
			if m.les.dialogueDone() != 1 || len(m.les.scored) != 0 || m.les.guess != nil {
				t.Errorf("%d steps, %d scored, guess %v", m.les.dialogueDone(), len(m.les.scored), m.les.guess)
			}
		}},
		{"esc", 0, []string{"space", "esc"}, func(t *testing.T, m *Model) {
			if m.les.dialogueDone() != 0 || m.les.guess != nil {
				t.Errorf("%d steps, guess %v", m.les.dialogueDone(), m.les.guess)
			}
		}},
		{"other keys wait", 2, []string{"space", "x", "5", "x"}, func(t *testing.T, m *Model) {
			if g := m.les.guess; g == nil || g.class != 5 || g.answered || m.les.dialogueDone() != 2 {
				t.Errorf("guess %+v, %d steps", g, m.les.dialogueDone())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, _ := lab(t, Options{}, 80, 24)
			hs.openLesson("spf-fail")
			hs.steps(tt.steps)
			hs.press("p")
			hs.press(tt.keys...)
			hs.idle()
			hs.lab(func(m *Model) { tt.check(t, m) })
		})
	}
}

func scored(step, right, total int) func(*testing.T, *Model) {
	return func(t *testing.T, m *Model) {
		g, ok := m.les.scored[step]
		if !ok {
			t.Fatalf("no prediction scored for step %d (%d steps done)", step, m.les.dialogueDone())
		}
		if r, n := g.points(); r != right || n != total {
			t.Errorf("step %d: %d/%d right, want %d/%d (%+v)", step, r, n, right, total, g)
		}
		if s := m.scores[m.les.sc.ID]; s != [2]int{right, total} {
			t.Errorf("lesson score %v, want %d/%d", s, right, total)
		}
		if !strings.Contains(plain(m), "You predicted") {
			t.Error("the narration does not tell the prediction")
		}
	}
}

// TestEditKeys edits a record, lints it, and reruns the lesson with it.
func TestEditKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		keys  []string
		text  string // typed after the keys
		check func(t *testing.T, m *Model)
	}{
		{"syntax error", []string{"ctrl+u"}, "v=spf1 ip4:192.0.2.80 ipv4:x -all", func(t *testing.T, m *Model) {
			se := m.les.edit.syntax
			if se == nil || se.Column != 23 || se.Term != "ipv4:x" {
				t.Errorf("syntax error %+v, want column 23, term ipv4:x", se)
			}
			if !strings.Contains(plain(m), "column 23") {
				t.Error("the column is not shown")
			}
		}},
		{"lint", []string{"ctrl+u"}, "v=spf1 a mx ptr -all", func(t *testing.T, m *Model) {
			ed := m.les.edit
			if ed.syntax != nil || ed.lint == nil || ed.lint.Lookups != 3 {
				t.Fatalf("syntax %v, lint %+v", ed.syntax, ed.lint)
			}
			found := false
			for _, f := range ed.lint.Findings {
				found = found || f.Name == "ptr"
			}
			if !found || !strings.Contains(plain(m), "DNS lookups 3/10") {
				t.Errorf("the lint's ptr finding or its count is missing: %+v", ed.lint.Findings)
			}
		}},
		// RFC 7208 §4.5: a TXT record not beginning with "v=spf1" and a
		// space is no SPF record; the engine gives none, not permerror.
		{"not an SPF record", []string{"ctrl+u"}, "v=spf10 -all", func(t *testing.T, m *Model) {
			ed, screen := m.les.edit, plain(m)
			if ed.syntax != nil || ed.lint != nil {
				t.Errorf("syntax %v, lint %v for a text the engine does not parse", ed.syntax, ed.lint)
			}
			if !strings.Contains(screen, "no usable record → none") || !strings.Contains(screen, "result none for euston.net") || strings.Contains(screen, "permerror") {
				t.Errorf("the editor's verdict is not the engine's none:\n%s", screen)
			}
		}},
		{"verdict for the client", []string{"ctrl+u"}, "v=spf1 a:www.euston.net -all", func(t *testing.T, m *Model) {
			screen := plain(m)
			if !strings.Contains(screen, "check_host(192.0.2.80, euston.net") || !strings.Contains(screen, "result pass for euston.net") {
				t.Errorf("no verdict for the lesson's client:\n%s", screen)
			}
		}},
		{"a syntax error is the engine's permerror", []string{"ctrl+u"}, "v=spf1 ipv4:x -all", func(t *testing.T, m *Model) {
			screen := plain(m)
			if !strings.Contains(screen, "→ permerror at column 8") || !strings.Contains(screen, "result permerror for euston.net") {
				t.Errorf("no permerror from the engine:\n%s", screen)
			}
		}},
		{"tab", []string{"tab"}, "", func(t *testing.T, m *Model) {
			ed := m.les.edit
			if ed.idx != 1 || ed.input.Value() != ed.published[ed.domains[1]] {
				t.Errorf("domain %d (%s), value %q", ed.idx, ed.domain(), ed.input.Value())
			}
		}},
		{"tab keeps the edit", []string{"ctrl+u", "x", "tab", "shift+tab"}, "", func(t *testing.T, m *Model) {
			ed := m.les.edit
			if ed.idx != 0 || ed.input.Value() != "x" {
				t.Errorf("domain %d, value %q", ed.idx, ed.input.Value())
			}
		}},
		{"shift+tab", []string{"shift+tab"}, "", func(t *testing.T, m *Model) {
			if ed := m.les.edit; ed.idx != len(ed.domains)-1 {
				t.Errorf("domain %d of %d", ed.idx, len(ed.domains))
			}
		}},
		{"ctrl+r", []string{"ctrl+u", "x", "ctrl+r"}, "", func(t *testing.T, m *Model) {
			if v := m.les.edit.input.Value(); v != "v=spf1 ip4:192.0.2.25 -all" {
				t.Errorf("value %q", v)
			}
		}},
		{"esc", []string{"ctrl+u", "x", "esc"}, "", func(t *testing.T, m *Model) {
			if m.les.edit != nil || m.les.drafts != nil {
				t.Errorf("editor %v, drafts %v", m.les.edit, m.les.drafts)
			}
		}},
		{"enter", []string{"ctrl+u"}, "v=spf1 ip4:192.0.2.80 -all\r", func(t *testing.T, m *Model) {
			l := m.les
			if l.edit != nil || l.drafts["euston.net"] != "v=spf1 ip4:192.0.2.80 -all" {
				t.Fatalf("editor %v, drafts %v", l.edit, l.drafts)
			}
			if l.dialogueDone() != 3 {
				t.Fatalf("rerun to step %d, want 3", l.dialogueDone())
			}
			st := l.steps[len(l.steps)-1]
			if st.Reply == nil || st.Reply.Code != 250 || spfResult(&st) != spf.Pass {
				t.Errorf("the draft should make RCPT pass: reply %v, SPF %q", st.Reply, spfResult(&st))
			}
		}},
		{"enter with the published record", []string{"enter"}, "", func(t *testing.T, m *Model) {
			if m.les.drafts != nil || m.les.dialogueDone() != 3 {
				t.Errorf("drafts %v, %d steps", m.les.drafts, m.les.dialogueDone())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, _ := lab(t, Options{}, 80, 24)
			hs.openLesson("spf-fail")
			hs.steps(3)
			hs.press("e")
			hs.press(tt.keys...)
			text, enter := strings.CutSuffix(tt.text, "\r")
			hs.typeText(text)
			if enter {
				hs.press("enter")
			}
			hs.idle()
			hs.waitLab("the lint", func(m *Model) bool {
				return m.les.edit == nil || m.les.edit.lintFor == m.les.edit.key()
			})
			hs.lab(func(m *Model) { tt.check(t, m) })
		})
	}
}

// TestTypeKeys sends lines of the learner's own.
func TestTypeKeys(t *testing.T) {
	tests := []struct {
		name  string
		do    func(hs *harness)
		check func(t *testing.T, m *Model)
	}{
		{"enter", func(hs *harness) { hs.typeText("NOOP"); hs.press("enter") }, func(t *testing.T, m *Model) {
			st := m.les.steps[len(m.les.steps)-1]
			if st.Reply == nil || st.Reply.Code != 250 || m.les.typing.input.Value() != "" {
				t.Errorf("reply %v, input %q", st.Reply, m.les.typing.input.Value())
			}
			if !strings.Contains(plain(m), "you C: NOOP") {
				t.Error("the typed line is not marked as the learner's")
			}
		}},
		{"up", func(hs *harness) {
			hs.typeText("NOOP")
			hs.press("enter")
			hs.idle()
			hs.press("up")
		}, func(t *testing.T, m *Model) {
			if v := m.les.typing.input.Value(); v != "NOOP" {
				t.Errorf("history gave %q", v)
			}
		}},
		{"up down", func(hs *harness) {
			hs.typeText("NOOP")
			hs.press("enter")
			hs.idle()
			hs.press("up", "down")
		}, func(t *testing.T, m *Model) {
			if v := m.les.typing.input.Value(); v != "" {
				t.Errorf("down gave %q", v)
			}
		}},
		{"esc", func(hs *harness) { hs.press("esc") }, func(t *testing.T, m *Model) {
			if m.les.typing != nil {
				t.Error("esc left free typing open")
			}
		}},
		{"letters are text", func(hs *harness) { hs.typeText("q e p ?") }, func(t *testing.T, m *Model) {
			if v := m.les.typing.input.Value(); v != "q e p ?" || m.keysPg.open || m.predict {
				t.Errorf("value %q, help %v, predict %v", v, m.keysPg.open, m.predict)
			}
		}},
		{"an SPF check", func(hs *harness) {
			for _, l := range []string{"HELO mail.euston.net", "MAIL FROM:<honeypot@euston.net>", "RCPT TO:<user@example.com>"} {
				hs.typeText(l)
				hs.press("enter")
				hs.idle()
			}
		}, func(t *testing.T, m *Model) {
			st := m.les.steps[len(m.les.steps)-1]
			if st.Reply == nil || st.Reply.Code != 550 || spfResult(&st) != spf.Fail {
				t.Errorf("reply %v, SPF %q", st.Reply, spfResult(&st))
			}
			if !strings.Contains(plain(m), "SPF · reply 550 to RCPT") {
				t.Error("the SPF pane does not show the typed RCPT")
			}
		}},
		{"left undoes a line", func(hs *harness) {
			hs.typeText("NOOP")
			hs.press("enter")
			hs.idle()
			hs.press("esc", "left")
		}, func(t *testing.T, m *Model) {
			if len(m.les.steps) != 1 || len(m.les.actions) != 1 {
				t.Errorf("%d steps, %d actions after undoing the typed line", len(m.les.steps), len(m.les.actions))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, _ := lab(t, Options{}, 80, 24)
			hs.openLesson("spf-fail")
			hs.press("t")
			tt.do(hs)
			hs.idle()
			hs.lab(func(m *Model) { tt.check(t, m) })
		})
	}
}

// TestMouse scrolls with the wheel and selects a reply with a click.
func TestMouse(t *testing.T) {
	hs, _ := lab(t, Options{Mouse: true}, 100, 30)
	hs.openLesson("spf-fail")
	hs.steps(3)
	hs.screen()
	var row int
	hs.lab(func(m *Model) {
		for y, k := range m.hit.replyAt {
			if k == 2 {
				row = y
			}
		}
	})
	if row == 0 {
		t.Fatal("the reply to HELO is not on the screen")
	}
	hs.tm.Send(tea.MouseClickMsg{X: 10, Y: row, Button: tea.MouseLeft})
	hs.lab(func(m *Model) {
		if m.les.selected != 2 {
			t.Errorf("a click on the HELO reply selected %d", m.les.selected)
		}
	})
	hs.tm.Send(tea.MouseWheelMsg{X: 60, Y: 5, Button: tea.MouseWheelDown})
	hs.lab(func(m *Model) {
		if m.les.focus != paneSPF {
			t.Errorf("the wheel over the SPF pane focused %d", m.les.focus)
		}
	})
}

// TestTheme follows the terminal's background.
func TestTheme(t *testing.T) {
	m, err := New(t.Context(), testLessons(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Init() == nil {
		t.Fatal("Init does not ask for the background colour")
	}
	dark, light := newTheme(true, false), newTheme(false, false)
	if m.th.ok != dark.ok {
		t.Error("the lab does not start dark")
	}
	m.Update(tea.BackgroundColorMsg{Color: lightBackground{}})
	if m.th.ok != light.ok {
		t.Error("a light background left the dark theme")
	}
	forced, _ := New(t.Context(), testLessons(t), Options{Theme: "light"})
	forced.Update(tea.BackgroundColorMsg{Color: darkBackground{}})
	if forced.th.ok != light.ok {
		t.Error("--theme light followed the terminal")
	}
}

type lightBackground struct{}

func (lightBackground) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }

type darkBackground struct{}

func (darkBackground) RGBA() (r, g, b, a uint32) { return 0, 0, 0, 0xffff }

// TestNewRefusesUnknownLesson checks the error for --lesson.
func TestNewRefusesUnknownLesson(t *testing.T) {
	_, err := New(t.Context(), testLessons(t), Options{Lesson: "nope"})
	if err == nil || !strings.Contains(err.Error(), `no lesson "nope" in testdata/lessons.yaml`) {
		t.Errorf("error %v", err)
	}
	if _, err := New(t.Context(), &scenarios.File{}, Options{}); err == nil {
		t.Error("no error for a file without lessons")
	}
}

// TestOpenAtStart opens Options.Lesson.
func TestOpenAtStart(t *testing.T) {
	hs, _ := lab(t, Options{Lesson: "include"}, 80, 24)
	hs.waitLab("the lesson", func(m *Model) bool { return m.les != nil && !m.les.busy })
	hs.lab(func(m *Model) { openedLesson("include")(t, m) })
}
