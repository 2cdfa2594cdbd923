package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	dmarclint "spflab/dmarc/lint"
	"spflab/fakedns"
	"spflab/fakedns/zonedata"
	"spflab/finding"
	"spflab/spf/lint"
)

// liveWorld is "the rest of the world" the command tests resolve over DNS
// served on loopback.
const liveWorld = `
example.com:
  - TXT: v=spf1 ip4:192.0.2.0/24 include:_spf.example.net mx -all
  - TXT: google-site-verification=abc
  - MX: [10, mx1.example.com]
  - MX: [20, mx2.example.com]
mx1.example.com:
  - A: 192.0.2.10
  - AAAA: 2001:db8::10
mx2.example.com:
  - A: 192.0.2.11
_spf.example.net:
  - TXT: v=spf1 ip4:198.51.100.0/24 include:_spf2.example.net ~all
_spf2.example.net:
  - TXT: v=spf1 ip4:203.0.113.0/24 ~all
slow.example.net:
  - TIMEOUT
nospf.example.net:
  - TXT: hello
neutral.example.org:
  - TXT: v=spf1 ?all
none.example.org:
  - A: 192.0.2.1
broken.example.org:
  - TXT: v=spf1 ip4:192.0.2.300 -all
`

// serveWorld serves zonedata on loopback and returns the server's address.
func serveWorld(t testing.TB, data string) string {
	t.Helper()
	z, err := zonedata.Parse([]byte(data), "world.yml")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := fakedns.Serve(z, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.Addr()
}

// spflab runs the command line and returns its exit status and output.
func spflab(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// wantInOrder fails unless each of parts occurs in s, in order.
func wantInOrder(t *testing.T, s string, parts ...string) {
	t.Helper()
	rest := s
	for _, p := range parts {
		i := strings.Index(rest, p)
		if i < 0 {
			t.Errorf("output lacks %q (in order) in:\n%s", p, s)
			return
		}
		rest = rest[i+len(p):]
	}
}

func TestLintCommand(t *testing.T) {
	dns := serveWorld(t, liveWorld)
	tests := []struct {
		name   string
		args   []string
		status int
		stdout []string
	}{
		{"published over loopback DNS", []string{"lint", "example.com", "--dns", dns}, 0, []string{
			`example.com: "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net mx -all" (3 lookups; 768 IPv4 addresses and 1 IPv6 /64)`,
			"  include:_spf.example.net       lookups #1-#2\n",
			`    _spf.example.net: "v=spf1 ip4:198.51.100.0/24 include:_spf2.example.net ~all" (1 lookup; 512 IPv4 addresses)`,
			"      include:_spf2.example.net  lookup #2\n",
			"  mx                             lookup #3; 2 hosts: mx1.example.com (2 addresses), mx2.example.com (1 address)\n",
			"DNS-querying terms: 3/10   void lookups: 0/2\n",
			"authorised: 768 IPv4 addresses and 1 IPv6 /64\n",
			"0 errors, 0 warnings, 0 info\n",
		}},
		{"draft with warnings", []string{"lint", "--dns", dns, "example.com", "--record", "v=spf1 ptr ip4:192.0.2.1/24 ?all"}, 1, []string{
			`example.com (draft): "v=spf1 ptr ip4:192.0.2.1/24 ?all" (1 lookup; `,
			`warning SPF-L016 ptr: example.com, column 8, "ptr": `, "(RFC 7208 §5.5)\n",
			"    v=spf1 ptr ip4:192.0.2.1/24 ?all\n           ^^^\n    fix: ", "the a mechanism\n",
			`warning SPF-L024 host-bits: example.com, column 12, "ip4:192.0.2.1/24": 192.0.2.1/24 has host bits set: it means 192.0.2.0/24 (RFC 7208 §5.6)`,
			"               ^^^^^^^^^^^^^^^^\n",
			`warning SPF-L018 all-neutral: example.com, column 29, "?all"`,
			"0 errors, 3 warnings, 0 info\n",
		}},
		{"draft with errors", []string{"lint", "example.com", "--dns", dns, "--record", "v=spf1 include:nospf.example.net include:slow.example.net -all", "--timeout", "200ms"}, 2, []string{
			"  include:nospf.example.net  lookup #1\n    nospf.example.net: no SPF record (its only TXT record does not begin with \"v=spf1\")\n",
			`error SPF-L004 include-no-record: example.com, column 8, "include:nospf.example.net": nospf.example.net has no SPF record`,
			`error SPF-L006 lookup-failed: example.com, column 34, "include:slow.example.net": the TXT lookup of slow.example.net failed (`,
			"2 errors, 0 warnings, 0 info\n",
		}},
		{"syntax error names the column", []string{"lint", "broken.example.org", "--dns", dns}, 2, []string{
			`error SPF-L001 syntax: broken.example.org, column 12, "ip4:192.0.2.300": invalid address "192.0.2.300"`,
			"    v=spf1 ip4:192.0.2.300 -all\n               ^^^^^^^^^^^\n",
		}},
		{"only info: exit status 0", []string{"lint", "nospf.example.net", "--dns", dns, "--record", "v=spf1 ip4:192.0.2.1 -all"}, 0, []string{
			"info SPF-L032 parked-domain: nospf.example.net: ",
			"0 errors, 0 warnings, 1 info\n",
		}},
		{"BIND zone file", []string{"lint", "example.com", "--zone", filepath.Join("testdata", "draft", "example.com.zone")}, 0, []string{
			`example.com: "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net mx -all" (3 lookups;`,
			"DNS-querying terms: 3/10",
		}},
		{"rules", []string{"lint", "--rules"}, 0, []string{
			"SPF-L001    error    RFC 7208 §4.6            syntax ", "SPF-L004    error    RFC 7208 §5.2            include-no-record ",
			"SPF-L032    info     RFC 7208 §5.1            parked-domain ",
			"DMARC-L001  error    RFC 9989 §4.10.1         no-record ",
			"DMARC-L006  warning  RFC 9989 Appendix C.5.2  removed-tag ",
			"DMARC-L009  warning  RFC 9990 §3              external-destination ",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := spflab(tt.args...)
			if code != tt.status {
				t.Errorf("exit status %d, want %d; stderr %s", code, tt.status, stderr)
			}
			wantInOrder(t, stdout, tt.stdout...)
		})
	}
}

func TestLintCommandJSON(t *testing.T) {
	dns := serveWorld(t, liveWorld)
	zone := filepath.Join(t.TempDir(), "world.yaml")
	if err := os.WriteFile(zone, []byte(liveWorld), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--dns", dns, "--json"}, {"--zone", zone, "--format", "json"}} {
		args := append([]string{"lint", "example.com", "--record", "v=spf1 mx:example.com a:mx2.example.com -all"}, args...)
		code, stdout, stderr := spflab(args...)
		if code != 1 {
			t.Fatalf("%v: exit status %d, want 1 (a warning); stderr %s", args, code, stderr)
		}
		var rep lint.Report
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		// mx2 has no AAAA: a void lookup for IPv6 clients.
		if !rep.Draft || rep.Lookups != 2 || rep.VoidLookups != 1 || len(rep.Findings) != 1 || rep.Findings[0].ID != "SPF-L013" ||
			rep.Tree.Terms[1].Void != "IPv6 clients" || len(rep.Tree.Terms[0].Hosts) != 2 ||
			len(rep.Voids) != 1 || rep.Voids[0].Term != "a:mx2.example.com" {
			t.Errorf("%v: report %+v", args, rep)
		}
	}
}

// TestLintRulesJSON: --rules --json lists every rule, SPF's and DMARC's,
// with snake_case keys.
func TestLintRulesJSON(t *testing.T) {
	code, stdout, stderr := spflab("lint", "--rules", "--json")
	var rules []finding.Rule
	if code != 0 || json.Unmarshal([]byte(stdout), &rules) != nil || !slices.Equal(rules, append(lint.Rules(), dmarclint.Rules()...)) {
		t.Fatalf("exit %d, stderr %s, stdout:\n%s", code, stderr, stdout)
	}
	if !strings.Contains(stdout, `"id": "SPF-L001",`) || !strings.Contains(stdout, `"severity": "error",`) {
		t.Errorf("keys: %s", stdout)
	}
}

// TestLintCommandSARIF: --format sarif writes a SARIF 2.1.0 log whose
// results point at the record's pseudo-URI and the term's column.
func TestLintCommandSARIF(t *testing.T) {
	dns := serveWorld(t, liveWorld)
	code, stdout, stderr := spflab("lint", "example.com", "--dns", dns, "--format", "sarif", "--record", "v=spf1 ptr -all")
	if code != 1 {
		t.Fatalf("exit status %d, want 1; stderr %s", code, stderr)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(stdout), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "spflab" ||
		len(log.Runs[0].Tool.Driver.Rules) != len(lint.Rules()) || len(log.Runs[0].Results) != 1 {
		t.Fatalf("SARIF log:\n%s", stdout)
	}
	res := log.Runs[0].Results[0]
	loc := res.Locations[0].PhysicalLocation
	if res.RuleID != "SPF-L016" || res.Level != "warning" || loc.ArtifactLocation.URI != "dns:///example.com/TXT" ||
		loc.Region.StartLine != 1 || loc.Region.StartColumn != 8 {
		t.Errorf("SARIF result %+v", res)
	}
}

// dmarcWorld is the world of the lint --dmarc tests: example.com only
// monitors, keeps pct and sends reports to a provider that has not
// consented; good.example's provider has; two.example publishes two
// records; sub.example.com has none of its own.
const dmarcWorld = `
example.com:
  - TXT: v=spf1 ip4:192.0.2.0/24 -all
  - A: 192.0.2.1
_dmarc.example.com:
  - TXT: v=DMARC1; p=none; pct=50; rua=mailto:d@example.com,mailto:x@vendor.example.net
sub.example.com:
  - TXT: v=spf1 ip4:192.0.2.0/24 -all
  - A: 192.0.2.2
good.example:
  - TXT: v=spf1 ip4:192.0.2.0/24 -all
  - A: 192.0.2.3
_dmarc.good.example:
  - TXT: v=DMARC1; p=reject; rua=mailto:x@vendor.example.net
good.example._report._dmarc.vendor.example.net:
  - TXT: v=DMARC1
two.example:
  - TXT: v=spf1 ip4:192.0.2.0/24 -all
  - A: 192.0.2.4
_dmarc.two.example:
  - TXT: v=DMARC1; p=reject
  - TXT: v=DMARC1; p=none
`

// TestLintDMARC: --dmarc lints the DMARC record after the SPF record, over
// loopback DNS and from a zone file, and the exit status counts both.
func TestLintDMARC(t *testing.T) {
	dns := serveWorld(t, dmarcWorld)
	zone := filepath.Join(t.TempDir(), "world.yml")
	if err := os.WriteFile(zone, []byte(dmarcWorld), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		status int
		stdout []string
	}{
		{"warnings and info", []string{"lint", "example.com", "--dmarc"}, 1, []string{
			`example.com: "v=spf1 ip4:192.0.2.0/24 -all"`, "0 errors, 0 warnings, 0 info\n",
			`DMARC policy for example.com: "v=DMARC1; p=none; pct=50; rua=mailto:d@example.com,mailto:x@vendor.example.net" at _dmarc.example.com (organizational domain example.com)` + "\n",
			"  TXT _dmarc.example.com → ",
			"  organizational domain of example.com: example.com (",
			"report destinations:\n  rua mailto:d@example.com: example.com, the same organization\n",
			"  rua mailto:x@vendor.example.net: vendor.example.net, another organization: no TXT record at example.com._report._dmarc.vendor.example.net (no such name)\n",
			`warning DMARC-L006 removed-tag: _dmarc.example.com, column 19, "pct=50": `, "(RFC 9989 Appendix C.5.2)\n",
			"    v=DMARC1; p=none; pct=50; rua=mailto:d@example.com,mailto:x@vendor.example.net\n                      ^^^^^^\n    fix: remove it",
			`info DMARC-L010 policy-none: _dmarc.example.com, column 11, "p=none": `,
			`warning DMARC-L009 external-destination: _dmarc.example.com, column 52, "mailto:x@vendor.example.net": `, "(RFC 9990 §3)\n",
			`    fix: ask the operator of vendor.example.net to publish TXT "v=DMARC1" at example.com._report._dmarc.vendor.example.net`,
			"0 errors, 2 warnings, 1 info\n",
		}},
		{"a provider that consents", []string{"lint", "good.example", "--dmarc"}, 0, []string{
			"0 errors, 0 warnings, 0 info\n",
			"  rua mailto:x@vendor.example.net: vendor.example.net, another organization, consents at TXT good.example._report._dmarc.vendor.example.net\n",
			"0 errors, 0 warnings, 0 info\n",
		}},
		{"two records", []string{"lint", "two.example", "--dmarc"}, 2, []string{
			"DMARC policy for two.example: none found",
			`error DMARC-L002 multiple-records: _dmarc.two.example: 2 DMARC records ("v=DMARC1; p=reject", "v=DMARC1; p=none"): receivers discard them all`,
			"1 error, 0 warnings, 0 info\n",
		}},
		{"a subdomain inherits", []string{"lint", "sub.example.com", "--dmarc"}, 1, []string{
			`DMARC policy for sub.example.com: "v=DMARC1; p=none; `, `" at _dmarc.example.com (organizational domain example.com)`,
			"  policy record: _dmarc.example.com (the organizational domain of sub.example.com)\n",
			"0 errors, 2 warnings, 1 info\n",
		}},
	}
	for _, tt := range tests {
		for _, where := range [][]string{{"--dns", dns}, {"--zone", zone}} {
			t.Run(tt.name+" "+where[0], func(t *testing.T) {
				code, stdout, stderr := spflab(append(tt.args, where...)...)
				if code != tt.status {
					t.Errorf("exit status %d, want %d; stderr %s", code, tt.status, stderr)
				}
				wantInOrder(t, stdout, tt.stdout...)
			})
		}
	}
}

// TestLintDMARCJSON: the JSON of lint --dmarc is the SPF report's with a
// "dmarc" key holding the DMARC report, every key snake_case.
func TestLintDMARCJSON(t *testing.T) {
	dns := serveWorld(t, dmarcWorld)
	code, stdout, stderr := spflab("lint", "example.com", "--dmarc", "--dns", dns, "--json")
	if code != 1 {
		t.Fatalf("exit status %d, want 1; stderr %s", code, stderr)
	}
	if bad := badKeys(t, stdout); len(bad) > 0 {
		t.Errorf("keys not in snake_case: %s", strings.Join(bad, ", "))
	}
	var out struct {
		lint.Report
		DMARC *struct {
			PolicyDomain string `json:"policy_domain"`
			OrgDomain    string `json:"org_domain"`
			Record       string `json:"record"`
			Trace        []struct {
				Kind string `json:"kind"`
				Text string `json:"text"`
			} `json:"trace"`
			Destinations []dmarclint.Destination `json:"destinations"`
			Findings     []finding.Finding       `json:"findings"`
		} `json:"dmarc"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Domain != "example.com" || out.Tree == nil || len(out.Findings) != 0 || out.DMARC == nil {
		t.Fatalf("report:\n%s", stdout)
	}
	d := out.DMARC
	var ids []string
	for _, f := range d.Findings {
		ids = append(ids, f.ID)
	}
	if d.PolicyDomain != "example.com" || d.OrgDomain != "example.com" || !strings.HasPrefix(d.Record, "v=DMARC1; p=none;") ||
		len(d.Trace) == 0 || d.Trace[0].Kind != "dns" || d.Trace[0].Text == "" || len(d.Destinations) != 2 || d.Destinations[1].Authorised || !d.Destinations[0].Authorised ||
		!slices.Equal(ids, []string{"DMARC-L006", "DMARC-L010", "DMARC-L009"}) {
		t.Errorf("DMARC report %+v (findings %v)", d, ids)
	}

	// Without --dmarc the JSON has no "dmarc" key.
	_, stdout, _ = spflab("lint", "example.com", "--dns", dns, "--json")
	if strings.Contains(stdout, `"dmarc"`) {
		t.Errorf("a dmarc key without --dmarc:\n%s", stdout)
	}
}

// TestLintDMARCSARIF: one SARIF run holds the findings of both lints, the
// DMARC ones at the _dmarc name's TXT records and their columns, and the
// rules of both in the driver.
func TestLintDMARCSARIF(t *testing.T) {
	dns := serveWorld(t, dmarcWorld)
	code, stdout, stderr := spflab("lint", "example.com", "--dmarc", "--dns", dns, "--format", "sarif", "--record", "v=spf1 ptr -all")
	if code != 1 {
		t.Fatalf("exit status %d, want 1; stderr %s", code, stderr)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(stdout), &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("SARIF (%v):\n%s", err, stdout)
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) != len(lint.Rules())+len(dmarclint.Rules()) {
		t.Errorf("%d rules in the driver, want %d", len(run.Tool.Driver.Rules), len(lint.Rules())+len(dmarclint.Rules()))
	}
	var got []string
	for _, r := range run.Results {
		loc := r.Locations[0].PhysicalLocation
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("ruleIndex %d is not %s", r.RuleIndex, r.RuleID)
		}
		got = append(got, fmt.Sprintf("%s %s %d", r.RuleID, loc.ArtifactLocation.URI, loc.Region.StartColumn))
	}
	want := []string{
		"SPF-L016 dns:///example.com/TXT 8",
		"DMARC-L006 dns:///_dmarc.example.com/TXT 19",
		"DMARC-L010 dns:///_dmarc.example.com/TXT 11",
		"DMARC-L009 dns:///_dmarc.example.com/TXT 52",
	}
	if !slices.Equal(got, want) {
		t.Errorf("results\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBadInput: each mistake is one line on stderr and exit status 2.
func TestBadInput(t *testing.T) {
	dns := serveWorld(t, liveWorld)
	dir := t.TempDir()
	unreadable := filepath.Join(dir, "missing.csv")
	badZone := filepath.Join(dir, "bad.yml")
	if err := os.WriteFile(badZone, []byte("example.com:\n  - TXT: [1, [2]]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badResolvConf := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(badResolvConf, []byte("# no nameserver\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	senders := filepath.Join(dir, "senders.csv")
	if err := os.WriteFile(senders, []byte("192.0.2.1,a@example.com,h.example.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	messages := map[string]string{
		"no-return-path.eml":  "From: a@euston.net\n\nbody\n",
		"bad-return-path.eml": "Return-Path: <not an address\nFrom: a@euston.net\n\nbody\n",
		"bad-header.eml":      "From a@euston.net, without a colon\n\nbody\n",
		"no-domain.eml":       "Return-Path: <bounce@localhost>\nFrom: a@euston.net\n\nbody\n",
		"null-sender.eml":     "Return-Path: <>\nFrom: a@euston.net\n\nbody\n",
		"large.eml":           "From: a@euston.net\n\n" + strings.Repeat("x", 10<<20),
	}
	for name, m := range messages {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(m), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	msg := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		args []string
		want string // in the one line of stderr
	}{
		{[]string{"lint", "mail.example .com", "--dns", dns}, `spflab lint: "mail.example .com": not a domain name: a space or control character at 13`},
		{[]string{"lint", "localhost", "--dns", dns}, `spflab lint: "localhost": not a fully qualified domain name`},
		{[]string{"lint", "example.com", "--dns", dns, "--record", "spf1 -all"}, `spflab lint: --record "spf1 -all": a record must begin with "v=spf1"`},
		{[]string{"lint", "example.com", "--zone", unreadable}, "spflab lint: open " + unreadable + ": no such file or directory"},
		{[]string{"lint", "example.com", "--zone", badZone}, "spflab lint: " + badZone + ":2: "},
		{[]string{"lint", "example.com", "--dns", "127.0.0.1:1", "--timeout", "300ms"}, "spflab lint: DNS server 127.0.0.1:1 does not answer: "},
		{[]string{"lint", "example.com", "--dns", "127.0.0.1"}, `spflab lint: --dns "127.0.0.1": want HOST:PORT`},
		{[]string{"lint", "example.com", "--dns", dns, "--zone", badZone}, "spflab lint: --zone and --dns exclude each other"},
		{[]string{"lint", "example.com", "--dns", dns, "--format", "xml"}, `spflab lint: --format "xml": want text, json or sarif`},
		{[]string{"lint", "example.com", "--rules"}, "spflab lint: --rules takes no domain"},
		{[]string{"lint", "--rules", "--format", "sarif"}, "spflab lint: --rules: want --format text or json"},
		{[]string{"lint", "example.com", "--dns", dns, "--dmarc", "--flatten"}, "spflab lint: --flatten writes an SPF record; lint the DMARC record without it"},
		{[]string{"check", "example.com", "--dns", dns, "--ip", "192.0.2.300"}, `spflab check: --ip "192.0.2.300": not an IP address`},
		{[]string{"check", "example.com", "--dns", dns}, "spflab check: --ip is required"},
		{[]string{"check", "example..com", "--dns", dns, "--ip", "192.0.2.1"}, `spflab check: "example..com": not a domain name: an empty label`},
		{[]string{"check", "example.com", "--dns", dns, "--ip", "192.0.2.1", "--record", "v=spf2 -all"}, `spflab check: --record "v=spf2 -all": a record must begin with "v=spf1"`},
		{[]string{"check", "example.com", "--dns", "127.0.0.1:1", "--timeout", "300ms", "--ip", "192.0.2.1"}, "spflab check: DNS server 127.0.0.1:1 does not answer: "},
		{[]string{"check", "example.com", "--dns", dns, "--ip", "192.0.2.1", "--sender", "<>", "--helo", ""}, "spflab check: the null sender checks the HELO name: give --helo"},
		{[]string{"check", "example.com", "--dns", dns, "--compare", "--record", "v=spf1 -all"}, "spflab check: --compare needs --record and --senders"},
		{[]string{"check", "example.com", "--dns", dns, "--compare", "--senders", senders}, "spflab check: --compare needs --record and --senders"},
		{[]string{"check", "example.com", "--dns", dns, "--compare", "--record", "v=spf1 -all", "--senders", unreadable}, "spflab check: open " + unreadable + ": no such file or directory"},
		{[]string{"check", "example.com", "--dns", dns, "--compare", "--record", "v=spf1 -all", "--senders", senders, "--ip", "192.0.2.1"}, "spflab check: --ip is for one check"},
		{[]string{"check", "example.com", "--dns", dns, "--compare", "--record", "v=spf1 a:x -all", "--senders", senders}, `spflab check: --record: column 10: term "a:x": "x" does not end in a top-level domain name`},
		{[]string{"check", "example.com", "--dns", dns, "--ip", "192.0.2.1", "--from", "not an address"}, `spflab check: --from "not an address": not an address: `},
		{[]string{"check", "example.com", "--dns", dns, "--ip", "192.0.2.1", "--from", "a@euston.net", "--message", msg("null-sender.eml")}, "spflab check: --from and --message exclude each other"},
		{[]string{"check", "example.com", "--dns", dns, "--compare", "--record", "v=spf1 -all", "--senders", senders, "--from", "a@euston.net"}, "spflab check: --from is for one check"},
		{[]string{"check", "--dns", dns, "--message", msg("null-sender.eml")}, "spflab check: --ip is required"},
		{[]string{"check", "--dns", dns, "--ip", "192.0.2.1", "--message", msg("missing.eml")}, "spflab check: open " + msg("missing.eml") + ": no such file or directory"},
		{[]string{"check", "--dns", dns, "--ip", "192.0.2.1", "--message", msg("large.eml")}, "spflab check: " + msg("large.eml") + ": larger than 10 MiB: not a message check reads"},
		{[]string{"check", "--dns", dns, "--ip", "192.0.2.1", "--message", msg("bad-header.eml")}, "spflab check: " + msg("bad-header.eml") + ": not a message: its header cannot be read: "},
		{[]string{"check", "--dns", dns, "--ip", "192.0.2.1", "--message", msg("no-return-path.eml")}, "spflab check: " + msg("no-return-path.eml") + " has no Return-Path: give the MAIL FROM address with --sender"},
		{[]string{"check", "--dns", dns, "--ip", "192.0.2.1", "--message", msg("bad-return-path.eml")}, "spflab check: " + msg("bad-return-path.eml") + `: Return-Path "<not an address": not an address: `},
		{[]string{"check", "--dns", dns, "--ip", "192.0.2.1", "--message", msg("no-domain.eml")}, `spflab check: the domain of the sender "bounce@localhost": "localhost": not a fully qualified domain name`},
		{[]string{"check", "--dns", dns, "--ip", "192.0.2.1", "--message", msg("null-sender.eml")}, "spflab check: the null sender checks the HELO name: give --helo"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := spflab(tt.args...)
			if code != 2 {
				t.Errorf("exit status %d, want 2", code)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if !strings.HasPrefix(stderr, tt.want) && !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q, want %q", stderr, tt.want)
			}
			if n := strings.Count(stderr, "\n"); n != 1 {
				t.Errorf("stderr has %d lines, want 1: %q", n, stderr)
			}
		})
	}

	// Without --dns, the servers come from resolv.conf.
	saved := resolvConf
	resolvConf = badResolvConf
	defer func() { resolvConf = saved }()
	code, _, stderr := spflab("lint", "example.com")
	if code != 2 || stderr != fmt.Sprintf("spflab lint: livedns: %s lists no nameserver\n", badResolvConf) {
		t.Errorf("no nameserver: exit %d, stderr %q", code, stderr)
	}
}

// TestLintFlatten: --flatten writes today's resolution as one record,
// and check --compare with it as the draft shows that no sender's result
// changes.
func TestLintFlatten(t *testing.T) {
	zone := filepath.Join("testdata", "draft", "example.com.zone")
	code, stdout, stderr := spflab("lint", "example.com", "--zone", zone, "--flatten")
	const flat = "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 ip4:203.0.113.0/24 ip6:2001:db8::10 -all"
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	wantInOrder(t, stdout,
		`example.com: "v=spf1 ip4:192.0.2.0/24 include:_spf.example.net mx -all" flattened: 4 networks, 0 DNS-querying terms`,
		"example.com. IN TXT \""+flat+"\"\n", "(84 bytes in 1 string; a 126-byte answer)",
		"warning: a flattened record is a copy of today's addresses of example.com, _spf.example.net, _spf2.example.net, mx1.example.com, mx2.example.com.",
		"spflab check example.com --compare --senders FILE --record '"+flat+"'\n")

	code, stdout, stderr = spflab("check", "example.com", "--zone", zone, "--compare", "--senders", filepath.Join("testdata", "draft", "senders.csv"), "--record", flat)
	if code != exitOK || !strings.Contains(stdout, "the draft changes the result of 0 of") {
		t.Errorf("compare with the flattened record: exit %d, stdout %s, stderr %s", code, stdout, stderr)
	}

	code, stdout, _ = spflab("lint", "example.com", "--zone", zone, "--flatten", "--json", "--record", "v=spf1 mx include:_spf2.example.net ~all")
	var res struct {
		Records []struct {
			Name    string   `json:"name"`
			Strings []string `json:"strings"`
		} `json:"records"`
		Sources []string `json:"sources"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != exitOK || len(res.Records) != 1 ||
		res.Records[0].Strings[0] != "v=spf1 ip4:192.0.2.10/31 ip4:203.0.113.0/24 ip6:2001:db8::10 ~all" {
		t.Errorf("--json: exit %d, %+v (%v)", code, res, err)
	}
	for _, tt := range []struct{ args []string }{
		{[]string{"lint", "example.com", "--zone", zone, "--flatten", "--format", "sarif"}},
		{[]string{"lint", "example.com", "--zone", zone, "--flatten", "--record", "v=spf1 include:nowhere.example.com -all"}},
	} {
		if code, stdout, stderr := spflab(tt.args...); code != exitUsage || stdout != "" || !strings.HasPrefix(stderr, "spflab lint: --flatten: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tt.args, code, stdout, stderr)
		}
	}
}
