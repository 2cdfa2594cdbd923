package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"spflab/spf/lint"
)

const lintSynopsis = "lint DOMAIN [--record 'v=spf1 ...'] [--dns HOST:PORT | --zone FILE] [--json]"

const lintHelp = `
Lint checks DOMAIN's SPF record (RFC 7208), or the draft given with
--record in its place: the include/redirect tree with the DNS lookups each
branch costs against the limit of 10, void lookups against 2, the names of
each mx term; syntax errors with their column; and warnings, each with its
RFC 7208 section and a hint.
Exit status: 0 clean, 1 warnings only, 2 errors (a check that reaches them
ends in permerror, or the record cannot be checked) or bad usage or input.

Names resolve from --zone FILE (.yml/.yaml: the suite's zonedata format;
anything else: a BIND zone file whose origin is DOMAIN), else from live
DNS: --dns HOST:PORT or the servers of /etc/resolv.conf.

flags:`

// runLint is "spflab lint".
func runLint(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("lint", lintSynopsis, stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: spflab %s\n%s\n", lintSynopsis, strings.TrimPrefix(lintHelp, "\n"))
		fs.PrintDefaults()
	}
	var d dnsFlags
	record := fs.String("record", "", "lint this draft `record` in place of DOMAIN's published one")
	asJSON := fs.Bool("json", false, "print JSON")
	d.add(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "spflab lint: %v\n", err)
		return 2
	}
	haveRecord := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "record" {
			haveRecord = true
		}
	})
	domain := strings.TrimSuffix(pos[0], ".")
	if err := checkArgs(domain, *record, haveRecord); err != nil {
		return fail(err)
	}
	res, _, err := d.resolver(ctx, domain)
	if err != nil {
		return fail(err)
	}
	l := lint.Linter{Resolver: res}
	var rep *lint.Report
	if haveRecord {
		rep, err = l.Draft(ctx, domain, *record)
	} else {
		rep, err = l.Lint(ctx, domain)
	}
	if err != nil {
		return fail(err)
	}
	if *asJSON {
		if err := writeJSON(stdout, rep); err != nil {
			return fail(err)
		}
	} else {
		printLint(stdout, rep)
	}
	switch {
	case rep.Errors() > 0:
		return 2
	case rep.Warnings() > 0:
		return 1
	}
	return 0
}

// printLint writes the tree, the counts and the findings of a lint.
func printLint(w io.Writer, rep *lint.Report) {
	var lines []treeLine
	lines = treeLines(lines, rep.Tree, 0, rep.Draft)
	width := 0
	for _, l := range lines {
		if l.note != "" {
			width = max(width, len(l.text))
		}
	}
	for _, l := range lines {
		if l.note == "" {
			fmt.Fprintln(w, l.text)
		} else {
			fmt.Fprintf(w, "%-*s  %s\n", width, l.text, l.note)
		}
	}
	fmt.Fprintf(w, "\nDNS-querying terms: %d/%d   void lookups: %d/%d", rep.Lookups, rep.MaxLookups, rep.VoidLookups, rep.MaxVoidLookups)
	if rep.Truncated {
		fmt.Fprint(w, "   (tree too large: not followed to the end)")
	}
	fmt.Fprintln(w)
	if len(rep.Findings) > 0 {
		fmt.Fprintln(w)
	}
	for _, f := range rep.Findings {
		where := f.Domain
		if f.Term != "" {
			where += fmt.Sprintf(", column %d, %q", f.Column, f.Term)
		}
		fmt.Fprintf(w, "%-7s %s: %s: %s (RFC 7208 §%s)\n", f.Severity, f.Code, where, f.Message, f.Section)
		fmt.Fprintf(w, "        fix: %s\n", f.Hint)
	}
	fmt.Fprintf(w, "%d %s, %d %s\n", rep.Errors(), plural(rep.Errors(), "error"), rep.Warnings(), plural(rep.Warnings(), "warning"))
}

// treeLine is a line of the printed tree: a record, or a term and what it
// costs.
type treeLine struct{ text, note string }

// treeLines appends the lines of one record of the tree and its terms,
// indented by depth.
func treeLines(lines []treeLine, n *lint.Node, depth int, draft bool) []treeLine {
	indent := strings.Repeat("  ", depth)
	head := indent + n.Domain
	if depth == 0 && draft {
		head += " (draft)"
	}
	switch {
	case n.Problem != "" && n.Record != "":
		head += fmt.Sprintf(": %q: %s", n.Record, n.Problem)
	case n.Problem != "":
		head += ": " + n.Problem
	default:
		head += fmt.Sprintf(": %q (%d %s)", n.Record, n.Lookups, plural(n.Lookups, "lookup"))
	}
	lines = append(lines, treeLine{text: head})
	for _, t := range n.Terms {
		var notes []string
		switch {
		case t.Lookups == 1:
			notes = append(notes, "lookup #"+strconv.Itoa(t.Position))
		case t.Lookups > 1:
			notes = append(notes, fmt.Sprintf("lookups #%d-#%d", t.Position, t.Position+t.Lookups-1))
		}
		if len(t.Names) > 0 {
			var names []string
			for _, nm := range t.Names {
				s := fmt.Sprintf("%s (%d addresses)", nm.Name, nm.Addresses)
				switch {
				case nm.Problem != "":
					s = nm.Name + " (" + nm.Problem + ")"
				case nm.Addresses == 1:
					s = nm.Name + " (1 address)"
				}
				names = append(names, s)
			}
			notes = append(notes, fmt.Sprintf("%d %s: %s", len(t.Names), plural(len(t.Names), "name"), strings.Join(names, ", ")))
		}
		if t.Void != "" {
			notes = append(notes, "void for "+t.Void)
		}
		if t.Note != "" {
			notes = append(notes, t.Note)
		}
		lines = append(lines, treeLine{text: indent + "  " + t.Term, note: strings.Join(notes, "; ")})
		if t.Target != nil {
			lines = treeLines(lines, t.Target, depth+2, false)
		}
	}
	return lines
}
