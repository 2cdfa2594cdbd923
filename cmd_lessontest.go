package main

import (
	"context"
	"fmt"
	"io"

	"spflab/scenarios"
)

// runTest is "spflab test [FILE] [-v]": it runs every scenario of FILE
// (the built-in lessons by default), checks every expectation, prints each
// failure with its scenario, step, expectation and what happened, and
// closes with "N passed, N failed" (scenarios). Exit status: 0 all passed,
// 1 a scenario failed, 2 the file could not be loaded.
func runTest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const synopsis = "test [FILE] [-v]"
	fs := newFlagSet("test", synopsis, stderr)
	verbose := fs.Bool("v", false, "also list the scenarios that pass")
	files, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(files) > 1 {
		fs.Usage()
		return 2
	}
	file := ""
	if len(files) == 1 {
		file = files[0]
	}
	f, err := loadLessons(file)
	if err != nil {
		fmt.Fprintf(stderr, "spflab test: %v\n", err)
		return 2
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
			if *verbose {
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
		return 1
	}
	return 0
}
