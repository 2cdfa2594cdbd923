package tui

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

// sizes are the terminal sizes the layout tests try: the smallest, the
// edges of the side-by-side layout, the usual, and large.
var sizes = [][2]int{
	{40, 12}, {41, 13}, {55, 17}, {71, 20}, {72, 20}, {80, 24}, {99, 30}, {100, 30}, {133, 41}, {200, 60},
}

// TestResize draws every state at every size and checks that the view is
// exactly the terminal's size: no line too long or short, no border
// broken, whatever the content.
func TestResize(t *testing.T) {
	states := []struct {
		name string
		opts Options
		do   func(*harness)
	}{
		{"list", Options{}, func(*harness) {}},
		{"presenter", Options{Presenter: true}, func(hs *harness) {
			hs.openLesson("include")
			hs.steps(5)
		}},
		{"lesson", Options{}, func(hs *harness) {
			hs.openLesson("include")
			hs.steps(3)
		}},
		{"edit", Options{}, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.press("e")
			hs.typeText(" ipv4:" + strings.Repeat("x", 200))
		}},
		{"predict", Options{Predict: true}, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.press("space")
		}},
		{"typing", Options{}, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.press("t")
		}},
		{"help", Options{}, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.press("?")
		}},
	}
	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			hs, _ := lab(t, st.opts, 80, 24)
			st.do(hs)
			hs.idle()
			for _, sz := range sizes {
				hs.tm.Send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				checkFrame(t, hs.screen(), sz[0], sz[1])
			}
		})
	}
}

// TestTooSmall says what size it needs instead of drawing broken panes.
func TestTooSmall(t *testing.T) {
	for _, sz := range [][2]int{{39, 24}, {80, 11}, {10, 3}, {1, 1}} {
		m, _ := New(t.Context(), testLessons(t), Options{Theme: "dark"})
		m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		v := m.render()
		checkFrame(t, v, sz[0], sz[1])
		if sz[0] >= 30 && !strings.Contains(v, fmt.Sprintf("needs %d×%d", minW, minH)) {
			t.Errorf("%v: %q", sz, v)
		}
	}
}

// TestNoColorKeepsCues renders a refused reply under NO_COLOR (the ASCII
// profile: no colours, attributes kept) and checks that the reply classes
// and the matching term still stand out.
func TestNoColorKeepsCues(t *testing.T) {
	hs, _ := lab(t, Options{}, 100, 30)
	hs.openLesson("spf-fail")
	hs.steps(3)
	var view string
	hs.lab(func(m *Model) {
		// The lesson has no 4xx: a 451 as the SMTP pane paints its code.
		_, num := m.th.replyPaints(451)
		view = m.render() + "\n" + num.on("451")
	})

	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: colorprofile.ASCII}
	if _, err := w.WriteString(view); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "38;") || strings.Contains(out, "48;") {
		t.Fatal("colours left under NO_COLOR")
	}
	if !regexp.MustCompile(`\x1b\[1;4[;0-9]*m451`).MatchString(out) {
		t.Error("the 4xx code is not bold and underlined in the NO_COLOR view")
	}
	for _, want := range []string{
		"\x1b[1;7m550",    // the 5xx code: bold and reversed
		"\x1b[1;7m5.7.23", // and its enhanced code
		"\x1b[1m250",      // a 2xx code: bold
		"✓ ",              // the term that matched
		"· ",              // the term that did not
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the NO_COLOR view", want)
		}
	}
}

// TestReplyClassesDiffer checks that 2xx, 3xx, 4xx and 5xx get four
// different styles, on dark and light backgrounds and in presenter mode.
func TestReplyClassesDiffer(t *testing.T) {
	for _, dark := range []bool{true, false} {
		for _, presenter := range []bool{false, true} {
			th := newTheme(dark, presenter)
			seen := map[paint]int{}
			for _, code := range []int{250, 354, 451, 550} {
				text, num := th.replyPaints(code)
				if prev, ok := seen[num]; ok {
					t.Errorf("dark %v presenter %v: %d looks like %d", dark, presenter, code, prev)
				}
				seen[num] = code
				if text == th.text {
					t.Errorf("dark %v presenter %v: %d in plain text", dark, presenter, code)
				}
			}
		}
	}
}

// TestCountersFollowScrolling scrolls through a trace of four DNS-querying
// terms: the pane opens on the term that decided, at the end, with the
// total; scrolled to the top, the counters show the lookups up to the part
// in view, and the total until the end is in view again.
func TestCountersFollowScrolling(t *testing.T) {
	hs, _ := lab(t, Options{}, 80, 24)
	hs.openLesson("lookups")
	hs.steps(3)
	opened := hs.screen()
	if !strings.Contains(opened, "DNS lookups 4/10") || !strings.Contains(opened, "✓ -all: match → fail") {
		t.Errorf("the pane does not open on the decision:\n%s", opened)
	}
	hs.press("tab", "pgup", "pgup", "pgup", "pgup")
	top := hs.screen()
	if !strings.Contains(top, "at the end 4/10, void 2/2 · ") || strings.Contains(top, "DNS lookups 4/10") {
		t.Errorf("at the top of the trace:\n%s", top)
	}
	hs.press("pgdown", "pgdown", "pgdown", "pgdown")
	end := hs.screen()
	if !strings.Contains(end, "DNS lookups 4/10") || strings.Contains(end, "at the end") {
		t.Errorf("at the end of the trace:\n%s", end)
	}
}
