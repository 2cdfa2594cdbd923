package main

import (
	"context"
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

// runRun is "spflab run [ID...|--all] [--format text|json|markdown]
// [--scenarios FILE] [--record DOMAIN=RECORD]...": it runs lessons
// against a real server and prints each transcript. Exit status: 0 when
// the lessons ran (whether their expectations held or not: that is
// spflab test's job), 1 when one could not run, 2 for bad arguments.
func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "run [ID...|--all] [--format text|json|markdown] [--scenarios FILE] [--record DOMAIN=RECORD]..."
	fs := newFlagSet("run", synopsis, stderr)
	all := fs.Bool("all", false, "run every scenario of the file")
	format := fs.String("format", "text", "output `format`: text, json (one event per line) or markdown (a handout)")
	file := fs.String("scenarios", "", "a scenarios `FILE` instead of the built-in lessons")
	records := recordFlags{}
	fs.Var(records, "record", "run with a draft SPF record for a domain: `DOMAIN=RECORD` (repeatable)")
	ids, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	print, ok := printers[*format]
	if !ok {
		fmt.Fprintf(stderr, "spflab run: unknown format %q (want text, json or markdown)\n", *format)
		return 2
	}
	if *all == (len(ids) > 0) {
		fmt.Fprintf(stderr, "spflab run: name scenarios or give --all, not both or neither ('spflab list' shows them)\n")
		fs.Usage()
		return 2
	}
	f, err := loadLessons(*file)
	if err != nil {
		fmt.Fprintf(stderr, "spflab run: %v\n", err)
		return 2
	}
	list := f.Scenarios
	if !*all {
		list = nil
		for _, id := range ids {
			sc := f.Lookup(id)
			if sc == nil {
				fmt.Fprintf(stderr, "spflab run: no scenario %q in %s ('spflab list' shows them)\n", id, f.Name)
				return 2
			}
			list = append(list, sc)
		}
	}
	for i, sc := range list {
		if i > 0 && *format != "json" {
			sep := "\n"
			if *format == "markdown" {
				sep = "\n---\n\n"
			}
			fmt.Fprint(stdout, sep)
		}
		t, err := scenarios.Run(ctx, sc, scenarios.Options{Records: records})
		if t != nil {
			if perr := print(stdout, t); perr != nil {
				fmt.Fprintf(stderr, "spflab run: %v\n", perr)
				return 1
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "spflab run: %v\n", err)
			return 1
		}
	}
	return 0
}
