package tui

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"spflab/scenarios"
)

// testLessons loads testdata/lessons.yaml.
func testLessons(t testing.TB) *scenarios.File {
	t.Helper()
	f, err := scenarios.LoadFile("testdata/lessons.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// probeMsg runs fn on the program's model, on the program's goroutine:
// the filter below answers it before Update, so fn sees the model after
// every message sent before it.
type probeMsg struct {
	fn   func(tea.Model)
	done chan struct{}
}

func probeFilter(m tea.Model, msg tea.Msg) tea.Msg {
	if p, ok := msg.(probeMsg); ok {
		p.fn(m)
		close(p.done)
		return nil
	}
	return msg
}

// harness runs a model in a real tea.Program (teatest) and looks at it
// between messages.
type harness struct {
	t  testing.TB
	tm *teatest.TestModel
}

func newHarness(t testing.TB, m tea.Model, w, h int) *harness {
	t.Helper()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithFilter(probeFilter)))
	hs := &harness{t: t, tm: tm}
	t.Cleanup(func() {
		tm.Quit()
		tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
		if lm, ok := m.(*Model); ok {
			hs.settle(lm)
		}
	})
	return hs
}

// settle closes the lesson's server once the program has stopped.
func (hs *harness) settle(m *Model) {
	if m.les != nil && m.les.busy {
		// The command in flight still holds the runner; its process-wide
		// server goes with the test binary.
		return
	}
	m.Close()
}

// lab starts the lab on the test lessons.
func lab(t testing.TB, opts Options, w, h int) (*harness, *Model) {
	t.Helper()
	if opts.Theme == "" {
		opts.Theme = "dark" // do not ask the (absent) terminal
	}
	m, err := New(context.Background(), testLessons(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return newHarness(t, m, w, h), m
}

// query runs fn on the model between messages.
func (hs *harness) query(fn func(tea.Model)) {
	hs.t.Helper()
	done := make(chan struct{})
	hs.tm.Send(probeMsg{fn: fn, done: done})
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		hs.t.Fatal("the program did not answer a probe in 10s")
	}
}

// lab runs fn on the lab model.
func (hs *harness) lab(fn func(*Model)) {
	hs.t.Helper()
	hs.query(func(m tea.Model) { fn(m.(*Model)) })
}

// waitLab waits until cond holds for the lab model.
func (hs *harness) waitLab(what string, cond func(*Model) bool) {
	hs.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok := false
		hs.lab(func(m *Model) { ok = cond(m) })
		if ok {
			return
		}
		if time.Now().After(deadline) {
			hs.t.Fatalf("waited 10s for %s; the screen:\n%s", what, hs.screen())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// idle waits until the open lesson has no command in flight.
func (hs *harness) idle() {
	hs.t.Helper()
	hs.waitLab("the lesson to be idle", func(m *Model) bool {
		return m.les == nil || !m.les.busy && m.les.queued == 0
	})
}

// screen returns the view as text, colours stripped.
func (hs *harness) screen() string {
	hs.t.Helper()
	var s string
	hs.query(func(m tea.Model) { s = ansi.Strip(m.View().Content) })
	return s
}

// press sends keys by name: "space", "enter", "shift+tab", "ctrl+r", or
// a single character.
func (hs *harness) press(keys ...string) {
	for _, k := range keys {
		hs.tm.Send(keyPress(k))
	}
}

// typeText sends text as key presses.
func (hs *harness) typeText(s string) { hs.tm.Type(s) }

var specialKeys = map[string]rune{
	"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "backspace": tea.KeyBackspace,
	"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
	"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
	"space": tea.KeySpace,
}

func keyPress(name string) tea.KeyPressMsg {
	var mod tea.KeyMod
	switch {
	case strings.HasPrefix(name, "ctrl+"):
		mod, name = tea.ModCtrl, strings.TrimPrefix(name, "ctrl+")
	case strings.HasPrefix(name, "shift+"):
		mod, name = tea.ModShift, strings.TrimPrefix(name, "shift+")
	}
	if r, ok := specialKeys[name]; ok {
		k := tea.KeyPressMsg{Code: r, Mod: mod}
		if r == tea.KeySpace {
			k.Text = " "
		}
		return k
	}
	r, _ := utf8.DecodeRuneInString(name)
	k := tea.KeyPressMsg{Code: r, Mod: mod}
	if mod == 0 {
		k.Text = name
	}
	return k
}

// openLesson opens lesson id from the list and waits for its setup.
func (hs *harness) openLesson(id string) {
	hs.t.Helper()
	var idx int
	hs.lab(func(m *Model) {
		for i, sc := range m.file.Scenarios {
			if sc.ID == id {
				idx = i
			}
		}
		m.cursor = idx
	})
	hs.press("enter")
	hs.waitLab("the lesson's setup", func(m *Model) bool { return m.les != nil && !m.les.busy && len(m.les.steps) > 0 })
}

// steps presses space n times, waiting for each step.
func (hs *harness) steps(n int) {
	hs.t.Helper()
	for range n {
		var before int
		hs.lab(func(m *Model) { before = len(m.les.steps) })
		hs.press("space")
		hs.waitLab("a step", func(m *Model) bool { return !m.les.busy && (len(m.les.steps) > before || m.les.eof) })
	}
}

// checkFrame asserts that a view is exactly w×h cells.
func checkFrame(t testing.TB, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("%d×%d: the view has %d lines:\n%s", w, h, len(lines), view)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("%d×%d: line %d is %d cells wide:\n%q\n%s", w, h, i+1, got, l, ansi.Strip(view))
		}
	}
}
