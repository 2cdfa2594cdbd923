package tui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// TestHelpIsComplete opens the keys (?) of every state at 80×24 and
// scrolls them to the end: every binding of the state is there, with its
// description and the names of all its keys, and the last paragraph too.
func TestHelpIsComplete(t *testing.T) {
	m, err := New(context.Background(), builtinLessons(t), Options{Theme: "dark", Lesson: "seed-spf-fail"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	drive(m, m.Init())
	k := m.keys
	for _, st := range []struct {
		name  string
		keys  keyHelp
		about string // the end of the text after the keys
	}{
		{"lesson", k.lessonHelp(), "send your own SMTP lines to the same server."},
		{"list", k.listHelp(), "send your own SMTP lines to the same server."},
	} {
		t.Run(st.name, func(t *testing.T) {
			if st.name == "list" {
				drive(m, m.onKey(keyPress("esc")))
			}
			drive(m, m.onKey(keyPress("?")))
			seen := map[string]bool{}
			var all strings.Builder
			for range 20 {
				for _, l := range strings.Split(ansi.Strip(m.render()), "\n") {
					l = strings.Trim(l, "│")
					if !seen[l] {
						seen[l] = true
						all.WriteString(l + "\n")
					}
				}
				m.onKey(keyPress("pgdown"))
			}
			text := all.String()
			for _, g := range st.keys.full {
				for _, b := range g.keys {
					h := b.Help()
					if !strings.Contains(text, h.Key) || !strings.Contains(text, h.Desc) {
						t.Errorf("the keys lack %q %q:\n%s", h.Key, h.Desc, text)
					}
					for _, key := range b.Keys() {
						if !strings.Contains(h.Key, keyName(key)) {
							t.Errorf("%q does not name %q", h.Key, key)
						}
					}
				}
			}
			if !strings.Contains(strings.Join(strings.Fields(text), " "), st.about) {
				t.Errorf("the keys do not scroll to their end:\n%s", text)
			}
			drive(m, m.onKey(keyPress("esc")))
		})
	}
}

// TestScrollNarration scrolls the narration of seed-spf-fail's third step,
// longer than its pane at 80×24, with j and k.
func TestScrollNarration(t *testing.T) {
	walked := false
	walk(t, builtinLessons(t), "seed-spf-fail", Options{}, 80, 24, func(m *Model) {
		if m.les.dialogueDone() != 3 {
			return
		}
		walked = true
		m.render()
		if m.hit.nar.max < 2 {
			t.Fatalf("the narration scrolls %d lines at 80×24", m.hit.nar.max)
		}
		for _, k := range []string{"shift+tab", "j", "j", "j", "k"} {
			m.onKey(keyPress(k))
			m.render()
		}
		if m.les.narrTop != 2 || m.les.selected != -1 {
			t.Errorf("narrTop %d, selected %d; want 2, -1", m.les.narrTop, m.les.selected)
		}
		m.onKey(keyPress("pgdown"))
		m.render()
		if m.les.narrTop != m.hit.nar.max || !strings.Contains(plain(m), "spf fail") {
			t.Errorf("pgdown went to %d of %d:\n%s", m.les.narrTop, m.hit.nar.max, plain(m))
		}
	})
	if !walked {
		t.Fatal("no third step")
	}
}

// TestMonitorHelpIsComplete is TestHelpIsComplete for the monitor.
func TestMonitorHelpIsComplete(t *testing.T) {
	mo := NewMonitor(MonitorOptions{Theme: "dark"})
	mo.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	mo.onKey(keyPress("?"))
	var all strings.Builder
	for range 5 {
		all.WriteString(ansi.Strip(mo.render()))
		mo.onKey(keyPress("pgdown"))
	}
	for _, g := range mo.keys.monitorHelp(viewSessions, false).full {
		for _, b := range g.keys {
			if h := b.Help(); !strings.Contains(all.String(), h.Key) || !strings.Contains(all.String(), h.Desc) {
				t.Errorf("the keys lack %q %q:\n%s", h.Key, h.Desc, all.String())
			}
		}
	}
	if !mo.keysPg.open {
		t.Error("scrolling closed the keys")
	}
	mo.onKey(keyPress("esc"))
	if mo.keysPg.open {
		t.Error("esc left the keys open")
	}
}
