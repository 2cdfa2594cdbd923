package dmarc_test

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"spflab/dmarc"
	"spflab/fakedns"
)

// A forger passes SPF for its own envelope domain but writes the header
// From: ceo@euston.net; euston.net publishes p=reject.
func Example() {
	zone, err := fakedns.ParseZoneData([]byte(`
euston.net: [A: 192.0.2.25]
_dmarc.euston.net: [TXT: v=DMARC1; p=reject]
`), "example")
	if err != nil {
		panic(err)
	}
	msg, err := mail.ReadMessage(strings.NewReader("From: The CEO <ceo@euston.net>\r\nSubject: wire the money\r\n\r\nNow.\r\n"))
	if err != nil {
		panic(err)
	}
	c := &dmarc.Checker{Resolver: zone, Listener: func(e dmarc.Event) { fmt.Println(e.String()) }}
	o := c.Check(context.Background(), dmarc.Message{
		From: msg.Header["From"],
		SPF:  dmarc.SPF{Domain: "forger.example", Result: "pass"},
	})
	fmt.Println(dmarc.AuthResultsClause(o))
	// Output:
	// Author Domain euston.net (the domain of the From: address, RFC 9989 §5.3.1)
	// TXT _dmarc.euston.net → "v=DMARC1; p=reject"
	// euston.net publishes a DMARC record
	// policy record: _dmarc.euston.net (the Author Domain)
	// TXT _dmarc.net: no such name
	// organizational domain of euston.net: euston.net (the domain with a DMARC record and the fewest labels, RFC 9989 §4.10.2 rule 3)
	// TXT _dmarc.forger.example: no such name
	// TXT _dmarc.example: no such name
	// organizational domain of forger.example: forger.example (no DMARC record on the way up: the domain itself, RFC 9989 §4.10.2)
	// SPF forger.example vs euston.net: relaxed, organizational domains differ (forger.example, euston.net) → not aligned
	// policy p=reject of euston.net → reject
	// DMARC fail for euston.net: no authenticated identifier is aligned with euston.net → reject
	// dmarc=fail (no aligned identifier, policy reject from euston.net) header.from=euston.net policy.dmarc=reject
}

func ExampleParse() {
	r, err := dmarc.Parse("v=DMARC1; p=quarantine; sp=reject; aspf=s; pct=20; rua=mailto:dmarc@euston.net")
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Policy, r.SubdomainPolicy, r.SPFAlignment, r.DKIMAlignment, r.AggregateURIs)
	for _, p := range r.Problems {
		fmt.Println(p)
	}
	_, err = dmarc.Parse("v=DMARC1 p=reject")
	fmt.Println(err)
	// Output:
	// quarantine reject strict relaxed [mailto:dmarc@euston.net]
	// column 44: tag "pct": RFC 9989 removed this tag of RFC 7489 (Appendix C.5.2); it is ignored
	// column 9: "v=DMARC1" must be followed by ";" or the end of the record (RFC 9989 §4.8)
}
