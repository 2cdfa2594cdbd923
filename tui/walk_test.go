package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"spflab/scenarios"
	"spflab/smtpsim"
	"spflab/spf"
)

// drive runs cmd and every command that follows from it on m, in order,
// as a tea.Program would but on this goroutine: a lesson's steps come
// back as messages. Auto-play ticks are not followed.
func drive(m tea.Model, cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil, tickMsg:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
}

// walk opens lesson id of f at w×h and calls fn after the set-up and after
// every step, to the end of the lesson.
func walk(t *testing.T, f *scenarios.File, id string, opts Options, w, h int, fn func(m *Model)) {
	t.Helper()
	opts.Lesson, opts.Theme = id, "dark"
	m, err := New(context.Background(), f, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	drive(m, m.Init())
	for n := 0; m.les != nil && !m.les.eof; n++ {
		if m.les.err != nil {
			t.Fatalf("%s: %v", id, m.les.err)
		}
		if n > 100 {
			t.Fatalf("%s: more than 100 steps", id)
		}
		fn(m)
		drive(m, m.onKey(keyPress("space")))
	}
}

// paneText returns the inside of a pane of the last view, without its
// borders.
func paneText(m *Model, p pane) []string {
	lines := strings.Split(ansi.Strip(m.render()), "\n")
	r := m.hit.panes[p]
	var out []string
	for y := r.y + 1; y < r.y+r.h-1 && y < len(lines); y++ {
		out = append(out, ansi.Cut(lines[y], r.x+1, r.x+r.w-1))
	}
	return out
}

// squeeze drops the spaces of s: a wrapped line breaks at a space or
// inside a word, and continues after an indent.
func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

// mustShow returns the words of the events the SPF pane must show for
// the newest reply of a lesson: of the last evaluation behind the reply,
// the term at the top level that decided (a mechanism that matched, a
// term or a record that stopped the check) and the result, in full; and
// the first of the header fields the step's expectations name, which its
// narration points at, up to the text they name.
func mustShow(l *lesson) []string {
	var decided, result string
	var fields []string
	var want []string
	if st := l.steps[len(l.steps)-1]; st.Script != nil {
		want = st.Script.Expect.Headers
	}
	for _, e := range l.tr.trace(len(l.tr.replies) - 1) {
		if e.ev != nil && e.ev.Kind == smtpsim.EventHeader && len(fields) == 0 {
			for _, w := range want {
				name, text, _ := strings.Cut(w, ":")
				text = strings.TrimSpace(text)
				if i := strings.Index(e.ev.Field.Value, text); strings.EqualFold(e.ev.Field.Name, name) && i >= 0 {
					// The field up to what the lesson points at.
					fields = append(fields, e.ev.Field.Name+": "+e.ev.Field.Value[:i+len(text)])
					break
				}
			}
		}
		if e.ev == nil || e.ev.SPF == nil || e.ev.SPF.Depth != 0 {
			continue
		}
		switch ev := e.ev.SPF; {
		case ev.Kind == spf.EventCheck:
			decided, result = "", ""
		case ev.Kind == spf.EventTerm && (ev.Match || ev.Result != ""),
			ev.Kind == spf.EventRecord && ev.Result != "":
			decided = ev.String()
		case ev.Kind == spf.EventResult:
			result = ev.String()
		}
	}
	if decided != "" || result != "" {
		fields = append(fields, decided, result)
	}
	return fields
}

// TestDecisionInView walks every step of every built-in lesson at 80×24
// (and in presenter mode at 100×30): where the newest reply has an SPF
// check behind it, the SPF pane shows the term that decided and the
// result without scrolling, and the first header field the step expects
// when it stored a message.
func TestDecisionInView(t *testing.T) {
	f := builtinLessons(t)
	for _, size := range []struct {
		name      string
		presenter bool
		w, h      int
	}{{"80x24", false, 80, 24}, {"presenter-100x30", true, 100, 30}} {
		for _, sc := range f.Scenarios {
			t.Run(size.name+"/"+sc.ID, func(t *testing.T) {
				checked := 0
				walk(t, f, sc.ID, Options{Presenter: size.presenter}, size.w, size.h, func(m *Model) {
					must := mustShow(m.les)
					if len(must) == 0 {
						return
					}
					shown := squeeze(strings.Join(paneText(m, paneSPF), ""))
					for _, want := range must {
						if !strings.Contains(shown, squeeze(want)) {
							t.Errorf("step %d: %q is not in view:\n%s", m.les.dialogueDone(), want, strings.Join(paneText(m, paneSPF), "\n"))
						}
					}
					checked++
				})
				if checked == 0 && strings.Contains(sc.ID, "result-") {
					t.Errorf("no step with an SPF check in %s", sc.ID)
				}
			})
		}
	}
}

// borders returns where the corners of the panes are on a screen.
func borders(screen string) string {
	var b strings.Builder
	for y, line := range strings.Split(ansi.Strip(screen), "\n") {
		x := 0
		for _, r := range line {
			if strings.ContainsRune("╭╮╰╯┏┓┗┛", r) {
				fmt.Fprintf(&b, "%d,%d ", y, x)
			}
			x++
		}
	}
	return b.String()
}

// TestStepsKeepTheirPlaces walks every built-in lesson in presenter mode
// at 100×30 and at 80×24: the panes' borders are in the same places at
// every step, so that nothing jumps while a class reads.
func TestStepsKeepTheirPlaces(t *testing.T) {
	f := builtinLessons(t)
	for _, size := range []struct {
		presenter bool
		w, h      int
	}{{true, 100, 30}, {false, 80, 24}} {
		for _, sc := range f.Scenarios {
			first, steps := "", 0
			walk(t, f, sc.ID, Options{Presenter: size.presenter}, size.w, size.h, func(m *Model) {
				b := borders(m.render())
				if steps == 0 {
					first = b
				} else if b != first {
					t.Errorf("%d×%d %s: the panes moved at step %d:\n%s", size.w, size.h, sc.ID, m.les.dialogueDone(), ansi.Strip(m.render()))
				}
				steps++
			})
			if steps < 3 {
				t.Errorf("%s: %d steps walked", sc.ID, steps)
			}
		}
	}
}

// TestEveryStepIsNarrated walks every step of every built-in lesson: the
// narration pane tells each one in the lesson's own words -- the lesson
// at the set-up, the step's narration or notice after it, DATA and QUIT
// included -- and shows their beginning without scrolling.
func TestEveryStepIsNarrated(t *testing.T) {
	f := builtinLessons(t)
	for _, sc := range f.Scenarios {
		walk(t, f, sc.ID, Options{}, 80, 24, func(m *Model) {
			st := m.les.shownStep()
			var text string
			for _, e := range st.Events {
				switch e.Kind {
				case scenarios.EventLesson, scenarios.EventNarration, scenarios.EventNotice:
					text += e.Text
				}
			}
			switch {
			case st.Role == scenarios.RoleHangUp:
				return // the lab's own step: it says so itself
			case text == "":
				t.Errorf("%s: the %s step %d (line %d) has no narration", sc.ID, st.Role, st.Number, sourceLine(st))
				return
			}
			words := strings.Fields(text)
			first := squeeze(strings.Join(words[:min(len(words), 6)], " "))
			if shown := squeeze(strings.Join(paneText(m, paneNarration), "")); !strings.Contains(shown, first) {
				t.Errorf("%s step %d: the narration pane does not show %q:\n%s", sc.ID, st.Number, first, strings.Join(paneText(m, paneNarration), "\n"))
			}
		})
	}
}

// sourceLine is the line of a step's script in its file, 0 for none.
func sourceLine(st *scenarios.Step) int {
	if st.Script == nil {
		return 0
	}
	return st.Script.SourceLine
}
