package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"spflab/spf"
	"spflab/spf/suite"
)

// runSuite is "spflab suite FILE [--json]": it runs an openspf-format suite
// (plain or gzip) and prints each failure, then "N passed, N failed". Exit
// status: 0 all passed, 1 a test failed, 2 the file could not be read.
func runSuite(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "suite FILE [--json]"
	fs := newFlagSet("suite", synopsis, stderr)
	asJSON := fs.Bool("json", false, "print a JSON report of every test")
	files, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(files) != 1 {
		fs.Usage()
		return 2
	}
	s, err := suite.ParseFile(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "spflab suite: %v\n", err)
		return 2
	}
	rep := s.Run(ctx, spf.Checker{Receiver: "spflab.invalid"})
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "spflab suite: %v\n", err)
			return 2
		}
	} else {
		for _, f := range rep.Failures() {
			printFailure(stdout, f)
		}
		fmt.Fprintf(stdout, "%d passed, %d failed\n", rep.Passed, rep.Failed)
	}
	if rep.Failed > 0 {
		return 1
	}
	return 0
}

func printFailure(w io.Writer, f suite.Result) {
	want := make([]string, len(f.Want))
	for i, r := range f.Want {
		want[i] = string(r)
	}
	fmt.Fprintf(w, "FAIL %s / %s (%s:%d)\n", f.Scenario, f.Name, f.File, f.Line)
	fmt.Fprintf(w, "  result:      want %s, got %s\n", strings.Join(want, " or "), f.Got)
	if f.WantExplanation != nil {
		fmt.Fprintf(w, "  explanation: want %q, got %q\n", *f.WantExplanation, f.GotExplanation)
	}
	if f.Err != "" {
		fmt.Fprintf(w, "  error:       %s\n", f.Err)
	}
}
