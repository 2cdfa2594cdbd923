package lint_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"spflab/fakedns"
	"spflab/spf/lint"
)

// The domains of the test zone have an MX record unless a test is about
// a domain without one: a domain with no MX and no address draws the
// parked-domain hint.
func lintZone() string {
	var b strings.Builder
	b.WriteString(`
example.com:
  - TXT: v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all
  - TXT: google-site-verification=abc
  - MX: [10, mx1.example.com]
  - MX: [20, mx2.example.com]
mx1.example.com:
  - A: 192.0.2.10
  - AAAA: 2001:db8::10
mx2.example.com:
  - A: 192.0.2.11
  - A: 192.0.2.12
v4only.example.com:
  - A: 192.0.2.20
_spf.example.net:
  - TXT: v=spf1 ip4:198.51.100.0/24 ~all
neutral.example.net:
  - TXT: v=spf1 ip4:198.51.100.0/24 ?all
two.example.com:
  - TXT: v=spf1 ip4:192.0.2.1 ~all
  - TXT: v=spf1 mx redirect=_spf.example.net
  - MX: [10, mx1.example.com]
nospf.example.com:
  - TXT: some other text
  - MX: [10, mx1.example.com]
nospf-nx.example.com:
  - A: 192.0.2.1
  - TXT: NONE
a.example.com:
  - TXT: v=spf1 include:b.example.com -all
b.example.com:
  - TXT: v=spf1 ip4:203.0.113.0/24 -all
loop1.example.com:
  - TXT: v=spf1 include:loop2.example.com -all
  - MX: [10, mx1.example.com]
loop2.example.com:
  - TXT: v=spf1 redirect=loop1.example.com
slow.example.com:
  - TIMEOUT
nomx.example.com:
  - TXT: v=spf1 mx -all
  - A: 192.0.2.30
bare-mx.example.com:
  - MX: [10, mx1.example.com]
  - MX: [20, nohost.example.com]
parked.example.com:
  - TXT: v=spf1 ip4:192.0.2.1 -all
closed.example.com:
  - TXT: v=spf1 -all
sid.example.com:
  - TXT: v=spf1 mx -all
  - TXT: spf2.0/mfrom,pra mx -all
  - MX: [10, mx1.example.com]
split.example.com:
  - TXT: ["v=spf1 ip4:192.0.2.0/24 include:a.example.com", "include:_spf.example.net -all"]
  - MX: [10, mx1.example.com]
wide.example.net:
  - TXT: v=spf1 ip4:192.0.2.0/23 ip4:203.0.113.7 -all
big.example.com:
  - MX: [10, mx1.example.com]
  - TXT: "v=spf1 `)
	for i := range 40 {
		fmt.Fprintf(&b, "ip4:198.51.100.%d ", i)
	}
	b.WriteString("-all\"\nmanymx.example.com:\n")
	for i := range 11 {
		fmt.Fprintf(&b, "  - MX: [%d, mx%d.example.com]\n", i, i)
	}
	for i := range 12 {
		fmt.Fprintf(&b, "i%d.example.com:\n  - TXT: v=spf1 ip4:198.51.100.%d -all\n", i, i)
	}
	return b.String()
}

func zone(t testing.TB, yml string) *fakedns.Zone {
	t.Helper()
	z, err := fakedns.ParseZoneData([]byte(yml), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// lintRecord lints the published record of domain, or draft in its place.
func lintRecord(t *testing.T, domain, draft string) *lint.Report {
	t.Helper()
	l := lint.Linter{Resolver: zone(t, lintZone())}
	var rep *lint.Report
	var err error
	if draft == "" {
		rep, err = l.Lint(context.Background(), domain)
	} else {
		rep, err = l.Draft(context.Background(), domain, draft)
	}
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func names(rep *lint.Report) []string {
	var c []string
	for _, f := range rep.Findings {
		c = append(c, f.Name)
	}
	slices.Sort(c)
	return c
}

// includes is a draft with n includes of i0.example.com… and -all.
func includes(n int) string {
	s := "v=spf1"
	for i := range n {
		s += fmt.Sprintf(" include:i%d.example.com", i)
	}
	return s + " -all"
}

// long is a draft of 20 ip4 terms, longer than 255 bytes.
var long = func() string {
	s := "v=spf1"
	for i := range 20 {
		s += fmt.Sprintf(" ip4:203.0.113.%d", i)
	}
	return s + " -all"
}()

// TestRules checks the rule table: IDs in order, names unique, every field
// filled.
func TestRules(t *testing.T) {
	seen := map[string]bool{}
	for i, r := range lint.Rules() {
		if want := fmt.Sprintf("SPF-L%03d", i+1); r.ID != want {
			t.Errorf("rule %d has ID %q, want %q", i, r.ID, want)
		}
		if seen[r.Name] || r.Name == "" {
			t.Errorf("%s: name %q empty or used twice", r.ID, r.Name)
		}
		seen[r.Name] = true
		switch r.Severity {
		case lint.SeverityError, lint.SeverityWarning, lint.SeverityInfo:
		default:
			t.Errorf("%s: severity %q", r.ID, r.Severity)
		}
		if !regexp.MustCompile(`^\d+(\.\d+)*$`).MatchString(r.Section) || r.Summary == "" {
			t.Errorf("%s: section %q, summary %q", r.ID, r.Section, r.Summary)
		}
		if r.HelpURI() != "https://www.rfc-editor.org/rfc/rfc7208#section-"+r.Section {
			t.Errorf("%s: help URI %s", r.ID, r.HelpURI())
		}
	}
}

// ruleCase provokes the finding of one rule: the findings of the lint
// must be exactly want, and the finding of rule has the term given.
type ruleCase struct {
	rule   string // the rule's name
	domain string
	draft  string   // "" lints the published record
	want   []string // the names of every finding, in any order
	term   string   // the term of rule's finding, "" for none
	column int      // its column
}

var ruleCases = []ruleCase{
	{"syntax", "example.com", "v=spf1 ip4:192.0.2.300 -all", []string{"syntax"}, "ip4:192.0.2.300", 12},
	{"no-record", "nospf.example.com", "", []string{"no-record"}, "", 0},
	{"multiple-records", "two.example.com", "", []string{"multiple-records"}, "", 0},
	{"include-no-record", "example.com", "v=spf1 include:nospf.example.com -all", []string{"include-no-record"}, "include:nospf.example.com", 8},
	{"include-no-record", "example.com", "v=spf1 include:nospf-nx.example.com -all", []string{"include-no-record"}, "include:nospf-nx.example.com", 8},
	{"include-no-record", "example.com", "v=spf1 include:nx.example.com -all", []string{"include-no-record"}, "include:nx.example.com", 8},
	{"redirect-no-record", "example.com", "v=spf1 redirect=nospf.example.com", []string{"redirect-no-record"}, "redirect=nospf.example.com", 8},
	{"lookup-failed", "example.com", "v=spf1 include:slow.example.com -all", []string{"lookup-failed"}, "include:slow.example.com", 8},
	{"lookup-failed", "example.com", "v=spf1 a:slow.example.com -all", []string{"lookup-failed"}, "a:slow.example.com", 8},
	{"loop", "loop1.example.com", "", []string{"loop"}, "redirect=loop1.example.com", 8},
	{"lookup-limit", "example.com", includes(11), []string{"lookup-limit", "string-length"}, "include:i10.example.com", 238},
	{"void-limit", "example.com", "v=spf1 a:nx1.example.com mx:nx2.example.com exists:nx3.example.com -all",
		[]string{"a-no-address", "mx-no-address", "void-limit"}, "exists:nx3.example.com", 45},
	{"mx-names", "example.com", "v=spf1 mx:manymx.example.com -all", []string{"mx-names", "mx-no-address"}, "mx:manymx.example.com", 8},
	{"glued-terms", "example.com", "v=spf1 ip4:192.0.2.1-all", []string{"glued-terms", "syntax"}, "ip4:192.0.2.1-all", 8},
	{"glued-terms", "split.example.com", "", []string{"glued-terms", "include-no-record"}, "include:a.example.cominclude:_spf.example.net", 25},
	{"lookup-headroom", "example.com", includes(8), []string{"lookup-headroom"}, "", 0},
	{"void-lookup", "example.com", "v=spf1 a:v4only.example.com -all", []string{"void-lookup"}, "a:v4only.example.com", 8},
	{"void-lookup", "example.com", "v=spf1 exists:nx.example.com -all", []string{"void-lookup"}, "exists:nx.example.com", 8},
	{"a-no-address", "example.com", "v=spf1 a:nx.example.com -all", []string{"a-no-address"}, "a:nx.example.com", 8},
	{"mx-no-address", "nomx.example.com", "", []string{"mx-no-address"}, "mx", 8},
	{"mx-no-address", "example.com", "v=spf1 mx:bare-mx.example.com -all", []string{"mx-no-address"}, "mx:bare-mx.example.com", 8},
	{"ptr", "example.com", "v=spf1 ptr:example.com -all", []string{"ptr"}, "ptr:example.com", 8},
	{"all-pass", "example.com", "v=spf1 ip4:192.0.2.1 +all", []string{"all-pass"}, "+all", 22},
	{"all-pass", "example.com", "v=spf1 all", []string{"all-pass"}, "all", 8},
	{"all-neutral", "example.com", "v=spf1 ip4:192.0.2.1 ?all", []string{"all-neutral"}, "?all", 22},
	{"all-neutral", "example.com", "v=spf1 redirect=neutral.example.net", []string{"all-neutral"}, "?all", 28},
	{"no-all", "example.com", "v=spf1 ip4:192.0.2.1", []string{"no-all"}, "", 0},
	{"redirect-ignored", "example.com", "v=spf1 ip4:192.0.2.1 redirect=_spf.example.net -all", []string{"redirect-ignored"}, "redirect=_spf.example.net", 22},
	{"after-all", "example.com", "v=spf1 -all ip4:192.0.2.1 mx", []string{"after-all"}, "ip4:192.0.2.1", 13},
	{"duplicate-term", "example.com", "v=spf1 ip4:192.0.2.1 -IP4:192.0.2.1 mx mx -all", []string{"duplicate-term", "duplicate-term"}, "-IP4:192.0.2.1", 22},
	{"duplicate-include", "example.com", "v=spf1 include:a.example.com include:b.example.com -all", []string{"duplicate-include"}, "include:b.example.com", 30},
	{"host-bits", "example.com", "v=spf1 ip4:192.0.2.1/24 ip6:2001:db8::1/48 -all", []string{"host-bits", "host-bits"}, "ip4:192.0.2.1/24", 8},
	{"wide-range", "example.com", "v=spf1 ip4:10.0.0.0/7 ip6:2001:db8::/31 -ip4:0.0.0.0/0 -all", []string{"wide-range", "wide-range"}, "ip4:10.0.0.0/7", 8},
	{"wide-range", "example.com", "v=spf1 a:v4only.example.com/4 -all", []string{"void-lookup", "wide-range"}, "a:v4only.example.com/4", 8},
	{"overlapping-networks", "example.com", "v=spf1 ip4:192.0.2.0/24 ip4:192.0.2.128/25 -all", []string{"overlapping-networks"}, "ip4:192.0.2.128/25", 25},
	{"overlapping-networks", "example.com", "v=spf1 ip4:198.51.100.0/24 include:_spf.example.net -all", []string{"overlapping-networks"}, "ip4:198.51.100.0/24", 8},
	{"macro-local-part", "example.com", "v=spf1 exists:%{l}.%{d}._spf.example.com include:%{s}.example.net -all",
		[]string{"macro-local-part", "macro-local-part"}, "exists:%{l}.%{d}._spf.example.com", 8},
	{"macro-local-part", "example.com", "v=spf1 -all exp=%{l}.exp.example.com", []string{"macro-local-part"}, "exp=%{l}.exp.example.com", 13},
	{"macro-p", "example.com", "v=spf1 exists:%{p}.example.com -all", []string{"macro-p"}, "exists:%{p}.example.com", 8},
	{"string-length", "example.com", long, []string{"string-length"}, "", 0},
	{"answer-size", "big.example.com", "", []string{"answer-size"}, "", 0},
	{"spf2-record", "sid.example.com", "", []string{"spf2-record"}, "spf2.0/mfrom,pra", 1},
	{"parked-domain", "parked.example.com", "", []string{"parked-domain"}, "", 0},
}

// TestRuleCases provokes every rule and checks its finding in the report
// and in the text, JSON and SARIF forms.
func TestRuleCases(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range ruleCases {
		covered[tc.rule] = true
		t.Run(tc.rule+"/"+tc.domain+"/"+tc.draft, func(t *testing.T) {
			rep := lintRecord(t, tc.domain, tc.draft)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if got := names(rep); !slices.Equal(got, want) {
				t.Errorf("findings %v, want %v", got, want)
				for _, f := range rep.Findings {
					t.Logf("  %s", &f)
				}
			}
			i := slices.IndexFunc(rep.Findings, func(f lint.Finding) bool { return f.Name == tc.rule })
			if i < 0 {
				t.Fatalf("no %s finding", tc.rule)
			}
			f := rep.Findings[i]
			if f.Term != tc.term || f.Column != tc.column {
				t.Errorf("finding at column %d, %q; want column %d, %q", f.Column, f.Term, tc.column, tc.term)
			}
			checkFinding(t, f)
			checkText(t, rep, f)
			checkJSON(t, rep, f)
			checkSARIF(t, rep, f)
			if rep.Draft != (tc.draft != "") {
				t.Errorf("Draft = %v", rep.Draft)
			}
		})
	}
	for _, r := range lint.Rules() {
		if !covered[r.Name] {
			t.Errorf("rule %s %s has no test case", r.ID, r.Name)
		}
	}
}

// checkFinding checks that f carries its rule's fields and a place.
func checkFinding(t *testing.T, f lint.Finding) {
	t.Helper()
	r := lint.Rules()[slices.IndexFunc(lint.Rules(), func(r lint.Rule) bool { return r.ID == f.ID })]
	if r.Name != f.Name || r.Severity != f.Severity || r.Section != f.Section {
		t.Errorf("finding %+v does not carry rule %+v", f, r)
	}
	if f.Domain == "" || f.Message == "" || f.Fix == "" {
		t.Errorf("finding without domain, message or fix: %+v", f)
	}
	if f.Term != "" && (f.Column < 1 || !strings.Contains(f.Record, f.Term)) {
		t.Errorf("term %q at column %d not in record %q", f.Term, f.Column, f.Record)
	}
}

// checkText checks that the text form shows f in its own words, with a
// caret under its column.
func checkText(t *testing.T, rep *lint.Report, f lint.Finding) {
	t.Helper()
	var b bytes.Buffer
	if err := lint.WriteText(&b, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, f.String()+"\n") || !strings.Contains(out, "    fix: "+f.Fix+"\n") {
		t.Errorf("text lacks %q or its fix:\n%s", f.String(), out)
	}
	if f.Term == "" {
		return
	}
	line, carets := f.Caret(100)
	if !strings.Contains(out, "\n    "+line+"\n    "+carets+"\n") {
		t.Errorf("text lacks the caret lines %q / %q:\n%s", line, carets, out)
	}
	// The carets sit under the term ("…" where the line is cut is one
	// column).
	plain := strings.ReplaceAll(line, "…", "~")
	start := strings.IndexByte(carets, '^')
	if under := plain[start:min(len(carets), len(plain))]; under == "" || !strings.Contains(f.Term, under) {
		t.Errorf("carets %q under %q do not mark %q", carets, line, f.Term)
	}
}

// checkJSON checks that the JSON form has f, and only snake_case keys.
func checkJSON(t *testing.T, rep *lint.Report, f lint.Finding) {
	t.Helper()
	var b bytes.Buffer
	if err := lint.WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	var back lint.Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(back.Findings, f) {
		t.Errorf("JSON lacks %+v", f)
	}
	var tree any
	if err := json.Unmarshal(b.Bytes(), &tree); err != nil {
		t.Fatal(err)
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if !snake.MatchString(k) {
					t.Errorf("JSON key %q is not snake_case", k)
				}
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(tree)
}

// checkSARIF checks the SARIF form against the fields SARIF 2.1.0's schema
// requires, and that it has f at its column.
func checkSARIF(t *testing.T, rep *lint.Report, f lint.Finding) {
	t.Helper()
	var b bytes.Buffer
	if err := lint.WriteSARIF(&b, rep); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Schema  *string `json:"$schema"`
		Version *string `json:"version"`
		Runs    []struct {
			Tool *struct {
				Driver *struct {
					Name           *string `json:"name"`
					InformationURI string  `json:"informationUri"`
					Rules          []struct {
						ID                   *string `json:"id"`
						ShortDescription     *struct{ Text *string }
						HelpURI              string `json:"helpUri"`
						DefaultConfiguration struct{ Level string }
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results *[]struct {
				RuleID    *string `json:"ruleId"`
				RuleIndex int     `json:"ruleIndex"`
				Level     string  `json:"level"`
				Message   *struct {
					Text *string `json:"text"`
				} `json:"message"`
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
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version == nil || *log.Version != "2.1.0" || log.Schema == nil || !strings.Contains(*log.Schema, "sarif-2.1.0") || len(log.Runs) != 1 {
		t.Fatalf("SARIF log without version 2.1.0, $schema or one run:\n%s", b.String())
	}
	run := log.Runs[0]
	if run.Tool == nil || run.Tool.Driver == nil || run.Tool.Driver.Name == nil || *run.Tool.Driver.Name == "" || run.Results == nil {
		t.Fatalf("SARIF run without tool.driver.name or results:\n%s", b.String())
	}
	levels := []string{"none", "note", "warning", "error"}
	var ruleIDs []string
	for _, r := range run.Tool.Driver.Rules {
		if r.ID == nil || r.ShortDescription == nil || r.ShortDescription.Text == nil || !slices.Contains(levels, r.DefaultConfiguration.Level) ||
			!strings.HasPrefix(r.HelpURI, "https://") {
			t.Errorf("SARIF rule without id, shortDescription.text, helpUri or level: %+v", r)
			continue
		}
		ruleIDs = append(ruleIDs, *r.ID)
	}
	found := false
	for _, res := range *run.Results {
		if res.Message == nil || res.Message.Text == nil || *res.Message.Text == "" {
			t.Errorf("SARIF result without message.text")
			continue
		}
		if res.RuleID == nil || !slices.Contains(ruleIDs, *res.RuleID) || ruleIDs[res.RuleIndex] != *res.RuleID || !slices.Contains(levels, res.Level) {
			t.Errorf("SARIF result's ruleId %v not in tool.driver.rules at ruleIndex %d, or level %q", res.RuleID, res.RuleIndex, res.Level)
			continue
		}
		if len(res.Locations) != 1 {
			t.Errorf("SARIF result with %d locations", len(res.Locations))
			continue
		}
		loc := res.Locations[0].PhysicalLocation
		if *res.RuleID == f.ID && loc.ArtifactLocation.URI == "dns:///"+f.Domain+"/TXT" && loc.Region.StartLine == 1 &&
			loc.Region.StartColumn == max(f.Column, 1) && strings.Contains(*res.Message.Text, f.Message) && strings.Contains(*res.Message.Text, f.Fix) {
			found = true
		}
	}
	if !found {
		t.Errorf("SARIF lacks a result for %s at %s column %d:\n%s", f.ID, f.Domain, f.Column, b.String())
	}
}

// TestDetails checks the places and numbers findings give.
func TestDetails(t *testing.T) {
	rep := lintRecord(t, "example.com", "v=spf1 ip4:192.0.2.1/24 -all")
	if f := rep.Findings[0]; !strings.Contains(f.Message, "192.0.2.0/24") || !strings.Contains(f.Fix, "ip4:192.0.2.0/24") {
		t.Errorf("host-bits finding %+v", f)
	}

	// The fix quotes the draft in strings of at most 255 bytes that join
	// back to it, each string after the first starting with a space.
	rep = lintRecord(t, "example.com", long)
	f := rep.Findings[0]
	hint := f.Fix[strings.IndexByte(f.Fix, '"'):]
	var joined string
	for i, part := range strings.Split(hint[1:len(hint)-1], `" "`) {
		if len(part) > 255 || (i > 0 && part[0] != ' ') {
			t.Errorf("string %d of the fix: %q", i, part)
		}
		joined += part
	}
	if joined != long {
		t.Errorf("fix %q does not join back to the draft", f.Fix)
	}

	rep = lintRecord(t, "example.com", "v=spf1 a:v4only.example.com -all")
	if term := rep.Tree.Terms[0]; term.Void != "IPv6 clients" || term.VoidNumber != 1 {
		t.Errorf("a:v4only is void for %q (#%d), want IPv6 clients #1", term.Void, term.VoidNumber)
	}

	// include: with nothing after the colon: the colon is there, the
	// domain is missing.
	rep = lintRecord(t, "example.com", "v=spf1 include: -all")
	if f := rep.Findings[0]; f.Name != "syntax" || !strings.Contains(f.Message, `"include" needs a domain after ":"`) {
		t.Errorf("include: gives %s", &f)
	}
}

// TestBudget checks the lookup budget past the limits: where a receiver
// stops, what the rest would cost, and which terms make void lookups.
func TestBudget(t *testing.T) {
	draft := "v=spf1 mx" + strings.TrimPrefix(includes(11), "v=spf1")
	draft = strings.TrimSuffix(draft, " -all") + " redirect=a.example.com"
	rep := lintRecord(t, "example.com", draft)
	// mx, 11 includes, the redirect and a.example.com's include.
	if rep.Lookups != 14 || rep.Tree.Lookups != 14 || rep.MaxLookups != 10 {
		t.Errorf("lookups %d (tree %d) of %d, want 14 of 10", rep.Lookups, rep.Tree.Lookups, rep.MaxLookups)
	}
	want := lint.Stop{Domain: "example.com", Term: "include:i9.example.com", Column: 218, Limit: "DNS-querying terms", Count: 11, Max: 10, LookupsAfter: 3}
	if rep.Stop == nil || *rep.Stop != want {
		t.Errorf("stop %+v, want %+v", rep.Stop, want)
	}
	for i, term := range rep.Tree.Terms {
		if term.Stop != (i == 10) {
			t.Errorf("term %d %s: stop %v", i, term.Text, term.Stop)
		}
	}
	if got := rep.Stop.String(); got != `a receiver stops with permerror at "include:i9.example.com" (example.com, column 218): DNS-querying terms 11/10; the terms after it would cost 3 more lookups` {
		t.Errorf("stop says %q", got)
	}

	rep = lintRecord(t, "example.com", "v=spf1 a:nx1.example.com mx:nx2.example.com a:v4only.example.com exists:nx3.example.com -all")
	// IPv6 clients: four void lookups.
	if rep.VoidLookups != 4 || rep.MaxVoidLookups != 2 {
		t.Errorf("void lookups %d/%d, want 4/2", rep.VoidLookups, rep.MaxVoidLookups)
	}
	wantVoids := []lint.Void{
		{"example.com", "a:nx1.example.com", 8, "every client"},
		{"example.com", "mx:nx2.example.com", 26, "every client"},
		{"example.com", "a:v4only.example.com", 45, "IPv6 clients"},
		{"example.com", "exists:nx3.example.com", 66, "every client"},
	}
	if !slices.Equal(rep.Voids, wantVoids) {
		t.Errorf("voids %+v, want %+v", rep.Voids, wantVoids)
	}
	// The third void lookup for IPv6 clients is a:v4only's: there a
	// receiver stops, before exists.
	if s := rep.Stop; s == nil || s.Term != "a:v4only.example.com" || s.Count != 3 || s.LookupsAfter != 1 || s.Limit != "void lookups" {
		t.Errorf("stop %+v, want at a:v4only.example.com, void lookup 3, 1 lookup after", s)
	}
}

// TestTree checks the include/redirect tree and what each term costs.
func TestTree(t *testing.T) {
	rep := lintRecord(t, "example.com", "v=spf1 mx include:_spf.example.net redirect=a.example.com")
	mx := rep.Tree.Terms[0]
	if mx.Lookups != 1 || mx.Position != 1 || !slices.Equal(mx.Hosts, []lint.Host{{Name: "mx1.example.com", Addresses: 2}, {Name: "mx2.example.com", Addresses: 2}}) {
		t.Errorf("mx term %+v", mx)
	}
	inc := rep.Tree.Terms[1]
	if inc.Lookups != 1 || inc.Position != 2 || inc.Target == nil || inc.Target.Domain != "_spf.example.net" {
		t.Errorf("include %+v", inc)
	}
	redirect := rep.Tree.Terms[2]
	if redirect.Lookups != 2 || redirect.Position != 3 || redirect.Target.Lookups != 1 ||
		redirect.Target.Terms[0].Target.Domain != "b.example.com" || redirect.Target.Terms[0].Position != 4 {
		t.Errorf("redirect %+v, target %+v", redirect, redirect.Target)
	}

	rep = lintRecord(t, "loop1.example.com", "")
	loop := rep.Tree.Terms[0].Target.Terms[0].Target
	if loop.Problem != "loop: loop1.example.com → loop2.example.com → loop1.example.com" {
		t.Errorf("loop node %+v", loop)
	}

	// Both records of a domain with two, and the merged one to publish.
	rep = lintRecord(t, "two.example.com", "")
	if !slices.Equal(rep.Tree.Records, []string{"v=spf1 ip4:192.0.2.1 ~all", "v=spf1 mx redirect=_spf.example.net"}) {
		t.Errorf("records %q", rep.Tree.Records)
	}
	if f := rep.Findings[0]; !strings.Contains(f.Message, `"v=spf1 ip4:192.0.2.1 ~all" and "v=spf1 mx redirect=_spf.example.net"`) ||
		!strings.HasSuffix(f.Fix, `"v=spf1 ip4:192.0.2.1 mx include:_spf.example.net ~all"`) {
		t.Errorf("multiple-records finding %s; fix %s", &f, f.Fix)
	}
}

// TestSpace checks the address space counted per record and in total.
func TestSpace(t *testing.T) {
	tests := []struct {
		draft string
		root  lint.Space
		first lint.Space // of the first term's target, when it has one
	}{
		// 192.0.2.0/24 and _spf.example.net's 198.51.100.0/24.
		{"v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all", lint.Space{IPv4: 512}, lint.Space{}},
		{"v=spf1 include:_spf.example.net ip4:192.0.2.0/24 -all", lint.Space{IPv4: 512}, lint.Space{IPv4: 256}},
		// Only a pass include authorises; fail terms authorise nothing.
		{"v=spf1 ~include:_spf.example.net -ip4:192.0.2.0/24 ip4:192.0.2.1 -all", lint.Space{IPv4: 1}, lint.Space{IPv4: 256}},
		// Overlaps count once; mx1's IPv6 address is one /64.
		{"v=spf1 ip4:192.0.2.0/24 ip4:192.0.2.7 mx -all", lint.Space{IPv4: 256, IPv6: 1}, lint.Space{}},
		{"v=spf1 mx/30//48 -all", lint.Space{IPv4: 8, IPv6: 65536}, lint.Space{}},
		{"v=spf1 ip6:2001:db8::/32 ip6:2001:db8::1 ip6:2001:db9::/64 -all", lint.Space{IPv6: 1<<32 + 1}, lint.Space{}},
		{"v=spf1 ip6:::/0 ip4:0.0.0.0/0", lint.Space{IPv4: 1 << 32, IPv6: 1<<64 - 1}, lint.Space{}},
		{"v=spf1 ptr exists:%{i}.example.com ip4:192.0.2.1 -all", lint.Space{IPv4: 1, Partial: true}, lint.Space{}},
		{"v=spf1 ?ptr -all", lint.Space{}, lint.Space{}},
	}
	for _, tt := range tests {
		rep := lintRecord(t, "example.com", tt.draft)
		if rep.Space != tt.root || rep.Tree.Space != tt.root {
			t.Errorf("%s: space %+v (tree %+v), want %+v", tt.draft, rep.Space, rep.Tree.Space, tt.root)
		}
		if target := rep.Tree.Terms[0].Target; target != nil && target.Space != tt.first {
			t.Errorf("%s: %s authorises %+v, want %+v", tt.draft, target.Domain, target.Space, tt.first)
		}
	}
	if got := (lint.Space{IPv4: 1, IPv6: 65536, Partial: true}).String(); got != "1 IPv4 address and 65,536 IPv6 /64s, and what ptr, exists or macros add" {
		t.Errorf("Space.String() = %q", got)
	}
}

// TestWording checks every finding of the rule cases for the wording
// mistakes of issue 12: plurals after 1, a name doubled, RFC 7208 cited
// twice, advice cut short.
func TestWording(t *testing.T) {
	plural1 := regexp.MustCompile(`\b1 (lookups|records|TXT records|rows|terms|hosts|addresses|strings|errors|warnings)\b`)
	for _, tc := range ruleCases {
		for _, f := range lintRecord(t, tc.domain, tc.draft).Findings {
			line := f.String() + " fix: " + f.Fix
			if plural1.MatchString(line) || doubledName(line) || strings.Count(line, "RFC 7208 §") > 1 ||
				strings.HasSuffix(f.Fix, " a") || strings.HasSuffix(f.Fix, " with") {
				t.Errorf("wording: %s", line)
			}
		}
	}
	rep := lintRecord(t, "example.com", "v=spf1 ptr -all")
	if !strings.HasSuffix(rep.Findings[0].Fix, "name them with the a mechanism") {
		t.Errorf("ptr fix: %q", rep.Findings[0].Fix)
	}
}

// doubledName reports whether a name is said twice in a row, as in
// "gmail.com: gmail.com:".
func doubledName(line string) bool {
	parts := strings.Split(line, ": ")
	for i := 1; i < len(parts); i++ {
		if parts[i] == parts[i-1] || strings.HasPrefix(parts[i], parts[i-1]+" ") && !strings.Contains(parts[i-1], " ") {
			return true
		}
	}
	return false
}

func TestBadInput(t *testing.T) {
	l := lint.Linter{Resolver: zone(t, lintZone())}
	for _, domain := range []string{"", "localhost", "a..example.com", strings.Repeat("a", 64) + ".example.com", "example.123"} {
		if _, err := l.Lint(context.Background(), domain); err == nil {
			t.Errorf("Lint(%q): no error", domain)
		}
	}
	if _, err := l.Draft(context.Background(), "example.com", "v=spf2 -all"); err == nil {
		t.Error("Draft of v=spf2: no error")
	}
}

// BenchmarkLintLoopback lints a record with 10 includes, each with an mx
// term of its own, over DNS served on loopback: every lint asks the
// server again (11 TXT and 10 MX queries, the MX hosts' addresses once,
// the root's MX).
func BenchmarkLintLoopback(b *testing.B) {
	var zd strings.Builder
	root := "v=spf1"
	for i := range 10 {
		root += fmt.Sprintf(" include:_spf%d.example.net", i)
		fmt.Fprintf(&zd, "_spf%d.example.net:\n  - TXT: v=spf1 ip4:198.51.%d.0/24 mx -all\n  - MX: [10, mx.example.net]\n", i, i)
	}
	fmt.Fprintf(&zd, "example.com:\n  - TXT: %s -all\n  - MX: [10, mx.example.net]\nmx.example.net:\n  - A: 192.0.2.1\n  - AAAA: 2001:db8::1\n", root)
	srv, err := fakedns.Serve(zone(b, zd.String()), "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	l := lint.Linter{Resolver: fakedns.NewClient(srv.Addr())}
	ctx := context.Background()
	for b.Loop() {
		rep, err := l.Lint(ctx, "example.com")
		if err != nil || rep.Lookups != 20 || len(rep.Findings) != 1 || rep.Findings[0].Name != "lookup-limit" {
			b.Fatalf("%+v %v", rep, err)
		}
	}
}
