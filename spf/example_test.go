package spf_test

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"spflab/fakedns"
	"spflab/spf"
)

// The seed's forged sender: euston.net permits only 192.0.2.25, and mail
// from www.euston.net (192.0.2.80) claiming honeypot@euston.net fails
// (RFC 7208 §2.6.4).
func ExampleChecker_Check() {
	z := fakedns.NewZone()
	z.AddTXT("euston.net", "v=spf1 ip4:192.0.2.25 -all")
	c := spf.Checker{Resolver: z}
	o := c.Check(context.Background(), netip.MustParseAddr("192.0.2.80"), "mail.euston.net", "honeypot@euston.net")
	fmt.Println(o.Result, o.Mechanism, o.Counters)
	// Output:
	// fail -all lookups 0/10, void 0/2
}

// A Listener receives every step of the evaluation; each Event words
// itself, as every printer of spflab shows it. Here with the depth as
// indentation and the counters after terms, like spflab check.
func ExampleListener() {
	z := fakedns.NewZone()
	z.AddTXT("euston.net", "v=spf1 include:_spf.euston.net -all")
	z.AddTXT("_spf.euston.net", "v=spf1 ip4:192.0.2.25 ~all")
	c := spf.Checker{Resolver: z, Listener: func(e *spf.Event) {
		if !e.Echoed() {
			fmt.Println(strings.Repeat("  ", e.Depth) + e.TraceLine(spf.DefaultMaxDNSTerms, spf.DefaultMaxVoidLookups))
		}
	}}
	c.Check(context.Background(), netip.MustParseAddr("192.0.2.25"), "mail.euston.net", "honeypot@euston.net")
	// Output:
	// check_host(192.0.2.25, euston.net, honeypot@euston.net)
	// DNS TXT euston.net → "v=spf1 include:_spf.euston.net -all"
	// record v=spf1 include:_spf.euston.net -all
	// include:_spf.euston.net: evaluate the record of _spf.euston.net
	//   check_host(192.0.2.25, _spf.euston.net, honeypot@euston.net)
	//   DNS TXT _spf.euston.net → "v=spf1 ip4:192.0.2.25 ~all"
	//   record v=spf1 ip4:192.0.2.25 ~all
	//   ip4:192.0.2.25: match → pass: 192.0.2.25 in 192.0.2.25/32 [lookups 1/10, void 0/2]
	//   result pass for _spf.euston.net [lookups 1/10, void 0/2]
	// include:_spf.euston.net: match → pass: _spf.euston.net returned pass [lookups 1/10, void 0/2]
	// result pass for euston.net [lookups 1/10, void 0/2]
}

// Parse checks a whole record before evaluation; a bad term is named
// with its column (RFC 7208 §4.6).
func ExampleParse() {
	_, err := spf.Parse("v=spf1 ip4:192.0.2.300 -all")
	fmt.Println(err)
	// Output:
	// column 12: term "ip4:192.0.2.300": invalid address "192.0.2.300"
}
