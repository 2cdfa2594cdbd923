package lint

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"spflab/dmarc"
	"spflab/finding"
	"spflab/spf"
)

// A Linter checks DMARC records through Resolver, the resolver that serves
// SPF (an in-memory zone, loopback DNS, live DNS). It is safe for
// concurrent use if its Resolver is.
type Linter struct {
	Resolver dmarc.Resolver
}

// Lint discovers the DMARC record that applies to domain as an Author
// Domain (RFC 9989 §4.10.1) and lints it. The error is for a domain that is
// not a domain name; a failed lookup is a finding.
func (l *Linter) Lint(ctx context.Context, domain string) (*Report, error) {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	if err := spf.ValidateDomain(domain); err != nil {
		return nil, fmt.Errorf("%q: %v", domain, err)
	}
	rep := &Report{Domain: domain, Trace: []dmarc.Event{}, Destinations: []Destination{}, Findings: []finding.Finding{}}
	ck := dmarc.Checker{Resolver: l.Resolver, Listener: func(e dmarc.Event) {
		e.Answers = slices.Clone(e.Answers)
		rep.Trace = append(rep.Trace, e)
	}}
	disc, err := ck.Discover(ctx, domain)
	rep.PolicyDomain, rep.OrgDomain = disc.PolicyDomain, disc.OrgDomain
	several := rep.lintAnswers()
	switch {
	case err != nil:
		rep.discoveryFailed = true
		name := "_dmarc." + domain
		for _, e := range rep.Trace {
			if e.Kind == dmarc.EventDNS && e.Err != "" {
				name = e.Name
			}
		}
		rep.add(rules[ruleLookupFailed].Finding(name,
			"policy discovery failed: "+err.Error()+": receivers get temperror for mail from "+domain,
			"make the name servers of "+name+" answer; check them with dig TXT "+name))
	case disc.Record != nil:
		rep.Record = disc.Record.Text
		l.lintRecord(ctx, rep, disc)
	case !several[domain]:
		rep.noRecord(disc)
	}
	return rep, nil
}

// lintAnswers reports each _dmarc name of the walk that holds more than
// one DMARC record (RFC 9989 §4.10 step 2), and returns their domains.
func (rep *Report) lintAnswers() map[string]bool {
	several := map[string]bool{}
	for _, e := range rep.Trace {
		if e.Kind != dmarc.EventDNS || e.QType != "TXT" {
			continue
		}
		var found []string
		for _, a := range e.Answers {
			if dmarc.IsRecord(a) {
				found = append(found, strconv.Quote(a))
			}
		}
		if len(found) < 2 {
			continue
		}
		several[strings.TrimPrefix(e.Name, "_dmarc.")] = true
		rep.add(rules[ruleMultipleRecords].Finding(e.Name,
			fmt.Sprintf("%d DMARC records (%s): receivers discard them all, as if there were none", len(found), strings.Join(found, ", ")),
			"keep one record at "+e.Name+": merge the tags you mean into it and delete the others"))
	}
	return several
}

// noRecord reports that no record applies, with the TXT record at the
// domain's _dmarc name that is not one, if there is one.
func (rep *Report) noRecord(disc dmarc.Discovery) {
	name := "_dmarc." + rep.Domain
	msg := "no DMARC record at " + name + " or at the names above it that the DNS Tree Walk visits: receivers apply no DMARC policy to mail that uses " +
		rep.Domain + " in From: (result none)"
	f := rules[ruleNoRecord].Finding(name, msg,
		`publish a TXT record at `+name+`, e.g. "v=DMARC1; p=none; rua=mailto:dmarc-reports@`+rep.Domain+
			`", and raise p when the reports show that your mail passes`)
	for _, e := range rep.Trace {
		if e.Kind != dmarc.EventDNS || e.Name != name {
			continue
		}
		for _, a := range e.Answers {
			if _, err := dmarc.Parse(a); err != nil && looksLikeDMARC(a) {
				serr := err.(*dmarc.SyntaxError)
				f.Message += "; the TXT record there is not a DMARC record: " + stripRef(serr.Reason)
				f.Record, f.Column, f.Term = a, serr.Column, termAt(a, serr.Column, ";")
				break
			}
		}
	}
	rep.add(f)
}

// looksLikeDMARC reports whether a TXT record at a _dmarc name was meant
// as a DMARC record: it begins with "v" and mentions DMARC.
func looksLikeDMARC(txt string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(txt)), "v") && strings.Contains(strings.ToLower(txt), "dmarc")
}

// lintRecord checks the record policy discovery found.
func (l *Linter) lintRecord(ctx context.Context, rep *Report, disc dmarc.Discovery) {
	rec := disc.Record
	c := recordCheck{rep: rep, rec: rec, name: "_dmarc." + disc.PolicyDomain}
	for _, p := range rec.Problems {
		c.problem(p, disc.PolicyDomain)
	}
	c.policies(disc.PolicyDomain)
	dests := destinations{l: l, disc: disc, consent: map[string]consent{}}
	for _, t := range []struct {
		tag  string
		uris []string
	}{{"rua", rec.AggregateURIs}, {"ruf", rec.FailureURIs}} {
		for _, u := range t.uris {
			c.destination(ctx, &dests, t.tag, u)
		}
	}
}

// recordCheck lints one record, published at name.
type recordCheck struct {
	rep  *Report
	rec  *dmarc.Record
	name string
}

// at adds a finding of rule r about the term at col of the record; col 0
// for the record as a whole.
func (c *recordCheck) at(r ruleID, col int, message, fix string, stops string) {
	f := rules[r].Finding(c.name, message, fix)
	f.Record = c.rec.Text
	if col > 0 {
		f.Column, f.Term = col, termAt(c.rec.Text, col, stops)
	}
	c.rep.add(f)
}

// problem reports a part of the record that receivers ignore (RFC 9989
// §4.8), in the dmarc package's words.
func (c *recordCheck) problem(p dmarc.Problem, domain string) {
	msg := stripRef(p.Reason)
	if p.Tag != "" {
		msg = "tag " + strconv.Quote(p.Tag) + ": " + msg
	}
	stops := ";"
	if p.Tag == "rua" || p.Tag == "ruf" {
		stops = ";,"
	}
	switch p.Kind {
	case dmarc.ProblemUnknown:
		c.at(ruleUnknownTag, p.Column, msg, "remove it, or correct its name: the tags are v, p, sp, np, psd, t, adkim, aspf, rua, ruf and fo", stops)
	case dmarc.ProblemRemoved:
		c.at(ruleRemovedTag, p.Column, msg, removedFix[p.Tag], stops)
	case dmarc.ProblemObsolete:
		c.at(ruleObsoleteSize, p.Column, msg, `remove the "!size" suffix: reporters no longer limit the size of a report`, stops)
	default:
		if c.policyInvalid(p) && len(c.rec.AggregateURIs) == 0 {
			msg += "; with no valid rua either, receivers give the record no DMARC processing (permerror)"
		}
		c.at(ruleInvalidTag, p.Column, msg, c.invalidFix(p, domain), stops)
	}
}

// removedFix says what to do instead of each tag RFC 9989 removed.
var removedFix = map[string]string{
	"pct": "remove it: receivers apply the policy to all mail or none; to try a stricter policy first, publish it with t=y",
	"rf":  "remove it: failure reports have a single format (RFC 9991)",
	"ri":  "remove it: receivers choose the interval of aggregate reports, usually a day",
}

// invalidFix says how to write a tag that does not follow the grammar.
func (c *recordCheck) invalidFix(p dmarc.Problem, domain string) string {
	switch {
	case p.Tag == "":
		return `remove the stray text or empty tag: tags are name=value, separated by ";"`
	case p.Tag == "v":
		return `remove it: "v=DMARC1" comes once, at the start`
	case c.repeated(p):
		return "keep one " + p.Tag + " tag: receivers use the first and ignore the others"
	}
	switch p.Tag {
	case "p", "sp", "np":
		return "write " + p.Tag + "=none, " + p.Tag + "=quarantine or " + p.Tag + "=reject"
	case "psd":
		return "write psd=y, psd=n or psd=u (the default), or leave it out"
	case "t":
		return "write t=y or t=n (the default), or leave it out"
	case "adkim", "aspf":
		return "write " + p.Tag + "=r (relaxed, the default) or " + p.Tag + "=s (strict)"
	case "rua", "ruf":
		return "write each address as a URI, e.g. mailto:dmarc-reports@" + domain + `, several separated by ","; percent-encode spaces and "!"`
	case "fo":
		return `write fo=0, 1, d or s, several separated by ":"`
	}
	return "write the tag as name=value, or remove it"
}

// policyInvalid reports whether p is about the value of the p, sp or np
// tag that counts, which then makes the record unusable without a valid
// rua (RFC 9989 §4.10.1).
func (c *recordCheck) policyInvalid(p dmarc.Problem) bool {
	value := map[string]dmarc.Policy{"p": c.rec.Policy, "sp": c.rec.SubdomainPolicy, "np": c.rec.NonExistentPolicy}
	v, ok := value[p.Tag]
	return ok && v == "" && !c.repeated(p)
}

// repeated reports whether p is about a second occurrence of its tag.
func (c *recordCheck) repeated(p dmarc.Problem) bool {
	first := slices.IndexFunc(c.rec.Tags, func(t dmarc.Tag) bool { return t.Name == p.Tag })
	return first >= 0 && slices.ContainsFunc(c.rec.Tags[first+1:], func(t dmarc.Tag) bool { return t.Name == p.Tag && t.Column == p.Column })
}

// tag returns the first occurrence of a tag, the one receivers use.
func (c *recordCheck) tag(name string) (dmarc.Tag, bool) {
	i := slices.IndexFunc(c.rec.Tags, func(t dmarc.Tag) bool { return t.Name == name })
	if i < 0 {
		return dmarc.Tag{}, false
	}
	return c.rec.Tags[i], true
}

// policies reports a policy that only monitors, subdomain policies weaker
// than p, and testing mode (RFC 9989 §4.7).
func (c *recordCheck) policies(domain string) {
	rec := c.rec
	pTag, hasP := c.tag("p")
	if hasP && rec.Policy == "" {
		return // an invalid p: reported, and nothing to compare with
	}
	policy := cmp.Or(rec.Policy, dmarc.PolicyNone)
	if policy == dmarc.PolicyNone {
		fix := "once the aggregate reports show that your own mail passes, publish p=quarantine, then p=reject"
		if len(rec.AggregateURIs) == 0 {
			fix = "ask for aggregate reports with rua=mailto:dmarc-reports@" + domain + "; once they show that your own mail passes, publish p=quarantine, then p=reject"
		}
		if hasP {
			c.at(rulePolicyNone, pTag.Column, "p=none asks receivers only to report: mail that fails DMARC is delivered as if there were no record", fix, ";")
		} else {
			c.at(rulePolicyNone, 0, "the record has no p tag, which counts as p=none: receivers only report, and mail that fails DMARC is delivered", fix, ";")
		}
	}
	for _, sub := range []struct {
		tag    string
		policy dmarc.Policy
		who    string
		fix    string
	}{
		{"sp", rec.SubdomainPolicy, "mail from the subdomains of " + domain,
			"remove sp (the subdomains then get p), or raise it to " + string(policy) + " once their mail passes"},
		{"np", rec.NonExistentPolicy, "mail from names under " + domain + " that do not exist, which only forgers use,",
			"write np=reject, or remove np so that sp or p applies"},
	} {
		if sub.policy == "" || strictness(sub.policy) >= strictness(policy) {
			continue
		}
		t, _ := c.tag(sub.tag)
		c.at(ruleWeakerSubdomainPolicy, t.Column,
			fmt.Sprintf("%s=%s asks for less than p=%s: %s is treated more leniently than mail from %s", sub.tag, sub.policy, policy, sub.who, domain), sub.fix, ";")
	}
	if rec.Testing {
		t, _ := c.tag("t")
		msg := "t=y (testing) changes nothing with p=none"
		if lowered := lower(policy); lowered != policy {
			msg = fmt.Sprintf("t=y (testing): receivers apply p=%s as %s", policy, lowered)
		}
		c.at(ruleTesting, t.Column, msg, "remove t=y (or write t=n) when the tests are done, so that the policy applies in full", ";")
	}
}

// strictness orders the policies: none, quarantine, reject.
func strictness(p dmarc.Policy) int {
	return slices.Index([]dmarc.Policy{dmarc.PolicyNone, dmarc.PolicyQuarantine, dmarc.PolicyReject}, p)
}

// lower is the disposition t=y asks for (RFC 9989 §4.7): one level below.
func lower(p dmarc.Policy) dmarc.Policy {
	switch p {
	case dmarc.PolicyReject:
		return dmarc.PolicyQuarantine
	case dmarc.PolicyQuarantine:
		return dmarc.PolicyNone
	}
	return p
}

// destination checks one report URI: a mailto: address, and, in another
// organization's domain, that domain's consent (RFC 9990 §3).
func (c *recordCheck) destination(ctx context.Context, dests *destinations, tag, uri string) {
	d := Destination{Tag: tag, URI: uri}
	col := c.uriColumn(tag, uri)
	kind := map[string]string{"rua": "aggregate", "ruf": "failure"}[tag]
	host, problem := mailtoHost(uri)
	if problem != "" {
		d.Problem = problem
		c.rep.Destinations = append(c.rep.Destinations, d)
		c.at(ruleReportURI, col, fmt.Sprintf("%s %q %s, so %s reports may never be sent", tag, uri, problem, kind),
			"give a mailto: address, e.g. mailto:dmarc-reports@"+dests.disc.PolicyDomain, ";,")
		return
	}
	d.Host = host
	dests.check(ctx, &d)
	c.rep.Destinations = append(c.rep.Destinations, d)
	switch {
	case d.lookupFailed:
		c.at(ruleLookupFailed, col, fmt.Sprintf("%s %q: %s", tag, uri, d.Problem),
			"make the name servers of "+host+" answer; receivers that cannot check the consent send no reports", ";,")
	case d.External && !d.Authorised:
		c.at(ruleExternalDestination, col,
			fmt.Sprintf("%s reports go to %s, another organization than %s, which has not consented: %s; receivers send it no reports",
				kind, host, dests.disc.PolicyDomain, d.Problem),
			fmt.Sprintf(`ask the operator of %s to publish TXT "v=DMARC1" at %s, or send the reports to an address at %s`, host, d.Consent, dests.disc.PolicyDomain), ";,")
	}
}

// uriColumn is the column of a report URI in the record: in the first
// occurrence of its tag, the one receivers use.
func (c *recordCheck) uriColumn(tag, uri string) int {
	t, ok := c.tag(tag)
	if !ok {
		return 0
	}
	if i := strings.Index(c.rec.Text[t.Column-1:], uri); i >= 0 {
		return t.Column + i
	}
	return t.Column
}

// mailtoHost returns the domain of a mailto: URI's address, or says why
// there is none.
func mailtoHost(uri string) (host, problem string) {
	u, err := url.Parse(uri)
	switch {
	case err != nil:
		return "", "is not a URI"
	case !strings.EqualFold(u.Scheme, "mailto"):
		return "", "is not a mailto: URI, the only scheme receivers must support"
	}
	addr, _, _ := strings.Cut(u.Opaque, "?")
	if a, err := url.PathUnescape(addr); err == nil {
		addr = a
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return "", "has no address with a domain"
	}
	host = strings.ToLower(strings.TrimSuffix(addr[at+1:], "."))
	if err := spf.ValidateDomain(host); err != nil {
		return "", "names no valid domain (" + err.Error() + ")"
	}
	return host, ""
}

// destinations checks report destinations for one record, each
// destination domain once.
type destinations struct {
	l       *Linter
	disc    dmarc.Discovery
	consent map[string]consent // by host
}

// consent is what the check of one destination domain found.
type consent struct {
	external, authorised, lookupFailed bool
	name, problem                      string
}

// check fills in whether d's host belongs to another organization than
// the policy domain — another Organizational Domain, found by the DNS
// Tree Walk — and, if it does, whether it consents to the reports: exactly
// one TXT record, a DMARC record, at
// <policy domain>._report._dmarc.<host> (RFC 9990 §3).
func (ds *destinations) check(ctx context.Context, d *Destination) {
	c, ok := ds.consent[d.Host]
	if !ok {
		c = ds.ask(ctx, d.Host)
		ds.consent[d.Host] = c
	}
	d.External, d.Authorised, d.Consent, d.Problem, d.lookupFailed = c.external, c.authorised, c.name, c.problem, c.lookupFailed
}

func (ds *destinations) ask(ctx context.Context, host string) consent {
	if host == ds.disc.PolicyDomain || host == ds.disc.OrgDomain {
		return consent{authorised: true}
	}
	ck := dmarc.Checker{Resolver: ds.l.Resolver}
	dd, err := ck.Discover(ctx, host)
	if err != nil {
		return consent{lookupFailed: true, problem: "the organizational domain of " + host + " is not known: " + err.Error()}
	}
	if dd.OrgDomain == ds.disc.OrgDomain {
		return consent{authorised: true}
	}
	c := consent{external: true, name: ds.disc.PolicyDomain + "._report._dmarc." + host}
	txts, err := ds.l.Resolver.LookupTXT(ctx, c.name)
	switch {
	case spf.Temporary(err):
		c.lookupFailed, c.problem = true, "TXT "+c.name+": "+spf.Failure(err)
	case err != nil || len(txts) == 0:
		c.problem = "no TXT record at " + c.name
		if err != nil {
			c.problem += " (" + spf.Failure(err) + ")"
		}
	case len(txts) > 1:
		c.problem = strconv.Itoa(len(txts)) + " TXT records at " + c.name + ", where one is needed"
	case !dmarc.IsRecord(txts[0]):
		c.problem = "the TXT record at " + c.name + ", " + strconv.Quote(txts[0]) + `, does not begin with "v=DMARC1"`
	default:
		c.authorised = true
	}
	return c
}

// refs matches the references the dmarc package puts in its reasons: a
// finding names its own.
var refs = regexp.MustCompile(` ?\((RFC \d+ )?(§|Appendix )[^)]*\)`)

// stripRef removes the RFC references from the dmarc package's words.
func stripRef(s string) string { return refs.ReplaceAllString(s, "") }

// termAt returns the term of text at the 1-based column col: up to the
// first of stops, without trailing white space; the character at col when
// that is empty.
func termAt(text string, col int, stops string) string {
	if col < 1 || col > len(text) {
		return ""
	}
	rest := text[col-1:]
	if i := strings.IndexAny(rest, stops); i >= 0 {
		rest = rest[:i]
	}
	if t := strings.TrimRight(rest, " \t"); t != "" {
		return t
	}
	return text[col-1 : col]
}
