package tui

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// startLab makes the lab on the test lessons at w×h with opts and runs its
// first commands.
func startLab(t *testing.T, opts Options, w, h int) *Model {
	t.Helper()
	opts.Theme = "dark"
	m, err := New(context.Background(), testLessons(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	drive(m, m.Init())
	return m
}

// press sends keys to m, running what follows from each.
func press(m *Model, keys ...string) {
	for _, k := range keys {
		_, cmd := m.Update(keyPress(k))
		drive(m, cmd)
	}
}

// TestProgressIsKept finishes a lesson in predict mode and starts the lab
// again on the same state directory: the lesson is done, the score kept,
// and the list shows both.
func TestProgressIsKept(t *testing.T) {
	dir := t.TempDir()
	m := startLab(t, Options{StateDir: dir, Predict: true, Lesson: "spf-fail"}, 80, 24)
	// HELO 2xx right, MAIL 2xx right, RCPT 5xx right and SPF pass wrong,
	// QUIT 2xx right: 4 of 5.
	press(m, "space", "2", "space", "2", "space", "5", "p", "space", "2")
	if !m.done["spf-fail"] || m.scores["spf-fail"] != [2]int{4, 5} {
		t.Fatalf("done %v, scores %v", m.done, m.scores)
	}
	data, err := os.ReadFile(filepath.Join(dir, "progress.json"))
	if err != nil {
		t.Fatal(err)
	}
	var kept progressData
	if err := json.Unmarshal(data, &kept); err != nil {
		t.Fatalf("%v:\n%s", err, data)
	}
	if lp := kept.Files["testdata/lessons.yaml"]["spf-fail"]; !lp.Done || lp.Predicted != [2]int{4, 5} {
		t.Errorf("kept %+v:\n%s", kept, data)
	}

	again := startLab(t, Options{StateDir: dir}, 80, 24)
	if !again.done["spf-fail"] || again.scores["spf-fail"] != [2]int{4, 5} || again.status != "" {
		t.Errorf("the next run has done %v, scores %v, status %q", again.done, again.scores, again.status)
	}
	if list := plain(again); !strings.Contains(list, "✓  1. SPF -all refuses") || !strings.Contains(list, "4/5 predicted") || !strings.Contains(list, "1/4 done") {
		t.Errorf("the list does not show the progress:\n%s", list)
	}
}

// TestProgressTroubles: a progress file that cannot be read, or a state
// directory that cannot be written, is said once in the status line and
// never stops the lab.
func TestProgressTroubles(t *testing.T) {
	corrupt := t.TempDir()
	if err := os.WriteFile(filepath.Join(corrupt, "progress.json"), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	unwritable := filepath.Join(file, "spflab")
	tests := []struct {
		name, dir, said string
		rewritten       bool
	}{
		{"corrupt", corrupt, "The lab goes on without the progress of earlier runs: progress: " + filepath.Join(corrupt, "progress.json"), true},
		{"unwritable", unwritable, "The lab could not keep your progress: progress: mkdir " + file, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir
			if tt.name == "unwritable" {
				dir = t.TempDir() // readable at the start, gone bad since
			}
			m := startLab(t, Options{StateDir: dir, Lesson: "spf-fail"}, 80, 24)
			m.progress.path = filepath.Join(tt.dir, progressFile)
			var said []string
			look := func() {
				if m.status != "" && !strings.HasPrefix(m.status, "End of") {
					said = append(said, m.status)
				}
			}
			look()
			for range 4 {
				press(m, "space")
				look()
			}
			press(m, "r", "space", "space", "space", "space") // done again
			look()
			if len(said) != 1 || !strings.HasPrefix(said[0], tt.said) {
				t.Errorf("said %q, want once %q", said, tt.said)
			}
			if !m.done["spf-fail"] || m.les.dialogueDone() != 4 {
				t.Errorf("the lab stopped: done %v, %d steps", m.done, m.les.dialogueDone())
			}
			data, err := os.ReadFile(filepath.Join(tt.dir, "progress.json"))
			if tt.rewritten && (err != nil || !json.Valid(data)) {
				t.Errorf("the progress was not written afresh: %v %q", err, data)
			}
		})
	}
}

// TestNextLesson opens the next lesson with n at the end of one, and says
// why not before the end and after the last.
func TestNextLesson(t *testing.T) {
	m := startLab(t, Options{Lesson: "spf-fail"}, 80, 24)
	press(m, "n")
	if m.les.sc.ID != "spf-fail" || !strings.Contains(m.status, "at the end of this one") {
		t.Errorf("n mid-lesson: lesson %s, status %q", m.les.sc.ID, m.status)
	}
	press(m, "space", "space", "space", "space")
	if !strings.Contains(plain(m), "n opens the next lesson") {
		t.Errorf("the end of the lesson does not say n:\n%s", plain(m))
	}
	press(m, "n")
	if m.les.sc.ID != "include" || len(m.les.steps) != 1 || m.cursor != 1 {
		t.Errorf("n at the end opened %s with %d steps, cursor %d", m.les.sc.ID, len(m.les.steps), m.cursor)
	}

	last := startLab(t, Options{Lesson: "lookups"}, 80, 24)
	press(last, "space", "space", "space", "n")
	if last.les.sc.ID != "lookups" || !strings.Contains(last.status, "the last lesson") {
		t.Errorf("n after the last lesson: %s, status %q", last.les.sc.ID, last.status)
	}
}

// TestProgressWrittenOnClose: progress whose command has not run yet when
// the lab ends is written by Close.
func TestProgressWrittenOnClose(t *testing.T) {
	dir := t.TempDir()
	m, err := New(context.Background(), testLessons(t), Options{Theme: "dark", StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	m.done["honest"] = true
	if m.keep() == nil {
		t.Fatal("no command to keep a lesson done")
	}
	m.Close()
	again, err := New(context.Background(), testLessons(t), Options{Theme: "dark", StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !again.done["honest"] {
		t.Errorf("the progress was not written on Close: %v", again.done)
	}
}
