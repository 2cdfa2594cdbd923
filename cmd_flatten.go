package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"spflab/spf"
	"spflab/spf/flatten"
)

// runFlatten is "spflab lint --flatten": the record as today's DNS
// resolves it. Exit status: exitOK flattened, exitUsage when the tree
// cannot be (today's check ends in an error, or the result does not fit).
func runFlatten(ctx context.Context, o lintOptions, res spf.Resolver, stdout, stderr io.Writer) int {
	f := flatten.Flattener{Resolver: res}
	var out *flatten.Result
	var err error
	if o.draft {
		out, err = f.Draft(ctx, o.domain, o.record)
	} else {
		out, err = f.Flatten(ctx, o.domain)
	}
	if err != nil {
		return fail(stderr, "lint", exitUsage, fmt.Errorf("--flatten: %w", err))
	}
	if o.format == "json" {
		if err := writeJSON(stdout, out); err != nil {
			return fail(stderr, "lint", exitFail, err)
		}
		return exitOK
	}
	printFlatten(stdout, out)
	return exitOK
}

// printFlatten writes the records to publish, each string quoted as a zone
// file has it, then what was copied and how to check it.
func printFlatten(w io.Writer, r *flatten.Result) {
	fmt.Fprintf(w, "%s: %q flattened: %d %s, %d DNS-querying %s\n", r.Domain, r.Source, len(r.Networks), plural(len(r.Networks), "network"), r.Lookups, plural(r.Lookups, "term"))
	for _, rec := range r.Records {
		quoted := make([]string, len(rec.Strings))
		for i, s := range rec.Strings {
			quoted[i] = strconv.Quote(s)
		}
		fmt.Fprintf(w, "\n%s. IN TXT %s\n", rec.Name, strings.Join(quoted, " "))
		fmt.Fprintf(w, "  (%d bytes in %d %s; a %d-byte answer)\n", len(rec.Text), len(rec.Strings), plural(len(rec.Strings), "string"), rec.AnswerSize)
	}
	if len(r.Kept) > 0 {
		fmt.Fprintf(w, "\nkept as written (asked for each client): %s\n", strings.Join(r.Kept, ", "))
	}
	fmt.Fprintf(w, "\nwarning: a flattened record is a copy of today's addresses of %s. When any of them changes, the copy is stale and mail from the new addresses fails: flatten again before every change, or keep the includes.\n", strings.Join(r.Sources, ", "))
	if len(r.Records) == 1 {
		fmt.Fprintf(w, "\nTo see that nothing changes for your senders today:\n  spflab check %s --compare --senders FILE --record %s\n", r.Domain, shellQuote(r.Records[0].Text))
	}
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
