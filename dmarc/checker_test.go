package dmarc_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"spflab/dmarc"
	"spflab/fakedns"
	"spflab/spf"
)

func zone(t testing.TB, yml string) *fakedns.Zone {
	t.Helper()
	z, err := fakedns.ParseZoneData([]byte(yml), t.Name())
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// queried records the TXT names a zone is asked for.
func queried(z *fakedns.Zone) *[]string {
	var names []string
	z.OnQuery = func(qtype, name string, err error) {
		if qtype == "TXT" {
			names = append(names, strings.TrimPrefix(name, "_dmarc."))
		}
	}
	return &names
}

// TestDiscover runs the DNS Tree Walk of RFC 9989 §4.10 on the examples of
// §4.10.2 and Appendix B.4: the names queried, the Organizational Domain
// and the domain whose record applies.
func TestDiscover(t *testing.T) {
	tests := []struct {
		name, zone, domain   string
		org, policy, queries string
	}{
		{
			name: "§4.10.2: the record with the fewest labels",
			zone: `
_dmarc.mail.example.com: [TXT: v=DMARC1; p=none]
_dmarc.example.com: [TXT: v=DMARC1; p=reject]`,
			domain: "a.mail.example.com", org: "example.com", policy: "example.com",
			queries: "a.mail.example.com mail.example.com example.com com",
		},
		{
			name: "§4.10.2: psd=n stops the walk",
			zone: `
_dmarc.mail.example.com: [TXT: v=DMARC1; p=none; psd=n]
_dmarc.example.com: [TXT: v=DMARC1; p=reject]`,
			domain: "a.mail.example.com", org: "mail.example.com", policy: "mail.example.com",
			queries: "a.mail.example.com mail.example.com",
		},
		{
			name:   "§4.10.2: psd=y at com makes example.com the organizational domain; its PSD record applies",
			zone:   `_dmarc.com: [TXT: v=DMARC1; p=reject; psd=y]`,
			domain: "a.mail.example.com", org: "example.com", policy: "com",
			queries: "a.mail.example.com mail.example.com example.com com",
		},
		{
			name: "B.4.3: the Author Domain's own record, then psd=y",
			zone: `
_dmarc.giant.bank.example: [TXT: v=DMARC1; p=quarantine]
_dmarc.bank.example: [TXT: v=DMARC1; p=reject; psd=y]`,
			domain: "giant.bank.example", org: "giant.bank.example", policy: "giant.bank.example",
			queries: "giant.bank.example bank.example",
		},
		{
			name: "B.4.3: the SPF domain below it",
			zone: `
_dmarc.giant.bank.example: [TXT: v=DMARC1; p=quarantine]
_dmarc.bank.example: [TXT: v=DMARC1; p=reject; psd=y]`,
			domain: "mail.giant.bank.example", org: "giant.bank.example", policy: "giant.bank.example",
			queries: "mail.giant.bank.example giant.bank.example bank.example",
		},
		{
			name: "B.4.3: the DKIM domain under another organization",
			zone: `
_dmarc.giant.bank.example: [TXT: v=DMARC1; p=quarantine]
_dmarc.bank.example: [TXT: v=DMARC1; p=reject; psd=y]`,
			domain: "mail.mega.bank.example", org: "mega.bank.example", policy: "bank.example",
			queries: "mail.mega.bank.example mega.bank.example bank.example",
		},
		{
			name:   "psd=y at the start: the domain is its own organizational domain",
			zone:   `_dmarc.bank.example: [TXT: v=DMARC1; p=reject; psd=y]`,
			domain: "bank.example", org: "bank.example", policy: "bank.example",
			queries: "bank.example",
		},
		{
			name:   "B.4.2: a deep tree walk makes eight queries",
			zone:   `_dmarc.example.com: [TXT: v=DMARC1; p=reject]`,
			domain: "a.b.c.d.e.f.g.h.i.j.k.example.com", org: "example.com", policy: "example.com",
			queries: "a.b.c.d.e.f.g.h.i.j.k.example.com g.h.i.j.k.example.com h.i.j.k.example.com i.j.k.example.com j.k.example.com k.example.com example.com com",
		},
		{
			name:   "no record anywhere: the domain itself, no policy",
			zone:   `other.example: [A: 192.0.2.1]`,
			domain: "x.example.net", org: "x.example.net", policy: "",
			queries: "x.example.net example.net net",
		},
		{
			name: "two DMARC records are both discarded; other TXT records are not DMARC records",
			zone: `
_dmarc.example.com: [TXT: v=DMARC1; p=reject, TXT: v=DMARC1; p=none]
_dmarc.com: [TXT: v=spf1 -all]`,
			domain: "example.com", org: "example.com", policy: "",
			queries: "example.com com",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := zone(t, tt.zone)
			names := queried(z)
			c := &dmarc.Checker{Resolver: z}
			d, err := c.Discover(context.Background(), tt.domain)
			if err != nil {
				t.Fatal(err)
			}
			if d.OrgDomain != tt.org || d.PolicyDomain != tt.policy {
				t.Errorf("org %q, policy %q; want %q, %q", d.OrgDomain, d.PolicyDomain, tt.org, tt.policy)
			}
			if (d.Record != nil) != (tt.policy != "") {
				t.Errorf("record %v with policy domain %q", d.Record, tt.policy)
			}
			if want := strings.Fields(tt.queries); !slices.Equal(*names, want) {
				t.Errorf("queried %q, want %q", *names, want)
			}
		})
	}
}

func TestDiscoverTemporaryFailure(t *testing.T) {
	z := zone(t, "_dmarc.example.com: [TIMEOUT]")
	c := &dmarc.Checker{Resolver: z}
	_, err := c.Discover(context.Background(), "mail.example.com")
	if err == nil || !strings.Contains(err.Error(), "_dmarc.example.com") || !errors.Is(err, err) {
		t.Errorf("Discover: %v, want an error naming _dmarc.example.com", err)
	}
	if _, err := c.Discover(context.Background(), "bad..name"); err == nil {
		t.Error("Discover accepted a name with an empty label")
	}
}

// world is the zone of the Check tests.
const world = `
euston.net: [A: 192.0.2.25]
mail.euston.net: [A: 192.0.2.25]
_dmarc.euston.net: [TXT: v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:dmarc@euston.net]
forger.example: [A: 203.0.113.9]
_dmarc.forger.example: [TXT: v=DMARC1; p=none]
strict.example: [A: 192.0.2.30]
_dmarc.strict.example: [TXT: v=DMARC1; p=reject; aspf=s; adkim=s]
testing.example: [A: 192.0.2.31]
_dmarc.testing.example: [TXT: v=DMARC1; p=reject; t=y]
quarantine.example: [A: 192.0.2.32]
_dmarc.quarantine.example: [TXT: v=DMARC1; p=quarantine; t=y]
nosp.example: [A: 192.0.2.33]
sub.nosp.example: [A: 192.0.2.34]
_dmarc.nosp.example: [TXT: v=DMARC1; p=quarantine]
nponly.example: [A: 192.0.2.35]
_dmarc.nponly.example: [TXT: v=DMARC1; np=reject]
badpolicy.example: [A: 192.0.2.36]
_dmarc.badpolicy.example: [TXT: v=DMARC1; p=block]
badreported.example: [A: 192.0.2.37]
_dmarc.badreported.example: [TXT: v=DMARC1; p=block; rua=mailto:r@badreported.example]
_dmarc.flaky.example: [TIMEOUT]
_dmarc.flaky.net: [TIMEOUT]
_dmarc.xn--bcher-kva.example: [TXT: v=DMARC1; p=reject]
_dmarc.ghostly.example: [TXT: v=DMARC1; p=none; np=reject]
sub.ghostly.example: [TIMEOUT]
`

func TestCheck(t *testing.T) {
	pass := func(d string) dmarc.SPF { return dmarc.SPF{Domain: d, Result: "pass"} }
	dkim := func(d, r string) []dmarc.DKIM { return []dmarc.DKIM{{Domain: d, Selector: "lab", Result: r}} }
	tests := []struct {
		name        string
		from        string
		spf         dmarc.SPF
		dkim        []dmarc.DKIM
		result      dmarc.Result
		disposition dmarc.Policy
		tag         string // the policy tag of a fail
	}{
		{"forged From: SPF passes for the forger's own domain", "ceo@euston.net", pass("forger.example"), nil, dmarc.Fail, dmarc.PolicyReject, "p"},
		{"relaxed SPF: a subdomain of the Author Domain", "news@euston.net", pass("mail.euston.net"), nil, dmarc.Pass, dmarc.PolicyNone, ""},
		{"relaxed SPF: identical", "news@euston.net", pass("euston.net"), nil, dmarc.Pass, dmarc.PolicyNone, ""},
		{"SPF fail is not an authenticated identifier", "news@euston.net", dmarc.SPF{Domain: "euston.net", Result: "fail"}, nil, dmarc.Fail, dmarc.PolicyReject, "p"},
		{"strict SPF: a subdomain is not aligned", "news@strict.example", pass("mail.strict.example"), nil, dmarc.Fail, dmarc.PolicyReject, "p"},
		{"strict SPF: identical", "news@strict.example", pass("strict.example"), nil, dmarc.Pass, dmarc.PolicyNone, ""},
		{"relaxed DKIM rescues a failed SPF (forwarding)", "news@euston.net", dmarc.SPF{Domain: "euston.net", Result: "fail"}, dkim("mail.euston.net", "pass"), dmarc.Pass, dmarc.PolicyNone, ""},
		{"strict DKIM: a subdomain is not aligned", "news@strict.example", dmarc.SPF{}, dkim("mail.strict.example", "pass"), dmarc.Fail, dmarc.PolicyReject, "p"},
		{"strict DKIM: identical", "news@strict.example", dmarc.SPF{}, dkim("STRICT.example.", "pass"), dmarc.Pass, dmarc.PolicyNone, ""},
		{"a DKIM signature that failed is not aligned", "news@euston.net", dmarc.SPF{}, dkim("euston.net", "fail"), dmarc.Fail, dmarc.PolicyReject, "p"},
		{"DKIM of another organization", "news@euston.net", pass("forger.example"), dkim("forger.example", "pass"), dmarc.Fail, dmarc.PolicyReject, "p"},
		{"sp for an existing subdomain", "x@mail.euston.net", pass("forger.example"), nil, dmarc.Fail, dmarc.PolicyQuarantine, "sp"},
		{"np for a subdomain that does not exist", "x@ghost.euston.net", pass("forger.example"), nil, dmarc.Fail, dmarc.PolicyReject, "np"},
		{"p=none: monitoring only", "x@forger.example", pass("euston.net"), nil, dmarc.Fail, dmarc.PolicyNone, "p"},
		{"t=y lowers reject to quarantine", "x@testing.example", pass("forger.example"), nil, dmarc.Fail, dmarc.PolicyQuarantine, "p"},
		{"t=y lowers quarantine to none", "x@quarantine.example", pass("forger.example"), nil, dmarc.Fail, dmarc.PolicyNone, "p"},
		{"no sp: a subdomain gets p", "x@sub.nosp.example", pass("forger.example"), nil, dmarc.Fail, dmarc.PolicyQuarantine, "p"},
		{"np without p: a missing subdomain gets np", "x@ghost.nponly.example", pass("forger.example"), nil, dmarc.Fail, dmarc.PolicyReject, "np"},
		{"np without p: the domain itself gets p=none", "x@nponly.example", pass("forger.example"), nil, dmarc.Fail, dmarc.PolicyNone, "p"},
		{"an invalid p with a valid rua counts as p=none", "x@badreported.example", pass("forger.example"), nil, dmarc.Fail, dmarc.PolicyNone, "p"},
		{"an invalid p without rua: no DMARC processing", "x@badpolicy.example", pass("forger.example"), nil, dmarc.PermError, dmarc.PolicyNone, ""},
		{"no DMARC record", "x@nodmarc.example", pass("forger.example"), nil, dmarc.None, dmarc.PolicyNone, ""},
		{"policy discovery times out", "x@flaky.example", pass("flaky.example"), nil, dmarc.TempError, dmarc.PolicyNone, ""},
		{"the SPF domain's organizational domain times out", "x@euston.net", pass("bounce.flaky.net"), nil, dmarc.TempError, dmarc.PolicyNone, ""},
		{"an aligned DKIM decides despite the timeout", "x@euston.net", pass("bounce.flaky.net"), dkim("euston.net", "pass"), dmarc.Pass, dmarc.PolicyNone, ""},
		{"the existence check for np times out", "x@sub.ghostly.example", pass("forger.example"), nil, dmarc.TempError, dmarc.PolicyNone, ""},
		{"a U-label Author Domain is looked up as an A-label", "x@Bücher.example", pass("forger.example"), nil, dmarc.Fail, dmarc.PolicyReject, "p"},
		{"several addresses of one domain", "a@euston.net, B <b@EUSTON.net>", pass("mail.euston.net"), nil, dmarc.Pass, dmarc.PolicyNone, ""},
	}
	z := zone(t, world)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &dmarc.Checker{Resolver: z}
			o := c.Check(context.Background(), dmarc.Message{From: []string{tt.from}, SPF: tt.spf, DKIM: tt.dkim})
			if o.Result != tt.result || o.Disposition != tt.disposition || o.PolicyTag != tt.tag {
				t.Errorf("Check = %s, disposition %s, tag %q (%v); want %s, %s, %q", o.Result, o.Disposition, o.PolicyTag, o.Err, tt.result, tt.disposition, tt.tag)
			}
			if (o.Err != nil) != (o.Result == dmarc.TempError || o.Result == dmarc.PermError) {
				t.Errorf("Err = %v with result %s", o.Err, o.Result)
			}
		})
	}
}

// TestCheckFrom covers the From: header fields RFC 9989 cannot evaluate
// (§4.4, §5.3.1) and several Author Domains in one field (§11.5).
func TestCheckFrom(t *testing.T) {
	z := zone(t, world)
	tests := []struct {
		name        string
		from        []string
		result      dmarc.Result
		disposition dmarc.Policy
		author      string
		authors     int
		errText     string
	}{
		{"no From: field", nil, dmarc.PermError, dmarc.PolicyNone, "", 0, "no From: header field"},
		{"two From: fields", []string{"ceo@euston.net", "x@forger.example"}, dmarc.PermError, dmarc.PolicyNone, "", 0, "2 From: header fields"},
		{"not an address", []string{"ceo at euston.net"}, dmarc.PermError, dmarc.PolicyNone, "", 0, "cannot be parsed"},
		{"an empty group", []string{"undisclosed-recipients:;"}, dmarc.PermError, dmarc.PolicyNone, "", 0, "holds no address"},
		{"a domain literal", []string{"x@[192.0.2.1]"}, dmarc.PermError, dmarc.PolicyNone, "", 0, "no usable domain"},
		{"two domains: the failing one with the strictest policy decides", []string{"x@forger.example, ceo@euston.net"}, dmarc.Fail, dmarc.PolicyReject, "euston.net", 2, ""},
		{"two domains: one passes, one has no record", []string{"x@forger.example, y@nodmarc.example"}, dmarc.Pass, dmarc.PolicyNone, "forger.example", 2, ""},
		{"five domains are too many", []string{"a@a.example, b@b.example, c@c.example, d@d.example, e@e.example"}, dmarc.PermError, dmarc.PolicyNone, "", 0, "names 5 domains"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &dmarc.Checker{Resolver: z}
			o := c.Check(context.Background(), dmarc.Message{From: tt.from, SPF: dmarc.SPF{Domain: "forger.example", Result: "pass"}})
			if o.Result != tt.result || o.Disposition != tt.disposition || o.AuthorDomain != tt.author || len(o.Authors) != tt.authors {
				t.Errorf("Check = %s, %s, author %q, %d authors (%v); want %s, %s, %q, %d", o.Result, o.Disposition, o.AuthorDomain, len(o.Authors), o.Err, tt.result, tt.disposition, tt.author, tt.authors)
			}
			if tt.errText != "" && (o.Err == nil || !strings.Contains(o.Err.Error(), tt.errText)) {
				t.Errorf("Err = %v, want one saying %q", o.Err, tt.errText)
			}
		})
	}
}

// TestCheckEvents checks the steps of one evaluation and their words.
func TestCheckEvents(t *testing.T) {
	z := zone(t, world)
	var lines []string
	c := &dmarc.Checker{Resolver: z, Listener: func(e dmarc.Event) { lines = append(lines, e.Kind.String()+": "+e.String()) }}
	o := c.Check(context.Background(), dmarc.Message{
		From: []string{"News <news@mail.euston.net>"},
		SPF:  dmarc.SPF{Domain: "bounce.euston.net", Result: "pass"},
		DKIM: []dmarc.DKIM{{Domain: "forger.example", Selector: "s1", Result: "pass"}, {Domain: "euston.net", Selector: "lab", Result: "fail"}},
	})
	want := []string{
		"author: Author Domain mail.euston.net (the domain of the From: address, RFC 9989 §5.3.1)",
		"dns: TXT _dmarc.mail.euston.net: no such name",
		"dns: TXT _dmarc.euston.net → \"v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:dmarc@euston.net\"",
		"record: euston.net publishes a DMARC record",
		"dns: TXT _dmarc.net: no such name",
		"org-domain: organizational domain of mail.euston.net: euston.net (the domain with a DMARC record and the fewest labels, RFC 9989 §4.10.2 rule 3)",
		"policy-domain: policy record: _dmarc.euston.net (the organizational domain of mail.euston.net)",
		"dns: TXT _dmarc.bounce.euston.net: no such name",
		"org-domain: organizational domain of bounce.euston.net: euston.net (the domain with a DMARC record and the fewest labels, RFC 9989 §4.10.2 rule 3)",
		"align: SPF bounce.euston.net vs mail.euston.net: relaxed, same organizational domain (euston.net) → aligned",
		"dns: TXT _dmarc.forger.example → \"v=DMARC1; p=none\"",
		"record: forger.example publishes a DMARC record",
		"dns: TXT _dmarc.example: no such name",
		"org-domain: organizational domain of forger.example: forger.example (the domain with a DMARC record and the fewest labels, RFC 9989 §4.10.2 rule 3)",
		"align: DKIM d=forger.example s=s1 vs mail.euston.net: relaxed, organizational domains differ (forger.example, euston.net) → not aligned",
		"align: DKIM d=euston.net s=lab: fail, not an authenticated identifier → not aligned",
		"result: DMARC pass for mail.euston.net: SPF aligned",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if o.OrgDomain != "euston.net" || !o.SPFAligned || o.DKIMAligned != nil {
		t.Errorf("Outcome = %+v", o)
	}

	// A fail for a missing subdomain: the existence query and np.
	lines = nil
	c.Check(context.Background(), dmarc.Message{From: []string{"ceo@ghost.euston.net"}, SPF: dmarc.SPF{Domain: "forger.example", Result: "softfail"}})
	want = []string{
		"dns: A ghost.euston.net: no such name",
		"exists: ghost.euston.net does not exist (NXDOMAIN): the policy for non-existent subdomains np applies (RFC 9989 §3.2.13)",
		"policy: policy np=reject of euston.net → reject",
		"result: DMARC fail for ghost.euston.net: no authenticated identifier is aligned with ghost.euston.net → reject",
	}
	if got := lines[len(lines)-len(want):]; !slices.Equal(got, want) {
		t.Errorf("events end:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := lines[len(lines)-len(want)-1]; got != "align: SPF forger.example: softfail, not an authenticated identifier → not aligned" {
		t.Errorf("SPF event = %q", got)
	}

	// t=y, and a removed tag in the record.
	z2 := zone(t, "_dmarc.example.com: [TXT: v=DMARC1; p=reject; t=y; pct=50]\nexample.com: [A: 192.0.2.1]")
	lines = nil
	c.Resolver = z2
	c.Check(context.Background(), dmarc.Message{From: []string{"x@example.com"}})
	for _, w := range []string{
		`record: example.com publishes a DMARC record; ignored: column 26: tag "pct": RFC 9989 removed this tag of RFC 7489 (Appendix C.5.2); it is ignored`,
		"policy: policy p=reject of example.com, t=y asks for one level below (RFC 9989 §4.7) → quarantine",
	} {
		if !slices.Contains(lines, w) {
			t.Errorf("no event %q in\n%s", w, strings.Join(lines, "\n"))
		}
	}
}

// TestCheckSharesLookups checks that one evaluation asks for each _dmarc
// name once, however many identifiers need it.
func TestCheckSharesLookups(t *testing.T) {
	z := zone(t, world)
	names := queried(z)
	c := &dmarc.Checker{Resolver: z}
	c.Check(context.Background(), dmarc.Message{
		From: []string{"x@a.euston.net"},
		SPF:  dmarc.SPF{Domain: "b.euston.net", Result: "pass"},
		DKIM: []dmarc.DKIM{{Domain: "b.euston.net", Result: "pass"}, {Domain: "mail.euston.net", Result: "pass"}},
	})
	if want := []string{"a.euston.net", "euston.net", "net", "b.euston.net", "mail.euston.net"}; !slices.Equal(*names, want) {
		t.Errorf("queried %q, want %q", *names, want)
	}
}

func TestResolverContract(t *testing.T) {
	var _ dmarc.Resolver = spf.Resolver(nil)
	var _ dmarc.Resolver = fakedns.NewZone()
}

func TestCheckOddIdentifiers(t *testing.T) {
	z := zone(t, world)
	var lines []string
	c := &dmarc.Checker{Resolver: z, Listener: func(e dmarc.Event) {
		if e.Kind == dmarc.EventAlign {
			lines = append(lines, e.String())
		}
	}}
	o := c.Check(context.Background(), dmarc.Message{
		From: []string{"x@euston.net"},
		SPF:  dmarc.SPF{Domain: "bad..example", Result: "pass"},
		DKIM: []dmarc.DKIM{{Result: "none"}},
	})
	want := []string{"SPF bad..example vs euston.net: relaxed, not a domain name → not aligned"}
	if o.Result != dmarc.Fail || !slices.Equal(lines, want) {
		t.Errorf("Check = %s, events %q; want fail, %q", o.Result, lines, want)
	}
}
