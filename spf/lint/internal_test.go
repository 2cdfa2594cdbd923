package lint

import (
	"slices"
	"spflab/spf"
	"strings"
	"testing"
)

// TestSplitGlued checks the heuristic that finds terms run together, and
// that it leaves alone domains that merely end like a mechanism's name.
func TestSplitGlued(t *testing.T) {
	tests := []struct {
		tok   string
		start int // the byte of the record where tok starts
		want  []string
		at    int
	}{
		{"include:a.example.cominclude:b.example.com", 7, []string{"include:a.example.com", "include:b.example.com"}, 0},
		{"ip4:192.0.2.1ip4:192.0.2.2ip4:192.0.2.3", 7, []string{"ip4:192.0.2.1", "ip4:192.0.2.2", "ip4:192.0.2.3"}, 0},
		{"include:x.example.com-all", 7, []string{"include:x.example.com", "-all"}, 0},
		{"a:mail.example.comredirect=_spf.example.net", 7, []string{"a:mail.example.com", "redirect=_spf.example.net"}, 0},
		{"ip6:2001:db8::1mx:example.org", 7, []string{"ip6:2001:db8::1", "mx:example.org"}, 0},
		// A bare name is glued only at a 255-byte string boundary.
		{"include:x.example.commx", 255 - len("include:x.example.com"), []string{"include:x.example.com", "mx"}, 255},
		{"include:x.example.commx", 7, nil, 0},
		{"include:spf.example.ca", 7, nil, 0},
		{"include:_spf.example.coma", 7, nil, 0},
		{"ip6:2001:db8::a", 7, nil, 0},
		{"ip6:2001:db8::a:1", 7, nil, 0},
		{"exists:%{i}.spf.example.com", 7, nil, 0},
		{"include:a.example.com", 7, nil, 0},
		{"-all", 7, nil, 0},
	}
	for _, tt := range tests {
		got, at := splitGlued(tt.tok, tt.start, true)
		if !slices.Equal(got, tt.want) || at != tt.at {
			t.Errorf("splitGlued(%q, %d) = %q, %d; want %q, %d", tt.tok, tt.start, got, at, tt.want, tt.at)
		}
	}
	// A draft has no strings: no boundary.
	if got, _ := splitGlued("include:x.example.commx", 255-len("include:x.example.com"), false); got != nil {
		t.Errorf("a draft's bare name at byte 255 is glued: %q", got)
	}
}

// TestGluedAtBoundary lints a record published in strings of 255 bytes
// whose second string begins a term the first one's last term runs into.
func TestGluedAtBoundary(t *testing.T) {
	first := "v=spf1 ip4:192.0.2.0/24"
	for len(first) < 255-len(" include:x.example.com") {
		first += " ip4:192.0.2.1"
	}
	first += strings.Repeat(" ", 255-len(first)-len(" include:x.example.com")) + " include:x.example.com"
	s := &linter{rep: &Report{}}
	s.glued(&place{domain: "example.com", record: first + "mx -all"})
	if len(s.rep.Findings) != 1 {
		t.Fatalf("findings %+v", s.rep.Findings)
	}
	f := s.rep.Findings[0]
	if f.Name != "glued-terms" || f.Term != "include:x.example.commx" || !strings.Contains(f.Message, "break at byte 255") ||
		f.Fix != "end the string before byte 255 with a space, or begin the next one with one" {
		t.Errorf("finding %s, fix %s", &f, f.Fix)
	}
}

func TestMerge(t *testing.T) {
	tests := []struct {
		records []string
		want    string
	}{
		{[]string{"v=spf1 ip4:192.0.2.1 ~all", "v=spf1 mx -all"}, "v=spf1 ip4:192.0.2.1 mx -all"},
		{[]string{"v=spf1 +a mx ~all", "v=spf1 a MX include:x.example.com ?all"}, "v=spf1 +a mx include:x.example.com ~all"},
		{[]string{"v=spf1 ip4:192.0.2.1", "v=spf1 mx redirect=_spf.example.net"}, "v=spf1 ip4:192.0.2.1 mx redirect=_spf.example.net"},
		{[]string{"v=spf1 redirect=a.example.com", "v=spf1 redirect=b.example.com"}, "v=spf1 include:a.example.com include:b.example.com"},
		{[]string{"v=spf1 include:a.example.com -all exp=e.example.com", "v=spf1 redirect=a.example.com exp=f.example.com"}, "v=spf1 include:a.example.com -all exp=e.example.com"},
		{[]string{"v=spf1", "v=spf1"}, "v=spf1"},
	}
	for _, tt := range tests {
		if got := merge(tt.records); got != tt.want {
			t.Errorf("merge(%q) = %q, want %q", tt.records, got, tt.want)
		}
	}
}

// FuzzMerge merges two records: the result is an SPF record whose terms
// all come from them (a redirect possibly as an include).
func FuzzMerge(f *testing.F) {
	f.Add("v=spf1 ip4:192.0.2.1 ~all", "v=spf1 mx redirect=_spf.example.net")
	f.Add("v=spf1 redirect=a.example.com", "v=spf1 -all exp=x.example.com")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !spf.IsSPFRecord(a) || !spf.IsSPFRecord(b) {
			return
		}
		got := merge([]string{a, b})
		if !spf.IsSPFRecord(got) {
			t.Fatalf("merge(%q, %q) = %q", a, b, got)
		}
		in := append(strings.Fields(a)[1:], strings.Fields(b)[1:]...)
		for _, term := range strings.Fields(got)[1:] {
			if !slices.ContainsFunc(in, func(s string) bool {
				return strings.EqualFold(s, term) || strings.EqualFold(s, "redirect="+strings.TrimPrefix(term, "include:"))
			}) {
				t.Fatalf("merge(%q, %q) = %q: %q comes from neither", a, b, got, term)
			}
		}
	})
}
