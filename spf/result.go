package spf

import "net/netip"

// Result is the result of check_host() (RFC 7208 §2.6).
type Result string

// The seven results of RFC 7208 §2.6.
const (
	None      Result = "none"      // §2.6.1: no record, or no checkable domain
	Neutral   Result = "neutral"   // §2.6.2: "?" or no match
	Pass      Result = "pass"      // §2.6.3
	Fail      Result = "fail"      // §2.6.4
	Softfail  Result = "softfail"  // §2.6.5
	TempError Result = "temperror" // §2.6.6: a transient DNS error
	PermError Result = "permerror" // §2.6.7: a record that cannot be interpreted
)

// Identity names which identity an Outcome is about (RFC 7208 §2.3, §2.4).
type Identity string

// The identities SPF checks.
const (
	IdentityMailFrom Identity = "mailfrom" // RFC 7208 §2.4
	IdentityHELO     Identity = "helo"     // RFC 7208 §2.3
)

// Outcome is everything a receiver knows after one SPF check: the inputs,
// the result and its explanation. ReceivedSPF and AuthenticationResults
// build header fields from it.
type Outcome struct {
	Result      Result
	Explanation string     // for Fail: the exp= text, or the Checker's default (RFC 7208 §6.2)
	Err         error      // why TempError or PermError (names the term and column where one applies)
	Identity    Identity   // which identity was checked
	IP          netip.Addr // the client address
	Domain      string     // the <domain> passed to check_host()
	Sender      string     // the <sender> passed to check_host() (postmaster@helo for a null sender)
	HELO        string     // the HELO/EHLO name the client gave
	MailFrom    string     // the MAIL FROM address as given ("" for the null sender)
	Counters    Counters   // lookups spent, at the end
	Mechanism   string     // the term that decided the result, "" for none (default neutral)
}

// Counters are the limits of RFC 7208 §4.6.4 as spent so far.
type Counters struct {
	DNSTerms    int // terms and modifiers that caused DNS queries: include, a, mx, ptr, exists, redirect (limit 10)
	VoidLookups int // lookups that returned no answer or NXDOMAIN (limit 2)
}
