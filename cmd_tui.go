package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/charmbracelet/x/term"

	"spflab/tui"
)

func init() { runDefault = runTUI }

// runTUI is "spflab [--scenarios FILE] [--lesson ID] [--presenter]
// [--predict] [--mouse] [--theme dark|light]": the lab, a terminal UI
// that steps through the lessons with the SMTP dialogue and the SPF
// evaluation side by side.
func runTUI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "[--scenarios FILE] [--lesson ID] [--presenter] [--predict] [--mouse] [--theme dark|light]"
	fs := newFlagSet("spflab", synopsis, stderr)
	file := fs.String("scenarios", "", "a scenarios `FILE` instead of the built-in lessons")
	lesson := fs.String("lesson", "", "open the lesson `ID` at start ('spflab list' shows them)")
	presenter := fs.Bool("presenter", false, "for a projector: larger spacing, high contrast")
	predict := fs.Bool("predict", false, "start in predict mode: guess each reply before it is revealed")
	mouse := fs.Bool("mouse", false, "turn the mouse on (m toggles it)")
	theme := fs.String("theme", "", "`dark` or light background; default: ask the terminal")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(rest) > 0 {
		fmt.Fprintf(stderr, "spflab: unknown command %q\n\n", rest[0])
		usage(stderr)
		return 2
	}
	if *theme != "" && *theme != "dark" && *theme != "light" {
		fmt.Fprintf(stderr, "spflab: --theme %q: want dark or light\n", *theme)
		return 2
	}
	f, err := loadLessons(*file)
	if err != nil {
		fmt.Fprintf(stderr, "spflab: %v\n", err)
		return 2
	}
	opts := tui.Options{Presenter: *presenter, Lesson: *lesson, Predict: *predict, Mouse: *mouse, Theme: *theme}
	if *lesson != "" && f.Lookup(*lesson) == nil {
		fmt.Fprintf(stderr, "spflab: no lesson %q in %s ('spflab list' shows them)\n", *lesson, f.Name)
		return 2
	}
	if out, ok := stdout.(*os.File); !ok || !term.IsTerminal(out.Fd()) || !term.IsTerminal(os.Stdin.Fd()) {
		fmt.Fprintln(stderr, "spflab: the lab needs a terminal; without one, 'spflab run --all' prints the lessons and 'spflab list' lists them")
		return 2
	}
	if err := tui.Run(ctx, f, opts); err != nil {
		fmt.Fprintf(stderr, "spflab: %v\n", err)
		return 1
	}
	return 0
}
