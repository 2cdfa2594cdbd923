package fakedns

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"

	"spflab/spf"
)

// testZoneData exercises every convention of the suite's zonedata format.
var testZoneData = `
both.example.net:
  - TXT: v=spf1 -all
  - SPF: v=spf1 ?all
spfonly.example.net:
  - SPF: v=spf1 -all
  - A: 192.0.2.10
spfnone.example.net:
  - SPF: v=spf1 -all
  - TXT: NONE
multi.example.net:
  - SPF: [ "v=spf1 ip4:", "192.0.2.5 -all" ]
  - SPF: [ ]
txtfirst.example.net:
  - TXT: v=spf1 -all
  - TIMEOUT
  - A: 192.0.2.1
spftimeout.example.net:
  - SPF: v=spf1 -all
  - TIMEOUT
alltimeout.example.net:
  - TIMEOUT
servfail.example.net:
  - A: 192.0.2.2
  - SERVFAIL
mx.example.net:
  - MX: [20, b.example.net]
  - MX: [10, a.example.net]
  - MX: [20, c.example.net.]
nullmx.example.net:
  - MX: [0, ""]
Mixed.Case.Example.NET.:
  - A: 192.0.2.3
  - AAAA: 2001:DB8::3
3.2.0.192.in-addr.arpa:
  - PTR: mail.Example.net.
  - PTR: www.example.net
3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6.arpa:
  - PTR: six.example.net
alias.example.net:
  - CNAME: c2.example.net
c2.example.net:
  - CNAME: target.example.net.
target.example.net:
  - TXT: v=spf1 a -all
  - A: 192.0.2.4
loop1.example.net:
  - CNAME: loop2.example.net
loop2.example.net:
  - CNAME: LOOP1.example.net
escape.example.net:
  - TXT: "v=spf1 \xEF\xBB\xBFa \"q\" \\ -all"
long.example.net:
  - TXT: "v=spf1 ` + strings.Repeat("ip4:192.0.2.1 ", 30) + `-all"
empty.example.net:
`

func mustZone(t testing.TB, data string) *Zone {
	t.Helper()
	z, err := ParseZoneData([]byte(data), "test.yml")
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// lookup runs one spf.Resolver lookup by type name and renders the answer.
func lookup(z spf.Resolver, qtype, name string) ([]string, error) {
	ctx := context.Background()
	addrs := func(ips []netip.Addr, err error) ([]string, error) {
		var out []string
		for _, ip := range ips {
			out = append(out, ip.String())
		}
		return out, err
	}
	switch qtype {
	case "TXT":
		return z.LookupTXT(ctx, name)
	case "A":
		return addrs(z.LookupA(ctx, name))
	case "AAAA":
		return addrs(z.LookupAAAA(ctx, name))
	case "MX":
		return z.LookupMX(ctx, name)
	case "PTR":
		return z.LookupPTR(ctx, netip.MustParseAddr(name))
	}
	panic("unknown type " + qtype)
}

func TestZoneData(t *testing.T) {
	z := mustZone(t, testZoneData)
	tests := []struct {
		qtype, name string
		want        []string
		err         error
	}{
		{"TXT", "both.example.net", []string{"v=spf1 -all"}, nil}, // SPF not copied: TXT listed
		{"TXT", "spfonly.example.net", []string{"v=spf1 -all"}, nil},
		{"TXT", "spfnone.example.net", nil, spf.ErrNoData},
		{"TXT", "multi.example.net", []string{"v=spf1 ip4:192.0.2.5 -all", ""}, nil},
		{"TXT", "txtfirst.example.net", []string{"v=spf1 -all"}, nil},
		{"A", "txtfirst.example.net", nil, ErrTimeout}, // listed after TIMEOUT
		{"MX", "txtfirst.example.net", nil, ErrTimeout},
		{"TXT", "spftimeout.example.net", nil, ErrTimeout}, // the TXT copy comes after TIMEOUT
		{"TXT", "alltimeout.example.net", nil, ErrTimeout},
		{"A", "alltimeout.example.net", nil, ErrTimeout},
		{"A", "servfail.example.net", []string{"192.0.2.2"}, nil},
		{"TXT", "servfail.example.net", nil, ErrServFail},
		{"MX", "mx.example.net", []string{"a.example.net", "b.example.net", "c.example.net"}, nil},
		{"MX", "nullmx.example.net", []string{"."}, nil},
		{"A", "mixed.case.example.net", []string{"192.0.2.3"}, nil},
		{"A", "MIXED.case.example.NET.", []string{"192.0.2.3"}, nil},
		{"AAAA", "mixed.case.example.net", []string{"2001:db8::3"}, nil},
		{"AAAA", "spfonly.example.net", nil, spf.ErrNoData},
		{"PTR", "192.0.2.3", []string{"mail.Example.net", "www.example.net"}, nil},
		{"PTR", "2001:db8::3", []string{"six.example.net"}, nil},
		{"PTR", "192.0.2.99", nil, spf.ErrNoSuchName},
		{"TXT", "alias.example.net", []string{"v=spf1 a -all"}, nil},
		{"A", "Alias.Example.Net", []string{"192.0.2.4"}, nil},
		{"MX", "alias.example.net", nil, spf.ErrNoData},
		{"A", "loop1.example.net", nil, spf.ErrTemporary},
		{"TXT", "escape.example.net", []string{"v=spf1 \u00ef\u00bb\u00bfa \"q\" \\ -all"}, nil},
		{"TXT", "long.example.net", []string{"v=spf1 " + strings.Repeat("ip4:192.0.2.1 ", 30) + "-all"}, nil},
		{"TXT", "empty.example.net", nil, spf.ErrNoData},
		{"A", "nowhere.example.net", nil, spf.ErrNoSuchName},
		{"TXT", "error.example.net", nil, spf.ErrNoSuchName}, // TimeoutErrorNames is off
	}
	for _, tt := range tests {
		t.Run(tt.qtype+" "+tt.name, func(t *testing.T) {
			got, err := lookup(z, tt.qtype, tt.name)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil {
				var de *spf.DNSError
				if !errors.As(err, &de) || de.QType != tt.qtype {
					t.Errorf("error %#v is not a *spf.DNSError for %s", err, tt.qtype)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestZoneTXTStrings(t *testing.T) {
	z := mustZone(t, testZoneData)
	// The long record is stored as character-strings of at most 255 octets.
	for _, rr := range z.Records("long.example.net") {
		txt := rr.(*dns.TXT)
		if len(txt.Txt) != 2 || len(txt.Txt[0]) != 255 {
			t.Errorf("long TXT stored as %d strings, first %d octets; want 2, 255", len(txt.Txt), len(txt.Txt[0]))
		}
	}
	// Escaped for miekg/dns, raw in the answer.
	rr := z.Records("escape.example.net")[0].(*dns.TXT)
	if want := `v=spf1 \195\175\194\187\194\191a \"q\" \\ -all`; rr.Txt[0] != want {
		t.Errorf("stored %q, want %q", rr.Txt[0], want)
	}
}

func TestTimeoutErrorNames(t *testing.T) {
	z := mustZone(t, testZoneData)
	z.TimeoutErrorNames = true
	for name, want := range map[string]error{
		"error.example.net":     ErrTimeout,
		"Error.Example.Net.":    ErrTimeout,
		"noerror.example.net":   spf.ErrNoSuchName,
		"spfonly.example.net":   nil,
		"x.error.example.net":   spf.ErrNoSuchName,
		"error.spfnone.example": spf.ErrTemporary,
	} {
		_, err := z.LookupA(context.Background(), name)
		if want == nil && errors.Is(err, spf.ErrNoSuchName) || want != nil && !errors.Is(err, want) {
			t.Errorf("A %s: error %v, want %v", name, err, want)
		}
	}
}

func TestZoneDataErrors(t *testing.T) {
	data := `example.com:
  - A: 192.0.2.300
  - AAAA: 192.0.2.1
  - MX: mail.example.com
  - MX: [70000, mail.example.com]
  - FOO: bar
  - PTR: "a..b"
  - TIMEOUTS
  - [1, 2]
  - TXT: {a: b}
a..example.com:
  - A: 192.0.2.1
Example.com.:
  - A: 192.0.2.1
list.example.com: not a list
`
	_, err := ParseZoneData([]byte(data), "zones.yml")
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`zones.yml:2: bad address "192.0.2.300" in A record of example.com`,
		`zones.yml:3: AAAA record of example.com needs an IPv6 address, not 192.0.2.1`,
		`zones.yml:4: MX record of example.com must be [priority, host]`,
		`zones.yml:5: MX priority "70000" of example.com is not a number from 0 to 65535`,
		`zones.yml:6: unknown record type "FOO" for example.com`,
		`zones.yml:7: PTR record of example.com: "a..b" is not a domain name: empty label`,
		`zones.yml:8: unknown entry "TIMEOUTS" for example.com`,
		`zones.yml:9: a record of example.com must be a one-key map`,
		`zones.yml:10: TXT record must be a string or a list of strings`,
		`zones.yml:11: "a..example.com" is not a domain name: empty label`,
		`zones.yml:13: domain "Example.com." is already listed at line 1`,
		`zones.yml:15: the records of list.example.com must be a list`,
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Errorf("%d errors, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if i >= len(lines) || !strings.HasPrefix(lines[i], w) {
			t.Errorf("error %d: want prefix %q\n%v", i, w, err)
		}
	}
	for _, bad := range []string{"- just a list", "[unclosed", "a: [b, c]\n"} {
		if _, err := ParseZoneData([]byte(bad), "bad.yml"); err == nil || !strings.HasPrefix(err.Error(), "bad.yml") {
			t.Errorf("ParseZoneData(%q): error %v, want one naming bad.yml", bad, err)
		}
	}
	for _, empty := range []string{"", "# nothing\n", "~\n"} {
		if z, err := ParseZoneData([]byte(empty), "empty.yml"); err != nil {
			t.Errorf("ParseZoneData(%q): %v", empty, err)
		} else if len(z.Names()) != 0 {
			t.Errorf("ParseZoneData(%q) has names %q", empty, z.Names())
		}
	}
}

func TestLoadZoneFile(t *testing.T) {
	f, err := os.Open("testdata/euston.net.zone")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := LoadZoneFile(f, "euston.net.zone", "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		qtype, name string
		want        []string
	}{
		{"TXT", "euston.net", []string{"v=spf1 ip4:192.0.2.25 -all"}},
		{"TXT", "mail.euston.net", []string{"v=spf1 ip4:192.0.2.25 -all"}},
		{"MX", "euston.net", []string{"mail.euston.net"}},
		{"A", "mail.euston.net", []string{"192.0.2.25"}},
		{"A", "www.euston.net", []string{"192.0.2.80"}},
		{"PTR", "192.0.2.25", []string{"mail.euston.net"}},
	}
	for _, tt := range tests {
		got, err := lookup(z, tt.qtype, tt.name)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s %s = %q, %v; want %q", tt.qtype, tt.name, got, err, tt.want)
		}
	}
	if got, want := z.Names(), []string{"25.2.0.192.in-addr.arpa", "euston.net", "gw.euston.net", "mail.euston.net", "ns1.euston.net", "ns2.euston.net", "www.euston.net"}; !slices.Equal(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
	if rrs := z.Records("euston.net"); len(rrs) != 5 || rrs[0].Header().Rrtype != dns.TypeSOA {
		t.Errorf("Records(euston.net) = %v, want SOA, 2 NS, MX, TXT", rrs)
	}

	bad := "$ORIGIN example.org.\n@ IN TXT \"ok\"\nwww IN A 192.0.2.1\nmail IN A not-an-address\n"
	_, err = LoadZoneFile(strings.NewReader(bad), "bad.zone", "")
	if err == nil || !strings.Contains(err.Error(), "bad.zone") || !strings.Contains(err.Error(), "line: 4") {
		t.Errorf("bad zone file: error %v, want one naming bad.zone line 4", err)
	}
}

func TestZoneAddRRAndMerge(t *testing.T) {
	z := NewZone()
	for _, s := range []string{
		`Example.ORG. 300 IN TXT "v=spf1 " "include:_spf.example.org" " -all"`,
		`example.org. 300 IN TXT "other"`,
		`example.org. 300 IN MX 5 mx.example.org.`,
		`example.org. 300 IN NS ns.example.org.`,
		`4.2.0.192.in-addr.arpa. 300 IN PTR mx.example.org.`,
	} {
		z.AddRR(mustRR(t, s))
	}
	other := mustZone(t, "_spf.example.org:\n  - SPF: v=spf1 ip4:192.0.2.4 -all\nslow.example.org:\n  - TIMEOUT\n")
	z.Merge(other)
	tests := []struct {
		qtype, name string
		want        []string
		err         error
	}{
		{"TXT", "example.org", []string{"v=spf1 include:_spf.example.org -all", "other"}, nil},
		{"MX", "example.org", []string{"mx.example.org"}, nil},
		{"PTR", "192.0.2.4", []string{"mx.example.org"}, nil},
		{"TXT", "_spf.example.org", []string{"v=spf1 ip4:192.0.2.4 -all"}, nil},
		{"A", "slow.example.org", nil, ErrTimeout},
		{"A", "example.org", nil, spf.ErrNoData},
	}
	for _, tt := range tests {
		got, err := lookup(z, tt.qtype, tt.name)
		if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) || !slices.Equal(got, tt.want) {
			t.Errorf("%s %s = %q, %v; want %q, %v", tt.qtype, tt.name, got, err, tt.want, tt.err)
		}
	}
	if got := z.TXT("EXAMPLE.org."); len(got) != 2 {
		t.Errorf("TXT(example.org) = %q", got)
	}
}

func mustRR(t testing.TB, s string) dns.RR {
	t.Helper()
	rr, err := dns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

func TestOverlay(t *testing.T) {
	z := mustZone(t, `
example.com:
  - TXT: v=spf1 -all
  - TXT: "V=SPF1 ?all"
  - TXT: v=spf10 not an spf record
  - TXT: google-site-verification=abc
  - A: 192.0.2.1
timeout.example.com:
  - TIMEOUT
`)
	o := &Overlay{Base: z, Records: map[string]string{
		"example.com":         "v=spf1 a -all",
		"new.example.com":     "v=spf1 mx -all",
		"timeout.example.com": "v=spf1 ~all",
	}}
	tests := []struct {
		qtype, name string
		want        []string
		err         error
	}{
		{"TXT", "Example.COM.", []string{"v=spf10 not an spf record", "google-site-verification=abc", "v=spf1 a -all"}, nil},
		{"TXT", "new.example.com", []string{"v=spf1 mx -all"}, nil},
		{"TXT", "timeout.example.com", []string{"v=spf1 ~all"}, nil},
		{"A", "example.com", []string{"192.0.2.1"}, nil},
		{"A", "timeout.example.com", nil, ErrTimeout},
		{"A", "new.example.com", nil, spf.ErrNoSuchName},
	}
	for _, tt := range tests {
		got, err := lookup(o, tt.qtype, tt.name)
		if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) || !slices.Equal(got, tt.want) {
			t.Errorf("%s %s = %q, %v; want %q, %v", tt.qtype, tt.name, got, err, tt.want, tt.err)
		}
	}
}

func TestOnQuery(t *testing.T) {
	z := mustZone(t, testZoneData)
	var got []string
	z.OnQuery = func(qtype, name string, err error) {
		got = append(got, fmt.Sprintf("%s %s %v", qtype, name, err != nil))
	}
	lookup(z, "TXT", "spfonly.example.net")
	lookup(z, "A", "nowhere.example.net")
	lookup(z, "PTR", "192.0.2.3")
	want := []string{"TXT spfonly.example.net false", "A nowhere.example.net true", "PTR 3.2.0.192.in-addr.arpa false"}
	if !slices.Equal(got, want) {
		t.Errorf("OnQuery saw %q, want %q", got, want)
	}
}

// TestZoneConcurrentReads runs lookups from many goroutines: go test -race
// checks that reads share nothing mutable.
func TestZoneConcurrentReads(t *testing.T) {
	z := mustZone(t, testZoneData)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if txt, err := z.LookupTXT(context.Background(), "Alias.example.net."); err != nil || txt[0] != "v=spf1 a -all" {
					t.Errorf("LookupTXT = %q, %v", txt, err)
					return
				}
				lookup(z, "PTR", "2001:db8::3")
			}
		})
	}
	wg.Wait()
}

func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"example.com": "example.com", "Example.COM.": "example.com", "a.": "a", ".": "", "Ä.example": "Ä.example",
	} {
		if got := Canonical(in); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Canonical("mail.example.com") }); n != 0 {
		t.Errorf("Canonical allocates %v times for a canonical name", n)
	}
}

func TestLookupHitDoesNotAllocate(t *testing.T) {
	z := mustZone(t, testZoneData)
	ctx := context.Background()
	if n := testing.AllocsPerRun(100, func() { z.LookupTXT(ctx, "spfonly.example.net") }); n != 0 {
		t.Errorf("LookupTXT hit allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { z.LookupA(ctx, "alias.example.net") }); n != 0 {
		t.Errorf("LookupA through CNAME allocates %v times", n)
	}
}

func BenchmarkZoneLookup(b *testing.B) {
	z := mustZone(b, testZoneData)
	ctx := context.Background()
	b.Run("TXT", func(b *testing.B) {
		for b.Loop() {
			z.LookupTXT(ctx, "spfonly.example.net")
		}
	})
	b.Run("TXT-mixed-case", func(b *testing.B) {
		for b.Loop() {
			z.LookupTXT(ctx, "SPFonly.example.net.")
		}
	})
	b.Run("A-cname", func(b *testing.B) {
		for b.Loop() {
			z.LookupA(ctx, "alias.example.net")
		}
	})
	b.Run("MX", func(b *testing.B) {
		for b.Loop() {
			z.LookupMX(ctx, "mx.example.net")
		}
	})
	b.Run("NXDOMAIN", func(b *testing.B) {
		for b.Loop() {
			z.LookupA(ctx, "nowhere.example.net")
		}
	})
	ip := netip.MustParseAddr("192.0.2.3")
	b.Run("PTR", func(b *testing.B) {
		for b.Loop() {
			z.LookupPTR(ctx, ip)
		}
	})
}

func TestReverseName(t *testing.T) {
	for _, s := range []string{"192.0.2.3", "0.0.0.0", "255.255.255.255", "::ffff:198.51.100.7", "2001:db8::3", "::", "fe80::1:2:3:4"} {
		ip := netip.MustParseAddr(s)
		want, err := dns.ReverseAddr(ip.Unmap().String())
		if err != nil {
			t.Fatal(err)
		}
		if got := ReverseName(ip); got+"." != want {
			t.Errorf("ReverseName(%s) = %q, want %q", s, got, want)
		}
	}
	if got := ReverseName(netip.Addr{}); got != "" {
		t.Errorf("ReverseName(zero) = %q", got)
	}
}
