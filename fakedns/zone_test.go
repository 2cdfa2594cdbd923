package fakedns_test

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

	"spflab/fakedns"
	"spflab/fakedns/zonedata"
	"spflab/spf"
)

// Names of the package under test, short.
type (
	Zone   = fakedns.Zone
	Record = fakedns.Record
)

var (
	ErrTimeout  = fakedns.ErrTimeout
	ErrServFail = fakedns.ErrServFail
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
	z, err := zonedata.Parse([]byte(data), "test.yml")
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

func TestZoneRecords(t *testing.T) {
	z := mustZone(t, testZoneData)
	long := strings.Repeat("ip4:192.0.2.1 ", 30)
	tests := []struct {
		name string
		want []string // Record.String of each record
	}{
		// Character-strings of at most 255 octets.
		{"long.example.net", []string{`TXT "v=spf1 ` + long[:248] + `" "` + long[248:] + `-all"`}},
		// Escaped in the text, raw in the answer.
		{"escape.example.net", []string{`TXT "v=spf1 \195\175\194\187\194\191a \"q\" \\ -all"`}},
		{"both.example.net", []string{`TXT "v=spf1 -all"`, `SPF "v=spf1 ?all"`}},
		{"multi.example.net", []string{`SPF "v=spf1 ip4:" "192.0.2.5 -all"`, "SPF ", `TXT "v=spf1 ip4:" "192.0.2.5 -all"`, "TXT "}},
		{"mx.example.net", []string{"MX 20 b.example.net", "MX 10 a.example.net", "MX 20 c.example.net"}},
		{"nullmx.example.net", []string{"MX 0 ."}},
		{"mixed.case.example.net", []string{"A 192.0.2.3", "AAAA 2001:db8::3"}},
		{"3.2.0.192.in-addr.arpa", []string{"PTR mail.Example.net", "PTR www.example.net"}},
		{"alias.example.net", []string{"CNAME c2.example.net"}},
		{"empty.example.net", nil},
		{"nowhere.example.net", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, r := range z.Records(tt.name) {
			got = append(got, r.String())
			if r.TTL != 300 || !strings.EqualFold(r.Name, tt.name) {
				t.Errorf("%s: record %+v: want TTL 300 and the owner's name", tt.name, r)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Records(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestRecordStringIsPrintable: whatever octets a zone holds, in names or
// text, the canonical text of its records has none that a terminal
// obeys, and the lookups still return those octets.
func TestRecordStringIsPrintable(t *testing.T) {
	hostile := "a\x1b]52;c;aGk=\x07\r\n\x9b2J\xc2\x85\x00\x7f"
	owner := "evil\x1b[2J.example.net"
	z := fakedns.NewZone()
	z.AddTXT(owner, hostile)
	z.AddMX(owner, 10, "mx"+hostile+".example.net")
	z.AddPTR(owner, hostile+".example.net")
	z.AddSPF(owner, hostile)
	z.AddCNAME("alias.example.net", hostile+".example.net")
	recs := append(z.Records(owner), z.Records("alias.example.net")...)
	if len(recs) != 5 {
		t.Fatalf("%d records, want 5: %v", len(recs), recs)
	}
	for _, r := range recs {
		for _, s := range []string{r.Name, r.String()} {
			if i := strings.IndexFunc(s, func(c rune) bool { return c < ' ' || c > '~' }); i >= 0 {
				t.Errorf("%q has %q at %d", s, s[i], i)
			}
		}
		if !strings.Contains(r.String(), `a\027]52`) {
			t.Errorf("%q: want the ESC as \\027", r)
		}
	}
	if got, want := recs[0].Name, `evil\027[2J.example.net`; got != want {
		t.Errorf("owner %q, want %q", got, want)
	}
	if got, want := recs[0].String(), `TXT "a\027]52;c;aGk=\007\013\010\1552J\194\133\000\127"`; got != want {
		t.Errorf("TXT record %s, want %s", got, want)
	}
	if txt, _ := z.LookupTXT(context.Background(), owner); len(txt) != 1 || txt[0] != hostile {
		t.Errorf("LookupTXT = %q, want %q", txt, hostile)
	}
	if mx, _ := z.LookupMX(context.Background(), owner); len(mx) != 1 || mx[0] != "mx"+hostile+".example.net" {
		t.Errorf("LookupMX = %q", mx)
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

func TestLoadZoneFile(t *testing.T) {
	f, err := os.Open("testdata/euston.net.zone")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := fakedns.LoadZoneFile(f, "euston.net.zone", "")
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
	var got []string
	for _, r := range z.Records("Euston.NET.") {
		got = append(got, fmt.Sprintf("%s %d %s", r.Name, r.TTL, r))
	}
	if want := []string{
		"euston.net 3600 SOA gw.euston.net root.gw.euston.net 2008010800 3600 900 3600000 3600",
		"euston.net 3600 NS ns1.euston.net", "euston.net 3600 NS ns2.euston.net",
		"euston.net 3600 MX 10 mail.euston.net", `euston.net 3600 TXT "v=spf1 ip4:192.0.2.25 -all"`,
	}; !slices.Equal(got, want) {
		t.Errorf("Records(euston.net) =\n%q\nwant\n%q", got, want)
	}

	bad := "$ORIGIN example.org.\n@ IN TXT \"ok\"\nwww IN A 192.0.2.1\nmail IN A not-an-address\n"
	_, err = fakedns.LoadZoneFile(strings.NewReader(bad), "bad.zone", "")
	if err == nil || !strings.Contains(err.Error(), "bad.zone") || !strings.Contains(err.Error(), "line: 4") {
		t.Errorf("bad zone file: error %v, want one naming bad.zone line 4", err)
	}
}

func TestZoneAddAndMerge(t *testing.T) {
	z := fakedns.NewZone()
	z.AddTXT("Example.ORG.", "v=spf1 ", "include:_spf.example.org", " -all")
	z.AddTXT("example.org", "other")
	z.AddMX("example.org", 5, "mx.example.org.")
	z.AddPTR("4.2.0.192.in-addr.arpa", "mx.example.org")
	z.AddAddr("mx.example.org", netip.MustParseAddr("192.0.2.4"))
	z.AddAddr("mx.example.org", netip.MustParseAddr("2001:db8::4"))
	z.AddAddr("mx.example.org", netip.Addr{}) // nothing
	z.AddCNAME("www.example.org", "MX.example.org.")
	z.AddName("empty.example.org")
	z.AddTXT("replaced.example.org", "v=spf1 -all")
	other := mustZone(t, "_spf.example.org:\n  - SPF: v=spf1 ip4:192.0.2.4 -all\nslow.example.org:\n  - TIMEOUT\n")
	z.Merge(other)
	z.Replace(mustZone(t, "replaced.example.org:\n  - A: 192.0.2.9\n"))
	tests := []struct {
		qtype, name string
		want        []string
		err         error
	}{
		{"TXT", "example.org", []string{"v=spf1 include:_spf.example.org -all", "other"}, nil},
		{"MX", "example.org", []string{"mx.example.org"}, nil},
		{"PTR", "192.0.2.4", []string{"mx.example.org"}, nil},
		{"A", "www.example.org", []string{"192.0.2.4"}, nil},
		{"AAAA", "WWW.example.org.", []string{"2001:db8::4"}, nil},
		{"TXT", "_spf.example.org", []string{"v=spf1 ip4:192.0.2.4 -all"}, nil},
		{"A", "slow.example.org", nil, ErrTimeout},
		{"A", "example.org", nil, spf.ErrNoData},
		{"A", "empty.example.org", nil, spf.ErrNoData},
		{"A", "replaced.example.org", []string{"192.0.2.9"}, nil},
		{"TXT", "replaced.example.org", nil, spf.ErrNoData},
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

func TestWithDrafts(t *testing.T) {
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
	if fakedns.WithDrafts(z, nil) != spf.Resolver(z) {
		t.Error("WithDrafts with no drafts is not the base")
	}
	o := fakedns.WithDrafts(z, map[string]string{
		"Example.COM.":        "v=spf1 a -all",
		"new.example.com":     "v=spf1 mx -all",
		"timeout.example.com": "v=spf1 ~all",
	})
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
	// Twice, and each twice in a row: an answer kept for one name is not
	// given for another.
	for range 2 {
		for _, tt := range tests {
			for range 2 {
				got, err := lookup(o, tt.qtype, tt.name)
				if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) || !slices.Equal(got, tt.want) {
					t.Errorf("%s %s = %q, %v; want %q, %v", tt.qtype, tt.name, got, err, tt.want, tt.err)
				}
			}
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
		if got := fakedns.Canonical(in); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { fakedns.Canonical("mail.example.com") }); n != 0 {
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
		if got := fakedns.ReverseName(ip); got+"." != want {
			t.Errorf("ReverseName(%s) = %q, want %q", s, got, want)
		}
	}
	if got := fakedns.ReverseName(netip.Addr{}); got != "" {
		t.Errorf("ReverseName(zero) = %q", got)
	}
}

func TestParseReverseName(t *testing.T) {
	tests := []struct {
		name string
		want string // "" for not a reverse name
	}{
		{"80.2.0.192.in-addr.arpa", "192.0.2.80"},
		{"80.2.0.192.IN-ADDR.ARPA.", "192.0.2.80"},
		{"0.0.0.0.in-addr.arpa", "0.0.0.0"},
		{"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "2001:db8::1"},
		{"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.IP6.ARPA.", "2001:db8::1"},
		{"2.0.192.in-addr.arpa", ""},
		{"1.80.2.0.192.in-addr.arpa", ""},
		{"256.2.0.192.in-addr.arpa", ""},
		{"080.2.0.192.in-addr.arpa", ""}, // not how ReverseName writes 80
		{"+8.2.0.192.in-addr.arpa", ""},
		{"8..0.192.in-addr.arpa", ""},
		{"0.0.0.0..in-Addr.ArpA", ""}, // an empty label before the suffix (found by FuzzParseReverseName)
		{"in-addr.arpa", ""},
		{"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.g.ip6.arpa", ""},
		{"10.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", ""},
		{"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", ""},
		{"euston.net", ""},
		{"", ""},
	}
	for _, tt := range tests {
		ip, ok := fakedns.ParseReverseName(tt.name)
		got := ""
		if ok {
			got = ip.String()
		}
		if got != tt.want {
			t.Errorf("ParseReverseName(%q) = %q, %v; want %q", tt.name, got, ok, tt.want)
		}
	}
}

// FuzzParseReverseName: a name ParseReverseName accepts is the reverse
// name of the address it returns, and every address's reverse name parses
// back to it.
func FuzzParseReverseName(f *testing.F) {
	f.Add("80.2.0.192.in-addr.arpa")
	f.Add("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.")
	f.Fuzz(func(t *testing.T, name string) {
		if ip, ok := fakedns.ParseReverseName(name); ok && fakedns.ReverseName(ip) != fakedns.Canonical(name) {
			t.Fatalf("ParseReverseName(%q) = %s, whose reverse name is %s", name, ip, fakedns.ReverseName(ip))
		}
		// The name's octets read as an address, the other way round.
		var b [16]byte
		copy(b[:], name)
		for _, ip := range []netip.Addr{netip.AddrFrom16(b), netip.AddrFrom4([4]byte(b[:4]))} {
			if back, ok := fakedns.ParseReverseName(fakedns.ReverseName(ip)); !ok || back != ip.Unmap() {
				t.Fatalf("ParseReverseName(ReverseName(%s)) = %s, %v", ip, back, ok)
			}
		}
	})
}
