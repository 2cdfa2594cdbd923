package dmarc

// Result is the DMARC result of a message (RFC 9989 §9.2), the word of the
// dmarc= clause of Authentication-Results (RFC 8601).
type Result string

// The five results of RFC 9989 §9.2.
const (
	Pass      Result = "pass"      // a record exists and an authenticated identifier is aligned
	Fail      Result = "fail"      // a record exists and no authenticated identifier is aligned
	None      Result = "none"      // no DMARC record exists for the Author Domain
	TempError Result = "temperror" // a DNS query failed; a later attempt may succeed
	PermError Result = "permerror" // the message or the record cannot be evaluated
)

// SPF is the result of SPF for the MAIL FROM identity, the only SPF result
// DMARC uses (RFC 9989 §3.2.4, §4.4.2).
type SPF struct {
	// Domain is the domain SPF checked: of RFC5321.MailFrom, or the HELO
	// name for the null reverse-path (RFC 7208 §2.4).
	Domain string
	// Result is SPF's result word (RFC 7208 §2.6), e.g. "pass".
	Result string
}

// DKIM is the verdict on one DKIM signature (RFC 9989 §4.4.1, §5.3.3).
type DKIM struct {
	Domain   string // the d= tag, the DKIM Signing Domain
	Selector string // the s= tag
	Result   string // the verdict word (RFC 8601 §2.7.1), e.g. "pass"
}

// Message is what DMARC needs from a message: its From: header fields and
// the results of SPF and DKIM (RFC 9989 §5.3).
type Message struct {
	// From holds the body of each From: header field, one per field, as
	// net/mail.Header["From"] gives them. A message must have exactly one
	// (RFC 5322 §3.6).
	From []string
	SPF  SPF
	DKIM []DKIM
}

// Outcome is everything a receiver knows after a DMARC evaluation. With
// several Author Domains (RFC 9989 §11.5) the fields describe the one whose
// result decided, and Authors holds each domain's own Outcome.
type Outcome struct {
	Result Result
	// Disposition is the policy to apply to the message (RFC 9989 §9.1,
	// policy.dmarc): the policy of the record for a fail, one level lower
	// with t=y; none for any other result.
	Disposition Policy
	Err         error // why TempError or PermError

	AuthorDomain string  // the domain of the From: address (RFC 9989 §3.2.2)
	PolicyDomain string  // where the record that applies was found; "" when none
	OrgDomain    string  // the Author Domain's Organizational Domain, when it was needed
	Record       *Record // the record that applies, or nil

	// For a fail: the policy tag that applied ("p", "sp" or "np", RFC 9989
	// §4.10.1) and its value before t=y.
	PolicyTag string
	Policy    Policy

	SPFAligned  bool     // the SPF-authenticated identifier is aligned
	DKIMAligned []string // the d= of each aligned DKIM-authenticated identifier

	Authors []Outcome // with several Author Domains, one Outcome each
}
