package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	dmarclint "spflab/dmarc/lint"
	"spflab/finding"
	"spflab/livedns"
	"spflab/spf/lint"
)

const lintSynopsis = "lint DOMAIN [--record 'v=spf1 ...'] [--dmarc] [--dns HOST:PORT | --zone FILE] [--format text|json|sarif] [--flatten] | lint --rules"

const lintHelp = `
Lint checks DOMAIN's SPF record (RFC 7208), or the draft given with
--record in its place: the include/redirect tree with the DNS lookups each
branch costs against the limit of 10 (where a receiver stops, and what the
rest would cost), the void lookups against 2 and the terms that make them,
the hosts of each mx term, the IPv4 addresses and IPv6 /64s authorised;
then the findings, each with its rule ID, severity, RFC 7208 section, term
and column, and a fix. --rules lists the rules (as text or JSON).
--dmarc lints DOMAIN's DMARC record too (RFC 9989): the record that
applies, found by the DNS Tree Walk (the domain's own, or its
organizational domain's), the tags receivers ignore (invalid, unknown, or
pct, rf and ri, which RFC 9989 removed), what the policy asks for (p=none,
sp or np weaker than p, t=y), and each report address: a mailto: URI, and
in another organization's domain, that domain's consent at
DOMAIN._report._dmarc.DESTINATION (RFC 9990 §3); rules DMARC-L001 and on.
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
	dmarc   bool   // lint the DMARC record too
}

func parseLint(args []string, stderr io.Writer) (lintOptions, error) {
	var o lintOptions
	fs := newHelpFlagSet("lint", lintSynopsis, strings.TrimPrefix(lintHelp, "\n"), stderr)
	var asJSON bool
	fs.StringVar(&o.record, "record", "", "lint this draft `record` in place of DOMAIN's published one")
	fs.StringVar(&o.format, "format", "text", "output `format`: text, json or sarif")
	fs.BoolVar(&asJSON, "json", false, "print JSON (--format json)")
	fs.BoolVar(&o.rules, "rules", false, "list the rules: ID, severity, RFC 7208 section, summary")
	fs.BoolVar(&o.flatten, "flatten", false, "write the record as today's DNS resolves it: ip4 and ip6 terms in records that fit an answer")
	fs.BoolVar(&o.dmarc, "dmarc", false, "lint DOMAIN's DMARC record too (RFC 9989): policy discovery, tags, report destinations")
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
	switch {
	case o.flatten && o.format == "sarif":
		return bad(errors.New("--flatten: want --format text or json"))
	case o.flatten && o.dmarc:
		return bad(errors.New("--flatten writes an SPF record; lint the DMARC record without it"))
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
	out := lintOutput{Report: rep}
	if o.dmarc {
		dl := dmarclint.Linter{Resolver: res}
		if out.DMARC, err = dl.Lint(ctx, o.domain); err != nil {
			return fail(stderr, "lint", exitUsage, err)
		}
	}
	if err := lintWriters[o.format](stdout, out); err != nil {
		return fail(stderr, "lint", exitFail, err)
	}
	var de *livedns.DeadlineError
	if errors.As(context.Cause(ctx), &de) {
		fail(stderr, "lint", exitErrors, fmt.Errorf("%v: the lookups after it failed, the report is incomplete", de))
	}
	switch findings := out.findings(); {
	case finding.Count(findings, finding.SeverityError) > 0:
		return exitErrors
	case finding.Count(findings, finding.SeverityWarning) > 0:
		return exitWarnings
	}
	return exitOK
}

// lintOutput is what lint reports: the SPF lint's report, and with
// --dmarc the DMARC lint's, whose JSON is the SPF report's with a "dmarc"
// key.
type lintOutput struct {
	*lint.Report
	DMARC *dmarclint.Report `json:"dmarc,omitempty"`
}

// findings are the findings of both lints.
func (o lintOutput) findings() []finding.Finding {
	if o.DMARC == nil {
		return o.Findings
	}
	return append(slices.Clip(o.Findings), o.DMARC.Findings...)
}

// rules are the rules of the lints reported.
func (o lintOutput) rules() []finding.Rule {
	if o.DMARC == nil {
		return lint.Rules()
	}
	return allRules()
}

// allRules are the rules of the SPF lint and of the DMARC lint.
func allRules() []finding.Rule { return append(lint.Rules(), dmarclint.Rules()...) }

// runRules is "spflab lint --rules".
func runRules(o lintOptions, stdout, stderr io.Writer) int {
	if o.format == "json" {
		if err := writeJSON(stdout, allRules()); err != nil {
			return fail(stderr, "lint", exitFail, err)
		}
		return exitOK
	}
	writeRules(stdout)
	return exitOK
}

// lintWriters are the output formats of lint.
var lintWriters = map[string]func(io.Writer, lintOutput) error{
	"text": func(w io.Writer, o lintOutput) error {
		if err := lint.WriteText(w, o.Report); err != nil || o.DMARC == nil {
			return err
		}
		fmt.Fprintln(w)
		return dmarclint.WriteText(w, o.DMARC)
	},
	"json": func(w io.Writer, o lintOutput) error { return writeJSON(w, o) },
	"sarif": func(w io.Writer, o lintOutput) error {
		return finding.WriteSARIF(w, o.rules(), o.findings())
	},
}

// writeRules lists the rules of both lints, one a line.
func writeRules(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range allRules() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Ref(), r.Name, r.Summary)
	}
	tw.Flush()
}
