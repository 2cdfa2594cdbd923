package tui

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// TestGolden compares the view of the key states, colours stripped, with
// testdata/TestGolden/*.golden at fixed sizes. go test -run TestGolden
// -update rewrites them; read the diff before committing.
func TestGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  Options
		w, h  int
		do    func(*harness)
		state string // the progress of earlier runs, if any
	}{
		{"list", Options{}, 80, 24, func(hs *harness) {}, ""},
		{"list-presenter", Options{Presenter: true}, 100, 30, func(hs *harness) { hs.press("down") }, ""},
		{"lesson-setup", Options{}, 80, 24, func(hs *harness) { hs.openLesson("spf-fail") }, ""},
		{"mid-lesson-include", Options{}, 100, 30, func(hs *harness) {
			hs.openLesson("include")
			hs.steps(3)
		}, ""},
		{"spf-fail-80x24", Options{}, 80, 24, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.steps(3)
		}, ""},
		{"spf-fail-100x30", Options{}, 100, 30, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.steps(3)
		}, ""},
		{"spf-fail-narrow", Options{}, 60, 30, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.steps(3)
		}, ""},
		{"earlier-reply", Options{}, 100, 30, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.steps(3)
			hs.press("up", "up")
		}, ""},
		{"edit-syntax-error", Options{}, 80, 24, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.steps(3)
			hs.press("e", "ctrl+u")
			hs.typeText("v=spf1 ipv4:192.0.2.80 -all")
			hs.waitLab("the lint", func(m *Model) bool { return m.les.edit.lintFor == m.les.edit.key() })
		}, ""},
		{"edit-not-an-spf-record", Options{}, 100, 30, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.steps(3)
			hs.press("e", "ctrl+u")
			hs.typeText("v=spf10 -all")
			hs.waitLab("the engine's verdict", func(m *Model) bool { return m.les.edit.lintFor == m.les.edit.key() })
		}, ""},
		{"rerun-with-draft", Options{}, 100, 30, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.steps(3)
			hs.press("e", "ctrl+u")
			hs.typeText("v=spf1 a:www.euston.net -all")
			hs.press("enter")
			hs.idle()
		}, ""},
		{"predict-prompt", Options{}, 80, 24, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.steps(2)
			hs.press("p", "space", "5")
		}, ""},
		{"predict-scored", Options{}, 80, 24, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.steps(2)
			hs.press("p", "space", "5", "f")
		}, ""},
		{"typing", Options{}, 80, 24, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.press("t")
			hs.typeText("EHLO pc.home")
			hs.press("enter")
			hs.idle()
		}, ""},
		{"help", Options{}, 80, 24, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.press("?")
		}, ""},
		{"end", Options{}, 80, 24, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.steps(5)
		}, ""},
		{"next-lesson", Options{}, 100, 30, func(hs *harness) {
			hs.openLesson("spf-fail")
			hs.steps(4)
			hs.press("n")
			hs.waitLab("the next lesson", func(m *Model) bool { return m.les.sc.ID == "include" && !m.les.busy })
		}, ""},
		{"list-remembered", Options{}, 80, 24, func(hs *harness) {},
			`{"files": {"testdata/lessons.yaml": {"spf-fail": {"done": true, "predicted": [4, 5]}, "include": {"done": true}}}}`},
		{"list-remembered-light", Options{Theme: "light", Presenter: true}, 100, 30, func(hs *harness) {},
			`{"files": {"testdata/lessons.yaml": {"honest": {"predicted": [1, 3]}}, "other.yaml": {"x": {"done": true}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.state != "" {
				tt.opts.StateDir = t.TempDir()
				if err := os.WriteFile(filepath.Join(tt.opts.StateDir, progressFile), []byte(tt.state), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			hs, _ := lab(t, tt.opts, tt.w, tt.h)
			tt.do(hs)
			hs.idle()
			screen := hs.screen()
			checkFrame(t, screen, tt.w, tt.h)
			golden.RequireEqual(t, screen)
		})
	}
}
