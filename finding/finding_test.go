package finding_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"spflab/finding"
)

func TestCaret(t *testing.T) {
	long := "v=spf1 " + strings.Repeat("ip4:192.0.2.1 ", 20) + "include:x.example.com -all"
	tests := []struct {
		f            finding.Finding
		width        int
		line, carets string
	}{
		{finding.Finding{Record: "v=spf1 ptr -all", Term: "ptr", Column: 8}, 100, "v=spf1 ptr -all", "       ^^^"},
		// A syntax error's column is inside the term: the carets run from
		// it to the term's end.
		{finding.Finding{Record: "v=spf1 ip4:192.0.2.300 -all", Term: "ip4:192.0.2.300", Column: 12}, 100, "v=spf1 ip4:192.0.2.300 -all", "           ^^^^^^^^^^^"},
		// A fault at the end of the record.
		{finding.Finding{Record: "v=spf1 include:", Term: "include:", Column: 16}, 100, "v=spf1 include:", "               ^"},
		{finding.Finding{Record: long, Term: "include:x.example.com", Column: len(long) - 25}, 40,
			"…ip4:192.0.2.1 include:x.example.com -all", "               ^^^^^^^^^^^^^^^^^^^^^"},
		{finding.Finding{Record: long, Term: "ip4:192.0.2.1", Column: 120}, 40,
			"…p4:192.0.2.1 ip4:192.0.2.1 ip4:192.0.2.1…", "              ^^^^^^^^^^^^^"},
		{finding.Finding{Record: "v=spf1 -all"}, 100, "", ""},
		// A DMARC tag: the carets run over the tag.
		{finding.Finding{Record: "v=DMARC1; p=none; pct=50", Term: "pct=50", Column: 19}, 100, "v=DMARC1; p=none; pct=50", "                  ^^^^^^"},
	}
	for _, tt := range tests {
		line, carets := tt.f.Caret(tt.width)
		if line != tt.line || carets != tt.carets {
			t.Errorf("Caret(%q column %d) =\n%q\n%q\nwant\n%q\n%q", tt.f.Record, tt.f.Column, line, carets, tt.line, tt.carets)
		}
	}
}

// TestRef: a section, or an appendix, of the rule's RFC, and its address.
func TestRef(t *testing.T) {
	tests := []struct {
		rule      finding.Rule
		ref, help string
	}{
		{finding.Rule{RFC: 7208, Section: "5.2"}, "RFC 7208 §5.2", "https://www.rfc-editor.org/rfc/rfc7208#section-5.2"},
		{finding.Rule{RFC: 9989, Section: "C.5.2"}, "RFC 9989 Appendix C.5.2", "https://www.rfc-editor.org/rfc/rfc9989#appendix-C.5.2"},
	}
	for _, tt := range tests {
		f := tt.rule.Finding("example.com", "m", "x")
		if tt.rule.Ref() != tt.ref || f.Ref() != tt.ref || tt.rule.HelpURI() != tt.help {
			t.Errorf("%+v: ref %q / %q, help %q; want %q, %q", tt.rule, tt.rule.Ref(), f.Ref(), tt.rule.HelpURI(), tt.ref, tt.help)
		}
	}
}

// TestWriters: the text form shows each finding in its words with a caret
// and the fix, the counts say how many of each; SARIF names each rule and
// puts each finding at its name's TXT records and column.
func TestWriters(t *testing.T) {
	rules := []finding.Rule{
		{ID: "X-L001", Name: "one", Severity: finding.SeverityError, RFC: 9989, Section: "4.7", Summary: "s1"},
		{ID: "X-L002", Name: "two", Severity: finding.SeverityInfo, RFC: 9989, Section: "4.8", Summary: "s2"},
	}
	f1 := rules[0].Finding("_dmarc.example.com", "bad p", "write p=reject")
	f1.Record, f1.Term, f1.Column = "v=DMARC1; p=rejectt", "p=rejectt", 11
	f2 := rules[1].Finding("_dmarc.example.com", "a hint", "tidy")
	findings := []finding.Finding{f1, f2}

	var b bytes.Buffer
	if err := finding.WriteText(&b, findings); err != nil {
		t.Fatal(err)
	}
	want := "\nerror X-L001 one: _dmarc.example.com, column 11, \"p=rejectt\": bad p (RFC 9989 §4.7)\n" +
		"    v=DMARC1; p=rejectt\n" +
		"              ^^^^^^^^^\n" +
		"    fix: write p=reject\n" +
		"\ninfo X-L002 two: _dmarc.example.com: a hint (RFC 9989 §4.8)\n" +
		"    fix: tidy\n"
	if b.String() != want {
		t.Errorf("WriteText:\n%s\nwant\n%s", b.String(), want)
	}
	if got := finding.Counts(findings); got != "1 error, 0 warnings, 1 info" {
		t.Errorf("Counts = %q", got)
	}

	b.Reset()
	if err := finding.WriteSARIF(&b, rules, findings); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID      string `json:"id"`
						HelpURI string `json:"helpUri"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
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
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != finding.SARIFVersion || len(log.Runs) != 1 || len(log.Runs[0].Tool.Driver.Rules) != 2 || len(log.Runs[0].Results) != 2 {
		t.Fatalf("SARIF:\n%s", b.String())
	}
	run := log.Runs[0]
	if run.Tool.Driver.Rules[1].HelpURI != rules[1].HelpURI() {
		t.Errorf("rule 2's helpUri %q", run.Tool.Driver.Rules[1].HelpURI)
	}
	for i, res := range run.Results {
		loc := res.Locations[0].PhysicalLocation
		if res.RuleID != findings[i].ID || res.RuleIndex != i || loc.ArtifactLocation.URI != "dns:///_dmarc.example.com/TXT" ||
			loc.Region.StartColumn != max(findings[i].Column, 1) {
			t.Errorf("result %d: %+v", i, res)
		}
	}
	if run.Results[0].Level != "error" || run.Results[1].Level != "note" {
		t.Errorf("levels %q, %q; want error, note", run.Results[0].Level, run.Results[1].Level)
	}
}
