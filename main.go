// Command spflab is a terminal lab for SMTP and SPF (RFC 7208): it replays
// scripted SMTP dialogues against an embedded server and an in-memory DNS,
// shows every step of the SPF evaluation, and checks draft SPF records.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"spflab/termtext"
)

// The exit statuses of every command.
const (
	exitOK    = 0 // done; for check, the result was pass
	exitFail  = 1 // the answer is no (a test failed, a check did not pass) or the work failed on the way
	exitUsage = 2 // bad usage or unreadable input: nothing was checked
)

// A command is one subcommand of spflab. run parses args into the
// command's options and runs it (see command.of); it returns the exit
// status.
type command struct {
	name    string // "" for the lab, what spflab does with no command
	usage   string // the synopsis after "spflab"
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands lists the commands in the order usage shows them, the lab
// first.
var commands = []command{
	{name: "", usage: "[--scenarios FILE] [--lesson ID] [--presenter]", summary: "the lab: lessons step by step (a terminal UI)", run: runner(parseLab, runLab)},
	{name: "suite", usage: "suite FILE [--json]", summary: "run an openspf-format SPF test suite (plain or .gz)", run: runner(parseSuite, runSuite)},
	{name: "lint", usage: "lint DOMAIN [--record DRAFT] [--dmarc] [--flatten]", summary: "lint a record, its include tree (and DMARC record)", run: runner(parseLint, runLint)},
	{name: "check", usage: "check DOMAIN --ip IP [--sender S] [--record DRAFT]", summary: "evaluate SPF step by step, a draft overlaid", run: runner(parseCheck, runCheckCommand)},
	{name: "check", usage: "check [DOMAIN] --ip IP --message FILE.eml", summary: "SPF, DKIM and DMARC of a message (--from A: DMARC for a From)", run: runner(parseCheck, runCheckCommand)},
	{name: "check", usage: "check DOMAIN --record DRAFT --compare --senders F", summary: "which senders in F the draft changes, grouped", run: runner(parseCheck, runCheckCommand)},
	{name: "list", usage: listSynopsis, summary: "list the lessons: id, title, summary", run: runner(parseList, runList)},
	{name: "run", usage: "run [ID...|--all] [--format text|json|markdown]", summary: "run lessons against a real server and print them", run: runner(parseRun, runRun)},
	{name: "test", usage: testSynopsis, summary: "check every expectation of every lesson", run: runner(parseTest, runTest)},
	{name: "serve", usage: "serve [--scenario ID | --zone FILE] [--no-tui]", summary: "serve a lesson's SMTP and DNS on loopback for swaks, nc, dig", run: runner(parseServe, runServe)},
}

// runner joins a command's parse step and its run step: parse reads the
// command line into the options (writing usage and flag errors to
// stderr), run does the work.
func runner[O any](parse func(args []string, stderr io.Writer) (O, error), run func(ctx context.Context, opts O, stdout, stderr io.Writer) int) func(context.Context, []string, io.Writer, io.Writer) int {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		opts, err := parse(args, stderr)
		if err != nil {
			return flagStatus(err)
		}
		return run(ctx, opts, stdout, stderr)
	}
}

// errUsage is what a parse step returns after printing why the command
// line is wrong.
var errUsage = errors.New("bad usage")

// fail writes "spflab NAME: err" to stderr and returns status: the one
// way commands report an error.
func fail(stderr io.Writer, name string, status int, err error) int {
	if name == "" {
		fmt.Fprintf(stderr, "spflab: %v\n", err)
	} else {
		fmt.Fprintf(stderr, "spflab %s: %v\n", name, err)
	}
	return status
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches args to a subcommand and returns the exit status.
// Everything a command writes passes termtext, so that no control
// character from a lesson, a zone, DNS or a client reaches the terminal;
// only the commands that draw a terminal UI (the lab, serve's monitor)
// get stdout as it is, and clean what they draw themselves.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	errw := termtext.NewWriter(stderr)
	defer errw.Flush()
	stderr = errw
	if len(args) > 0 && args[0] != "serve" && !strings.HasPrefix(args[0], "-") {
		outw := termtext.NewWriter(stdout)
		defer outw.Flush()
		stdout = outw
	}
	if len(args) > 0 {
		switch args[0] {
		case "help", "-h", "-help", "--help":
			usage(stdout)
			return exitOK
		case "version", "-version", "--version":
			return runVersion(stdout)
		}
	}
	name := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, args, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "spflab: unknown command %q\n\n", name)
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "spflab: a terminal lab for SMTP and SPF (RFC 7208)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  spflab %-50s %s\n", c.usage, c.summary)
	}
	fmt.Fprintf(w, "  spflab %-50s %s\n", "--version", "the module version and VCS revision of this build")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'spflab COMMAND -h' for the flags of a command.")
}

// newFlagSet returns a FlagSet for the named command that writes its usage
// to stderr and returns errors instead of exiting.
func newFlagSet(c, synopsis string, stderr io.Writer) *flag.FlagSet {
	return newHelpFlagSet(c, synopsis, "", stderr)
}

// newHelpFlagSet is newFlagSet whose usage prints help, the command's
// longer description, between the synopsis and the flags.
func newHelpFlagSet(c, synopsis, help string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: spflab %s\n", synopsis)
		if help != "" {
			fmt.Fprintln(stderr, help)
		}
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args with flags and positional arguments in any order
// ("lint example.com --json" as well as "lint --json example.com") and
// returns the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		// fs.Parse stopped at a positional argument: keep it, parse on.
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// flagStatus turns a parse error into an exit status: exitOK for -h,
// exitUsage otherwise (the parse step has already printed the message).
func flagStatus(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}
