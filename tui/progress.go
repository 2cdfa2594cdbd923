package tui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	tea "charm.land/bubbletea/v2"
)

// DefaultStateDir is where the lab keeps what it remembers between runs:
// $XDG_STATE_HOME/spflab, else the platform's place for such state
// (~/.local/state/spflab, ~/Library/Application Support/spflab,
// %LocalAppData%\spflab).
func DefaultStateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "spflab"), nil
	}
	var base string
	var err error
	switch runtime.GOOS {
	case "windows":
		base, err = os.UserCacheDir() // %LocalAppData%
	case "darwin", "ios":
		base, err = os.UserConfigDir() // ~/Library/Application Support
	default:
		base, err = os.UserHomeDir()
		base = filepath.Join(base, ".local", "state")
	}
	if err != nil {
		return "", fmt.Errorf("the lab's state directory: %w", err)
	}
	return filepath.Join(base, "spflab"), nil
}

// progressFile is the file of the state directory the lab keeps progress
// in.
const progressFile = "progress.json"

// lessonProgress is what the lab remembers of a lesson.
type lessonProgress struct {
	Done bool `json:"done,omitempty"`
	// Predicted is the predictions right and made in the lesson's last
	// run in predict mode.
	Predicted [2]int `json:"predicted,omitzero"`
}

// progressData is the progress file: by scenarios file (as the lab names
// it), by lesson id.
type progressData struct {
	Files map[string]map[string]lessonProgress `json:"files"`
}

// progress keeps the lessons done and the prediction scores in a file of
// a state directory. Writes go out in order from commands; an error is
// reported once, and the lab goes on without.
type progress struct {
	path string // "" keeps nothing

	mu      sync.Mutex
	written int // the newest version written
	version int // the newest version asked for
}

// loadProgress reads the progress of dir. A missing file is no progress;
// a file that cannot be read gives an error, and no progress.
func loadProgress(dir string) (*progress, progressData, error) {
	p := &progress{}
	var d progressData
	if dir == "" {
		return p, d, nil
	}
	p.path = filepath.Join(dir, progressFile)
	data, err := os.ReadFile(p.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return p, d, nil
	case err != nil:
		return p, d, fmt.Errorf("progress: %w", err)
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return p, progressData{}, fmt.Errorf("progress: %s: %w", p.path, err)
	}
	return p, d, nil
}

// progressMsg says how saving the progress went.
type progressMsg struct{ err error }

// saveCmd writes d, a newer version than any before it: a command that
// finishes after a newer one writes nothing.
func (p *progress) saveCmd(d progressData) tea.Cmd {
	if p.path == "" {
		return nil
	}
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return func() tea.Msg { return progressMsg{err} }
	}
	p.mu.Lock()
	p.version++
	v := p.version
	p.mu.Unlock()
	return func() tea.Msg {
		p.mu.Lock()
		defer p.mu.Unlock()
		if v < p.written {
			return progressMsg{}
		}
		p.written = v
		return progressMsg{writeFile(p.path, data)}
	}
}

// flush writes d now if the newest version asked for is not written yet:
// the lab may end before a command has run.
func (p *progress) flush(d progressData) error {
	p.mu.Lock()
	pending := p.path != "" && p.written < p.version
	p.mu.Unlock()
	if !pending {
		return nil
	}
	data, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.written = p.version
	return writeFile(p.path, data)
}

// writeFile replaces path with data, or leaves it as it was: the data
// goes to a temporary file renamed over it.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".progress-*")
	if err != nil {
		return fmt.Errorf("progress: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("progress: %w", err)
	}
	return nil
}
