package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
)

const listSynopsis = "list [--scenarios FILE]"

// listOptions are "spflab list"'s command line.
type listOptions struct {
	scenarios string // "" for the built-in lessons
}

func parseList(args []string, stderr io.Writer) (listOptions, error) {
	var o listOptions
	fs := newFlagSet("list", listSynopsis, stderr)
	fs.StringVar(&o.scenarios, "scenarios", "", "a scenarios `FILE` instead of the built-in lessons")
	rest, err := parseFlags(fs, args)
	if err == nil && len(rest) > 0 {
		fs.Usage()
		err = errUsage
	}
	return o, err
}

// runList prints one line per scenario with its id, title and summary.
func runList(_ context.Context, o listOptions, stdout, stderr io.Writer) int {
	f, err := loadLessons(o.scenarios)
	if err != nil {
		return fail(stderr, "list", exitUsage, err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tSUMMARY")
	for _, sc := range f.Scenarios {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", sc.ID, sc.Title, sc.Summary)
	}
	if err := tw.Flush(); err != nil {
		return fail(stderr, "list", exitFail, err)
	}
	return exitOK
}
