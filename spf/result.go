package spf

import (
	"encoding/json"
	"net/netip"
)

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
	Result      Result     `json:"result"`
	Explanation string     `json:"explanation,omitempty"` // for Fail: the exp= text, or the Checker's default (RFC 7208 §6.2)
	Err         error      `json:"-"`                     // why TempError or PermError (names the term and column where one applies); "error" in JSON
	Identity    Identity   `json:"identity"`              // which identity was checked
	IP          netip.Addr `json:"ip"`                    // the client address
	Domain      string     `json:"domain"`                // the <domain> passed to check_host()
	Sender      string     `json:"sender"`                // the <sender> passed to check_host() (postmaster@helo for a null sender)
	HELO        string     `json:"helo"`                  // the HELO/EHLO name the client gave
	MailFrom    string     `json:"mail_from"`             // the MAIL FROM address as given ("" for the null sender)
	Counters    Counters   `json:"counters"`              // lookups spent, at the end
	Mechanism   string     `json:"mechanism,omitempty"`   // the term that decided the result, "" for none (default neutral)
}

// MarshalJSON writes the outcome with snake_case keys and Err as its text,
// under "error".
func (o Outcome) MarshalJSON() ([]byte, error) {
	type fields Outcome // without this method
	return json.Marshal(struct {
		fields
		Err string `json:"error,omitempty"`
	}{fields(o), errText(o.Err)})
}

// Counters are the limits of RFC 7208 §4.6.4 as spent so far.
type Counters struct {
	DNSTerms    int `json:"dns_terms"`    // terms and modifiers that caused DNS queries: include, a, mx, ptr, exists, redirect (limit 10)
	VoidLookups int `json:"void_lookups"` // lookups that returned no answer or NXDOMAIN (limit 2)
}
