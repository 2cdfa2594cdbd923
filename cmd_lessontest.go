package main

import (
	"context"
	"fmt"
	"io"

	"spflab/scenarios"
)

const testSynopsis = "test [FILE] [-v]"

// testOptions are "spflab test"'s command line.
type testOptions struct {
	file    string // "" for the built-in lessons
	verbose bool
}

func parseTest(args []string, stderr io.Writer) (testOptions, error) {
	var o testOptions
	fs := newFlagSet("test", testSynopsis, stderr)
	fs.BoolVar(&o.verbose, "v", false, "also list the scenarios that pass")
	files, err := parseFlags(fs, args)
	switch {
	case err != nil:
		return o, err
	case len(files) > 1:
		fs.Usage()
		return o, errUsage
	case len(files) == 1:
		o.file = files[0]
	}
	return o, nil
}

// runTest runs every scenario of the file (the built-in lessons by
// default), checks every expectation, prints each failure with its
// scenario, step, expectation and what happened, and closes with "N
// passed, N failed" (scenarios). Exit status: exitOK all passed, exitFail
// a scenario failed, exitUsage the file could not be loaded.
func runTest(ctx context.Context, o testOptions, stdout, stderr io.Writer) int {
	f, err := loadLessons(o.file)
	if err != nil {
		return fail(stderr, "test", exitUsage, err)
	}
	passed, failed := 0, 0
	for _, sc := range f.Scenarios {
		t, err := scenarios.Run(ctx, sc, scenarios.Options{})
		var checks, fails []scenarios.Check
		if t != nil {
			checks, fails = t.Checks(), t.Failed()
		}
		if err == nil && len(fails) == 0 {
			passed++
			if o.verbose {
				fmt.Fprintf(stdout, "ok   %s (%d expectations)\n", sc.ID, len(checks))
			}
			continue
		}
		failed++
		fmt.Fprintf(stdout, "FAIL %s (%s:%d)\n", sc.ID, sc.File, sc.Line)
		for _, c := range fails {
			fmt.Fprintf(stdout, "  step %d (line %d): %s: expected %s, got %s\n", c.Step, c.Line, c.Field, c.Expected, c.Got)
		}
		if err != nil {
			fmt.Fprintf(stdout, "  error: %v\n", err)
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return exitFail
	}
	return exitOK
}
