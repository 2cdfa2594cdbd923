package fakedns

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"spflab/spf"
)

// liveZoneData is "the rest of the world" the client tests resolve over
// loopback DNS.
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

// serveTest serves the live zone plus euston.net on loopback and returns
// the server and a client of it.
func serveTest(t testing.TB) (*Server, *Client) {
	t.Helper()
	z := mustZone(t, liveZoneData)
	f, err := os.Open("testdata/euston.net.zone")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	euston, err := LoadZoneFile(f, "euston.net.zone", "")
	if err != nil {
		t.Fatal(err)
	}
	z.Merge(euston)
	z.TimeoutErrorNames = true
	srv, err := Serve(z, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c := NewClient(srv.Addr())
	c.Timeout = 300 * time.Millisecond
	return srv, c
}

func TestClientAgainstServer(t *testing.T) {
	_, c := serveTest(t)
	tests := []struct {
		qtype, name string
		want        []string
		err         error
	}{
		{"TXT", "example.com", []string{"v=spf1 include:_spf.example.com -all", "other text"}, nil},
		{"TXT", "_spf.example.com", []string{"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all"}, nil},
		{"TXT", "Euston.NET.", []string{"v=spf1 ip4:192.0.2.25 -all"}, nil},
		{"TXT", "big.example.com", []string{"v=spf1 " + strings.Repeat("ip4:198.51.100.1 ", 180) + "-all"}, nil}, // TC, then TCP
		{"TXT", "space name.example.com", []string{"v=spf1 -all"}, nil},
		{"MX", "example.com", []string{"mx1.example.com", "mx2.example.com"}, nil},
		{"A", "mx1.example.com", []string{"192.0.2.10"}, nil},
		{"AAAA", "mx1.example.com", []string{"2001:db8::10"}, nil},
		{"A", "www.example.com", []string{"192.0.2.10"}, nil}, // two CNAMEs
		{"A", "dangling.example.com", nil, spf.ErrNoSuchName},
		{"TXT", "www.example.com", nil, spf.ErrNoData},
		{"PTR", "192.0.2.10", []string{"mx1.example.com"}, nil},
		{"PTR", "2001:db8::10", []string{"mx1.example.com"}, nil},
		{"PTR", "192.0.2.11", nil, spf.ErrNoSuchName},
		{"A", "nowhere.example.com", nil, spf.ErrNoSuchName},
		{"AAAA", "example.com", nil, spf.ErrNoData},
		{"A", "slow.example.com", []string{"192.0.2.20"}, nil},
		{"TXT", "slow.example.com", nil, spf.ErrTemporary},
		{"TXT", "error.example.com", nil, spf.ErrTemporary},
		{"A", "broken.example.com", nil, spf.ErrTemporary},
	}
	for _, tt := range tests {
		t.Run(tt.qtype+" "+tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := lookup(c, tt.qtype, tt.name)
			if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			var de *spf.DNSError
			if err != nil && (!errors.As(err, &de) || de.QType != tt.qtype) {
				t.Errorf("error %#v is not a *spf.DNSError for %s", err, tt.qtype)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestClientErrorsNameTheServer(t *testing.T) {
	srv, c := serveTest(t)
	for _, tt := range []struct{ name, want string }{
		{"slow.example.com", "no answer from " + srv.Addr() + " over udp: i/o timeout"},
		{"broken.example.com", "SERVFAIL from " + srv.Addr()},
	} {
		_, err := c.LookupTXT(context.Background(), tt.name)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.name) {
			t.Errorf("TXT %s: error %v, want one naming the name and %q", tt.name, err, tt.want)
		}
	}
	// A port nobody listens on: refused at once, a temporary error.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := pc.LocalAddr().String()
	pc.Close()
	_, err = NewClient(dead).LookupA(context.Background(), "example.com")
	if !errors.Is(err, spf.ErrTemporary) || !strings.Contains(err.Error(), dead) {
		t.Errorf("unreachable server: error %v, want a temporary error naming %s", err, dead)
	}
	// With two servers, the live one answers after the dead one fails.
	two := NewClient(dead, srv.Addr())
	if txt, err := two.LookupTXT(context.Background(), "euston.net"); err != nil || len(txt) != 1 {
		t.Errorf("second server: %q, %v", txt, err)
	}
}

// exchange sends m to the server over netw with the miekg/dns client.
func exchange(t *testing.T, srv *Server, netw string, m *dns.Msg) *dns.Msg {
	t.Helper()
	c := &dns.Client{Net: netw, Timeout: 300 * time.Millisecond}
	resp, _, err := c.Exchange(m, srv.Addr())
	if err != nil {
		t.Fatalf("%s %v: %v", netw, m.Question, err)
	}
	return resp
}

func TestServerAnswers(t *testing.T) {
	srv, _ := serveTest(t)
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
	// EDNS0 raises the UDP limit.
	m := q("big.example.com", dns.TypeTXT)
	m.SetEdns0(4096, false)
	if r := exchange(t, srv, "udp", m); r.Truncated || len(r.Answer) != 1 || r.IsEdns0() == nil {
		t.Errorf("big TXT with EDNS0 4096: TC %v, %d answers, OPT %v", r.Truncated, len(r.Answer), r.IsEdns0())
	}
	// SERVFAIL, REFUSED for another class, NOTIMP for another opcode.
	if r := exchange(t, srv, "udp", q("broken.example.com", dns.TypeA)); r.Rcode != dns.RcodeServerFailure {
		t.Errorf("broken.example.com: rcode %s, want SERVFAIL", dns.RcodeToString[r.Rcode])
	}
	m = q("example.com", dns.TypeTXT)
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
	srv, _ := serveTest(t)
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

func TestServerOnQuery(t *testing.T) {
	z := mustZone(t, liveZoneData)
	var mu sync.Mutex
	var seen []Query
	srv := &Server{Zone: z, OnQuery: func(q Query) {
		mu.Lock()
		seen = append(seen, q)
		mu.Unlock()
	}}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := NewClient(srv.Addr())
	c.UDPSize = 512 // no EDNS0: the big TXT is truncated at 512
	c.Timeout = 200 * time.Millisecond
	c.LookupTXT(context.Background(), "big.example.com")
	c.LookupA(context.Background(), "nowhere.example.com")
	c.LookupTXT(context.Background(), "slow.example.com")
	mu.Lock()
	defer mu.Unlock()
	var got []string
	for _, q := range seen {
		got = append(got, strings.Join([]string{q.Net, q.Type, q.Name, q.Rcode, map[bool]string{true: "TC"}[q.Truncated]}, " "))
		if !strings.HasPrefix(q.Client, "127.0.0.1:") {
			t.Errorf("client %q", q.Client)
		}
	}
	// The hook runs after the answer is sent, on the query's goroutine:
	// a sequential client's queries may be reported out of order.
	want := []string{
		"tcp TXT big.example.com. NOERROR ",
		"udp A nowhere.example.com. NXDOMAIN ",
		"udp TXT big.example.com. NOERROR TC",
		"udp TXT slow.example.com.  ",
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("OnQuery saw\n%q\nwant\n%q", got, want)
	}
}

func TestServeAddressTaken(t *testing.T) {
	srv, _ := serveTest(t)
	_, err := Serve(NewZone(), srv.Addr())
	if err == nil || !strings.Contains(err.Error(), srv.Addr()) || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("second server on %s: error %v, want address already in use", srv.Addr(), err)
	}
	if _, err := Serve(NewZone(), "127.0.0.1"); err == nil {
		t.Error("an address without a port: no error")
	}
}

func TestClientFromResolvConf(t *testing.T) {
	path := t.TempDir() + "/resolv.conf"
	os.WriteFile(path, []byte("nameserver 127.0.0.1\nnameserver ::1\noptions timeout:3\n"), 0o644)
	c, err := ClientFromResolvConf(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"127.0.0.1:53", "[::1]:53"}; !slices.Equal(c.Servers, want) || c.Timeout != 3*time.Second {
		t.Errorf("servers %q timeout %v, want %q 3s", c.Servers, c.Timeout, want)
	}
	if _, err := ClientFromResolvConf(t.TempDir() + "/none"); err == nil {
		t.Error("a missing resolv.conf: no error")
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
	srv, _ := serveTest(t)
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
	_, c := serveTest(b)
	addr := c.Servers[0]
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

// BenchmarkClient measures a whole lookup through Client against the
// loopback server.
func BenchmarkClient(b *testing.B) {
	_, c := serveTest(b)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.LookupTXT(ctx, "example.com"); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}
