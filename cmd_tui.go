package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/charmbracelet/x/term"

	"spflab/tui"
)

const labSynopsis = "[--scenarios FILE] [--lesson ID] [--presenter] [--predict] [--mouse] [--theme dark|light]"

// labOptions are the lab's command line: spflab with no command.
type labOptions struct {
	scenarios string // "" for the built-in lessons
	tui       tui.Options
}

func parseLab(args []string, stderr io.Writer) (labOptions, error) {
	var o labOptions
	fs := newFlagSet("spflab", labSynopsis, stderr)
	fs.StringVar(&o.scenarios, "scenarios", "", "a scenarios `FILE` instead of the built-in lessons")
	fs.StringVar(&o.tui.Lesson, "lesson", "", "open the lesson `ID` at start ('spflab list' shows them)")
	fs.BoolVar(&o.tui.Presenter, "presenter", false, "for a projector: larger spacing, high contrast")
	fs.BoolVar(&o.tui.Predict, "predict", false, "start in predict mode: guess each reply before it is revealed")
	fs.BoolVar(&o.tui.Mouse, "mouse", false, "turn the mouse on (m toggles it)")
	fs.StringVar(&o.tui.Theme, "theme", "", "`dark` or light background; default: ask the terminal")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return o, err
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "spflab: unknown command %q ('spflab help' lists them)\n", rest[0])
		return o, errUsage
	}
	if t := o.tui.Theme; t != "" && t != "dark" && t != "light" {
		fail(stderr, "", exitUsage, fmt.Errorf("--theme %q: want dark or light", t))
		return o, errUsage
	}
	return o, nil
}

// runLab is the lab, a terminal UI that steps through the lessons with
// the SMTP dialogue and the SPF evaluation side by side.
func runLab(ctx context.Context, o labOptions, stdout, stderr io.Writer) int {
	f, err := loadLessons(o.scenarios)
	if err != nil {
		return fail(stderr, "", exitUsage, err)
	}
	if o.tui.Lesson != "" && f.Lookup(o.tui.Lesson) == nil {
		return fail(stderr, "", exitUsage, fmt.Errorf("no lesson %q in %s ('spflab list' shows them)", o.tui.Lesson, f.Name))
	}
	if out, ok := stdout.(*os.File); !ok || !term.IsTerminal(out.Fd()) || !term.IsTerminal(os.Stdin.Fd()) {
		return fail(stderr, "", exitUsage, errors.New("the lab needs a terminal; without one, 'spflab run --all' prints the lessons and 'spflab list' lists them"))
	}
	if d, err := tui.DefaultStateDir(); err == nil {
		o.tui.StateDir = d // without a home, the lab remembers nothing
	}
	if err := tui.Run(ctx, f, o.tui); err != nil {
		return fail(stderr, "", exitFail, err)
	}
	return exitOK
}
