package spf_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"spflab/fakedns"
	"spflab/fakedns/zonedata"
	"spflab/spf"
)

func zone(t testing.TB, yml string) *fakedns.Zone {
	t.Helper()
	z, err := zonedata.Parse([]byte(yml), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// includes returns zonedata with n chained names p0…, each including the
// next, the last with the record last.
func includes(p string, n int, last string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%s%d.example.com:\n  - TXT: v=spf1 include:%s%d.example.com\n", p, i, p, i+1)
	}
	fmt.Fprintf(&b, "%s%d.example.com:\n  - TXT: %s\n", p, n, last)
	return b.String()
}

func TestCheckHost(t *testing.T) {
	z := zone(t, `
euston.net:
  - TXT: v=spf1 ip4:192.0.2.25 -all
  - MX: [10, mail.euston.net]
mail.euston.net:
  - A: 192.0.2.25
  - AAAA: 2001:db8::25
  - TXT: v=spf1 a -all
a.example.com:
  - TXT: v=spf1 a:mail.euston.net/24 -all
a6.example.com:
  - TXT: v=spf1 a:mail.euston.net//64 -all
mx.example.com:
  - TXT: v=spf1 mx:euston.net/28 ~all
ip6.example.com:
  - TXT: v=spf1 ip6:2001:db8:1::/48 ?all
inc.example.com:
  - TXT: v=spf1 include:euston.net ~all
incnone.example.com:
  - TXT: v=spf1 include:nothing.example.com -all
nothing.example.com:
  - A: 192.0.2.1
inctemp.example.com:
  - TXT: v=spf1 include:slow.example.com -all
slow.example.com:
  - TIMEOUT
redir.example.com:
  - TXT: v=spf1 redirect=euston.net
redirall.example.com:
  - TXT: v=spf1 ?all redirect=euston.net
redirnone.example.com:
  - TXT: v=spf1 redirect=nothing.example.com
two.example.com:
  - TXT: v=spf1 -all
  - TXT: v=spf1 +all
bad.example.com:
  - TXT: v=spf1 ip4:192.0.2.300 -all
empty.example.com:
  - TXT: v=spf1
notspf.example.com:
  - TXT: hello world
exists.example.com:
  - TXT: v=spf1 exists:%{ir}.allow.example.com -all
80.2.0.192.allow.example.com:
  - A: 127.0.0.2
ptr.example.com:
  - TXT: v=spf1 ptr:euston.net -all
80.2.0.192.in-addr.arpa:
  - PTR: www.euston.net
www.euston.net:
  - A: 192.0.2.80
voids.example.com:
  - TXT: v=spf1 a:n1.example.com a:n2.example.com a:n3.example.com +all
voids2.example.com:
  - TXT: v=spf1 a:n1.example.com a:n2.example.com +all
manymx.example.com:
  - TXT: v=spf1 mx +all
  - MX: [1, m1.example.com]
  - MX: [2, m2.example.com]
  - MX: [3, m3.example.com]
  - MX: [4, m4.example.com]
  - MX: [5, m5.example.com]
  - MX: [6, m6.example.com]
  - MX: [7, m7.example.com]
  - MX: [8, m8.example.com]
  - MX: [9, m9.example.com]
  - MX: [10, m10.example.com]
  - MX: [11, m11.example.com]
txttimeout.example.com:
  - TIMEOUT
`+includes("i", 10, "v=spf1 +all")+includes("j", 11, "v=spf1 +all"))
	www, mail := netip.MustParseAddr("192.0.2.80"), netip.MustParseAddr("192.0.2.25")
	tests := []struct {
		name, domain string
		ip           netip.Addr
		want         spf.Result
		mech         string
		errHas       string
	}{
		{"ip4 match", "euston.net", mail, spf.Pass, "ip4:192.0.2.25", ""},
		{"ip4 no match, -all", "euston.net", www, spf.Fail, "-all", ""},
		{"ipv4-mapped client", "euston.net", netip.MustParseAddr("::ffff:192.0.2.25"), spf.Pass, "ip4:192.0.2.25", ""},
		{"a, default domain", "mail.euston.net", mail, spf.Pass, "a", ""},
		{"a, v6 client", "mail.euston.net", netip.MustParseAddr("2001:db8::25"), spf.Pass, "a", ""},
		{"a/24", "a.example.com", www, spf.Pass, "a:mail.euston.net/24", ""},
		{"a//64 v6", "a6.example.com", netip.MustParseAddr("2001:db8::99"), spf.Pass, "a:mail.euston.net//64", ""},
		{"a//64 v4 uses /32", "a6.example.com", www, spf.Fail, "-all", ""},
		{"mx/28 no match", "mx.example.com", www, spf.Softfail, "~all", ""},
		{"mx/28 match", "mx.example.com", netip.MustParseAddr("192.0.2.17"), spf.Pass, "mx:euston.net/28", ""},
		{"ip6 match", "ip6.example.com", netip.MustParseAddr("2001:db8:1:ff::1"), spf.Pass, "ip6:2001:db8:1::/48", ""},
		{"ip6 v4 client", "ip6.example.com", www, spf.Neutral, "?all", ""},
		{"include pass", "inc.example.com", mail, spf.Pass, "include:euston.net", ""},
		{"include fail is no match", "inc.example.com", www, spf.Softfail, "~all", ""},
		{"include of none is permerror", "incnone.example.com", www, spf.PermError, "include:nothing.example.com", "no SPF record"},
		{"include temperror", "inctemp.example.com", www, spf.TempError, "include:slow.example.com", "slow.example.com"},
		{"redirect", "redir.example.com", www, spf.Fail, "-all", ""},
		{"redirect ignored next to all", "redirall.example.com", mail, spf.Neutral, "?all", ""},
		{"redirect to none is permerror", "redirnone.example.com", www, spf.PermError, "redirect=nothing.example.com", "no SPF record"},
		{"two records", "two.example.com", www, spf.PermError, "", "more than one SPF record"},
		{"syntax error", "bad.example.com", www, spf.PermError, "", "column 12"},
		{"empty record", "empty.example.com", www, spf.Neutral, "", ""},
		{"no spf record", "notspf.example.com", www, spf.None, "", "no SPF record"},
		{"no such domain", "nxdomain.example.com", www, spf.None, "", "no such name"},
		{"not a domain", "localhost", www, spf.None, "", "not a fully qualified"},
		{"txt timeout", "txttimeout.example.com", www, spf.TempError, "", "txttimeout.example.com"},
		{"exists with macro", "exists.example.com", www, spf.Pass, "exists:%{ir}.allow.example.com", ""},
		{"exists no match", "exists.example.com", mail, spf.Fail, "-all", ""},
		{"ptr validated", "ptr.example.com", www, spf.Pass, "ptr:euston.net", ""},
		{"ptr no name", "ptr.example.com", mail, spf.Fail, "-all", ""},
		{"two void lookups allowed", "voids2.example.com", www, spf.Pass, "+all", ""},
		{"third void lookup", "voids.example.com", www, spf.PermError, "a:n3.example.com", "void lookups"},
		{"more than 10 MX", "manymx.example.com", www, spf.PermError, "mx", "11 MX records"},
		{"10 DNS terms", "i0.example.com", www, spf.Pass, "include:i1.example.com", ""},
		{"11 DNS terms", "j0.example.com", www, spf.PermError, "include:j1.example.com", "more than 10 DNS-querying terms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := spf.Checker{Resolver: z}
			o := c.CheckHost(context.Background(), tt.ip, tt.domain, "someone@"+tt.domain, "helo.example.org")
			if o.Result != tt.want {
				t.Fatalf("result %s, want %s (err %v)", o.Result, tt.want, o.Err)
			}
			if o.Mechanism != tt.mech {
				t.Errorf("decided by %q, want %q", o.Mechanism, tt.mech)
			}
			if (o.Err == nil) != (tt.errHas == "") || (o.Err != nil && !strings.Contains(o.Err.Error(), tt.errHas)) {
				t.Errorf("err %v, want one containing %q", o.Err, tt.errHas)
			}
		})
	}
}

func TestLimitsConfigurable(t *testing.T) {
	z := zone(t, includes("i", 3, "v=spf1 -all"))
	c := spf.Checker{Resolver: z, MaxDNSTerms: 2}
	o := c.CheckHost(context.Background(), netip.MustParseAddr("192.0.2.1"), "i0.example.com", "a@i0.example.com", "h")
	if o.Result != spf.PermError || o.Counters.DNSTerms != 3 {
		t.Errorf("got %s with %d DNS terms, want permerror at the 3rd", o.Result, o.Counters.DNSTerms)
	}
}

func TestIdentities(t *testing.T) {
	z := zone(t, `
euston.net:
  - TXT: v=spf1 ip4:192.0.2.25 -all
mail.euston.net:
  - TXT: v=spf1 ip4:192.0.2.25 -all
`)
	c := spf.Checker{Resolver: z}
	ctx, www := context.Background(), netip.MustParseAddr("192.0.2.80")
	tests := []struct {
		helo, from      string
		identity        spf.Identity
		domain, sender  string
		wantExplanation string
	}{
		{"mail.euston.net", "honeypot@euston.net", spf.IdentityMailFrom, "euston.net", "honeypot@euston.net", "euston.net does not designate 192.0.2.80 as a permitted sender"},
		{"mail.euston.net", "<honeypot@euston.net>", spf.IdentityMailFrom, "euston.net", "honeypot@euston.net", ""},
		{"mail.euston.net", "", spf.IdentityHELO, "mail.euston.net", "postmaster@mail.euston.net", "mail.euston.net does not designate 192.0.2.80 as a permitted sender"},
		{"mail.euston.net", "<>", spf.IdentityHELO, "mail.euston.net", "postmaster@mail.euston.net", ""},
		{"mail.euston.net", "@euston.net", spf.IdentityMailFrom, "euston.net", "postmaster@euston.net", ""},
		{"mail.euston.net", "euston.net", spf.IdentityMailFrom, "euston.net", "postmaster@euston.net", ""},
	}
	for _, tt := range tests {
		o := c.Check(ctx, www, tt.helo, tt.from)
		if o.Result != spf.Fail || o.Identity != tt.identity || o.Domain != tt.domain || o.Sender != tt.sender {
			t.Errorf("Check(%q, %q) = %s identity %s domain %s sender %s", tt.helo, tt.from, o.Result, o.Identity, o.Domain, o.Sender)
		}
		if tt.wantExplanation != "" && o.Explanation != tt.wantExplanation {
			t.Errorf("Check(%q, %q): explanation %q, want %q", tt.helo, tt.from, o.Explanation, tt.wantExplanation)
		}
	}
	o := c.CheckHELO(ctx, netip.MustParseAddr("192.0.2.25"), "mail.euston.net")
	if o.Result != spf.Pass || o.Identity != spf.IdentityHELO {
		t.Errorf("CheckHELO = %s %s", o.Result, o.Identity)
	}
}

func TestExplanation(t *testing.T) {
	z := zone(t, `
euston.net:
  - TXT: v=spf1 ip4:192.0.2.25 exp=why.euston.net -all
why.euston.net:
  - TXT: "%{c} is not one of %{d}'s designated mail servers (ask %{r})."
multi.example.com:
  - TXT: v=spf1 exp=two.example.com -all
two.example.com:
  - TXT: one
  - TXT: two
inc.example.com:
  - TXT: v=spf1 include:incexp.example.com -all
incexp.example.com:
  - TXT: v=spf1 exp=why.euston.net -all
redir.example.com:
  - TXT: v=spf1 exp=never.example.com redirect=euston.net
`)
	c := spf.Checker{Resolver: z, Receiver: "mx.example.org", Explanation: "custom default for %{o}"}
	www := netip.MustParseAddr("192.0.2.80")
	for domain, want := range map[string]string{
		"euston.net":        "192.0.2.80 is not one of euston.net's designated mail servers (ask mx.example.org).",
		"multi.example.com": "custom default for multi.example.com",
		"inc.example.com":   "custom default for inc.example.com",
		"redir.example.com": "192.0.2.80 is not one of euston.net's designated mail servers (ask mx.example.org).",
	} {
		o := c.Check(context.Background(), www, "h.example.org", "a@"+domain)
		if o.Result != spf.Fail || o.Explanation != want {
			t.Errorf("%s: %s %q, want fail %q", domain, o.Result, o.Explanation, want)
		}
	}

	// NoExplanation: the same fail, no text, and no exp= lookup.
	var asked []string
	z.OnQuery = func(qtype, name string, _ error) { asked = append(asked, qtype+" "+name) }
	c.NoExplanation = true
	for _, domain := range []string{"euston.net", "multi.example.com", "inc.example.com", "redir.example.com"} {
		asked = asked[:0]
		o := c.Check(context.Background(), www, "h.example.org", "a@"+domain)
		if o.Result != spf.Fail || o.Mechanism != "-all" || o.Explanation != "" {
			t.Errorf("NoExplanation, %s: %s %s %q, want fail -all and no explanation", domain, o.Result, o.Mechanism, o.Explanation)
		}
		for _, q := range asked {
			if strings.Contains(q, "why.") || strings.Contains(q, "two.") || strings.Contains(q, "never.") {
				t.Errorf("NoExplanation, %s: looked up the exp= target: %s", domain, q)
			}
		}
		if len(asked) == 0 {
			t.Errorf("NoExplanation, %s: no query seen", domain)
		}
	}
}

func TestTrace(t *testing.T) {
	z := zone(t, `
euston.net:
  - TXT: v=spf1 ip4:192.0.2.25 include:_spf.euston.net -all
_spf.euston.net:
  - TXT: v=spf1 a:mail.euston.net ~all
mail.euston.net:
  - A: 192.0.2.25
`)
	var events []spf.Event
	c := spf.Checker{Resolver: z, Listener: func(e *spf.Event) { events = append(events, *e) }}
	o := c.Check(context.Background(), netip.MustParseAddr("192.0.2.80"), "mail.euston.net", "honeypot@euston.net")
	if o.Result != spf.Fail {
		t.Fatalf("result %s", o.Result)
	}
	type step struct {
		kind   spf.EventKind
		depth  int
		detail string // a field that must hold this text
		dns    int
	}
	want := []step{
		{spf.EventCheck, 0, "euston.net", 0},
		{spf.EventDNS, 0, "TXT euston.net", 0},
		{spf.EventRecord, 0, "v=spf1 ip4:192.0.2.25 include:_spf.euston.net -all", 0},
		{spf.EventTerm, 0, "192.0.2.80 not in 192.0.2.25/32", 0},
		{spf.EventEnter, 0, "_spf.euston.net", 1},
		{spf.EventCheck, 1, "_spf.euston.net", 1},
		{spf.EventDNS, 1, "TXT _spf.euston.net", 1},
		{spf.EventRecord, 1, "v=spf1 a:mail.euston.net ~all", 1},
		{spf.EventDNS, 1, "A mail.euston.net", 2},
		{spf.EventTerm, 1, "192.0.2.80 not in 192.0.2.25 (the addresses of mail.euston.net)", 2},
		{spf.EventTerm, 1, "all matches every address", 2},
		{spf.EventResult, 1, "softfail", 2},
		{spf.EventLeave, 0, "softfail", 2},
		{spf.EventTerm, 0, "_spf.euston.net returned softfail: no match", 2},
		{spf.EventTerm, 0, "all matches every address", 2},
		{spf.EventResult, 0, "fail", 2},
	}
	if len(events) != len(want) {
		for _, e := range events {
			t.Logf("%+v", e)
		}
		t.Fatalf("%d events, want %d", len(events), len(want))
	}
	for i, w := range want {
		e := events[i]
		text := strings.Join([]string{e.Domain, e.QType + " " + e.Name, e.Record, e.Why(), e.Target, string(e.Result)}, "|")
		if e.Kind != w.kind || e.Depth != w.depth || !strings.Contains(text, w.detail) || e.Counters.DNSTerms != w.dns {
			t.Errorf("event %d = %v depth %d %q dns %d; want %v depth %d containing %q dns %d",
				i, e.Kind, e.Depth, text, e.Counters.DNSTerms, w.kind, w.depth, w.detail, w.dns)
		}
	}
	if events[3].Term != "ip4:192.0.2.25" || events[3].Column != 8 || events[3].Match {
		t.Errorf("ip4 term event: %+v", events[3])
	}
	if last := events[len(events)-1]; last.Explanation != "euston.net does not designate 192.0.2.80 as a permitted sender" || last.Term != "-all" {
		t.Errorf("result event: %+v", last)
	}
}

func TestTraceMacrosAndVoids(t *testing.T) {
	z := zone(t, `
example.com:
  - TXT: v=spf1 exists:%{l}.%{o}.list.example.net a:missing.example.com -all
`)
	var events []spf.Event
	c := spf.Checker{Resolver: z, Listener: func(e *spf.Event) { events = append(events, *e) }}
	c.Check(context.Background(), netip.MustParseAddr("192.0.2.80"), "h", "joe@example.com")
	var macro, void *spf.Event
	for i := range events {
		switch e := &events[i]; {
		case e.Kind == spf.EventMacro:
			macro = e
		case e.Kind == spf.EventDNS && e.Void && e.Name == "missing.example.com":
			void = e
		}
	}
	if macro == nil || macro.Macro != "%{l}.%{o}.list.example.net" || macro.Expanded != "joe.example.com.list.example.net" {
		t.Errorf("macro event: %+v", macro)
	}
	if void == nil || void.Err != "no such name" || void.Counters.VoidLookups != 1 {
		t.Errorf("void lookup event: %+v", void)
	}
}

func TestResolverErrorsClassified(t *testing.T) {
	z := zone(t, `
servfail.example.com:
  - SERVFAIL
`)
	c := spf.Checker{Resolver: z}
	o := c.CheckHost(context.Background(), netip.MustParseAddr("192.0.2.1"), "servfail.example.com", "a@servfail.example.com", "h")
	if o.Result != spf.TempError || !errors.Is(o.Err, spf.ErrTemporary) {
		t.Errorf("SERVFAIL: %s %v", o.Result, o.Err)
	}
}

func TestHeaderFields(t *testing.T) {
	o := spf.Outcome{Result: spf.Fail, Identity: spf.IdentityMailFrom, IP: netip.MustParseAddr("192.0.2.80"), Domain: "euston.net",
		Sender: "honeypot@euston.net", MailFrom: "honeypot@euston.net", HELO: "mail.euston.net", Mechanism: "-all"}
	got := spf.ReceivedSPF(o, "mx.example.com")
	want := `fail (mx.example.com: domain of honeypot@euston.net does not designate 192.0.2.80 as permitted sender) client-ip=192.0.2.80; envelope-from="honeypot@euston.net"; helo=mail.euston.net; mechanism=-all; identity=mailfrom; receiver=mx.example.com`
	if got != want {
		t.Errorf("Received-SPF:\n got %s\nwant %s", got, want)
	}
	if got, want := spf.AuthResultsClause(o), "spf=fail (domain of honeypot@euston.net does not designate 192.0.2.80 as permitted sender) smtp.mailfrom=euston.net"; got != want {
		t.Errorf("Authentication-Results:\n got %s\nwant %s", got, want)
	}
	o.Identity, o.Result, o.Err = spf.IdentityHELO, spf.PermError, errors.New(`bad "record"`)
	if got := spf.ReceivedSPF(o, "mx.example.com"); !strings.Contains(got, `problem="bad \"record\""`) || !strings.Contains(got, "identity=helo") {
		t.Errorf("permerror Received-SPF: %s", got)
	}
	if got := spf.AuthResultsClause(o); !strings.HasSuffix(got, "smtp.helo=mail.euston.net") {
		t.Errorf("HELO clause: %s", got)
	}
}
