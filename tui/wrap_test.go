package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"spflab/scenarios"
)

// builtinLessons loads the built-in lessons.
func builtinLessons(t testing.TB) *scenarios.File {
	t.Helper()
	f, err := scenarios.LoadFile("../scenarios.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestWrapLessonText wraps every text of the built-in lessons at every
// width a pane gives it: a line that continues a paragraph never begins
// with a space (a word that exactly filled the line before used to leave
// one), and no line is wider than the pane.
func TestWrapLessonText(t *testing.T) {
	var texts []string
	for _, sc := range builtinLessons(t).Scenarios {
		texts = append(texts, sc.Lesson, sc.Summary)
		for _, ds := range sc.Dialogue {
			texts = append(texts, ds.Narration, ds.Notice)
		}
	}
	th := newTheme(true, false)
	for _, text := range texts {
		if text == "" {
			continue
		}
		for width := 20; width <= 120; width++ {
			paras := reflow(text)
			lines := wrapText(text, th.text, width)
			p, first := 0, true // the paragraph of the line, and whether it is its first
			for _, l := range lines {
				l = ansi.Strip(l)
				if ansi.StringWidth(l) > width {
					t.Fatalf("width %d: %q is wider", width, l)
				}
				indented := p < len(paras) && strings.HasPrefix(paras[p], " ")
				if !first && !indented && strings.HasPrefix(l, " ") {
					t.Fatalf("width %d: a line of %q begins with a space: %q", width, paras[p], l)
				}
				first = false
				if l == "" || p < len(paras) && strings.HasSuffix(paras[p], strings.TrimLeft(l, " ")) {
					p, first = p+1, true
				}
			}
		}
	}
}
