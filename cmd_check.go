package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"spflab/dkim"
	"spflab/dmarc"
	"spflab/fakedns"
	"spflab/fakedns/zonedata"
	"spflab/livedns"
	"spflab/spf"
	"spflab/spf/draft"
)

const checkSynopsis = `check DOMAIN --ip IP [--sender S] [--helo H] [--from ADDRESS] [--record DRAFT] [--dns HOST:PORT | --zone FILE] [--json]
       spflab check [DOMAIN] --message FILE.eml --ip IP [--sender S] [--helo H] [--record DRAFT] [--dns HOST:PORT | --zone FILE] [--json]
       spflab check DOMAIN --record DRAFT --compare --senders FILE [--dns HOST:PORT | --zone FILE] [--json]`

const checkHelp = `
Check evaluates SPF (RFC 7208) for one client, with the draft record, when
given, in place of DOMAIN's published one, and prints every step, the
result, the explanation and the Received-SPF field. The identity checked is
the MAIL FROM address --sender (postmaster@DOMAIN by default); an empty
--sender or "<>" checks the HELO name.
Exit status: 0 pass, 1 fail or softfail, 3 neutral or none, 4 temperror or
permerror, 2 bad usage or input.

With --from ADDRESS, the header From of a message, it then evaluates DMARC
(RFC 9989) for the SPF result: the policy discovery by the DNS Tree Walk,
the alignment of the SPF domain with the From domain, the result and the
disposition, every step in its own words. With --message FILE (at most
10 MiB; "-" reads standard input) it verifies the message's DKIM
signatures too (RFC 6376) and takes the From from the message: SPF, DKIM
and DMARC together, and the Authentication-Results field a receiver would
add. The MAIL FROM address is --sender, else the message's Return-Path;
DOMAIN, when not given, is that address's domain (the HELO name's for the
null sender).
Exit status with --from or --message: DMARC's: 0 pass, 1 fail with the
disposition reject or quarantine, 3 fail with the disposition none (p=none,
or t=y below quarantine) or none (no DMARC record), 4 temperror or
permerror, 2 bad usage or input.

With --compare, it checks every row of the senders file (CSV or TSV,
columns ip, sender, helo, a header row optional) as a receiver would (the
MAIL FROM identity; the HELO name for the null sender), once with the
published record and once with the draft, and reports the rows whose
result changes, grouped by change (those that lose a pass first), then
totals. Bad rows are reported with their line number and skipped.
--senders may instead name DMARC aggregate reports (RFC 9990; .xml,
.xml.gz, .zip, or a directory of them): each record's source IP,
envelope sender (or header from) and HELO name, with its message count,
and the changes are weighed by messages. A malformed report or record is
named and skipped.
Exit status: 0 no row changes, 1 some rows change, 2 bad usage or input
(a file without a usable row included).

Names resolve from --zone FILE (.yml/.yaml: the suite's zonedata format;
anything else: a BIND zone file whose origin is DOMAIN), else from live
DNS: --dns HOST:PORT or the servers of /etc/resolv.conf. Over live DNS,
--timeout bounds each query and --deadline the whole check (with
--compare, each row): a lookup the deadline stops is a temperror that
says so.

flags:`

// Exit statuses of check, beside exitFail (fail or softfail; with
// --compare, some rows change) and exitUsage (bad usage or input, an
// unreachable resolver).
const (
	exitPass    = exitOK // pass; or, with --compare, no row changes
	exitNeutral = 3      // neutral or none
	exitError   = 4      // temperror or permerror
)

// dnsFlags are the flags that say where names resolve, and how long
// to wait.
type dnsFlags struct {
	dns      string
	zone     string
	timeout  time.Duration // per query
	deadline time.Duration // over live DNS: the whole check or lint, each row of a comparison
}

func (d *dnsFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&d.dns, "dns", "", "query the DNS server at `HOST:PORT` (default: the servers of /etc/resolv.conf)")
	fs.StringVar(&d.zone, "zone", "", "resolve offline from `FILE`: zonedata YAML (.yml, .yaml) or a BIND zone file")
	fs.DurationVar(&d.timeout, "timeout", 2*time.Second, "how long to wait for each DNS answer")
	fs.DurationVar(&d.deadline, "deadline", 30*time.Second, "over live DNS, how long the whole may take (with --compare: each row); then temperror")
}

// bound returns ctx bounded by --deadline when names resolve over live
// DNS: a slow server cannot stretch a check past it, and a lookup it
// stops is a temperror that says so.
func (d *dnsFlags) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if d.zone != "" {
		return context.WithCancel(ctx)
	}
	return livedns.WithDeadline(ctx, d.deadline)
}

// check reports flags that contradict each other or are malformed.
func (d *dnsFlags) check() error {
	switch {
	case d.zone != "" && d.dns != "":
		return errors.New("--zone and --dns exclude each other")
	case d.timeout <= 0:
		return fmt.Errorf("--timeout %v: must be positive", d.timeout)
	case d.deadline <= 0:
		return fmt.Errorf("--deadline %v: must be positive", d.deadline)
	case d.dns != "":
		if _, port, err := net.SplitHostPort(d.dns); err != nil || port == "" {
			return fmt.Errorf("--dns %q: want HOST:PORT", d.dns)
		}
	}
	return nil
}

// resolvConf is the file live DNS takes its servers from.
var resolvConf = "/etc/resolv.conf"

// resolver returns the resolver the flags name, and whether it is live
// DNS. origin, the domain checked, is the origin of a BIND zone file. A
// live resolver must answer a first query for origin, whatever its RCODE
// (an authoritative server refuses names outside its zones): a server that
// does not answer at all is an error. The flags have passed check.
func (d *dnsFlags) resolver(ctx context.Context, origin string) (spf.Resolver, bool, error) {
	if d.zone != "" {
		z, err := zonedata.LoadFile(d.zone, origin)
		return z, false, err
	}
	var c *livedns.Client
	if d.dns != "" {
		c = livedns.NewClient(d.dns)
	} else {
		var err error
		if c, err = livedns.ClientFromResolvConf(resolvConf); err != nil {
			return nil, false, err
		}
	}
	c.Timeout = d.timeout
	if err := c.Ping(ctx, origin); err != nil {
		return nil, false, fmt.Errorf("DNS server %s does not answer: %v", strings.Join(c.Servers, ", "), err)
	}
	return c, true, nil
}

// checkArgs validates DOMAIN and --record.
func checkArgs(domain, record string, haveRecord bool) error {
	if i := strings.IndexFunc(domain, func(r rune) bool { return r <= ' ' || r == 0x7f }); i >= 0 {
		return fmt.Errorf("%q: not a domain name: a space or control character at %d", domain, i+1)
	}
	if err := spf.ValidateDomain(domain); err != nil {
		return fmt.Errorf("%q: %v", domain, err)
	}
	if haveRecord && !spf.IsSPFRecord(record) {
		return fmt.Errorf(`--record %q: a record must begin with "v=spf1" followed by a space or the end`, record)
	}
	return nil
}

// checkOptions are "spflab check"'s command line: one check, or with
// --compare a comparison over a senders file.
type checkOptions struct {
	domain   string
	dns      dnsFlags
	record   string // the draft, when draft is set
	draft    bool   // --record was given
	receiver string
	json     bool

	// One check.
	ip     netip.Addr
	sender string
	helo   string

	// DMARC after the check: the header From (--from), or a message
	// whose signatures are verified too (--message). With a message,
	// senderSet and heloSet say whether the message's Return-Path and
	// the defaults give way to --sender and --helo.
	from               string
	message            string // the file; "-" for standard input
	senderSet, heloSet bool

	// --compare.
	compare  bool
	senders  string // "-" for standard input
	workers  int
	examples int
}

func parseCheck(args []string, stderr io.Writer) (checkOptions, error) {
	var o checkOptions
	fs := newHelpFlagSet("check", checkSynopsis, strings.TrimPrefix(checkHelp, "\n"), stderr)
	var ipText string
	fs.StringVar(&ipText, "ip", "", "the client's `IP` address")
	fs.StringVar(&o.sender, "sender", "", "the MAIL FROM `address` (default postmaster@DOMAIN; \"<>\" for the null sender)")
	fs.StringVar(&o.helo, "helo", "", "the HELO `name` (default DOMAIN)")
	fs.StringVar(&o.from, "from", "", "the header From `address` of the message: evaluate DMARC (RFC 9989) for the SPF result")
	fs.StringVar(&o.message, "message", "", "the message `FILE` (\"-\": standard input): verify its DKIM signatures and evaluate DMARC for its From")
	fs.StringVar(&o.record, "record", "", "the draft `record` to use in place of DOMAIN's published one")
	fs.StringVar(&o.receiver, "receiver", "spflab.invalid", "the receiving host's `name`, for Received-SPF and %{r}")
	fs.BoolVar(&o.json, "json", false, "print JSON")
	fs.BoolVar(&o.compare, "compare", false, "compare the draft with the published record over --senders")
	fs.StringVar(&o.senders, "senders", "", "the senders `FILE` for --compare: CSV or TSV rows of ip, sender, helo (\"-\": standard input), or DMARC aggregate reports (.xml, .xml.gz, .zip, a directory)")
	fs.IntVar(&o.workers, "workers", 0, "evaluations in parallel for --compare (default: the CPUs, 4× that with live DNS)")
	fs.IntVar(&o.examples, "examples", 10, "rows to list per change for --compare (-1: all)")
	o.dns.add(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return o, err
	}
	if len(pos) != 1 && (o.message == "" || len(pos) != 0) {
		fs.Usage()
		return o, errUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	bad := func(err error) (checkOptions, error) {
		fail(stderr, "check", exitUsage, err)
		return o, errUsage
	}
	o.draft, o.senderSet, o.heloSet = set["record"], set["sender"], set["helo"]
	if len(pos) == 1 {
		o.domain = strings.TrimSuffix(pos[0], ".")
		if err := checkArgs(o.domain, o.record, o.draft); err != nil {
			return bad(err)
		}
	}
	if err := o.dns.check(); err != nil {
		return bad(err)
	}
	switch {
	case set["from"] && set["message"]:
		return bad(errors.New("--from and --message exclude each other: the message has its own From"))
	case set["from"]:
		if _, err := mail.ParseAddressList(o.from); err != nil {
			return bad(fmt.Errorf("--from %q: not an address: %v", o.from, err))
		}
	case set["message"] && o.message == "":
		return bad(errors.New("--message: give a file"))
	}

	if o.compare {
		for _, f := range []string{"ip", "sender", "helo", "from", "message"} {
			if set[f] {
				return bad(fmt.Errorf("--%s is for one check; with --compare the rows of --senders give it", f))
			}
		}
		if !o.draft || o.senders == "" {
			return bad(errors.New("--compare needs --record and --senders"))
		}
		if _, err := spf.Parse(o.record); err != nil {
			return bad(fmt.Errorf("--record: %v; every row would be permerror (spflab lint shows more)", err))
		}
		return o, nil
	}

	if ipText == "" {
		return bad(errors.New("--ip is required (or --compare with --senders)"))
	}
	if o.ip, err = netip.ParseAddr(ipText); err != nil || o.ip.Zone() != "" {
		return bad(fmt.Errorf("--ip %q: not an IP address", ipText))
	}
	if o.message != "" {
		return o, nil // the message gives the defaults: see fromMessage
	}
	if !set["sender"] {
		o.sender = "postmaster@" + o.domain
	}
	if !set["helo"] {
		o.helo = o.domain
	}
	if o.helo == "" && (o.sender == "" || o.sender == "<>") {
		return bad(errors.New("the null sender checks the HELO name: give --helo"))
	}
	return o, nil
}

// runCheckCommand runs what parseCheck read: a comparison with --compare,
// else one check.
func runCheckCommand(ctx context.Context, o checkOptions, stdout, stderr io.Writer) int {
	if o.compare {
		return runCompare(ctx, o, stdout, stderr)
	}
	return runCheck(ctx, o, stdout, stderr)
}

// runCheck evaluates SPF for one client and prints every step and the
// result; with --from or --message, DKIM and DMARC after it. Exit status:
// resultStatus of the SPF result, or dmarcStatus of the DMARC result;
// exitUsage when the message cannot be read or names cannot resolve at
// all.
func runCheck(ctx context.Context, o checkOptions, stdout, stderr io.Writer) int {
	var message []byte
	if o.message != "" {
		var header mail.Header
		var err error
		if message, header, err = readMessage(o.message); err != nil {
			return fail(stderr, "check", exitUsage, err)
		}
		if err := o.fromMessage(header); err != nil {
			return fail(stderr, "check", exitUsage, err)
		}
	}
	ctx, cancel := o.dns.bound(ctx)
	defer cancel()
	base, _, err := o.dns.resolver(ctx, o.domain)
	if err != nil {
		return fail(stderr, "check", exitUsage, err)
	}
	res := base
	if o.draft {
		res = fakedns.WithDrafts(base, map[string]string{o.domain: o.record})
	}
	var trace []spf.Event
	c := spf.Checker{Resolver: res, Receiver: o.receiver, Listener: func(ev *spf.Event) {
		e := *ev // ev is the Checker's until the listener returns: keep a copy
		e.Answers, e.Addrs = append([]string(nil), e.Answers...), append([]netip.Addr(nil), e.Addrs...)
		trace = append(trace, e)
	}}
	out := c.Check(ctx, o.ip, o.helo, o.sender)
	received := spf.ReceivedSPF(out, o.receiver)
	var auth *authentication
	status := resultStatus(out.Result)
	if o.from != "" || message != nil {
		auth = authenticate(ctx, res, out, o.from, message)
		status = dmarcStatus(auth.outcome)
	}
	if o.json {
		j := checkJSON{
			Domain: o.domain, Draft: o.record, IP: out.IP, Identity: out.Identity, Sender: out.Sender, HELO: out.HELO,
			Result: out.Result, Mechanism: out.Mechanism, Explanation: out.Explanation,
			DNSTerms: out.Counters.DNSTerms, VoidLookups: out.Counters.VoidLookups,
			ReceivedSPF: received, Trace: trace, From: o.from, Message: o.message,
		}
		if out.Err != nil {
			j.Error = out.Err.Error()
		}
		if auth != nil {
			auth.addJSON(&j, out, o.receiver)
		}
		if err := writeJSON(stdout, j); err != nil {
			return fail(stderr, "check", exitFail, err)
		}
		return status
	}
	printTrace(stdout, trace, spf.DefaultMaxDNSTerms, spf.DefaultMaxVoidLookups)
	fmt.Fprintf(stdout, "\nresult:       %s\n", out.Result)
	if out.Mechanism != "" {
		fmt.Fprintf(stdout, "mechanism:    %s\n", out.Mechanism)
	}
	if out.Err != nil && (out.Result == spf.TempError || out.Result == spf.PermError) {
		fmt.Fprintf(stdout, "problem:      %v\n", out.Err)
	}
	if out.Explanation != "" {
		fmt.Fprintf(stdout, "explanation:  %s\n", out.Explanation)
	}
	fmt.Fprintf(stdout, "lookups:      %d/%d DNS-querying terms, %d/%d void\n", out.Counters.DNSTerms, spf.DefaultMaxDNSTerms, out.Counters.VoidLookups, spf.DefaultMaxVoidLookups)
	fmt.Fprintf(stdout, "Received-SPF: %s\n", received)
	if auth != nil {
		auth.print(stdout, out, o.receiver)
	}
	return status
}

// maxMessage bounds the message check --message reads.
const maxMessage = 10 << 20

// readMessage reads the message of --message ("-": standard input), at
// most maxMessage bytes, and reads its header.
func readMessage(path string) ([]byte, mail.Header, error) {
	var in io.Reader = os.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		defer f.Close()
		in = f
	}
	data, err := io.ReadAll(io.LimitReader(in, maxMessage+1))
	switch {
	case err != nil:
		return nil, nil, fmt.Errorf("%s: %v", path, err)
	case len(data) > maxMessage:
		return nil, nil, fmt.Errorf("%s: larger than %d MiB: not a message check reads", path, maxMessage>>20)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: not a message: its header cannot be read: %v", path, err)
	}
	return data, msg.Header, nil
}

// fromMessage completes a check of a message: the MAIL FROM address is
// --sender, else the message's Return-Path (the envelope sender the last
// server recorded, RFC 5321 §4.4); DOMAIN, when not given, is that
// address's domain, or the HELO name for the null sender; the HELO name
// defaults to DOMAIN.
func (o *checkOptions) fromMessage(header mail.Header) error {
	if !o.senderSet {
		rp := strings.TrimSpace(header.Get("Return-Path"))
		switch {
		case rp == "":
			return fmt.Errorf("%s has no Return-Path: give the MAIL FROM address with --sender", o.message)
		case rp == "<>":
			o.sender = ""
		default:
			a, err := mail.ParseAddress(rp)
			if err != nil {
				return fmt.Errorf("%s: Return-Path %q: not an address: %v", o.message, rp, err)
			}
			o.sender = a.Address
		}
	}
	null := o.sender == "" || o.sender == "<>"
	if o.domain == "" {
		switch {
		case !null:
			o.domain = o.sender[strings.LastIndexByte(o.sender, '@')+1:]
		case o.heloSet:
			o.domain = o.helo
		default:
			return errors.New("the null sender checks the HELO name: give --helo")
		}
		o.domain = strings.TrimSuffix(o.domain, ".")
		if err := checkArgs(o.domain, o.record, o.draft); err != nil {
			return fmt.Errorf("the domain of the sender %q: %v", o.sender, err)
		}
	}
	if !o.heloSet {
		o.helo = o.domain
	}
	if null && o.helo == "" {
		return errors.New("the null sender checks the HELO name: give --helo")
	}
	return nil
}

// authentication is what check found after SPF: the DKIM verdicts of a
// message (--message) and DMARC for its header From.
type authentication struct {
	message    bool // DKIM was verified
	sigs       []dkim.Signature
	dkimErr    error
	dkimTrace  []dkim.Event
	outcome    dmarc.Outcome
	dmarcTrace []dmarc.Event
}

// authenticate verifies the DKIM signatures of message, when there is
// one, and evaluates DMARC (RFC 9989) for its From, or for from, with the
// SPF result of the check, each step recorded.
func authenticate(ctx context.Context, res spf.Resolver, out spf.Outcome, from string, message []byte) *authentication {
	a := &authentication{message: message != nil}
	spfResult := dmarc.SPF{Domain: out.Domain, Result: string(out.Result)}
	m := dmarc.Message{From: []string{from}, SPF: spfResult}
	if a.message {
		v := dkim.Verifier{Resolver: res, Listener: func(e dkim.Event) {
			e.Answers = slices.Clone(e.Answers)
			a.dkimTrace = append(a.dkimTrace, e)
		}}
		a.sigs, a.dkimErr = v.Verify(ctx, message)
		m = dmarc.NewMessage(message, spfResult, a.sigs)
	}
	ck := dmarc.Checker{Resolver: res, Listener: func(e dmarc.Event) {
		e.Answers = slices.Clone(e.Answers)
		a.dmarcTrace = append(a.dmarcTrace, e)
	}}
	a.outcome = ck.Check(ctx, m)
	return a
}

// dmarcStatus is the exit status of check with --from or --message.
func dmarcStatus(o dmarc.Outcome) int {
	switch {
	case o.Result == dmarc.Pass:
		return exitPass
	case o.Result == dmarc.Fail && o.Disposition != dmarc.PolicyNone:
		return exitFail
	case o.Result == dmarc.Fail, o.Result == dmarc.None:
		return exitNeutral
	}
	return exitError
}

// authResults is the Authentication-Results field a receiver would add
// (RFC 8601): the spf=, dkim= and dmarc= clauses.
func (a *authentication) authResults(out spf.Outcome, receiver string) string {
	clauses := []string{receiver, spf.AuthResultsClause(out)}
	for _, sig := range a.sigs {
		clauses = append(clauses, dkim.AuthResultsClause(sig))
	}
	return strings.Join(append(clauses, dmarc.AuthResultsClause(a.outcome)), "; ")
}

// print writes the DKIM and DMARC steps, each in its own words, indented,
// then their results, the disposition and Authentication-Results.
func (a *authentication) print(w io.Writer, out spf.Outcome, receiver string) {
	if a.message {
		fmt.Fprintln(w, "\nDKIM:")
		for _, e := range a.dkimTrace {
			fmt.Fprintln(w, "  "+e.String())
		}
	}
	fmt.Fprintln(w, "\nDMARC:")
	for _, e := range a.dmarcTrace {
		fmt.Fprintln(w, "  "+e.String())
	}
	fmt.Fprintln(w)
	for _, sig := range a.sigs {
		fmt.Fprintf(w, "dkim:         %s\n", strings.TrimPrefix(dkim.AuthResultsClause(sig), "dkim="))
	}
	if a.dkimErr != nil {
		fmt.Fprintf(w, "problem:      %v\n", a.dkimErr)
	}
	fmt.Fprintf(w, "dmarc:        %s\n", strings.TrimPrefix(dmarc.AuthResultsClause(a.outcome), "dmarc="))
	if o := a.outcome; o.Err != nil && (o.Result == dmarc.TempError || o.Result == dmarc.PermError) {
		fmt.Fprintf(w, "problem:      %v\n", o.Err)
	}
	fmt.Fprintf(w, "disposition:  %s\n", cmp.Or(a.outcome.Disposition, dmarc.PolicyNone))
	fmt.Fprintf(w, "Authentication-Results: %s\n", a.authResults(out, receiver))
}

// addJSON adds the DKIM and DMARC parts to the JSON form of a check.
func (a *authentication) addJSON(j *checkJSON, out spf.Outcome, receiver string) {
	o := a.outcome
	j.DMARC = &dmarcJSON{
		Result: o.Result, Disposition: cmp.Or(o.Disposition, dmarc.PolicyNone), AuthorDomain: o.AuthorDomain,
		PolicyDomain: o.PolicyDomain, OrgDomain: o.OrgDomain, PolicyTag: o.PolicyTag, Policy: o.Policy,
		SPFAligned: o.SPFAligned, DKIMAligned: o.DKIMAligned, AuthResults: dmarc.AuthResultsClause(o),
		Trace: append([]dmarc.Event{}, a.dmarcTrace...),
	}
	if o.Record != nil {
		j.DMARC.Record = o.Record.Text
	}
	if o.Err != nil {
		j.DMARC.Error = o.Err.Error()
	}
	if a.message {
		j.DKIM = &dkimJSON{Signatures: []signatureJSON{}, Trace: append([]dkim.Event{}, a.dkimTrace...)}
		for _, sig := range a.sigs {
			s := signatureJSON{Result: sig.Result, Domain: sig.Domain, Selector: sig.Selector, Identifier: sig.Identifier,
				Algorithm: sig.Algorithm, Headers: sig.Headers, BodyHash: sig.BodyHash, KeyAlgorithm: sig.KeyAlgorithm, KeyBits: sig.KeyBits,
				AuthResults: dkim.AuthResultsClause(sig)}
			if sig.Err != nil {
				s.Error = sig.Err.Error()
			}
			j.DKIM.Signatures = append(j.DKIM.Signatures, s)
		}
		if a.dkimErr != nil {
			j.DKIM.Error = a.dkimErr.Error()
		}
	}
	j.AuthenticationResults = a.authResults(out, receiver)
}

// runCompare checks every row of the senders file with the published
// record and with the draft and reports the rows whose result changes.
// Exit status: exitOK no row changes, exitFail some do (or the run was
// interrupted), exitUsage unreadable input.
func runCompare(ctx context.Context, o checkOptions, stdout, stderr io.Writer) int {
	if o.senders != "-" && draft.IsReportPath(o.senders) {
		return runCompareReports(ctx, o, stdout, stderr)
	}
	var in io.Reader = os.Stdin
	if o.senders != "-" {
		f, err := os.Open(o.senders)
		if err != nil {
			return fail(stderr, "check", exitUsage, err)
		}
		defer f.Close()
		in = f
	}
	c, status := o.comparison(ctx, stderr)
	if c == nil {
		return status
	}
	c.OnBadRow = func(e *draft.RowError) {
		fmt.Fprintf(stderr, "spflab check: %s:%d: %s (skipped)\n", o.senders, e.Line, e.Reason)
	}
	rep, err := c.Run(ctx, in)
	if err != nil && ctx.Err() == nil {
		return fail(stderr, "check", exitUsage, fmt.Errorf("%s: %v", o.senders, err))
	}
	return o.compareDone(ctx, rep, stdout, stderr, fmt.Sprintf("%d bad %s skipped", rep.BadRows, plural(rep.BadRows, "row")))
}

// runCompareReports compares over the senders of DMARC aggregate reports,
// weighting changes by messages.
func runCompareReports(ctx context.Context, o checkOptions, stdout, stderr io.Writer) int {
	reports, err := draft.ReadReports(o.senders)
	if err != nil {
		return fail(stderr, "check", exitUsage, err)
	}
	for _, e := range reports.Errors {
		fmt.Fprintf(stderr, "spflab check: %v (skipped)\n", e)
	}
	c, status := o.comparison(ctx, stderr)
	if c == nil {
		return status
	}
	rep, _ := c.RunSenders(ctx, reports.Senders)
	return o.compareDone(ctx, rep, stdout, stderr, fmt.Sprintf("%d %s of %d %s, %d %s skipped", reports.Records, plural(reports.Records, "record"),
		reports.Files, plural(reports.Files, "report"), len(reports.Errors), plural(len(reports.Errors), "problem")))
}

// comparison sets up the comparison of the draft with the published record,
// or returns the exit status when names cannot resolve.
func (o checkOptions) comparison(ctx context.Context, stderr io.Writer) (*draft.Compare, int) {
	base, live, err := o.dns.resolver(ctx, o.domain)
	if err != nil {
		return nil, fail(stderr, "check", exitUsage, err)
	}
	return compareSetup(base, live, o), exitOK
}

// compareDone prints the report of a comparison and returns its exit
// status: exitOK no row changes, exitFail some do (or it was
// interrupted), exitUsage when no row could be compared. skipped says
// what the input held besides rows.
func (o checkOptions) compareDone(ctx context.Context, rep *draft.Report, stdout, stderr io.Writer, skipped string) int {
	switch {
	case ctx.Err() != nil:
		printCompare(stdout, o.domain, rep, o.examples)
		return fail(stderr, "check", exitFail, fmt.Errorf("interrupted after %d rows", rep.Rows+rep.BadRows))
	case rep.Rows == 0:
		// A gate that compared nothing must not pass.
		return fail(stderr, "check", exitUsage, fmt.Errorf("%s: no usable row (%s): nothing was compared", o.senders, skipped))
	}
	if o.json {
		if err := writeJSON(stdout, rep); err != nil {
			return fail(stderr, "check", exitFail, err)
		}
	} else {
		printCompare(stdout, o.domain, rep, o.examples)
	}
	if rep.Changed > 0 {
		return exitFail
	}
	return exitPass
}

// resultStatus is the exit status of check for a result.
func resultStatus(r spf.Result) int {
	switch r {
	case spf.Pass:
		return exitPass
	case spf.Fail, spf.Softfail:
		return exitFail
	case spf.Neutral, spf.None:
		return exitNeutral
	}
	return exitError
}

// checkJSON is the JSON form of one check.
type checkJSON struct {
	Domain      string       `json:"domain"`
	Draft       string       `json:"draft,omitempty"`
	IP          netip.Addr   `json:"ip"`
	Identity    spf.Identity `json:"identity"`
	Sender      string       `json:"sender"`
	HELO        string       `json:"helo"`
	Result      spf.Result   `json:"result"`
	Mechanism   string       `json:"mechanism,omitempty"`
	Error       string       `json:"error,omitempty"`
	Explanation string       `json:"explanation,omitempty"`
	DNSTerms    int          `json:"dns_terms"`
	VoidLookups int          `json:"void_lookups"`
	ReceivedSPF string       `json:"received_spf"`
	Trace       []spf.Event  `json:"trace"`

	// With --from or --message.
	From                  string     `json:"from,omitempty"`
	Message               string     `json:"message,omitempty"` // the file
	DKIM                  *dkimJSON  `json:"dkim,omitempty"`
	DMARC                 *dmarcJSON `json:"dmarc,omitempty"`
	AuthenticationResults string     `json:"authentication_results,omitempty"`
}

// dkimJSON is the JSON form of the DKIM verification of a message.
type dkimJSON struct {
	Signatures []signatureJSON `json:"signatures"`
	Error      string          `json:"error,omitempty"` // the header could not be read
	Trace      []dkim.Event    `json:"trace"`
}

// signatureJSON is the JSON form of the verdict on one signature.
type signatureJSON struct {
	Result       dkim.Result   `json:"result"`
	Domain       string        `json:"domain,omitempty"`
	Selector     string        `json:"selector,omitempty"`
	Identifier   string        `json:"identifier,omitempty"`
	Algorithm    string        `json:"algorithm,omitempty"`
	Headers      []string      `json:"headers,omitempty"`
	BodyHash     dkim.BodyHash `json:"body_hash"`
	KeyAlgorithm string        `json:"key_algorithm,omitempty"`
	KeyBits      int           `json:"key_bits,omitempty"`
	Error        string        `json:"error,omitempty"`
	AuthResults  string        `json:"auth_results"` // the dkim= clause
}

// dmarcJSON is the JSON form of a DMARC evaluation.
type dmarcJSON struct {
	Result       dmarc.Result  `json:"result"`
	Disposition  dmarc.Policy  `json:"disposition"`
	AuthorDomain string        `json:"author_domain,omitempty"`
	PolicyDomain string        `json:"policy_domain,omitempty"`
	OrgDomain    string        `json:"org_domain,omitempty"`
	Record       string        `json:"record,omitempty"`
	PolicyTag    string        `json:"policy_tag,omitempty"`
	Policy       dmarc.Policy  `json:"policy,omitempty"`
	SPFAligned   bool          `json:"spf_aligned"`
	DKIMAligned  []string      `json:"dkim_aligned,omitempty"`
	Error        string        `json:"error,omitempty"`
	AuthResults  string        `json:"auth_results"` // the dmarc= clause
	Trace        []dmarc.Event `json:"trace"`
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printTrace writes the steps of an evaluation, indented by depth.
func printTrace(w io.Writer, trace []spf.Event, maxTerms, maxVoid int) {
	for _, e := range trace {
		if e.Echoed() {
			continue
		}
		fmt.Fprintln(w, strings.Repeat("  ", e.Depth)+e.TraceLine(maxTerms, maxVoid))
	}
}

// compareSetup returns the comparison of the draft with the published
// record over base; live says base is live DNS, to be cached and bounded
// by --deadline per row.
func compareSetup(base spf.Resolver, live bool, o checkOptions) *draft.Compare {
	workers := o.workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
		if live {
			workers *= 4 // they wait on the network
		}
	}
	if live {
		base = &draft.Cache{Resolver: base}
	}
	cache := &spf.RecordCache{}
	c := &draft.Compare{
		Published: &spf.Checker{Resolver: base, Records: cache, Receiver: o.receiver},
		Draft:     &spf.Checker{Resolver: fakedns.WithDrafts(base, map[string]string{o.domain: o.record}), Records: cache, Receiver: o.receiver},
		Workers:   workers,
		Examples:  o.examples,
	}
	if live { // --deadline bounds each row
		c.RowContext = func(ctx context.Context) (context.Context, context.CancelFunc) {
			return livedns.WithDeadline(ctx, o.dns.deadline)
		}
	}
	return c
}

// printCompare writes the report of a comparison: over DMARC reports, a
// row is a source and changes are weighed by messages.
func printCompare(w io.Writer, domain string, rep *draft.Report, examples int) {
	unit := "row"
	if rep.Weighted {
		unit = "source"
	}
	fmt.Fprintf(w, "%s: the draft changes the result of %d of %d %s", domain, rep.Changed, rep.Rows, plural(rep.Rows, unit))
	switch {
	case rep.Weighted:
		fmt.Fprintf(w, " (%s of %s messages)", thousands(rep.ChangedMessages), thousands(rep.Messages))
	case rep.BadRows > 0:
		fmt.Fprintf(w, " (%d bad rows skipped)", rep.BadRows)
	}
	fmt.Fprintln(w)
	for _, ch := range rep.Changes {
		fmt.Fprintf(w, "\n%s → %s: %d %s", ch.From, ch.To, ch.Count, plural(ch.Count, unit))
		if rep.Weighted {
			fmt.Fprintf(w, ", %s %s", thousands(ch.Messages), plural(ch.Messages, "message"))
		}
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, r := range ch.Rows {
			from := r.MailFrom
			if from == "" {
				from = "<>"
			}
			where := "line " + strconv.Itoa(r.Line)
			if r.Source != "" {
				where = r.Source
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\thelo %s\t%s → %s", where, r.IP, from, cmp.Or(r.HELO, "-"), decidedBy(r.Published), decidedBy(r.Draft))
			if rep.Weighted {
				fmt.Fprintf(tw, "\t%s %s", thousands(r.Count), plural(r.Count, "message"))
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
		if more := ch.Count - len(ch.Rows); more > 0 && examples != 0 {
			fmt.Fprintf(w, "  and %d more\n", more)
		}
	}
	fmt.Fprintf(w, "\n%-10s %10s %10s\n", "result", "published", "draft")
	for _, r := range []spf.Result{spf.Pass, spf.Fail, spf.Softfail, spf.Neutral, spf.None, spf.TempError, spf.PermError} {
		if rep.Published[r] > 0 || rep.Draft[r] > 0 {
			fmt.Fprintf(w, "%-10s %10d %10d\n", r, rep.Published[r], rep.Draft[r])
		}
	}
	fmt.Fprintf(w, "%-10s %10d %10d\n", unit+"s", rep.Rows, rep.Rows)
	if rep.Weighted {
		fmt.Fprintf(w, "%d changed (%s messages), %d unchanged\n", rep.Changed, thousands(rep.ChangedMessages), rep.Rows-rep.Changed)
		return
	}
	fmt.Fprintf(w, "%d changed, %d unchanged, %d bad rows skipped\n", rep.Changed, rep.Rows-rep.Changed, rep.BadRows)
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// decidedBy says what decided an outcome: "pass (ip4:192.0.2.0/24)".
func decidedBy(o draft.Outcome) string {
	switch {
	case o.Error != "":
		return string(o.Result) + " (" + o.Error + ")"
	case o.Mechanism != "":
		return string(o.Result) + " (" + o.Mechanism + ")"
	}
	return string(o.Result)
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
