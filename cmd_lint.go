package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"spflab/livedns"
	"spflab/spf/lint"
)

const lintSynopsis = "lint DOMAIN [--record 'v=spf1 ...'] [--dns HOST:PORT | --zone FILE] [--format text|json|sarif] [--flatten] | lint --rules"

const lintHelp = `
Lint checks DOMAIN's SPF record (RFC 7208), or the draft given with
--record in its place: the include/redirect tree with the DNS lookups each
branch costs against the limit of 10 (where a receiver stops, and what the
rest would cost), the void lookups against 2 and the terms that make them,
the hosts of each mx term, the IPv4 addresses and IPv6 /64s authorised;
then the findings, each with its rule ID, severity, RFC 7208 section, term
and column, and a fix. --rules lists the rules (as text or JSON).
--flatten writes the record instead as today's DNS resolves it: ip4 and
ip6 terms, merged, split into strings and records that fit an answer,
chained with includes where needed (a copy that goes stale when a
provider changes its addresses).
--format sarif writes
SARIF 2.1.0 for code-scanning UIs (--json is --format json).
Exit status: 0 clean or info only, 1 warnings, 2 errors (a check that
reaches them ends in permerror or temperror, or the record does not say
what was meant) or bad usage or input.

Names resolve from --zone FILE (.yml/.yaml: the suite's zonedata format;
anything else: a BIND zone file whose origin is DOMAIN), else from live
DNS: --dns HOST:PORT or the servers of /etc/resolv.conf. Over live DNS,
--timeout bounds each query and --deadline the whole lint: the lookups
it stops fail, with the deadline as their reason.

flags:`

// Exit statuses of lint beside exitOK (no finding, or info only). An
// error finding shares its status with exitUsage: either way the record
// as given cannot be relied on, and CI scripts already test for 2.
const (
	exitWarnings = exitFail  // warnings, no error
	exitErrors   = exitUsage // errors: a check that reaches them ends in permerror or temperror
)

// lintOptions are "spflab lint"'s command line.
type lintOptions struct {
	domain  string
	dns     dnsFlags
	record  string // the draft, when draft is set
	draft   bool   // --record was given
	format  string // a key of lintWriters
	rules   bool   // list the rules instead
	flatten bool   // flatten the record instead
}

func parseLint(args []string, stderr io.Writer) (lintOptions, error) {
	var o lintOptions
	fs := newFlagSet("lint", lintSynopsis, stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: spflab %s\n%s\n", lintSynopsis, strings.TrimPrefix(lintHelp, "\n"))
		fs.PrintDefaults()
	}
	var asJSON bool
	fs.StringVar(&o.record, "record", "", "lint this draft `record` in place of DOMAIN's published one")
	fs.StringVar(&o.format, "format", "text", "output `format`: text, json or sarif")
	fs.BoolVar(&asJSON, "json", false, "print JSON (--format json)")
	fs.BoolVar(&o.rules, "rules", false, "list the rules: ID, severity, RFC 7208 section, summary")
	fs.BoolVar(&o.flatten, "flatten", false, "write the record as today's DNS resolves it: ip4 and ip6 terms in records that fit an answer")
	o.dns.add(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return o, err
	}
	bad := func(err error) (lintOptions, error) {
		fail(stderr, "lint", exitUsage, err)
		return o, errUsage
	}
	if asJSON {
		o.format = "json"
	}
	if _, ok := lintWriters[o.format]; !ok {
		return bad(fmt.Errorf("--format %q: want text, json or sarif", o.format))
	}
	if o.rules {
		switch {
		case len(pos) != 0:
			return bad(errors.New("--rules takes no domain"))
		case o.format == "sarif":
			return bad(errors.New("--rules: want --format text or json"))
		}
		return o, nil
	}
	if o.flatten && o.format == "sarif" {
		return bad(errors.New("--flatten: want --format text or json"))
	}
	if len(pos) != 1 {
		fs.Usage()
		return o, errUsage
	}
	fs.Visit(func(f *flag.Flag) { o.draft = o.draft || f.Name == "record" })
	o.domain = strings.TrimSuffix(pos[0], ".")
	if err := checkArgs(o.domain, o.record, o.draft); err != nil {
		return bad(err)
	}
	if err := o.dns.check(); err != nil {
		return bad(err)
	}
	return o, nil
}

// runLint lints the record of a domain, or the draft, and prints the
// report. Exit status: exitOK clean or info only, exitWarnings,
// exitErrors; exitUsage when names cannot resolve at all.
func runLint(ctx context.Context, o lintOptions, stdout, stderr io.Writer) int {
	if o.rules {
		return runRules(o, stdout, stderr)
	}
	ctx, cancel := o.dns.bound(ctx)
	defer cancel()
	res, _, err := o.dns.resolver(ctx, o.domain)
	if err != nil {
		return fail(stderr, "lint", exitUsage, err)
	}
	if o.flatten {
		return runFlatten(ctx, o, res, stdout, stderr)
	}
	l := lint.Linter{Resolver: res}
	var rep *lint.Report
	if o.draft {
		rep, err = l.Draft(ctx, o.domain, o.record)
	} else {
		rep, err = l.Lint(ctx, o.domain)
	}
	if err != nil {
		return fail(stderr, "lint", exitUsage, err)
	}
	if err := lintWriters[o.format](stdout, rep); err != nil {
		return fail(stderr, "lint", exitFail, err)
	}
	var de *livedns.DeadlineError
	if errors.As(context.Cause(ctx), &de) {
		fail(stderr, "lint", exitErrors, fmt.Errorf("%v: the lookups after it failed, the report is incomplete", de))
	}
	switch {
	case rep.Errors() > 0:
		return exitErrors
	case rep.Warnings() > 0:
		return exitWarnings
	}
	return exitOK
}

// runRules is "spflab lint --rules".
func runRules(o lintOptions, stdout, stderr io.Writer) int {
	if o.format == "json" {
		if err := writeJSON(stdout, lint.Rules()); err != nil {
			return fail(stderr, "lint", exitFail, err)
		}
		return exitOK
	}
	writeRules(stdout)
	return exitOK
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
