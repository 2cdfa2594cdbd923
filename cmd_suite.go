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

// suiteOptions are "spflab suite"'s command line.
type suiteOptions struct {
	file string
	json bool
}

func parseSuite(args []string, stderr io.Writer) (suiteOptions, error) {
	var o suiteOptions
	fs := newFlagSet("suite", "suite FILE [--json]", stderr)
	fs.BoolVar(&o.json, "json", false, "print a JSON report of every test")
	files, err := parseFlags(fs, args)
	if err == nil && len(files) != 1 {
		fs.Usage()
		err = errUsage
	}
	if err == nil {
		o.file = files[0]
	}
	return o, err
}

// runSuite runs an openspf-format suite (plain or gzip) and prints each
// failure, then "N passed, N failed". Exit status: exitOK all passed,
// exitFail a test failed, exitUsage the file could not be read or
// holds no test.
func runSuite(ctx context.Context, o suiteOptions, stdout, stderr io.Writer) int {
	s, err := suite.ParseFile(o.file)
	if err != nil {
		return fail(stderr, "suite", exitUsage, err)
	}
	rep := s.Run(ctx, spf.Checker{Receiver: "spflab.invalid"})
	if rep.Passed+rep.Failed == 0 {
		// A gate that ran nothing must not pass.
		return fail(stderr, "suite", exitUsage, fmt.Errorf("%s: no tests", o.file))
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fail(stderr, "suite", exitFail, err)
		}
	} else {
		for _, f := range rep.Failures() {
			printFailure(stdout, f)
		}
		fmt.Fprintf(stdout, "%d passed, %d failed\n", rep.Passed, rep.Failed)
	}
	if rep.Failed > 0 {
		return exitFail
	}
	return exitOK
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
