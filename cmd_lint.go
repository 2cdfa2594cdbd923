package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"spflab/spf/lint"
)

const lintSynopsis = "lint DOMAIN [--record 'v=spf1 ...'] [--dns HOST:PORT | --zone FILE] [--format text|json|sarif] | lint --rules"

const lintHelp = `
Lint checks DOMAIN's SPF record (RFC 7208), or the draft given with
--record in its place: the include/redirect tree with the DNS lookups each
branch costs against the limit of 10 (where a receiver stops, and what the
rest would cost), the void lookups against 2 and the terms that make them,
the hosts of each mx term, the IPv4 addresses and IPv6 /64s authorised;
then the findings, each with its rule ID, severity, RFC 7208 section, term
and column, and a fix. --rules lists the rules (as text or JSON).
--format sarif writes
SARIF 2.1.0 for code-scanning UIs (--json is --format json).
Exit status: 0 clean or info only, 1 warnings, 2 errors (a check that
reaches them ends in permerror or temperror, or the record does not say
what was meant) or bad usage or input.

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
	format := fs.String("format", "text", "output `format`: text, json or sarif")
	asJSON := fs.Bool("json", false, "print JSON (--format json)")
	listRules := fs.Bool("rules", false, "list the rules: ID, severity, RFC 7208 section, summary")
	d.add(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "spflab lint: %v\n", err)
		return 2
	}
	if *asJSON {
		*format = "json"
	}
	write, ok := lintWriters[*format]
	if !ok {
		return fail(fmt.Errorf("--format %q: want text, json or sarif", *format))
	}
	if *listRules {
		switch {
		case len(pos) != 0:
			return fail(errors.New("--rules takes no domain"))
		case *format == "json":
			if err := writeJSON(stdout, lint.Rules()); err != nil {
				return fail(err)
			}
		case *format == "text":
			writeRules(stdout)
		default:
			return fail(errors.New("--rules: want --format text or json"))
		}
		return 0
	}
	if len(pos) != 1 {
		fs.Usage()
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
	if err := write(stdout, rep); err != nil {
		return fail(err)
	}
	switch {
	case rep.Errors() > 0:
		return 2
	case rep.Warnings() > 0:
		return 1
	}
	return 0
}

// lintWriters are the output formats of lint.
var lintWriters = map[string]func(io.Writer, *lint.Report) error{
	"text":  lint.WriteText,
	"json":  lint.WriteJSON,
	"sarif": lint.WriteSARIF,
}

// writeRules lists the rules of lint, one a line.
func writeRules(w io.Writer) {
	for _, r := range lint.Rules() {
		fmt.Fprintf(w, "%s  %-7s  §%-6s %-21s %s\n", r.ID, r.Severity, r.Section, r.Name, r.Summary)
	}
}
