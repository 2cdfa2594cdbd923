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

// A command is one subcommand of spflab. run returns the exit status.
type command struct {
	name    string
	usage   string // the synopsis after "spflab"
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

// commands lists the subcommands in the order usage shows them.
var commands = []command{
	{name: "suite", usage: "suite FILE [--json]", summary: "run an openspf-format SPF test suite (plain or .gz)", run: runSuite},
	{name: "lint", usage: "lint DOMAIN [--record DRAFT] [--zone F | --dns H:P]", summary: "lint a record and its include tree", run: runLint},
	{name: "check", usage: "check DOMAIN --ip IP [--sender S] [--record DRAFT]", summary: "evaluate SPF step by step, a draft overlaid", run: runCheck},
	{name: "check", usage: "check DOMAIN --record DRAFT --compare --senders F", summary: "which senders in F the draft changes, grouped", run: runCheck},
	{name: "list", usage: "list [--scenarios FILE]", summary: "list the lessons: id, title, summary", run: runList},
	{name: "run", usage: "run [ID...|--all] [--format text|json|markdown]", summary: "run lessons against a real server and print them", run: runRun},
	{name: "test", usage: "test [FILE]", summary: "check every expectation of every lesson", run: runTest},
	{name: "serve", usage: "serve [--scenario ID | --zone FILE] [--no-tui]", summary: "serve a lesson's SMTP and DNS on loopback for swaks, nc, dig", run: runServe},
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
	if len(args) == 0 {
		return runDefault(ctx, nil, stdout, stderr)
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	}
	if strings.HasPrefix(args[0], "-") { // flags and no command: the lab's
		return runDefault(ctx, args, stdout, stderr)
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "spflab: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// runDefault is what spflab does with no command: args are its flags.
var runDefault = func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	usage(stdout)
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "spflab: a terminal lab for SMTP and SPF (RFC 7208)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage:")
	fmt.Fprintf(w, "  spflab %-50s %s\n", "[--scenarios FILE] [--lesson ID] [--presenter]", "the lab: lessons step by step (a terminal UI)")
	for _, c := range commands {
		fmt.Fprintf(w, "  spflab %-50s %s\n", c.usage, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'spflab COMMAND -h' for the flags of a command.")
}

// newFlagSet returns a FlagSet for the named command that writes its usage
// to stderr and returns errors instead of exiting.
func newFlagSet(c, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(c, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: spflab %s\n", synopsis)
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

// flagStatus turns a flag parsing error into an exit status: 0 for -h, 2
// otherwise (the FlagSet has already printed the message).
func flagStatus(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}
