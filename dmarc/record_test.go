package dmarc_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"spflab/dmarc"
)

// problems words a record's problems as "kind tag@column".
func problems(r *dmarc.Record) []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, fmt.Sprintf("%s %s@%d", p.Kind, p.Tag, p.Column))
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		text  string
		check func(r *dmarc.Record) string // "" when the record is as expected
		want  []string                     // its problems
	}{
		{
			text: "v=DMARC1; p=reject",
			check: func(r *dmarc.Record) string {
				if r.Policy != dmarc.PolicyReject || r.SubdomainPolicy != "" || r.NonExistentPolicy != "" ||
					r.PSD != dmarc.PSDUndetermined || r.Testing || r.DKIMAlignment != dmarc.Relaxed ||
					r.SPFAlignment != dmarc.Relaxed || r.AggregateURIs != nil || r.FailureOptions != nil {
					return "want p=reject and every default"
				}
				return ""
			},
		},
		{
			text: "v=DMARC1;p=quarantine;sp=none;np=reject;psd=n;t=y;adkim=s;aspf=s;" +
				"rua=mailto:a@euston.net, mailto:b@euston.net;ruf=mailto:f@euston.net;fo=1:d:s",
			check: func(r *dmarc.Record) string {
				if r.Policy != dmarc.PolicyQuarantine || r.SubdomainPolicy != dmarc.PolicyNone ||
					r.NonExistentPolicy != dmarc.PolicyReject || r.PSD != dmarc.PSDOrganizational || !r.Testing ||
					r.DKIMAlignment != dmarc.Strict || r.SPFAlignment != dmarc.Strict ||
					!slices.Equal(r.AggregateURIs, []string{"mailto:a@euston.net", "mailto:b@euston.net"}) ||
					!slices.Equal(r.FailureURIs, []string{"mailto:f@euston.net"}) ||
					!slices.Equal(r.FailureOptions, []string{"1", "d", "s"}) || len(r.Tags) != 10 {
					return "want every tag as written"
				}
				return ""
			},
		},
		{
			// White space around "=" and ";", a separator at the end,
			// tag names and policy values in any case.
			text: "v = DMARC1 ;\tP = Reject ; PSD=Y ;",
			check: func(r *dmarc.Record) string {
				if r.Policy != dmarc.PolicyReject || r.PSD != dmarc.PSDPublicSuffix || r.Tags[0] != (dmarc.Tag{Name: "p", Value: "Reject", Column: 14}) {
					return "want p=reject, psd=y, the tag P at column 14"
				}
				return ""
			},
		},
		{
			text: "v=DMARC1; p=reject; pct=50; rf=afrf; ri=86400",
			want: []string{"removed pct@21", "removed rf@29", "removed ri@38"},
		},
		{
			text: "v=DMARC1; p=rejectt; sp=quarantine",
			check: func(r *dmarc.Record) string {
				return want(r.Policy == "" && r.SubdomainPolicy == dmarc.PolicyQuarantine, "p ignored")
			},
			want: []string{"invalid p@13"},
		},
		{
			text:  "v=DMARC1; p=none; p=reject",
			check: func(r *dmarc.Record) string { return want(r.Policy == dmarc.PolicyNone, "the first p") },
			want:  []string{"invalid p@19"},
		},
		{
			text: "v=DMARC1; p=none; foo=bar; v=DMARC1",
			want: []string{"unknown foo@19", "invalid v@28"},
		},
		{
			text: "v=DMARC1; adkim=x; aspf=strict; t=maybe; psd=x",
			check: func(r *dmarc.Record) string {
				return want(r.DKIMAlignment == dmarc.Relaxed && r.SPFAlignment == dmarc.Relaxed && !r.Testing, "defaults")
			},
			want: []string{"invalid adkim@17", "invalid aspf@25", "invalid t@35", "invalid psd@46"},
		},
		{
			text: "v=DMARC1;; p=none; p; =x; 9=y; sp=",
			want: []string{"invalid @10", "invalid p@20", "invalid @23", "invalid @27", "invalid sp@32"},
		},
		{
			text: "v=DMARC1; p=none; rua=mailto:a@euston.net!10m, notauri,mailto:x y@z, mailto:",
			check: func(r *dmarc.Record) string {
				return want(slices.Equal(r.AggregateURIs, []string{"mailto:a@euston.net"}), "one URI")
			},
			want: []string{"obsolete rua@42", "invalid rua@48", "invalid rua@56", "invalid rua@70"},
		},
		{
			text:  "v=DMARC1; p=none; fo=0:1",
			check: func(r *dmarc.Record) string { return want(r.FailureOptions == nil, "fo ignored") },
			want:  []string{"invalid fo@22"},
		},
		{
			text: "v=DMARC1; p=none; ruf=mailto:f@euston.net\x01",
			want: []string{"invalid ruf@42"},
		},
	}
	for _, tt := range tests {
		r, err := dmarc.Parse(tt.text)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.text, err)
			continue
		}
		if tt.check != nil {
			if msg := tt.check(r); msg != "" {
				t.Errorf("Parse(%q) = %+v: %s", tt.text, r, msg)
			}
		}
		if got := problems(r); !slices.Equal(got, tt.want) {
			t.Errorf("Parse(%q) problems = %q, want %q", tt.text, got, tt.want)
		}
		// A problem points at its tag's name, or inside its value.
		for _, p := range r.Problems {
			if p.Tag != "" && !strings.HasPrefix(strings.ToLower(tt.text[p.Column-1:]), p.Tag) && !insideTag(r, p) {
				t.Errorf("Parse(%q): problem %v is not at its tag", tt.text, p)
			}
		}
	}
}

func want(ok bool, what string) string {
	if ok {
		return ""
	}
	return "want " + what
}

// insideTag reports whether p's column falls inside a tag named p.Tag.
func insideTag(r *dmarc.Record, p dmarc.Problem) bool {
	for _, tag := range r.Tags {
		end := strings.Index(r.Text[tag.Column-1:], tag.Value) + len(tag.Value) + tag.Column
		if tag.Name == p.Tag && tag.Column <= p.Column && p.Column <= end {
			return true
		}
	}
	return false
}

func TestParseNotARecord(t *testing.T) {
	tests := []struct {
		text   string
		column int
	}{
		{"", 1},
		{"p=reject; v=DMARC1", 1},
		{" v=DMARC1", 1},
		{"v=dmarc1; p=reject", 3},
		{"v = DMARC2", 5},
		{"v=DMARC1 p=reject", 9},
		{"v=DMARC10", 9},
		{"v DMARC1", 3},
		{"v=spf1 -all", 3},
	}
	for _, tt := range tests {
		r, err := dmarc.Parse(tt.text)
		var se *dmarc.SyntaxError
		if !errors.As(err, &se) || se.Column != tt.column {
			t.Errorf("Parse(%q) = %v, %v; want a *SyntaxError at column %d", tt.text, r, err, tt.column)
		}
		if dmarc.IsRecord(tt.text) {
			t.Errorf("IsRecord(%q) = true", tt.text)
		}
	}
	for _, s := range []string{"v=DMARC1", "v=DMARC1;", "v=DMARC1 ; p=none", "V=DMARC1;p=none"} {
		if !dmarc.IsRecord(s) {
			t.Errorf("IsRecord(%q) = false", s)
		}
	}
}

func TestProblemString(t *testing.T) {
	r, _ := dmarc.Parse("v=DMARC1; p=reject; pct=50")
	if got, want := r.Problems[0].String(), `column 21: tag "pct": RFC 9989 removed this tag of RFC 7489 (Appendix C.5.2); it is ignored`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
