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

	"spflab/dmarc/lint"
	"spflab/fakedns"
	"spflab/fakedns/zonedata"
	"spflab/finding"
)

func zone(t testing.TB, yml string) *fakedns.Zone {
	t.Helper()
	z, err := zonedata.Parse([]byte(yml), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// dmarcAt is a zone with one TXT record at _dmarc.example.com.
func dmarcAt(record string) string {
	return "_dmarc.example.com:\n  - TXT: " + strconvQuote(record) + "\n"
}

// strconvQuote quotes a record for YAML.
func strconvQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// ruleCase provokes the finding of one rule: the findings of the lint
// must be exactly want, and the finding of rule has the term and column
// given.
type ruleCase struct {
	name   string
	rule   string // the rule's name
	zone   string
	domain string   // default example.com
	want   []string // the names of every finding, in any order
	term   string   // the term of rule's finding, "" for none
	column int
	where  string // the finding's Domain; default _dmarc.example.com
	fix    string // a part of the fix, when it depends on the case
	msg    string // a part of the message; it says permerror only if msg does
}

var ruleCases = []ruleCase{
	{name: "no record at all", rule: "no-record", zone: "example.com:\n  - A: 192.0.2.1\n", want: []string{"no-record"}},
	{name: "a TXT record that is not a DMARC record", rule: "no-record", zone: dmarcAt("v=dmarc1; p=reject"),
		want: []string{"no-record"}, term: "dmarc1", column: 3},
	{name: "two records", rule: "multiple-records",
		zone: "_dmarc.example.com:\n  - TXT: v=DMARC1; p=reject\n  - TXT: v=DMARC1; p=none\n", want: []string{"multiple-records"}},
	{name: "discovery times out", rule: "lookup-failed", zone: "_dmarc.example.com:\n  - TIMEOUT\n", want: []string{"lookup-failed"}},
	{name: "the consent lookup times out", rule: "lookup-failed",
		zone: dmarcAt("v=DMARC1; p=reject; rua=mailto:d@slow.example.net") + "example.com._report._dmarc.slow.example.net:\n  - TIMEOUT\n",
		want: []string{"lookup-failed"}, term: "mailto:d@slow.example.net", column: 25},
	{name: "a policy that is not one", rule: "invalid-tag", zone: dmarcAt("v=DMARC1; p=rejectt; rua=mailto:d@example.com"),
		want: []string{"invalid-tag"}, term: "rejectt", column: 13, fix: "write p=none, p=quarantine or p=reject"},
	{name: "a policy that is not one, and no rua", rule: "invalid-tag", zone: dmarcAt("v=DMARC1; sp=rejectt"),
		want: []string{"invalid-tag", "policy-none"}, term: "rejectt", column: 14, msg: "no DMARC processing (permerror)"},
	{name: "a repeated tag", rule: "invalid-tag", zone: dmarcAt("v=DMARC1; p=reject; p=none"),
		want: []string{"invalid-tag"}, term: "p=none", column: 21, fix: "keep one p tag"},
	{name: "an alignment mode that is not one", rule: "invalid-tag", zone: dmarcAt("v=DMARC1; p=reject; aspf=x"),
		want: []string{"invalid-tag"}, term: "x", column: 26, fix: "aspf=s (strict)"},
	{name: "an unknown tag", rule: "unknown-tag", zone: dmarcAt("v=DMARC1; p=reject; foo=bar"),
		want: []string{"unknown-tag"}, term: "foo=bar", column: 21},
	{name: "pct", rule: "removed-tag", zone: dmarcAt("v=DMARC1; p=reject; pct=20"),
		want: []string{"removed-tag"}, term: "pct=20", column: 21, fix: "t=y"},
	{name: "ri", rule: "removed-tag", zone: dmarcAt("v=DMARC1; p=reject; ri=3600"),
		want: []string{"removed-tag"}, term: "ri=3600", column: 21, fix: "interval"},
	{name: "!size", rule: "obsolete-size", zone: dmarcAt("v=DMARC1; p=reject; rua=mailto:d@example.com!10m"),
		want: []string{"obsolete-size"}, term: "!10m", column: 45},
	{name: "an https report URI", rule: "report-uri", zone: dmarcAt("v=DMARC1; p=reject; rua=https://example.com/dmarc"),
		want: []string{"report-uri"}, term: "https://example.com/dmarc", column: 25},
	{name: "a mailto URI without a domain", rule: "report-uri", zone: dmarcAt("v=DMARC1; p=reject; ruf=mailto:postmaster"),
		want: []string{"report-uri"}, term: "mailto:postmaster", column: 25},
	{name: "another organization without consent", rule: "external-destination",
		zone: dmarcAt("v=DMARC1; p=reject; rua=mailto:d@example.com,mailto:x@vendor.example.net"),
		want: []string{"external-destination"}, term: "mailto:x@vendor.example.net", column: 46,
		fix: `publish TXT "v=DMARC1" at example.com._report._dmarc.vendor.example.net`},
	{name: "a consent record that is not one", rule: "external-destination",
		zone: dmarcAt("v=DMARC1; p=reject; ruf=mailto:x@vendor.example.net") + "example.com._report._dmarc.vendor.example.net:\n  - TXT: yes\n",
		want: []string{"external-destination"}, term: "mailto:x@vendor.example.net", column: 25},
	{name: "p=none", rule: "policy-none", zone: dmarcAt("v=DMARC1; p=none; rua=mailto:d@example.com"),
		want: []string{"policy-none"}, term: "p=none", column: 11, fix: "publish p=quarantine"},
	{name: "no p and no rua", rule: "policy-none", zone: dmarcAt("v=DMARC1; adkim=s"),
		want: []string{"policy-none"}, fix: "ask for aggregate reports with rua=mailto:dmarc-reports@example.com"},
	{name: "sp=none under p=reject", rule: "weaker-subdomain-policy", zone: dmarcAt("v=DMARC1; p=reject; sp=none"),
		want: []string{"weaker-subdomain-policy"}, term: "sp=none", column: 21},
	{name: "np=quarantine under p=reject", rule: "weaker-subdomain-policy", zone: dmarcAt("v=DMARC1; p=reject; np=quarantine"),
		want: []string{"weaker-subdomain-policy"}, term: "np=quarantine", column: 21, fix: "np=reject"},
	{name: "a subdomain inherits its organizational domain's record", rule: "weaker-subdomain-policy",
		zone: dmarcAt("v=DMARC1; p=quarantine; sp=none"), domain: "mail.example.com",
		want: []string{"weaker-subdomain-policy"}, term: "sp=none", column: 25},
	{name: "t=y", rule: "testing", zone: dmarcAt("v=DMARC1; p=reject; t=y"),
		want: []string{"testing"}, term: "t=y", column: 21},
	{name: "several at once", rule: "testing", zone: dmarcAt("v=DMARC1; p=quarantine; sp=none; t=y; pct=50; rua=ftp://example.com"),
		want: []string{"removed-tag", "report-uri", "weaker-subdomain-policy", "testing"}, term: "t=y", column: 34},
}

// TestRules lints a record for each rule: exactly the findings expected,
// each carrying its rule's fields, in the text, JSON and SARIF forms.
func TestRules(t *testing.T) {
	covered := map[string]bool{}
	for _, tt := range ruleCases {
		t.Run(tt.name, func(t *testing.T) {
			covered[tt.rule] = true
			domain := cmpOr(tt.domain, "example.com")
			l := lint.Linter{Resolver: zone(t, tt.zone)}
			rep, err := l.Lint(context.Background(), domain)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range rep.Findings {
				names = append(names, f.Name)
				checkFinding(t, f)
			}
			if !sameSet(names, tt.want) {
				t.Fatalf("findings %q, want %q:\n%s", names, tt.want, text(t, rep))
			}
			i := slices.IndexFunc(rep.Findings, func(f finding.Finding) bool { return f.Name == tt.rule })
			f := rep.Findings[i]
			if f.Term != tt.term || (tt.term != "" && f.Column != tt.column) || f.Domain != cmpOr(tt.where, "_dmarc.example.com") {
				t.Errorf("%s at %s column %d %q, want %q column %d", tt.rule, f.Domain, f.Column, f.Term, tt.term, tt.column)
			}
			if !strings.Contains(f.Fix, tt.fix) {
				t.Errorf("fix %q lacks %q", f.Fix, tt.fix)
			}
			if !strings.Contains(f.Message, tt.msg) || strings.Contains(f.Message, "permerror") != strings.Contains(tt.msg, "permerror") {
				t.Errorf("message %q: want %q in it, permerror only then", f.Message, tt.msg)
			}
			checkText(t, rep, f)
			checkJSON(t, rep, f)
			checkSARIF(t, rep, f)
		})
	}
	for _, r := range lint.Rules() {
		if !covered[r.Name] {
			t.Errorf("rule %s %s has no test case", r.ID, r.Name)
		}
	}
}

// TestClean: records that ask for nothing to fix, reports to the same
// organization or to one that consents.
func TestClean(t *testing.T) {
	tests := []struct{ name, zone, domain string }{
		{"p=reject with reports at home", dmarcAt("v=DMARC1; p=reject; rua=mailto:d@example.com"), "example.com"},
		{"reports at a subdomain", dmarcAt("v=DMARC1; p=reject; rua=mailto:d@reports.example.com; ruf=mailto:f@example.com"), "example.com"},
		{"a provider that consents", dmarcAt("v=DMARC1; p=quarantine; rua=mailto:x@vendor.example.net") +
			"example.com._report._dmarc.vendor.example.net:\n  - TXT: v=DMARC1\n", "example.com"},
		{"a subdomain under p=reject", dmarcAt("v=DMARC1; p=reject"), "a.b.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := lint.Linter{Resolver: zone(t, tt.zone)}
			rep, err := l.Lint(context.Background(), tt.domain)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) != 0 || rep.PolicyDomain != "example.com" || rep.OrgDomain != "example.com" {
				t.Errorf("policy domain %q, org domain %q, findings:\n%s", rep.PolicyDomain, rep.OrgDomain, text(t, rep))
			}
			for _, d := range rep.Destinations {
				if !d.Authorised {
					t.Errorf("%s not authorised", d.String())
				}
			}
		})
	}
}

// TestDestinations: each report URI is listed with its host, whether it is
// external and where it consents, each host asked once.
func TestDestinations(t *testing.T) {
	z := zone(t, dmarcAt("v=DMARC1; p=reject; rua=mailto:a@vendor.example.net,mailto:d@example.com; ruf=mailto:b@vendor.example.net")+
		"example.com._report._dmarc.vendor.example.net:\n  - TXT: v=DMARC1\n")
	asked := 0
	z.OnQuery = func(qtype, name string, err error) {
		if name == "example.com._report._dmarc.vendor.example.net" {
			asked++
		}
	}
	l := lint.Linter{Resolver: z}
	rep, err := l.Lint(context.Background(), "example.com")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range rep.Destinations {
		got = append(got, d.String())
	}
	want := []string{
		"rua mailto:a@vendor.example.net: vendor.example.net, another organization, consents at TXT example.com._report._dmarc.vendor.example.net",
		"rua mailto:d@example.com: example.com, the same organization",
		"ruf mailto:b@vendor.example.net: vendor.example.net, another organization, consents at TXT example.com._report._dmarc.vendor.example.net",
	}
	if !slices.Equal(got, want) || asked != 1 {
		t.Errorf("destinations (consent asked %d times):\n%s\nwant\n%s", asked, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBadDomain: a name that is not a domain is an error, not a finding.
func TestBadDomain(t *testing.T) {
	l := lint.Linter{Resolver: fakedns.NewZone()}
	if _, err := l.Lint(context.Background(), "exa mple..com"); err == nil {
		t.Error("no error for a name that is not a domain")
	}
}

// TestRuleTable checks the rule table: IDs in order, names unique, every
// field filled, a help URI at the RFC's section.
func TestRuleTable(t *testing.T) {
	seen := map[string]bool{}
	for i, r := range lint.Rules() {
		if want := fmt.Sprintf("DMARC-L%03d", i+1); r.ID != want {
			t.Errorf("rule %d has ID %q, want %q", i, r.ID, want)
		}
		if seen[r.Name] || r.Name == "" {
			t.Errorf("%s: name %q empty or used twice", r.ID, r.Name)
		}
		seen[r.Name] = true
		if r.RFC != 9989 && r.RFC != 9990 || !regexp.MustCompile(`^([A-Z]\.)?\d+(\.\d+)*$`).MatchString(r.Section) || r.Summary == "" {
			t.Errorf("%s: RFC %d, section %q, summary %q", r.ID, r.RFC, r.Section, r.Summary)
		}
		if !strings.HasPrefix(r.HelpURI(), fmt.Sprintf("https://www.rfc-editor.org/rfc/rfc%d#", r.RFC)) {
			t.Errorf("%s: help URI %s", r.ID, r.HelpURI())
		}
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func text(t *testing.T, rep *lint.Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := lint.WriteText(&b, rep); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// checkFinding checks that f carries its rule's fields and a place.
func checkFinding(t *testing.T, f finding.Finding) {
	t.Helper()
	rules := lint.Rules()
	i := slices.IndexFunc(rules, func(r finding.Rule) bool { return r.ID == f.ID })
	if i < 0 {
		t.Fatalf("finding of no rule: %+v", f)
	}
	r := rules[i]
	if r.Name != f.Name || r.Severity != f.Severity || r.RFC != f.RFC || r.Section != f.Section {
		t.Errorf("finding %+v does not carry rule %+v", f, r)
	}
	if !strings.HasPrefix(f.Domain, "_dmarc.") || f.Message == "" || f.Fix == "" {
		t.Errorf("finding without a _dmarc name, message or fix: %+v", f)
	}
	if f.Term != "" && (f.Column < 1 || f.Record[f.Column-1:f.Column-1+len(f.Term)] != f.Term) {
		t.Errorf("term %q not at column %d of record %q", f.Term, f.Column, f.Record)
	}
	if strings.Count(f.String(), "(RFC") != 1 {
		t.Errorf("the finding names more than its own reference: %s", f.String())
	}
}

// checkText checks that the text form shows f in its own words, with a
// caret under its column.
func checkText(t *testing.T, rep *lint.Report, f finding.Finding) {
	t.Helper()
	out := text(t, rep)
	if !strings.HasPrefix(out, rep.Headline()+"\n") || !strings.Contains(out, "\n"+f.String()+"\n") || !strings.Contains(out, "    fix: "+f.Fix+"\n") {
		t.Errorf("text lacks the headline, %q or its fix:\n%s", f.String(), out)
	}
	if f.Term == "" {
		return
	}
	line, carets := f.Caret(finding.CaretWidth)
	if !strings.Contains(out, "\n    "+line+"\n    "+carets+"\n") {
		t.Errorf("text lacks the caret lines %q / %q:\n%s", line, carets, out)
	}
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// checkJSON checks that the JSON form has f, and only snake_case keys.
func checkJSON(t *testing.T, rep *lint.Report, f finding.Finding) {
	t.Helper()
	var b bytes.Buffer
	if err := lint.WriteJSON(&b, rep); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Domain   string            `json:"domain"`
		Findings []finding.Finding `json:"findings"`
	}
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.Domain != rep.Domain || !slices.Contains(back.Findings, f) {
		t.Errorf("JSON lacks the finding %+v (%v):\n%s", f, err, b.String())
	}
	var v any
	json.Unmarshal(b.Bytes(), &v)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if !snakeCase.MatchString(k) {
					t.Errorf("JSON key %s.%s is not snake_case", path, k)
				}
				walk(path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		}
	}
	walk("", v)
}

// checkSARIF checks that SARIF has a result for f at its column, with the
// rule in the driver.
func checkSARIF(t *testing.T, rep *lint.Report, f finding.Finding) {
	t.Helper()
	var b bytes.Buffer
	if err := lint.WriteSARIF(&b, rep); err != nil {
		t.Fatal(err)
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
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						Region           struct {
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("SARIF (%v):\n%s", err, b.String())
	}
	run := log.Runs[0]
	found := false
	for _, res := range run.Results {
		loc := res.Locations[0].PhysicalLocation
		if res.RuleID == f.ID && run.Tool.Driver.Rules[res.RuleIndex].ID == f.ID &&
			loc.ArtifactLocation.URI == finding.ArtifactURI(f.Domain) && loc.Region.StartColumn == max(f.Column, 1) {
			found = true
		}
	}
	if !found {
		t.Errorf("SARIF lacks a result of %s at %s column %d:\n%s", f.ID, f.Domain, f.Column, b.String())
	}
}
