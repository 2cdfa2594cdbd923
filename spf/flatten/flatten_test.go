package flatten_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"spflab/fakedns"
	"spflab/fakedns/zonedata"
	"spflab/spf"
	"spflab/spf/flatten"
)

const world = `
example.com:
  - TXT: v=spf1 -ip4:192.0.2.128/25 ip4:192.0.2.0/24 include:_spf.example.net mx a:www.example.com/28 ~include:soft.example.org -all
  - TXT: google-site-verification=abc
  - MX: [10, mx1.example.com]
  - MX: [20, mx2.example.com]
mx1.example.com:
  - A: 192.0.2.10
  - AAAA: 2001:db8::10
mx2.example.com:
  - A: 198.51.100.200
www.example.com:
  - A: 203.0.113.77
_spf.example.net:
  - TXT: v=spf1 ip4:198.51.100.0/24 -ip4:203.0.113.0/24 include:_spf2.example.net ~all
_spf2.example.net:
  - TXT: v=spf1 ip4:203.0.113.0/24 ip6:2001:db8:1::/48 ?all
soft.example.org:
  - TXT: v=spf1 ip4:10.0.0.0/8 -all
redirected.example.com:
  - TXT: v=spf1 ip4:192.0.2.1 redirect=_spf.example.net
open.example.com:
  - TXT: v=spf1 include:all.example.net -ip4:192.0.2.0/24 -all
all.example.net:
  - TXT: v=spf1 -ip4:198.51.100.0/24 +all
dynamic.example.com:
  - TXT: v=spf1 ip4:192.0.2.0/28 exists:%{i}.allow.example.com include:ptr.example.net ip4:192.0.2.0/24 -all
ptr.example.net:
  - TXT: v=spf1 ip4:198.51.100.0/24 ptr -all
192.0.2.200.allow.example.com:
  - A: 127.0.0.2
nospf.example.com:
  - TXT: v=spf1 include:none.example.net -all
none.example.net:
  - TXT: hello
loop.example.com:
  - TXT: v=spf1 include:loop2.example.com -all
loop2.example.com:
  - TXT: v=spf1 include:loop.example.com -all
slow.example.com:
  - TXT: v=spf1 a:timeout.example.com -all
timeout.example.com:
  - TIMEOUT
`

func zone(t testing.TB, extra string) *fakedns.Zone {
	t.Helper()
	z, err := zonedata.Parse([]byte(world+extra), "world.yml")
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// probes are the addresses to compare results at: the first and last
// address of every network of the records, their neighbours, and a few
// others.
func probes(records ...string) []netip.Addr {
	ips := []netip.Addr{netip.MustParseAddr("192.0.2.200"), netip.MustParseAddr("8.8.8.8"), netip.MustParseAddr("2001:db8:2::1"), netip.MustParseAddr("10.1.2.3")}
	for _, r := range records {
		rec, err := spf.Parse(r)
		if err != nil {
			continue
		}
		for _, t := range rec.Terms {
			if t.Kind != spf.KindIP4 && t.Kind != spf.KindIP6 {
				continue
			}
			first := t.Net.Masked().Addr()
			last := first
			for p := first; t.Net.Contains(p); p = p.Next() {
				last = p
				if t.Net.Bits() < t.Net.Addr().BitLen()-8 { // large: jump to the end
					last = lastAddr(t.Net)
					break
				}
			}
			ips = append(ips, first, first.Prev(), last, last.Next())
		}
	}
	return ips
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	host := p.Addr().BitLen() - p.Bits()
	for i := len(b) - 1; host > 0; i-- {
		n := min(host, 8)
		b[i] |= byte(1<<n - 1)
		host -= n
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// equivalent checks that the flattened records give every probe the
// result the tree gives it today.
func equivalent(t *testing.T, z *fakedns.Zone, res *flatten.Result) {
	t.Helper()
	drafts := map[string]string{}
	var texts []string
	for _, r := range res.Records {
		drafts[r.Name] = r.Text
		texts = append(texts, r.Text)
	}
	var tree []string
	for _, name := range res.Sources {
		if txts, err := z.LookupTXT(context.Background(), name); err == nil {
			tree = append(tree, txts...)
		}
	}
	today := &spf.Checker{Resolver: z}
	flat := &spf.Checker{Resolver: fakedns.WithDrafts(z, drafts)}
	for _, ip := range probes(append(texts, tree...)...) {
		if !ip.IsValid() {
			continue
		}
		a := today.CheckHost(context.Background(), ip, res.Domain, "postmaster@"+res.Domain, "h.example")
		b := flat.CheckHost(context.Background(), ip, res.Domain, "postmaster@"+res.Domain, "h.example")
		if a.Result != b.Result {
			t.Errorf("%s: today %s (%s), flattened %s (%s)", ip, a.Result, a.Mechanism, b.Result, b.Mechanism)
		}
	}
}

func TestFlatten(t *testing.T) {
	z := zone(t, "")
	tests := []struct {
		domain  string
		records []string // name: text
		kept    []string
		sources string
		lookups int
	}{
		{"example.com", []string{"example.com: v=spf1 -ip4:192.0.2.128/25 ~ip4:10.0.0.0/8 ip4:192.0.2.0/25 ip4:198.51.100.0/24 ip4:203.0.113.64/28 ip6:2001:db8::10 ip6:2001:db8:1::/48 -all"},
			nil, "example.com _spf.example.net _spf2.example.net mx1.example.com mx2.example.com www.example.com soft.example.org", 0},
		{"redirected.example.com", []string{"redirected.example.com: v=spf1 -ip4:203.0.113.0/24 ip4:192.0.2.1 ip4:198.51.100.0/24 ip6:2001:db8:1::/48 ~all"}, nil,
			"redirected.example.com _spf.example.net _spf2.example.net", 0},
		{"open.example.com", nil, nil, "", 0},
		{"dynamic.example.com", []string{"dynamic.example.com: v=spf1 ip4:192.0.2.0/28 exists:%{i}.allow.example.com include:ptr.example.net ip4:192.0.2.16/28 ip4:192.0.2.32/27 ip4:192.0.2.64/26 ip4:192.0.2.128/25 -all"},
			[]string{"exists:%{i}.allow.example.com", "include:ptr.example.net"}, "dynamic.example.com ptr.example.net", 2},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			res, err := (&flatten.Flattener{Resolver: z}).Flatten(context.Background(), tt.domain)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range res.Records {
				got = append(got, r.Name+": "+r.Text)
				if r.AnswerSize > flatten.MaxAnswer || strings.Join(r.Strings, "") != r.Text {
					t.Errorf("%s: answer %d bytes, strings %q", r.Name, r.AnswerSize, r.Strings)
				}
			}
			if tt.records != nil && strings.Join(got, "\n") != strings.Join(tt.records, "\n") {
				t.Errorf("records:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.records, "\n"))
			}
			if tt.sources != "" && strings.Join(res.Sources, " ") != tt.sources {
				t.Errorf("sources %q, want %q", strings.Join(res.Sources, " "), tt.sources)
			}
			if strings.Join(res.Kept, " ") != strings.Join(tt.kept, " ") || res.Lookups != tt.lookups {
				t.Errorf("kept %q, %d lookups; want %q, %d", res.Kept, res.Lookups, tt.kept, tt.lookups)
			}
			equivalent(t, z, res)
		})
	}
}

// TestFlattenChains: a tree of more networks than one answer holds is
// split into chained records, each within the limits.
func TestFlattenChains(t *testing.T) {
	var b strings.Builder
	b.WriteString("big.example.com:\n  - TXT: v=spf1 include:many.example.net -all\nmany.example.net:\n  - TXT: v=spf1")
	for i := range 120 { // 120 networks no two of which merge
		fmt.Fprintf(&b, " ip4:198.51.%d.%d", 100+i/60, (i%60)*4)
	}
	b.WriteString(" ip6:2001:db8:ffff::/48 -all\n")
	z := zone(t, b.String())
	res, err := (&flatten.Flattener{Resolver: z}).Flatten(context.Background(), "big.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) < 3 || res.Lookups != len(res.Records)-1 || len(res.Networks) != 121 {
		t.Fatalf("%d records, %d lookups, %d networks", len(res.Records), res.Lookups, len(res.Networks))
	}
	for i, r := range res.Records {
		if r.AnswerSize > flatten.MaxAnswer {
			t.Errorf("%s: %d bytes", r.Name, r.AnswerSize)
		}
		for _, s := range r.Strings {
			if len(s) > 255 {
				t.Errorf("%s: a %d-byte string", r.Name, len(s))
			}
		}
		if i > 0 && (r.Name != fmt.Sprintf("_spf%d.big.example.com", i) || !strings.Contains(res.Records[0].Text, "include:"+r.Name)) {
			t.Errorf("chained record %s is not included from %q", r.Name, res.Records[0].Text)
		}
	}
	equivalent(t, z, res)
}

func TestFlattenErrors(t *testing.T) {
	z := zone(t, "")
	for domain, want := range map[string]string{
		"nospf.example.com":   `nospf.example.com: "include:none.example.net": none.example.net has no SPF record: today's check gives permerror or none`,
		"loop.example.com":    `loop2.example.com: "include:loop.example.com": loop.example.com is already being evaluated: a loop`,
		"slow.example.com":    `slow.example.com: "a:timeout.example.com": A timeout.example.com: timeout: today's check gives temperror`,
		"missing.example.com": "missing.example.com has no SPF record",
	} {
		_, err := (&flatten.Flattener{Resolver: z}).Flatten(context.Background(), domain)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", domain, err, want)
		}
	}
	if _, err := (&flatten.Flattener{Resolver: z}).Draft(context.Background(), "example.com", "v=spf1 ip4:192.0.2.300 -all"); err == nil || !strings.Contains(err.Error(), "the draft: ") {
		t.Errorf("a bad draft: %v", err)
	}
}

func TestFlattenDraft(t *testing.T) {
	z := zone(t, "")
	res, err := (&flatten.Flattener{Resolver: z}).Draft(context.Background(), "example.com", "v=spf1 include:_spf2.example.net ip4:203.0.113.5 ~all")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 1 || res.Records[0].Text != "v=spf1 ip4:203.0.113.0/24 ip6:2001:db8:1::/48 ~all" || res.Source != "v=spf1 include:_spf2.example.net ip4:203.0.113.5 ~all" {
		t.Errorf("%+v", res)
	}
}
