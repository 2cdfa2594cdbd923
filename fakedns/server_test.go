package fakedns_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"spflab/fakedns"
)

// liveZoneData is the zone the server tests serve on loopback.
var liveZoneData = `
example.com:
  - TXT: v=spf1 include:_spf.example.com -all
  - TXT: other text
  - MX: [20, mx2.example.com]
  - MX: [10, mx1.example.com]
_spf.example.com:
  - SPF: v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all
mx1.example.com:
  - A: 192.0.2.10
  - AAAA: 2001:db8::10
www.example.com:
  - CNAME: web.example.com
web.example.com:
  - CNAME: mx1.example.com.
dangling.example.com:
  - CNAME: nowhere.example.com
big.example.com:
  - TXT: "v=spf1 ` + strings.Repeat("ip4:198.51.100.1 ", 180) + `-all"
medium.example.com:
  - TXT: "v=spf1 ` + strings.Repeat("ip4:198.51.100.1 ", 50) + `-all"
slow.example.com:
  - A: 192.0.2.20
  - TIMEOUT
broken.example.com:
  - SERVFAIL
10.2.0.192.in-addr.arpa:
  - PTR: mx1.example.com
0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa:
  - PTR: mx1.example.com.
"space name.example.com":
  - TXT: v=spf1 -all
`

// serveTest serves the live zone plus euston.net on loopback.
func serveTest(t testing.TB) *fakedns.Server {
	t.Helper()
	z := mustZone(t, liveZoneData)
	f, err := os.Open("testdata/euston.net.zone")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	euston, err := fakedns.LoadZoneFile(f, "euston.net.zone", "")
	if err != nil {
		t.Fatal(err)
	}
	z.Merge(euston)
	z.TimeoutErrorNames = true
	srv, err := fakedns.Serve(z, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// exchange sends m to the server over netw with the miekg/dns client.
func exchange(t *testing.T, srv *fakedns.Server, netw string, m *dns.Msg) *dns.Msg {
	t.Helper()
	c := &dns.Client{Net: netw, Timeout: 300 * time.Millisecond}
	resp, _, err := c.Exchange(m, srv.Addr())
	if err != nil {
		t.Fatalf("%s %v: %v", netw, m.Question, err)
	}
	return resp
}

func TestServerAnswers(t *testing.T) {
	srv := serveTest(t)
	q := func(name string, qtype uint16) *dns.Msg { return new(dns.Msg).SetQuestion(dns.Fqdn(name), qtype) }

	r := exchange(t, srv, "udp", q("euston.net", dns.TypeTXT))
	if !r.Authoritative || r.Rcode != dns.RcodeSuccess || len(r.Answer) != 1 {
		t.Errorf("TXT euston.net: AA %v rcode %s answers %d", r.Authoritative, dns.RcodeToString[r.Rcode], len(r.Answer))
	}
	// NXDOMAIN and NODATA both carry a SOA: the zone's own for euston.net.
	for _, tt := range []struct {
		name  string
		qtype uint16
		rcode int
		soa   string
	}{
		{"nowhere.euston.net", dns.TypeA, dns.RcodeNameError, "euston.net."},
		{"www.euston.net", dns.TypeMX, dns.RcodeSuccess, "euston.net."},
		{"a.b.nowhere.example.com", dns.TypeA, dns.RcodeNameError, "b.nowhere.example.com."},
		{"mx1.example.com", dns.TypeTXT, dns.RcodeSuccess, "example.com."},
	} {
		r := exchange(t, srv, "udp", q(tt.name, tt.qtype))
		if r.Rcode != tt.rcode || len(r.Answer) != 0 || len(r.Ns) != 1 || r.Ns[0].Header().Rrtype != dns.TypeSOA || r.Ns[0].Header().Name != tt.soa {
			t.Errorf("%s %s: rcode %s, answer %v, authority %v; want %s and the SOA of %s",
				dns.TypeToString[tt.qtype], tt.name, dns.RcodeToString[r.Rcode], r.Answer, r.Ns, dns.RcodeToString[tt.rcode], tt.soa)
		}
	}
	// The CNAME chain is in the answer.
	r = exchange(t, srv, "udp", q("www.example.com", dns.TypeA))
	var types []string
	for _, rr := range r.Answer {
		types = append(types, dns.TypeToString[rr.Header().Rrtype])
	}
	if want := []string{"CNAME", "CNAME", "A"}; !slices.Equal(types, want) {
		t.Errorf("A www.example.com answered %v, want %v", types, want)
	}
	// A big TXT: truncated over UDP at 512 octets, whole over TCP, in
	// character-strings of at most 255 octets.
	r = exchange(t, srv, "udp", q("big.example.com", dns.TypeTXT))
	if !r.Truncated {
		t.Error("big TXT over UDP: TC not set")
	}
	if n := r.Len(); n > dns.MinMsgSize {
		t.Errorf("big TXT over UDP: %d octets, more than 512", n)
	}
	r = exchange(t, srv, "tcp", q("big.example.com", dns.TypeTXT))
	if r.Truncated || len(r.Answer) != 1 {
		t.Fatalf("big TXT over TCP: TC %v, %d answers", r.Truncated, len(r.Answer))
	}
	for _, s := range r.Answer[0].(*dns.TXT).Txt {
		if len(s) > 255 {
			t.Errorf("a character-string of %d octets", len(s))
		}
	}
	// SERVFAIL, REFUSED for another class, NOTIMP for another opcode.
	if r := exchange(t, srv, "udp", q("broken.example.com", dns.TypeA)); r.Rcode != dns.RcodeServerFailure {
		t.Errorf("broken.example.com: rcode %s, want SERVFAIL", dns.RcodeToString[r.Rcode])
	}
	m := q("example.com", dns.TypeTXT)
	m.Question[0].Qclass = dns.ClassCHAOS
	if r := exchange(t, srv, "udp", m); r.Rcode != dns.RcodeRefused {
		t.Errorf("class CH: rcode %s, want REFUSED", dns.RcodeToString[r.Rcode])
	}
	m = q("example.com", dns.TypeSOA)
	m.Opcode = dns.OpcodeNotify
	if r := exchange(t, srv, "udp", m); r.Rcode != dns.RcodeNotImplemented {
		t.Errorf("NOTIFY: rcode %s, want NOTIMP", dns.RcodeToString[r.Rcode])
	}
}

func TestServerTimeoutAndGarbage(t *testing.T) {
	srv := serveTest(t)
	c := &dns.Client{Net: "udp", Timeout: 200 * time.Millisecond}
	_, _, err := c.Exchange(new(dns.Msg).SetQuestion("slow.example.com.", dns.TypeTXT), srv.Addr())
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("TXT slow.example.com: %v, want a timeout", err)
	}
	// Garbage and truncated packets: no crash, and the next query is served.
	conn, err := net.Dial("udp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	good, _ := new(dns.Msg).SetQuestion("euston.net.", dns.TypeTXT).Pack()
	for _, junk := range [][]byte{{}, {1, 2, 3}, good[:len(good)-3], append(slices.Clone(good[:12]), 0xff, 0xff, 0xff)} {
		conn.Write(junk)
	}
	tcp, err := net.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	tcp.Write([]byte{0, 5, 1, 2, 3, 4, 5})
	tcp.Close()
	for _, netw := range []string{"udp", "tcp"} {
		if r := exchange(t, srv, netw, new(dns.Msg).SetQuestion("euston.net.", dns.TypeTXT)); len(r.Answer) != 1 {
			t.Errorf("%s after garbage: %v", netw, r)
		}
	}
}

// TestServerUDPCap: over UDP an answer is at most 512 octets without
// EDNS0, else the client's size up to 1232 whatever it offers, with TC
// set beyond; TCP carries it whole.
func TestServerUDPCap(t *testing.T) {
	srv := serveTest(t)
	tests := []struct {
		name    string
		edns    uint16 // 0: no EDNS0
		netw    string
		limit   int
		trunc   bool
		answers int
	}{
		{"medium.example.com", 0, "udp", 512, true, 0},
		{"medium.example.com", 1232, "udp", 1232, false, 1},
		{"medium.example.com", 600, "udp", 600, true, 0},
		{"medium.example.com", 100, "udp", 512, true, 0}, // below 512 counts as 512 (RFC 6891 §6.2.5)
		{"big.example.com", 4096, "udp", 1232, true, 0},
		{"big.example.com", 65535, "udp", 1232, true, 0},
		{"big.example.com", 65535, "tcp", dns.MaxMsgSize, false, 1},
	}
	for _, tt := range tests {
		m := new(dns.Msg).SetQuestion(tt.name+".", dns.TypeTXT)
		if tt.edns > 0 {
			m.SetEdns0(tt.edns, false)
		}
		r := exchange(t, srv, tt.netw, m)
		if r.Truncated != tt.trunc || len(r.Answer) != tt.answers || r.Len() > tt.limit {
			t.Errorf("%s over %s with EDNS0 %d: TC %v, %d answers, %d octets; want TC %v, %d answers, at most %d",
				tt.name, tt.netw, tt.edns, r.Truncated, len(r.Answer), r.Len(), tt.trunc, tt.answers, tt.limit)
		}
		if opt := r.IsEdns0(); (opt != nil) != (tt.edns > 0) || opt != nil && opt.UDPSize() != fakedns.MaxUDPSize {
			t.Errorf("%s with EDNS0 %d: OPT %v, want one offering %d", tt.name, tt.edns, opt, fakedns.MaxUDPSize)
		}
	}
}

// TestServerANY: ANY gets one small answer (RFC 8482), never every
// record of the name.
func TestServerANY(t *testing.T) {
	srv := serveTest(t)
	tests := []struct {
		name  string
		rcode int
		want  []string // the answer section, by record
		soa   bool     // a SOA in the authority section
	}{
		{"big.example.com", dns.RcodeSuccess, []string{"big.example.com.\t300\tIN\tHINFO\t\"RFC8482\" \"\""}, false},
		{"Example.COM", dns.RcodeSuccess, []string{"Example.COM.\t300\tIN\tHINFO\t\"RFC8482\" \"\""}, false},
		{"www.example.com", dns.RcodeSuccess, []string{"www.example.com.\t300\tIN\tCNAME\tweb.example.com."}, false},
		{"nowhere.example.com", dns.RcodeNameError, nil, true},
		{"broken.example.com", dns.RcodeServerFailure, nil, false},
	}
	for _, tt := range tests {
		for _, netw := range []string{"udp", "tcp"} {
			m := new(dns.Msg).SetQuestion(tt.name+".", dns.TypeANY)
			m.SetEdns0(65535, false)
			r := exchange(t, srv, netw, m)
			var got []string
			for _, rr := range r.Answer {
				got = append(got, rr.String())
			}
			if r.Rcode != tt.rcode || !slices.Equal(got, tt.want) || (len(r.Ns) == 1) != tt.soa || r.Truncated {
				t.Errorf("ANY %s over %s: %s %q, authority %v, TC %v; want %s %q",
					tt.name, netw, dns.RcodeToString[r.Rcode], got, r.Ns, r.Truncated, dns.RcodeToString[tt.rcode], tt.want)
			}
		}
	}
	// What a 40-octet query draws now: far less than the 3 KB TXT.
	m := new(dns.Msg).SetQuestion("big.example.com.", dns.TypeANY)
	m.SetEdns0(65535, false)
	if r := exchange(t, srv, "udp", m); r.Len() > 100 {
		t.Errorf("ANY big.example.com: %d octets", r.Len())
	}
}

// TestServerOnQuery: every query reaches OnQuery, worded once, over UDP
// and TCP, from the server's own UDP readers (an address of its own, IPv4
// or IPv6) and from miekg/dns's (a host name, as on an unspecified
// address).
func TestServerOnQuery(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0", "localhost:0"} {
		t.Run(addr, func(t *testing.T) {
			t.Parallel()
			testServerOnQuery(t, addr)
		})
	}
}

func testServerOnQuery(t *testing.T, addr string) {
	z := mustZone(t, liveZoneData)
	z.TimeoutErrorNames = true
	var mu sync.Mutex
	var seen []fakedns.Query
	srv := &fakedns.Server{Zone: z, OnQuery: func(q fakedns.Query) {
		mu.Lock()
		seen = append(seen, q)
		mu.Unlock()
	}}
	if err := srv.Start(addr); err != nil {
		if addr == "[::1]:0" {
			t.Skipf("no IPv6 loopback here: %v", err)
		}
		t.Fatal(err)
	}
	defer srv.Close()
	host, _, _ := net.SplitHostPort(srv.Addr())
	client := net.JoinHostPort(host, "")
	c := &dns.Client{Timeout: 200 * time.Millisecond}
	for _, q := range []struct {
		netw, name string
		qtype      uint16
	}{
		{"udp", "big.example.com.", dns.TypeTXT},
		{"tcp", "big.example.com.", dns.TypeTXT},
		{"udp", "nowhere.example.com.", dns.TypeA},
		{"udp", "mx1.example.com.", dns.TypeMX},
		{"udp", "www.example.com.", dns.TypeA},
		{"udp", "slow.example.com.", dns.TypeTXT},
	} {
		c.Net = q.netw
		c.Exchange(new(dns.Msg).SetQuestion(q.name, q.qtype), srv.Addr())
	}
	mu.Lock()
	defer mu.Unlock()
	var got []string
	for _, q := range seen {
		if !strings.HasPrefix(q.Client, client) || !strings.HasPrefix(q.String(), q.Net+" "+q.Client+" ") {
			t.Errorf("query %q from %q, want a client at %s", q, q.Client, client)
		}
		got = append(got, strings.Replace(q.String(), " "+q.Client, "", 1))
	}
	// The hook runs after the answer is sent, on the goroutine that read
	// the query: a sequential client's queries may be reported out of order.
	bigTXT := "TXT " + quoted("v=spf1 "+strings.Repeat("ip4:198.51.100.1 ", 180)+"-all")
	want := []string{
		"tcp TXT big.example.com. → NOERROR: " + bigTXT,
		"udp A nowhere.example.com. → NXDOMAIN",
		"udp A www.example.com. → NOERROR: CNAME web.example.com, CNAME mx1.example.com, A 192.0.2.10",
		"udp MX mx1.example.com. → NOERROR, no records of that type",
		"udp TXT big.example.com. → NOERROR: " + bigTXT + " (truncated: retry over TCP)",
		"udp TXT slow.example.com. → no answer (the zone times this name out)",
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("OnQuery saw\n%q\nwant\n%q", got, want)
	}
}

// quoted is the presentation form of printable raw text as the zone
// stores it: character-strings of 255 octets.
func quoted(raw string) string {
	var strs []string
	for len(raw) > 255 {
		strs, raw = append(strs, `"`+raw[:255]+`"`), raw[255:]
	}
	return strings.Join(append(strs, `"`+raw+`"`), " ")
}

func TestQueryString(t *testing.T) {
	tests := []struct {
		q    fakedns.Query
		want string
	}{
		{fakedns.Query{Net: "udp", Client: "127.0.0.1:5300", Name: "euston.net.", Type: "TXT", Rcode: "NOERROR",
			Answer: []fakedns.Record{{Name: "euston.net", Type: "TXT", TTL: 300, Data: `"v=spf1 ip4:192.0.2.25 -all"`}}},
			`udp 127.0.0.1:5300 TXT euston.net. → NOERROR: TXT "v=spf1 ip4:192.0.2.25 -all"`},
		{fakedns.Query{Net: "tcp", Client: "[::1]:5300", Name: "euston.net.", Type: "AAAA", Rcode: "NOERROR"},
			"tcp [::1]:5300 AAAA euston.net. → NOERROR, no records of that type"},
		{fakedns.Query{Net: "udp", Client: "c", Name: "x.", Type: "A", Rcode: "SERVFAIL", Truncated: true},
			"udp c A x. → SERVFAIL (truncated: retry over TCP)"},
		{fakedns.Query{Net: "udp", Client: "c", Name: "a\x1b]0;pwned\x07.", Type: "A"},
			`udp c A a\027]0;pwned\007. → no answer (the zone times this name out)`},
	}
	for _, tt := range tests {
		if got := tt.q.String(); got != tt.want {
			t.Errorf("String() = %s\nwant       %s", got, tt.want)
		}
	}
}

func TestServeAddressTaken(t *testing.T) {
	srv := serveTest(t)
	_, err := fakedns.Serve(fakedns.NewZone(), srv.Addr())
	if err == nil || !strings.Contains(err.Error(), srv.Addr()) || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("second server on %s: error %v, want address already in use", srv.Addr(), err)
	}
	if _, err := fakedns.Serve(fakedns.NewZone(), "127.0.0.1"); err == nil {
		t.Error("an address without a port: no error")
	}
}

// TestDigInterop asks the server with dig, the reference client.
func TestDigInterop(t *testing.T) {
	dig, err := exec.LookPath("dig")
	if err != nil {
		if os.Getenv("SPFLAB_REQUIRE_INTEROP") == "1" {
			t.Fatal("dig is not installed (apt-get install bind9-dnsutils)")
		}
		t.Skip("dig is not installed (apt-get install bind9-dnsutils); skipping the interop test")
	}
	srv := serveTest(t)
	host, port, _ := net.SplitHostPort(srv.Addr())
	tests := []struct {
		args []string
		want []string // substrings of dig's output
	}{
		{[]string{"TXT", "euston.net"}, []string{"status: NOERROR", "flags: qr aa", "euston.net.\t\t3600\tIN\tTXT\t\"v=spf1 ip4:192.0.2.25 -all\""}},
		{[]string{"MX", "example.com"}, []string{"IN\tMX\t10 mx1.example.com.", "IN\tMX\t20 mx2.example.com."}},
		{[]string{"-x", "192.0.2.25"}, []string{"25.2.0.192.in-addr.arpa. 3600\tIN\tPTR\tmail.euston.net."}},
		{[]string{"A", "nowhere.euston.net"}, []string{"status: NXDOMAIN", "euston.net.\t\t3600\tIN\tSOA\tgw.euston.net. root.gw.euston.net. 2008010800"}},
		{[]string{"AAAA", "mail.euston.net"}, []string{"status: NOERROR", "ANSWER: 0", "AUTHORITY: 1"}},
		{[]string{"TXT", "big.example.com", "+noedns"}, []string{"Truncated, retrying in TCP mode", "ANSWER: 1"}},
		{[]string{"TXT", "big.example.com", "+bufsize=4096"}, []string{"Truncated, retrying in TCP mode", "ANSWER: 1"}},
		{[]string{"ANY", "euston.net"}, []string{"ANSWER: 1", "IN\tHINFO\t\"RFC8482\" \"\""}},
		{[]string{"A", "www.example.com"}, []string{"www.example.com.\t300\tIN\tCNAME\tweb.example.com.", "mx1.example.com.\t300\tIN\tA\t192.0.2.10"}},
	}
	for _, tt := range tests {
		args := append([]string{"@" + host, "-p", port, "+time=1", "+tries=1"}, tt.args...)
		out, err := exec.Command(dig, args...).CombinedOutput()
		if err != nil {
			t.Errorf("dig %s: %v\n%s", strings.Join(args, " "), err, out)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("dig %s: output lacks %q:\n%s", strings.Join(args, " "), w, out)
			}
		}
	}
}

// BenchmarkServer measures the queries per second the server answers to
// parallel miekg/dns clients over UDP on loopback.
func BenchmarkServer(b *testing.B) {
	addr := serveTest(b).Addr()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		cl := &dns.Client{Net: "udp", Timeout: time.Second}
		conn, err := cl.Dial(addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer conn.Close()
		m := new(dns.Msg).SetQuestion("example.com.", dns.TypeTXT)
		for pb.Next() {
			if _, _, err := cl.ExchangeWithConn(m, conn); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}

// TestServerRateLimit: past RateLimit a second, a UDP client gets small
// empty answers with TC set (so a real client retries over TCP, and a
// forged source amplifies nothing); TCP is answered whole.
func TestServerRateLimit(t *testing.T) {
	z := mustZone(t, liveZoneData)
	var limited atomic.Int64
	srv := &fakedns.Server{Zone: z, RateLimit: 5, OnQuery: func(q fakedns.Query) {
		if q.RateLimited {
			limited.Add(1)
		}
	}}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	const queries = 50
	start := time.Now()
	answered := 0
	for range queries {
		m := new(dns.Msg).SetQuestion("medium.example.com.", dns.TypeTXT)
		m.SetEdns0(4096, false)
		r := exchange(t, srv, "udp", m)
		switch {
		case len(r.Answer) > 0:
			answered++
		case !r.Truncated || r.Len() > 100:
			t.Fatalf("a limited answer: TC %v, %d octets; want TC and a small message", r.Truncated, r.Len())
		}
	}
	// A bucket of 5 refilled at 5 a second: never more than that.
	if most := 5 + int(5*time.Since(start).Seconds()) + 1; answered > most {
		t.Errorf("%d of %d UDP queries answered in %v, want at most %d", answered, queries, time.Since(start), most)
	}
	if answered == 0 {
		t.Error("no query answered: the burst should pass")
	}
	r := exchange(t, srv, "tcp", new(dns.Msg).SetQuestion("big.example.com.", dns.TypeTXT))
	if len(r.Answer) != 1 || r.Truncated {
		t.Errorf("over TCP: %d answers, TC %v; want the answer", len(r.Answer), r.Truncated)
	}
	srv.Shutdown(context.Background())
	if got := limited.Load(); got != int64(queries-answered) {
		t.Errorf("OnQuery saw %d rate-limited queries, want %d", got, queries-answered)
	}
}
