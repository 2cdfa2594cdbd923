package spf_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"spflab/fakedns"
	"spflab/livedns"
	"spflab/spf"
)

// lintZone is the DNS the lint tests look at.
func lintZone(t testing.TB) string {
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
  - TXT: v=spf1 ip4:192.0.2.1 -all
  - TXT: v=spf1 ip4:192.0.2.2 -all
nospf.example.com:
  - TXT: some other text
nospf-nx.example.com:
  - A: 192.0.2.1
  - TXT: NONE
a.example.com:
  - TXT: v=spf1 include:b.example.com -all
b.example.com:
  - TXT: v=spf1 ip4:203.0.113.0/24 -all
loop1.example.com:
  - TXT: v=spf1 include:loop2.example.com -all
loop2.example.com:
  - TXT: v=spf1 redirect=loop1.example.com
slow.example.com:
  - TIMEOUT
big.example.com:
  - TXT: "v=spf1 `)
	for i := range 40 {
		fmt.Fprintf(&b, "ip4:198.51.100.%d ", i)
	}
	b.WriteString("-all\"\nmanymx.example.com:\n")
	for i := range 11 {
		fmt.Fprintf(&b, "  - MX: [%d, mx%d.example.com]\n", i, i)
	}
	b.WriteString("nomx.example.com:\n  - TXT: v=spf1 mx -all\n")
	for i := range 12 {
		fmt.Fprintf(&b, "i%d.example.com:\n  - TXT: v=spf1 ip4:198.51.100.%d -all\n", i, i)
	}
	return b.String()
}

func lintRecord(t *testing.T, domain, draft string) *spf.LintReport {
	t.Helper()
	l := spf.Linter{Resolver: zone(t, lintZone(t))}
	var rep *spf.LintReport
	var err error
	if draft == "" {
		rep, err = l.Lint(context.Background(), domain)
	} else {
		rep, err = l.LintDraft(context.Background(), domain, draft)
	}
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func codes(rep *spf.LintReport) []string {
	var c []string
	for _, f := range rep.Findings {
		c = append(c, f.Code)
	}
	slices.Sort(c)
	return c
}

// TestLintFindings provokes every finding, one record at a time.
func TestLintFindings(t *testing.T) {
	manyIncludes := "v=spf1"
	for i := range 11 {
		manyIncludes += fmt.Sprintf(" include:i%d.example.com", i)
	}
	long := "v=spf1"
	for i := range 20 {
		long += fmt.Sprintf(" ip4:203.0.113.%d", i)
	}
	long += " -all"
	tests := []struct {
		name   string
		domain string
		draft  string // "" lints the published record
		want   []string
	}{
		{"clean published", "example.com", "", nil},
		{"clean draft", "example.com", "v=spf1 mx a:v4only.example.com/24//64 ip6:2001:db8::/32 -all", []string{"void-lookup"}},
		{"ptr", "example.com", "v=spf1 ptr:example.com -all", []string{"ptr"}},
		{"+all", "example.com", "v=spf1 ip4:192.0.2.1 +all", []string{"all-pass"}},
		{"all without qualifier", "example.com", "v=spf1 all", []string{"all-pass"}},
		{"?all", "example.com", "v=spf1 ip4:192.0.2.1 ?all", []string{"all-neutral"}},
		{"?all in an include is no matter", "example.com", "v=spf1 include:neutral.example.net -all", nil},
		{"?all through redirect", "example.com", "v=spf1 redirect=neutral.example.net", []string{"all-neutral"}},
		{"neither all nor redirect", "example.com", "v=spf1 ip4:192.0.2.1", []string{"no-all"}},
		{"redirect next to all", "example.com", "v=spf1 ip4:192.0.2.1 redirect=_spf.example.net -all", []string{"redirect-ignored"}},
		{"terms after all", "example.com", "v=spf1 -all ip4:192.0.2.1 mx", []string{"after-all"}},
		{"more than one record", "two.example.com", "", []string{"multiple-records"}},
		{"string over 255 bytes", "example.com", long, []string{"string-length"}},
		{"answer over 512 bytes", "big.example.com", "", []string{"answer-size"}},
		{"duplicate term", "example.com", "v=spf1 ip4:192.0.2.1 -IP4:192.0.2.1 mx mx -all", []string{"duplicate-term", "duplicate-term"}},
		{"duplicate include", "example.com", "v=spf1 include:a.example.com include:b.example.com -all", []string{"duplicate-include"}},
		{"host bits", "example.com", "v=spf1 ip4:192.0.2.1/24 ip6:2001:db8::1/32 ip4:192.0.2.0/24 -all", []string{"host-bits", "host-bits"}},
		{"include without SPF record", "example.com", "v=spf1 include:nospf.example.com -all", []string{"include-no-record"}},
		{"include of no TXT", "example.com", "v=spf1 include:nospf-nx.example.com -all", []string{"include-no-record"}},
		{"include of no such name", "example.com", "v=spf1 include:nx.example.com -all", []string{"include-no-record"}},
		{"redirect without SPF record", "example.com", "v=spf1 redirect=nospf.example.com", []string{"redirect-no-record"}},
		{"macro local part", "example.com", "v=spf1 exists:%{l}.%{d}._spf.example.com include:%{s}.example.net -all", []string{"macro-local-part", "macro-local-part"}},
		{"macro local part in exp", "example.com", "v=spf1 -all exp=%{l}.exp.example.com", []string{"macro-local-part"}},
		{"macro p", "example.com", "v=spf1 exists:%{p}.example.com -all", []string{"macro-p"}},
		{"more than 10 lookups (and too long)", "example.com", manyIncludes + " -all", []string{"lookup-limit", "string-length"}},
		{"void lookup", "example.com", "v=spf1 a:nx.example.com -all", []string{"void-lookup"}},
		{"more than 2 void lookups", "example.com", "v=spf1 a:nx1.example.com mx:nx2.example.com exists:nx3.example.com -all", []string{"void-limit", "void-lookup", "void-lookup"}},
		{"void mx", "nomx.example.com", "", []string{"void-lookup"}},
		{"more than 10 MX names", "example.com", "v=spf1 mx:manymx.example.com -all", []string{"mx-names"}},
		{"loop", "loop1.example.com", "", []string{"loop"}},
		{"syntax error", "example.com", "v=spf1 ip4:192.0.2.300 -all", []string{"syntax"}},
		{"no record", "nospf.example.com", "", []string{"no-record"}},
		{"timeout", "example.com", "v=spf1 include:slow.example.com -all", []string{"lookup-failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := lintRecord(t, tt.domain, tt.draft)
			if got := codes(rep); !slices.Equal(got, tt.want) {
				t.Errorf("findings %v, want %v", got, tt.want)
				for _, f := range rep.Findings {
					t.Logf("  %+v", f)
				}
			}
			for _, f := range rep.Findings {
				if f.Section == "" || f.Message == "" || f.Hint == "" || f.Domain == "" {
					t.Errorf("finding without section, message, hint or domain: %+v", f)
				}
				wantSev := spf.SeverityWarning
				switch f.Code {
				case "multiple-records", "include-no-record", "redirect-no-record", "lookup-limit", "void-limit",
					"mx-names", "loop", "syntax", "no-record", "lookup-failed":
					wantSev = spf.SeverityError
				}
				if f.Severity != wantSev {
					t.Errorf("%s: severity %s, want %s", f.Code, f.Severity, wantSev)
				}
			}
			if rep.Draft != (tt.draft != "") {
				t.Errorf("Draft = %v", rep.Draft)
			}
		})
	}
}

// TestLintDetails checks the places and numbers findings give.
func TestLintDetails(t *testing.T) {
	rep := lintRecord(t, "example.com", "v=spf1 ip4:192.0.2.300 -all")
	f := rep.Findings[0]
	// "v=spf1 " is 7 bytes, "ip4:" 4 more: the address starts at column 12.
	if f.Column != 12 || f.Term != "ip4:192.0.2.300" || f.Section != "4.6" {
		t.Errorf("syntax finding %+v, want column 12 of ip4:192.0.2.300, §4.6", f)
	}

	rep = lintRecord(t, "example.com", "v=spf1 -all ip4:192.0.2.1 mx")
	if f := rep.Findings[0]; f.Column != 13 || f.Term != "ip4:192.0.2.1" || f.Section != "5.1" {
		t.Errorf("after-all finding %+v", f)
	}

	rep = lintRecord(t, "example.com", "v=spf1 ip4:192.0.2.1/24 -all")
	if f := rep.Findings[0]; !strings.Contains(f.Message, "192.0.2.0/24") || !strings.Contains(f.Hint, "ip4:192.0.2.0/24") {
		t.Errorf("host-bits finding %+v", f)
	}

	long := "v=spf1 " + strings.Repeat("ip4:203.0.113.1 ", 20) + "-all"
	rep = lintRecord(t, "example.com", long)
	f = rep.Findings[0]
	// The hint quotes the draft in strings of at most 255 bytes that join
	// back to it.
	hint := f.Hint[strings.IndexByte(f.Hint, '"'):]
	var joined string
	for _, part := range strings.Split(hint[1:len(hint)-1], `" "`) {
		if len(part) > 255 {
			t.Errorf("hint string of %d bytes", len(part))
		}
		joined += part
	}
	if joined != long {
		t.Errorf("hint %q does not join back to the draft", f.Hint)
	}

	rep = lintRecord(t, "example.com", "v=spf1 a:nx1.example.com mx:nx2.example.com exists:nx3.example.com -all")
	if rep.VoidLookups != 3 || rep.MaxVoidLookups != 2 {
		t.Errorf("void lookups %d/%d, want 3/2", rep.VoidLookups, rep.MaxVoidLookups)
	}
	for _, f := range rep.Findings {
		if f.Code == "void-limit" && f.Term != "exists:nx3.example.com" {
			t.Errorf("void-limit at %q, want the third void term", f.Term)
		}
	}

	rep = lintRecord(t, "example.com", "v=spf1 a:v4only.example.com -all")
	if v := rep.Tree.Terms[0].Void; v != "IPv6 clients" {
		t.Errorf("a:v4only is void for %q, want IPv6 clients", v)
	}
}

// TestLintTree checks the include/redirect tree and its lookup counts.
func TestLintTree(t *testing.T) {
	manyIncludes := "v=spf1 mx"
	for i := range 11 {
		manyIncludes += fmt.Sprintf(" include:i%d.example.com", i)
	}
	rep := lintRecord(t, "example.com", manyIncludes+" redirect=a.example.com")
	// mx, 11 includes, the redirect and a.example.com's include.
	if rep.Lookups != 14 || rep.Tree.Lookups != 14 || rep.MaxLookups != 10 {
		t.Errorf("lookups %d (tree %d) of %d, want 14 of 10", rep.Lookups, rep.Tree.Lookups, rep.MaxLookups)
	}
	mx := rep.Tree.Terms[0]
	if mx.Lookups != 1 || mx.Position != 1 || len(mx.Names) != 2 ||
		mx.Names[0] != (spf.LintName{Name: "mx1.example.com", Addresses: 2}) || mx.Names[1] != (spf.LintName{Name: "mx2.example.com", Addresses: 2}) {
		t.Errorf("mx term %+v", mx)
	}
	for i := 1; i <= 11; i++ {
		inc := rep.Tree.Terms[i]
		if inc.Lookups != 1 || inc.Position != i+1 || inc.Target == nil || inc.Target.Domain != fmt.Sprintf("i%d.example.com", i-1) {
			t.Errorf("term %d: %+v", i, inc)
		}
	}
	redirect := rep.Tree.Terms[12]
	if redirect.Lookups != 2 || redirect.Position != 13 || redirect.Target.Lookups != 1 ||
		redirect.Target.Terms[0].Target.Domain != "b.example.com" || redirect.Target.Terms[0].Position != 14 {
		t.Errorf("redirect %+v, target %+v", redirect, redirect.Target)
	}
	var limit *spf.Finding
	for i, f := range rep.Findings {
		if f.Code == "lookup-limit" {
			limit = &rep.Findings[i]
		}
	}
	if limit == nil || limit.Term != "include:i9.example.com" || limit.Domain != "example.com" {
		t.Errorf("lookup-limit finding %+v, want the 11th DNS term, include:i9.example.com", limit)
	}

	rep = lintRecord(t, "loop1.example.com", "")
	loop := rep.Tree.Terms[0].Target.Terms[0].Target
	if loop.Problem != "loop: loop1.example.com → loop2.example.com → loop1.example.com" {
		t.Errorf("loop node %+v", loop)
	}
}

func TestLintBadInput(t *testing.T) {
	l := spf.Linter{Resolver: zone(t, lintZone(t))}
	for _, domain := range []string{"", "localhost", "a..example.com", strings.Repeat("a", 64) + ".example.com", "example.123"} {
		if _, err := l.Lint(context.Background(), domain); err == nil {
			t.Errorf("Lint(%q): no error", domain)
		}
	}
	if _, err := l.LintDraft(context.Background(), "example.com", "v=spf2 -all"); err == nil {
		t.Error("LintDraft of v=spf2: no error")
	}
}

// BenchmarkLintLoopback lints a record with 10 includes, each with an mx
// term of its own, over DNS served on loopback: every lint asks the
// server again (11 TXT, 10 MX and 20 address queries).
func BenchmarkLintLoopback(b *testing.B) {
	var zd strings.Builder
	root := "v=spf1"
	for i := range 10 {
		root += fmt.Sprintf(" include:_spf%d.example.net", i)
		fmt.Fprintf(&zd, "_spf%d.example.net:\n  - TXT: v=spf1 ip4:198.51.%d.0/24 mx -all\n  - MX: [10, mx.example.net]\n", i, i)
	}
	fmt.Fprintf(&zd, "example.com:\n  - TXT: %s -all\nmx.example.net:\n  - A: 192.0.2.1\n  - AAAA: 2001:db8::1\n", root)
	srv, err := fakedns.Serve(zone(b, zd.String()), "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	l := spf.Linter{Resolver: livedns.NewClient(srv.Addr())}
	ctx := context.Background()
	for b.Loop() {
		rep, err := l.Lint(ctx, "example.com")
		if err != nil || rep.Lookups != 20 || len(rep.Findings) != 1 || rep.Findings[0].Code != "lookup-limit" {
			b.Fatalf("%+v %v", rep, err)
		}
	}
}
