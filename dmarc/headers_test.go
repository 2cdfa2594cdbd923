package dmarc_test

import (
	"context"
	"testing"

	"github.com/emersion/go-msgauth/authres"

	"spflab/dmarc"
)

func TestAuthResultsClause(t *testing.T) {
	z := zone(t, world)
	c := &dmarc.Checker{Resolver: z}
	check := func(from string, spf dmarc.SPF, dkim ...dmarc.DKIM) dmarc.Outcome {
		return c.Check(context.Background(), dmarc.Message{From: []string{from}, SPF: spf, DKIM: dkim})
	}
	tests := []struct {
		o    dmarc.Outcome
		want string
	}{
		{check("ceo@euston.net", dmarc.SPF{Domain: "forger.example", Result: "pass"}),
			"dmarc=fail (no aligned identifier, policy reject from euston.net) header.from=euston.net policy.dmarc=reject"},
		{check("x@testing.example", dmarc.SPF{Domain: "forger.example", Result: "pass"}),
			"dmarc=fail (no aligned identifier, policy reject from testing.example lowered to quarantine for testing) header.from=testing.example policy.dmarc=quarantine"},
		{check("news@euston.net", dmarc.SPF{Domain: "mail.euston.net", Result: "pass"}, dmarc.DKIM{Domain: "euston.net", Result: "pass"}),
			"dmarc=pass (aligned SPF and DKIM euston.net) header.from=euston.net policy.dmarc=none"},
		{check("x@nodmarc.example", dmarc.SPF{}),
			"dmarc=none (no DMARC record for nodmarc.example) header.from=nodmarc.example"},
		{check("x@flaky.example", dmarc.SPF{}),
			"dmarc=temperror (TXT _dmarc.flaky.example: timeout) header.from=flaky.example"},
		{c.Check(context.Background(), dmarc.Message{}),
			"dmarc=permerror (the message has no From: header field \\(RFC 5322 §3.6 requires one\\))"},
	}
	for _, tt := range tests {
		got := dmarc.AuthResultsClause(tt.o)
		if got != tt.want {
			t.Errorf("AuthResultsClause = %q\nwant                %q", got, tt.want)
		}
		// go-msgauth reads the clause back.
		_, results, err := authres.Parse("lab.example; " + got)
		if err != nil || len(results) != 1 {
			t.Fatalf("authres.Parse(%q) = %v, %v", got, results, err)
		}
		r, ok := results[0].(*authres.DMARCResult)
		if !ok || string(r.Value) != string(tt.o.Result) || r.From != tt.o.AuthorDomain {
			t.Errorf("authres.Parse(%q) = %+v", got, results[0])
		}
	}
}
