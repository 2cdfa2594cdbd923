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
// failure and each test of another mode than RFC 7208 that did not pass,
// then "N passed, N failed". Exit status: exitOK all passed,
// exitFail a test failed, exitUsage the file could not be read or
// holds no test.
func runSuite(ctx context.Context, o suiteOptions, stdout, stderr io.Writer) int {
	s, err := suite.ParseFile(o.file)
	if err != nil {
		return fail(stderr, "suite", exitUsage, err)
	}
	rep := s.Run(ctx, spf.Checker{Receiver: "spflab.invalid"})
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fail(stderr, "suite", exitFail, err)
		}
	} else {
		for _, f := range rep.Failures() {
			printFailure(stdout, "FAIL", f)
		}
		for _, f := range rep.OtherModes() {
			printFailure(stdout, "OTHER MODE", f)
		}
		fmt.Fprintf(stdout, "%d passed, %d failed", rep.Passed, rep.Failed)
		if rep.OtherMode > 0 {
			fmt.Fprintf(stdout, ", %d written for another mode of pyspf (strict: 0 or 2; spflab checks RFC 7208)", rep.OtherMode)
		}
		fmt.Fprintln(stdout)
	}
	if rep.Failed > 0 {
		return exitFail
	}
	return exitOK
}

// strictModes names the modes of pyspf's driver a test may ask for.
var strictModes = map[int]string{
	suite.StrictLax:   "strict: 0, pyspf's lax mode, with extensions beyond RFC 7208",
	suite.StrictHarsh: "strict: 2, pyspf's harsh mode, a validator's",
}

// printFailure writes a test that did not pass, labelled FAIL or OTHER
// MODE.
func printFailure(w io.Writer, label string, f suite.Result) {
	want := make([]string, len(f.Want))
	for i, r := range f.Want {
		want[i] = string(r)
	}
	fmt.Fprintf(w, "%s %s / %s (%s:%d)\n", label, f.Scenario, f.Name, f.File, f.Line)
	if mode, ok := strictModes[f.Test.Strict]; ok {
		fmt.Fprintf(w, "  mode:        %s\n", mode)
	}
	fmt.Fprintf(w, "  result:      want %s, got %s\n", strings.Join(want, " or "), f.Got)
	if f.WantExplanation != nil {
		fmt.Fprintf(w, "  explanation: want %q, got %q\n", *f.WantExplanation, f.GotExplanation)
	}
	if f.HeaderDiff != "" {
		fmt.Fprintf(w, "  header:      %s\n", f.HeaderDiff)
		fmt.Fprintf(w, "    want %s\n    got  %s\n", f.WantHeader, f.GotHeader)
	}
	if f.Err != "" {
		fmt.Fprintf(w, "  error:       %s\n", f.Err)
	}
}
