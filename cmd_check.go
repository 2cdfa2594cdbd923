package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"spflab/fakedns"
	"spflab/spf"
	"spflab/spf/draft"
)

const checkSynopsis = `check DOMAIN --ip IP [--sender S] [--helo H] [--record DRAFT] [--dns HOST:PORT | --zone FILE] [--json]
       spflab check DOMAIN --record DRAFT --compare --senders FILE [--dns HOST:PORT | --zone FILE] [--json]`

const checkHelp = `
Check evaluates SPF (RFC 7208) for one client, with the draft record, when
given, in place of DOMAIN's published one, and prints every step, the
result, the explanation and the Received-SPF field. The identity checked is
the MAIL FROM address --sender (postmaster@DOMAIN by default); an empty
--sender or "<>" checks the HELO name.
Exit status: 0 pass, 1 fail or softfail, 3 neutral or none, 4 temperror or
permerror, 2 bad usage or input.

With --compare, it checks every row of the senders file (CSV or TSV,
columns ip, sender, helo, a header row optional) as a receiver would (the
MAIL FROM identity; the HELO name for the null sender), once with the
published record and once with the draft, and reports the rows whose
result changes, grouped by change (those that lose a pass first), then
totals. Bad rows are reported with their line number and skipped.
Exit status: 0 no row changes, 1 some rows change, 2 bad usage or input.

Names resolve from --zone FILE (.yml/.yaml: the suite's zonedata format;
anything else: a BIND zone file whose origin is DOMAIN), else from live
DNS: --dns HOST:PORT or the servers of /etc/resolv.conf.

flags:`

// Exit statuses of check, beside exitFail (fail or softfail; with
// --compare, some rows change) and exitUsage (bad usage or input, an
// unreachable resolver).
const (
	exitPass    = exitOK // pass; or, with --compare, no row changes
	exitNeutral = 3      // neutral or none
	exitError   = 4      // temperror or permerror
)

// dnsFlags are the flags that say where names resolve.
type dnsFlags struct {
	dns     string
	zone    string
	timeout time.Duration
}

func (d *dnsFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&d.dns, "dns", "", "query the DNS server at `HOST:PORT` (default: the servers of /etc/resolv.conf)")
	fs.StringVar(&d.zone, "zone", "", "resolve offline from `FILE`: zonedata YAML (.yml, .yaml) or a BIND zone file")
	fs.DurationVar(&d.timeout, "timeout", 2*time.Second, "how long to wait for each DNS answer")
}

// resolvConf is the file live DNS takes its servers from.
var resolvConf = "/etc/resolv.conf"

// resolver returns the resolver the flags name, and whether it is live
// DNS. origin is the origin of a BIND zone file. A live resolver must
// answer a first query: an unreachable one is an error.
func (d *dnsFlags) resolver(ctx context.Context, origin string) (spf.Resolver, bool, error) {
	switch {
	case d.zone != "" && d.dns != "":
		return nil, false, errors.New("--zone and --dns exclude each other")
	case d.zone != "":
		z, err := loadZone(d.zone, origin)
		return z, false, err
	}
	var c *fakedns.Client
	if d.dns != "" {
		if _, port, err := net.SplitHostPort(d.dns); err != nil || port == "" {
			return nil, false, fmt.Errorf("--dns %q: want HOST:PORT", d.dns)
		}
		c = fakedns.NewClient(d.dns)
	} else {
		var err error
		if c, err = fakedns.ClientFromResolvConf(resolvConf); err != nil {
			return nil, false, err
		}
	}
	if d.timeout <= 0 {
		return nil, false, fmt.Errorf("--timeout %v: must be positive", d.timeout)
	}
	c.Timeout = d.timeout
	// Any answer, even "no such name", shows that a server answers.
	if _, err := c.LookupTXT(ctx, "."); err != nil && errors.Is(err, spf.ErrTemporary) {
		return nil, false, fmt.Errorf("DNS server %s does not answer: %v", strings.Join(c.Servers, ", "), err)
	}
	return c, true, nil
}

// loadZone reads a zone file: zonedata YAML or BIND.
func loadZone(path, origin string) (*fakedns.Zone, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yml", ".yaml":
		return fakedns.ParseZoneData(data, path)
	}
	return fakedns.LoadZoneFile(bytes.NewReader(data), path, origin)
}

// draftFor returns the resolver with draft in place of domain's published
// SPF record.
func draftFor(base spf.Resolver, domain, record string) spf.Resolver {
	return &fakedns.Overlay{Base: base, Records: map[string]string{fakedns.Canonical(domain): record}}
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

// runCheck is "spflab check".
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", checkSynopsis, stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: spflab %s\n%s\n", checkSynopsis, strings.TrimPrefix(checkHelp, "\n"))
		fs.PrintDefaults()
	}
	var (
		d        dnsFlags
		ipText   = fs.String("ip", "", "the client's `IP` address")
		sender   = fs.String("sender", "", "the MAIL FROM `address` (default postmaster@DOMAIN; \"<>\" for the null sender)")
		helo     = fs.String("helo", "", "the HELO `name` (default DOMAIN)")
		record   = fs.String("record", "", "the draft `record` to use in place of DOMAIN's published one")
		receiver = fs.String("receiver", "spflab.invalid", "the receiving host's `name`, for Received-SPF and %{r}")
		asJSON   = fs.Bool("json", false, "print JSON")
		compare  = fs.Bool("compare", false, "compare the draft with the published record over --senders")
		senders  = fs.String("senders", "", "the senders `FILE` for --compare: CSV or TSV rows of ip, sender, helo (\"-\": standard input)")
		workers  = fs.Int("workers", 0, "evaluations in parallel for --compare (default: the CPUs, 4× that with live DNS)")
		examples = fs.Int("examples", 10, "rows to list per change for --compare (-1: all)")
	)
	d.add(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return flagStatus(err)
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "spflab check: "+format+"\n", args...)
		return exitUsage
	}
	domain := strings.TrimSuffix(pos[0], ".")
	if err := checkArgs(domain, *record, set["record"]); err != nil {
		return fail("%v", err)
	}

	if *compare {
		for _, f := range []string{"ip", "sender", "helo"} {
			if set[f] {
				return fail("--%s is for one check; with --compare the rows of --senders give it", f)
			}
		}
		if !set["record"] || *senders == "" {
			return fail("--compare needs --record and --senders")
		}
		if _, err := spf.Parse(*record); err != nil {
			return fail("--record: %v; every row would be permerror (spflab lint shows more)", err)
		}
		var in io.Reader = os.Stdin
		if *senders != "-" {
			f, err := os.Open(*senders)
			if err != nil {
				return fail("%v", err)
			}
			defer f.Close()
			in = f
		}
		base, live, err := d.resolver(ctx, domain)
		if err != nil {
			return fail("%v", err)
		}
		c := compareSetup(base, live, domain, *record, *workers, *examples, *receiver)
		c.OnBadRow = func(e *draft.RowError) {
			fmt.Fprintf(stderr, "spflab check: %s:%d: %s (skipped)\n", *senders, e.Line, e.Reason)
		}
		rep, err := c.Run(ctx, in)
		switch {
		case err != nil && ctx.Err() != nil:
			printCompare(stdout, domain, rep, *examples)
			return fail("interrupted after %d rows", rep.Rows+rep.BadRows)
		case err != nil:
			return fail("%s: %v", *senders, err)
		}
		if *asJSON {
			if err := writeJSON(stdout, rep); err != nil {
				return fail("%v", err)
			}
		} else {
			printCompare(stdout, domain, rep, *examples)
		}
		if rep.Changed > 0 {
			return exitFail
		}
		return exitPass
	}

	if *ipText == "" {
		return fail("--ip is required (or --compare with --senders)")
	}
	ip, err := netip.ParseAddr(*ipText)
	if err != nil || ip.Zone() != "" {
		return fail("--ip %q: not an IP address", *ipText)
	}
	if !set["sender"] {
		*sender = "postmaster@" + domain
	}
	if !set["helo"] {
		*helo = domain
	}
	if *helo == "" && (*sender == "" || *sender == "<>") {
		return fail("the null sender checks the HELO name: give --helo")
	}
	base, _, err := d.resolver(ctx, domain)
	if err != nil {
		return fail("%v", err)
	}
	res := base
	if set["record"] {
		res = draftFor(base, domain, *record)
	}
	var trace []spf.Event
	c := spf.Checker{Resolver: res, Receiver: *receiver, Listener: func(e spf.Event) {
		e.Answers, e.Addrs = append([]string(nil), e.Answers...), append([]netip.Addr(nil), e.Addrs...)
		trace = append(trace, e)
	}}
	o := c.Check(ctx, ip, *helo, *sender)
	received := spf.ReceivedSPF(o, *receiver)
	if *asJSON {
		out := checkJSON{
			Domain: domain, Draft: *record, IP: o.IP, Identity: o.Identity, Sender: o.Sender, HELO: o.HELO,
			Result: o.Result, Mechanism: o.Mechanism, Explanation: o.Explanation,
			DNSTerms: o.Counters.DNSTerms, VoidLookups: o.Counters.VoidLookups,
			ReceivedSPF: received, Trace: trace,
		}
		if o.Err != nil {
			out.Error = o.Err.Error()
		}
		if err := writeJSON(stdout, out); err != nil {
			return fail("%v", err)
		}
	} else {
		printTrace(stdout, trace, spf.DefaultMaxDNSTerms, spf.DefaultMaxVoidLookups)
		fmt.Fprintf(stdout, "\nresult:       %s\n", o.Result)
		if o.Mechanism != "" {
			fmt.Fprintf(stdout, "mechanism:    %s\n", o.Mechanism)
		}
		if o.Err != nil && (o.Result == spf.TempError || o.Result == spf.PermError) {
			fmt.Fprintf(stdout, "problem:      %v\n", o.Err)
		}
		if o.Explanation != "" {
			fmt.Fprintf(stdout, "explanation:  %s\n", o.Explanation)
		}
		fmt.Fprintf(stdout, "lookups:      %d/%d DNS-querying terms, %d/%d void\n", o.Counters.DNSTerms, spf.DefaultMaxDNSTerms, o.Counters.VoidLookups, spf.DefaultMaxVoidLookups)
		fmt.Fprintf(stdout, "Received-SPF: %s\n", received)
	}
	return resultStatus(o.Result)
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

// compareSetup returns the comparison of record with the published record
// of domain over base.
func compareSetup(base spf.Resolver, live bool, domain, record string, workers, examples int, receiver string) *draft.Compare {
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
	return &draft.Compare{
		Published: &spf.Checker{Resolver: base, Records: cache, Receiver: receiver},
		Draft:     &spf.Checker{Resolver: draftFor(base, domain, record), Records: cache, Receiver: receiver},
		Workers:   workers,
		Examples:  examples,
	}
}

// printCompare writes the report of a comparison.
func printCompare(w io.Writer, domain string, rep *draft.Report, examples int) {
	fmt.Fprintf(w, "%s: the draft changes the result of %d of %d rows", domain, rep.Changed, rep.Rows)
	if rep.BadRows > 0 {
		fmt.Fprintf(w, " (%d bad rows skipped)", rep.BadRows)
	}
	fmt.Fprintln(w)
	for _, ch := range rep.Changes {
		fmt.Fprintf(w, "\n%s → %s: %d %s\n", ch.From, ch.To, ch.Count, plural(ch.Count, "row"))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, r := range ch.Rows {
			from := r.MailFrom
			if from == "" {
				from = "<>"
			}
			fmt.Fprintf(tw, "  line %d\t%s\t%s\thelo %s\t%s → %s\n", r.Line, r.IP, from, r.HELO, decidedBy(r.Published), decidedBy(r.Draft))
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
	fmt.Fprintf(w, "%-10s %10d %10d\n", "rows", rep.Rows, rep.Rows)
	fmt.Fprintf(w, "%d changed, %d unchanged, %d bad rows skipped\n", rep.Changed, rep.Rows-rep.Changed, rep.BadRows)
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
