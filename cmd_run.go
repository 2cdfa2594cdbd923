package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"spflab/scenarios"
)

// recordFlags collects repeated --record DOMAIN=RECORD flags.
type recordFlags map[string]string

func (r recordFlags) String() string { return "" }

func (r recordFlags) Set(v string) error {
	domain, record, ok := strings.Cut(v, "=")
	if !ok || domain == "" {
		return fmt.Errorf("want DOMAIN=RECORD, e.g. euston.net=\"v=spf1 mx -all\"")
	}
	r[domain] = record
	return nil
}

// printers are the output formats of run.
var printers = map[string]func(io.Writer, *scenarios.Transcript) error{
	"text":     scenarios.WriteText,
	"json":     scenarios.WriteJSON,
	"markdown": scenarios.WriteMarkdown,
}

const runSynopsis = "run [ID...|--all] [--format text|json|markdown] [--scenarios FILE] [--record DOMAIN=RECORD]..."

// runOptions are "spflab run"'s command line.
type runOptions struct {
	ids       []string
	all       bool
	format    string
	scenarios string // "" for the built-in lessons
	records   recordFlags
}

func parseRun(args []string, stderr io.Writer) (runOptions, error) {
	o := runOptions{records: recordFlags{}}
	fs := newFlagSet("run", runSynopsis, stderr)
	fs.BoolVar(&o.all, "all", false, "run every scenario of the file")
	fs.StringVar(&o.format, "format", "text", "output `format`: text, json (one event per line) or markdown (a handout)")
	fs.StringVar(&o.scenarios, "scenarios", "", "a scenarios `FILE` instead of the built-in lessons")
	fs.Var(o.records, "record", "run with a draft SPF record for a domain: `DOMAIN=RECORD` (repeatable)")
	var err error
	if o.ids, err = parseFlags(fs, args); err != nil {
		return o, err
	}
	if _, ok := printers[o.format]; !ok {
		fail(stderr, "run", exitUsage, fmt.Errorf("unknown format %q (want text, json or markdown)", o.format))
		return o, errUsage
	}
	if o.all == (len(o.ids) > 0) {
		fail(stderr, "run", exitUsage, errors.New("name scenarios or give --all, not both or neither ('spflab list' shows them)"))
		fs.Usage()
		return o, errUsage
	}
	return o, nil
}

// runRun runs lessons against a real server and prints each transcript.
// Exit status: exitOK when the lessons ran (whether their expectations
// held or not: that is spflab test's job), exitFail when one could not
// run, exitUsage for bad arguments.
func runRun(ctx context.Context, o runOptions, stdout, stderr io.Writer) int {
	print := printers[o.format]
	f, err := loadLessons(o.scenarios)
	if err != nil {
		return fail(stderr, "run", exitUsage, err)
	}
	list := f.Scenarios
	if !o.all {
		list = nil
		for _, id := range o.ids {
			sc := f.Lookup(id)
			if sc == nil {
				return fail(stderr, "run", exitUsage, fmt.Errorf("no scenario %q in %s ('spflab list' shows them)", id, f.Name))
			}
			list = append(list, sc)
		}
	}
	for i, sc := range list {
		if i > 0 && o.format != "json" {
			sep := "\n"
			if o.format == "markdown" {
				sep = "\n---\n\n"
			}
			fmt.Fprint(stdout, sep)
		}
		t, err := scenarios.Run(ctx, sc, scenarios.Options{Records: o.records})
		if t != nil {
			if perr := print(stdout, t); perr != nil {
				return fail(stderr, "run", exitFail, perr)
			}
		}
		if err != nil {
			return fail(stderr, "run", exitFail, err)
		}
	}
	return exitOK
}
