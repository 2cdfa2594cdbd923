package livedns_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"spflab/fakedns"
	"spflab/fakedns/zonedata"
	"spflab/livedns"
	"spflab/spf"
)

// world is "the rest of the world" the client resolves, served by fakedns
// on loopback.
var world = `
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
"esc\x1b.example.com":
  - MX: [10, "mx\x1b\\.example.com"]
`

// serveWorld serves the world on loopback and returns a client of it.
func serveWorld(t testing.TB) (*fakedns.Server, *livedns.Client) {
	t.Helper()
	z, err := zonedata.Parse([]byte(world), "world.yml")
	if err != nil {
		t.Fatal(err)
	}
	z.TimeoutErrorNames = true
	srv, err := fakedns.Serve(z, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c := livedns.NewClient(srv.Addr())
	c.Timeout = 300 * time.Millisecond
	return srv, c
}

// lookup runs one spf.Resolver lookup by type name and renders the answer.
func lookup(r spf.Resolver, qtype, name string) ([]string, error) {
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
		return r.LookupTXT(ctx, name)
	case "A":
		return addrs(r.LookupA(ctx, name))
	case "AAAA":
		return addrs(r.LookupAAAA(ctx, name))
	case "MX":
		return r.LookupMX(ctx, name)
	case "PTR":
		return r.LookupPTR(ctx, netip.MustParseAddr(name))
	}
	panic("unknown type " + qtype)
}

func TestClientAgainstServer(t *testing.T) {
	_, c := serveWorld(t)
	tests := []struct {
		qtype, name string
		want        []string
		err         error
	}{
		{"TXT", "example.com", []string{"v=spf1 include:_spf.example.com -all", "other text"}, nil},
		{"TXT", "_spf.example.com", []string{"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all"}, nil},
		{"TXT", "Example.COM.", []string{"v=spf1 include:_spf.example.com -all", "other text"}, nil},
		{"TXT", "big.example.com", []string{"v=spf1 " + strings.Repeat("ip4:198.51.100.1 ", 180) + "-all"}, nil}, // TC, then TCP
		{"TXT", "space name.example.com", []string{"v=spf1 -all"}, nil},
		{"MX", "example.com", []string{"mx1.example.com", "mx2.example.com"}, nil},
		{"MX", "esc\x1b.example.com", []string{"mx\x1b\\.example.com"}, nil}, // the octets, escapes decoded
		{"A", "mx1.example.com", []string{"192.0.2.10"}, nil},
		{"AAAA", "mx1.example.com", []string{"2001:db8::10"}, nil},
		{"A", "www.example.com", []string{"192.0.2.10"}, nil}, // two CNAMEs
		{"A", "dangling.example.com", nil, spf.ErrNoSuchName},
		{"TXT", "www.example.com", nil, spf.ErrNoData},
		{"PTR", "192.0.2.10", []string{"mx1.example.com"}, nil},
		{"PTR", "::ffff:192.0.2.10", []string{"mx1.example.com"}, nil},
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
	srv, c := serveWorld(t)
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
	dead := deadAddr(t)
	_, err := livedns.NewClient(dead).LookupA(context.Background(), "example.com")
	if !errors.Is(err, spf.ErrTemporary) || !strings.Contains(err.Error(), dead) {
		t.Errorf("unreachable server: error %v, want a temporary error naming %s", err, dead)
	}
	// With two servers, the live one answers after the dead one fails.
	two := livedns.NewClient(dead, srv.Addr())
	if txt, err := two.LookupTXT(context.Background(), "example.com"); err != nil || len(txt) != 2 {
		t.Errorf("second server: %q, %v", txt, err)
	}
	if _, err := (&livedns.Client{}).LookupTXT(context.Background(), "example.com"); !errors.Is(err, spf.ErrTemporary) {
		t.Errorf("no server: error %v, want a temporary error", err)
	}
}

// deadAddr is a loopback UDP address nobody listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().String()
}

// hostile serves handler over UDP and TCP on loopback: a DNS server that
// answers whatever the test makes it answer.
func hostile(t *testing.T, handler dns.HandlerFunc) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		pc.Close()
		t.Skipf("TCP port %s is taken: %v", pc.LocalAddr(), err)
	}
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait) // after the Shutdowns: cleanups run last first
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: l, Handler: handler}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		wg.Go(func() { srv.ActivateAndServe() })
		<-started
		t.Cleanup(func() { srv.Shutdown() })
	}
	return pc.LocalAddr().String()
}

func TestClientHostileServer(t *testing.T) {
	rr := func(s string) dns.RR {
		r, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	addr := hostile(t, func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg).SetReply(req)
		q := req.Question[0]
		switch strings.ToLower(q.Name) {
		case "tc.example.": // truncated over UDP and TCP alike
			m.Truncated = true
		case "self.example.":
			m.Answer = []dns.RR{rr("self.example. 60 IN CNAME self.example.")}
		case "ping.example.":
			m.Answer = []dns.RR{rr("ping.example. 60 IN CNAME pong.example."), rr("pong.example. 60 IN CNAME PING.example.")}
		case "far.example.": // a loop across queries: the server does not chase
			m.Answer = []dns.RR{rr("far.example. 60 IN CNAME away.example.")}
		case "away.example.":
			m.Answer = []dns.RR{rr("away.example. 60 IN CNAME far.example.")}
		case "chain0.example.", "chain1.example.", "chain2.example.", "chain3.example.", "chain4.example.",
			"chain5.example.", "chain6.example.", "chain7.example.", "chain8.example.", "chain9.example.":
			n := q.Name[5] - '0'
			m.Answer = []dns.RR{rr(q.Name + " 60 IN CNAME chain" + string('0'+n+1) + ".example.")}
		case "ok.example.":
			m.Answer = []dns.RR{rr(`ok.example. 60 IN TXT "v=spf1 -all"`)}
		default: // an authoritative server: names outside its zone are refused
			m.Rcode = dns.RcodeRefused
		}
		w.WriteMsg(m)
	})
	c := livedns.NewClient(addr)
	c.Timeout = time.Second
	tests := []struct {
		name, want string // want: in the error; "" for no error
	}{
		{"tc.example", "TXT tc.example: timeout or server failure: a truncated answer over tcp from " + addr},
		{"self.example", "TXT self.example: timeout or server failure: CNAME chain loops back to self.example"},
		{"ping.example", "CNAME chain loops back to PING.example"},
		{"far.example", "CNAME chain loops back to far.example"},
		{"chain0.example", "CNAME chain longer than 8"},
		{"outside.example", "TXT outside.example: timeout or server failure: REFUSED from " + addr + ": it neither serves this name nor resolves it for us"},
		{"ok.example", ""},
	}
	for _, tt := range tests {
		txt, err := c.LookupTXT(context.Background(), tt.name)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("TXT %s: %v", tt.name, err)
		case tt.want != "" && (!errors.Is(err, spf.ErrTemporary) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("TXT %s = %q, %v; want temperror %q", tt.name, txt, err, tt.want)
		}
	}
	// An SPF check through that server is temperror, not none.
	for _, domain := range []string{"tc.example", "self.example", "outside.example"} {
		o := (&spf.Checker{Resolver: c}).Check(context.Background(), netip.MustParseAddr("192.0.2.1"), "helo.example", "user@"+domain)
		if o.Result != spf.TempError {
			t.Errorf("check_host for %s: %s (%v), want temperror", domain, o.Result, o.Err)
		}
	}
}

// TestPing: any DNS answer shows a server is there, even REFUSED; silence
// and an unreachable port do not.
func TestPing(t *testing.T) {
	refuser := hostile(t, func(w dns.ResponseWriter, req *dns.Msg) {
		w.WriteMsg(new(dns.Msg).SetRcode(req, dns.RcodeRefused))
	})
	silent := hostile(t, func(w dns.ResponseWriter, req *dns.Msg) {})
	dead := deadAddr(t)
	ctx := context.Background()
	if err := livedns.NewClient(refuser).Ping(ctx, "example.com"); err != nil {
		t.Errorf("a server that refuses: %v", err)
	}
	if err := livedns.NewClient(dead, refuser).Ping(ctx, "example.com"); err != nil {
		t.Errorf("a dead server, then one that refuses: %v", err)
	}
	c := livedns.NewClient(dead, silent)
	c.Timeout = 200 * time.Millisecond
	err := c.Ping(ctx, "example.com")
	if !errors.Is(err, spf.ErrTemporary) || !strings.Contains(err.Error(), "no answer from "+dead) || !strings.Contains(err.Error(), "no answer from "+silent+" over udp: i/o timeout") {
		t.Errorf("no server answers: error %v, want one naming both", err)
	}
}

func TestClientFromResolvConf(t *testing.T) {
	path := t.TempDir() + "/resolv.conf"
	os.WriteFile(path, []byte("nameserver 127.0.0.1\nnameserver ::1\noptions timeout:3\n"), 0o644)
	c, err := livedns.ClientFromResolvConf(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"127.0.0.1:53", "[::1]:53"}; !slices.Equal(c.Servers, want) || c.Timeout != 3*time.Second {
		t.Errorf("servers %q timeout %v, want %q 3s", c.Servers, c.Timeout, want)
	}
	if _, err := livedns.ClientFromResolvConf(t.TempDir() + "/none"); err == nil {
		t.Error("a missing resolv.conf: no error")
	}
	empty := t.TempDir() + "/empty.conf"
	os.WriteFile(empty, []byte("# no nameserver\n"), 0o644)
	if _, err := livedns.ClientFromResolvConf(empty); err == nil || err.Error() != "livedns: "+empty+" lists no nameserver" {
		t.Errorf("no nameserver: error %v", err)
	}
	if c := livedns.NewClient("192.0.2.53", "[2001:db8::53]:5353"); !slices.Equal(c.Servers, []string{"192.0.2.53:53", "[2001:db8::53]:5353"}) {
		t.Errorf("NewClient servers %q", c.Servers)
	}
}

// BenchmarkClient measures a whole lookup through Client against the
// loopback server.
func BenchmarkClient(b *testing.B) {
	_, c := serveWorld(b)
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

// TestWithDeadline: a server that answers every query late, each answer
// within the per-query timeout, cannot stretch a check past the overall
// deadline (issue 11): the check ends in temperror that says the deadline
// was reached and what the client was waiting for, and a lookup after the
// deadline fails at once.
func TestWithDeadline(t *testing.T) {
	// s0.example includes s1.example, which includes s2.example, ...: ten
	// answers, each 150ms late, a check of 1.5s or more.
	addr := hostile(t, func(w dns.ResponseWriter, req *dns.Msg) {
		time.Sleep(150 * time.Millisecond)
		m := new(dns.Msg).SetReply(req)
		q := req.Question[0]
		var n int
		if _, err := fmt.Sscanf(q.Name, "s%d.example.", &n); err == nil && q.Qtype == dns.TypeTXT {
			m.Answer = []dns.RR{&dns.TXT{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
				Txt: []string{fmt.Sprintf("v=spf1 include:s%d.example -all", n+1)},
			}}
		}
		w.WriteMsg(m)
	})
	c := livedns.NewClient(addr)
	c.Timeout = time.Second
	ctx, cancel := livedns.WithDeadline(context.Background(), 400*time.Millisecond)
	defer cancel()
	o := (&spf.Checker{Resolver: c}).Check(ctx, netip.MustParseAddr("192.0.2.1"), "helo.example", "user@s0.example")
	// Reached while waiting for an answer; or, should it fall between two
	// queries, before the next one.
	waiting := "timeout or server failure: deadline 400ms reached while waiting for " + addr + " over udp"
	before := "timeout or server failure: deadline 400ms reached before the query was sent"
	if o.Result != spf.TempError || o.Err == nil || !strings.Contains(o.Err.Error(), waiting) && !strings.Contains(o.Err.Error(), before) {
		t.Errorf("check: %s (%v), want temperror with %q", o.Result, o.Err, waiting)
	}
	_, err := c.LookupTXT(ctx, "s0.example")
	var de *livedns.DeadlineError
	if !errors.Is(err, spf.ErrTemporary) || !errors.As(context.Cause(ctx), &de) ||
		!strings.Contains(err.Error(), "TXT s0.example: timeout or server failure: deadline 400ms reached before the query was sent") {
		t.Errorf("a lookup after the deadline: %v (cause %v)", err, context.Cause(ctx))
	}
}
