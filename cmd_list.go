package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
)

// runList is "spflab list [--scenarios FILE]": one line per scenario with
// its id, title and summary.
func runList(_ context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "list [--scenarios FILE]"
	fs := newFlagSet("list", synopsis, stderr)
	file := fs.String("scenarios", "", "a scenarios `FILE` instead of the built-in lessons")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(rest) > 0 {
		fs.Usage()
		return 2
	}
	f, err := loadLessons(*file)
	if err != nil {
		fmt.Fprintf(stderr, "spflab list: %v\n", err)
		return 2
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tSUMMARY")
	for _, sc := range f.Scenarios {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", sc.ID, sc.Title, sc.Summary)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintf(stderr, "spflab list: %v\n", err)
		return 1
	}
	return 0
}
