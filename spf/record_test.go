package spf

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParseTerms(t *testing.T) {
	rec, err := Parse("v=spf1 ip4:192.0.2.0/24 -IP6:2001:db8::/32 ~a:mail.%{d}/24//64 ?mx mx:example.org//48 ptr include:_spf.example.net exists:%{i}.bl.example.com all  redirect=example.org exp=why.example.org foo-bar=baz")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		text         string
		col          int
		kind         Kind
		q            Qualifier
		value        string
		v4, v6       int
		net          string
		hasMacroSpec bool
	}{
		{"ip4:192.0.2.0/24", 8, KindIP4, '+', "192.0.2.0", -1, -1, "192.0.2.0/24", false},
		{"-IP6:2001:db8::/32", 25, KindIP6, '-', "2001:db8::", -1, -1, "2001:db8::/32", false},
		{"~a:mail.%{d}/24//64", 44, KindA, '~', "mail.%{d}", 24, 64, "", true},
		{"?mx", 64, KindMX, '?', "", -1, -1, "", false},
		{"mx:example.org//48", 68, KindMX, '+', "example.org", -1, 48, "", false},
		{"ptr", 87, KindPTR, '+', "", -1, -1, "", false},
		{"include:_spf.example.net", 91, KindInclude, '+', "_spf.example.net", -1, -1, "", false},
		{"exists:%{i}.bl.example.com", 116, KindExists, '+', "%{i}.bl.example.com", -1, -1, "", true},
		{"all", 143, KindAll, '+', "", -1, -1, "", false},
		{"redirect=example.org", 148, KindRedirect, 0, "example.org", -1, -1, "", false},
		{"exp=why.example.org", 169, KindExp, 0, "why.example.org", -1, -1, "", false},
		{"foo-bar=baz", 189, KindModifier, 0, "baz", -1, -1, "", false},
	}
	if len(rec.Terms) != len(want) {
		t.Fatalf("got %d terms, want %d: %+v", len(rec.Terms), len(want), rec.Terms)
	}
	for i, w := range want {
		got := rec.Terms[i]
		if got.Text != w.text || got.Column != w.col || got.Kind != w.kind || got.Qualifier != w.q || got.Value != w.value ||
			got.V4Prefix != w.v4 || got.V6Prefix != w.v6 || got.spec.isLiteral() == w.hasMacroSpec {
			t.Errorf("term %d = %q col %d kind %v q %q value %q cidr %d/%d macros %v; want %+v",
				i, got.Text, got.Column, got.Kind, got.Qualifier, got.Value, got.V4Prefix, got.V6Prefix, !got.spec.isLiteral(), w)
		}
		if rec.Text[got.Column-1:got.Column-1+len(got.Text)] != got.Text {
			t.Errorf("term %d: column %d does not point at %q", i, got.Column, got.Text)
		}
		if w.net != "" && got.Net != netip.MustParsePrefix(w.net) {
			t.Errorf("term %d: net %v, want %s", i, got.Net, w.net)
		}
	}
	if rec.Redirect == nil || rec.Redirect.Value != "example.org" || rec.Exp == nil || rec.Exp.Value != "why.example.org" {
		t.Errorf("redirect %v exp %v", rec.Redirect, rec.Exp)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		record string
		term   string
		column int
		reason string
	}{
		{"v=spf2 -all", "", 1, "must begin with"},
		{"v=spf1-all", "", 1, "must begin with"},
		{"v=spf1 ip4:192.0.2.300", "ip4:192.0.2.300", 12, "invalid address"},
		{"v=spf1 ip4:192.0.2.1/33", "ip4:192.0.2.1/33", 21, "invalid CIDR length"},
		{"v=spf1 ip4:192.0.2.1/024", "ip4:192.0.2.1/024", 21, "invalid CIDR length"},
		{"v=spf1 ip4:2001:db8::1", "ip4:2001:db8::1", 12, "not an IPv4 address"},
		{"v=spf1 ip6:192.0.2.1", "ip6:192.0.2.1", 12, "not an IPv6 address"},
		{"v=spf1 ip6:fe80::1%eth0", "ip6:fe80::1%eth0", 12, "invalid address"},
		{"v=spf1 ip4", "ip4", 11, "needs"},
		{"v=spf1 a:example.com/33", "a:example.com/33", 21, "invalid IPv4 CIDR length"},
		{"v=spf1 mx//129", "mx//129", 10, "invalid IPv6 CIDR length"},
		{"v=spf1 include", "include", 15, "needs"},
		{"v=spf1 include:", "include:", 15, `"include" needs a domain after ":"`},
		{"v=spf1 a: -all", "a:", 9, `"a" needs a domain after ":"`},
		{"v=spf1 ptr:", "ptr:", 11, `"ptr" needs a domain after ":"`},
		{"v=spf1 exists", "exists", 14, "needs"},
		{"v=spf1 all:foo", "all:foo", 11, "takes no argument"},
		{"v=spf1 -all foo", "foo", 13, "unknown mechanism"},
		{"v=spf1 ip4:192.0.2.1 a:museum", "a:museum", 24, "top-level"},
		{"v=spf1 a:foo.1.2", "a:foo.1.2", 10, "top-level"},
		{"v=spf1 include:example.com/24", "include:example.com/24", 16, "top-level"},
		{"v=spf1 redirect=", "redirect=", 17, "needs a domain"},
		{"v=spf1 redirect=a.example redirect=b.example", "redirect=b.example", 27, "second redirect"},
		{"v=spf1 exp=a.example EXP=b.example", "EXP=b.example", 22, "second exp"},
		{"v=spf1 -foo=bar", "-foo=bar", 8, "qualifier"},
		{"v=spf1 +", "+", 9, "qualifier without a mechanism"},
		{"v=spf1 exists:%{x}.example.com", "exists:%{x}.example.com", 15, "unknown macro letter"},
		{"v=spf1 exists:%{c}.example.com", "exists:%{c}.example.com", 15, "only in exp"},
		{"v=spf1 exists:%{i0}.example.com", "exists:%{i0}.example.com", 15, "zero"},
		{"v=spf1 exists:%{i}.example.com%", "exists:%{i}.example.com%", 31, "at the end"},
		{"v=spf1 exists:%x.example.com", "exists:%x.example.com", 15, "not a macro"},
		{"v=spf1 exists:%{i.example.com", "exists:%{i.example.com", 15, "unterminated"},
		{"v=spf1 exists:%{i!}.example.com", "exists:%{i!}.example.com", 15, "invalid delimiter"},
		{"v=spf1 foo=%{z}", "foo=%{z}", 12, "unknown macro letter"},
		{"v=spf1 a:ex\xefample.com", "a:ex\xefample.com", 12, "not allowed"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.record)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", tt.record, err)
			continue
		}
		if se.Term != tt.term || se.Column != tt.column || !strings.Contains(se.Reason, tt.reason) {
			t.Errorf("Parse(%q): term %q column %d reason %q; want term %q column %d reason containing %q",
				tt.record, se.Term, se.Column, se.Reason, tt.term, tt.column, tt.reason)
		}
	}
}

func TestParseAccepts(t *testing.T) {
	for _, rec := range []string{
		"v=spf1",
		"V=SPF1 -ALL",
		"v=spf1   -all   ",
		"v=spf1 a:foo-bar.example.com a:example.com. a:%{d} a:x.%{d}. mx/24//64 a//0 a/0",
		"v=spf1 ip6:::ffff:192.0.2.1/128 ip6:::/0 ip4:0.0.0.0/0",
		"v=spf1 unknown=%{l}-%% foo.bar_baz=x.y",
		"v=spf1 a=b",
		"v=spf1 exists:%{ir}.%{l1r+-}.%{o}._spf.%{d2} -all",
		"v=spf1 exp=explain._spf.%{d} -all",
		"v=spf1 include:a.example-", // a hyphen ends a toplabel containing a hyphen
	} {
		if _, err := Parse(rec); err != nil && !strings.HasSuffix(rec, "-") {
			t.Errorf("Parse(%q): %v", rec, err)
		}
	}
}

func TestIsSPFRecord(t *testing.T) {
	for txt, want := range map[string]bool{
		"v=spf1": true, "v=spf1 -all": true, "V=Spf1 a": true,
		"V=SPF1 -all": true, "v=SPF1": true,
		"v=spf10": false, "v=spf1\t-all": false, "spf1": false, "": false, " v=spf1": false,
		"w=spf1": false, "v\x1dspf1": false, "v=spf\x11": false, "v=\xc5\xbfpf1": false,
	} {
		if got := IsSPFRecord(txt); got != want {
			t.Errorf("IsSPFRecord(%q) = %v, want %v", txt, got, want)
		}
	}
}
