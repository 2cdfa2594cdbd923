package dmarc

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"spflab/spf"
)

// DefaultMaxAuthorDomains is how many Author Domains one From: field may
// name before the evaluation gives up (RFC 9989 §11.5 advises a limit).
const DefaultMaxAuthorDomains = 4

// maxWalkQueries is the most queries one DNS Tree Walk makes (RFC 9989
// §4.10): the domain itself, then at most seven shorter names.
const maxWalkQueries = 8

// A Checker evaluates DMARC with a Resolver. Its zero value with a Resolver
// set is ready to use; a Checker is safe for concurrent use if its Resolver
// and Listener are.
type Checker struct {
	Resolver Resolver
	// Listener, when set, receives every step of every evaluation.
	Listener Listener
	// MaxAuthorDomains bounds the Author Domains of one From: field
	// (RFC 9989 §11.5); zero means DefaultMaxAuthorDomains.
	MaxAuthorDomains int
}

// Check evaluates DMARC for a message (RFC 9989 §5.3): it reads the Author
// Domain from the From: field, discovers the policy (§4.10.1), checks the
// alignment of the SPF- and DKIM-authenticated identifiers (§4.4, §4.10.2),
// and, for a fail, chooses the disposition from p, sp or np and t (§4.7).
//
// A From: field naming several domains is evaluated per domain, and the
// strictest policy among the domains that fail applies (§11.5).
func (c *Checker) Check(ctx context.Context, m Message) Outcome {
	e := c.newEvaluation(ctx)
	domains, err := authorDomains(m.From)
	if n := c.maxAuthorDomains(); err == nil && len(domains) > n {
		err = fmt.Errorf("the From: header field names %d domains; at most %d are evaluated (RFC 9989 §11.5)", len(domains), n)
	}
	if err != nil {
		if e.listener != nil {
			e.emit(Event{Kind: EventAuthor, Reason: err.Error() + ": DMARC cannot be evaluated"})
			e.emit(Event{Kind: EventResult, Result: PermError, Disposition: PolicyNone, Reason: "the Author Domain is not known"})
		}
		return Outcome{Result: PermError, Disposition: PolicyNone, Err: err}
	}
	if e.listener != nil {
		e.emit(Event{Kind: EventAuthor, Domains: domains})
	}
	if len(domains) == 1 {
		return e.check(domains[0], m)
	}
	outs := make([]Outcome, len(domains))
	for i, d := range domains {
		outs[i] = e.check(d, m)
	}
	o := combine(outs)
	if e.listener != nil {
		e.author = ""
		e.emit(Event{Kind: EventResult, Result: o.Result, Disposition: o.Disposition,
			Reason: "the result of " + o.AuthorDomain + " decides among " + strconv.Itoa(len(outs)) + " Author Domains (RFC 9989 §11.5)"})
	}
	return o
}

func (c *Checker) maxAuthorDomains() int {
	if c.MaxAuthorDomains <= 0 {
		return DefaultMaxAuthorDomains
	}
	return c.MaxAuthorDomains
}

// combine merges the Outcomes of several Author Domains (RFC 9989 §11.5):
// any fail makes a fail with the strictest disposition among the fails;
// otherwise an error, then a pass, then none decides.
func combine(outs []Outcome) Outcome {
	rank := map[Result]int{Fail: 4, TempError: 3, PermError: 2, Pass: 1, None: 0}
	best := 0
	for i, o := range outs {
		b := outs[best]
		if rank[o.Result] > rank[b.Result] ||
			o.Result == Fail && b.Result == Fail && o.Disposition.strictness() > b.Disposition.strictness() {
			best = i
		}
	}
	o := outs[best]
	o.Authors = outs
	return o
}

// Discovery is what policy discovery finds for a domain (RFC 9989
// §4.10.1, §4.10.2).
type Discovery struct {
	Domain       string  // the domain asked about
	PolicyDomain string  // where Record was found; "" when there is none
	Record       *Record // the record that applies to Domain, or nil
	OrgDomain    string  // Domain's Organizational Domain
}

// Discover finds the DMARC record that applies to domain as an Author
// Domain, and its Organizational Domain, as Check would. The error is a
// temporary DNS failure.
func (c *Checker) Discover(ctx context.Context, domain string) (Discovery, error) {
	d, err := normalizeDomain(domain)
	if err != nil {
		return Discovery{Domain: domain}, fmt.Errorf("%q: %w", domain, err)
	}
	e := c.newEvaluation(ctx)
	e.author = d
	p, err := e.discover(d)
	out := Discovery{Domain: d, PolicyDomain: p.domain, Record: p.record}
	if err != nil {
		return out, err
	}
	w := e.orgDomain(d)
	out.OrgDomain = w.org
	return out, w.err
}

func (c *Checker) newEvaluation(ctx context.Context) *evaluation {
	return &evaluation{c: c, ctx: ctx, listener: c.Listener, lookups: make(map[string]lookup), walks: make(map[string]walk)}
}

// evaluation is the state of one Check: the _dmarc lookups and tree walks
// done so far, shared by every Author Domain and identifier.
type evaluation struct {
	c        *Checker
	ctx      context.Context
	listener Listener
	author   string // the Author Domain being evaluated

	lookups map[string]lookup // by domain, without "_dmarc."
	walks   map[string]walk   // by the domain the walk started at
}

func (e *evaluation) emit(ev Event) {
	if ev.Author == "" {
		ev.Author = e.author
	}
	e.listener(ev)
}

// lookup is the DMARC record of a domain: the one record, or none, or a
// temporary failure.
type lookup struct {
	rec *Record
	err error
}

// record looks up the DMARC record of domain once per evaluation
// (RFC 9989 §4.10 steps 1–2, 5–6): a TXT query of _dmarc.domain, keeping
// the records that begin with v=DMARC1, all discarded when more than one.
func (e *evaluation) record(domain string) (*Record, error) {
	if l, ok := e.lookups[domain]; ok {
		return l.rec, l.err
	}
	name := "_dmarc." + domain
	txts, err := e.c.Resolver.LookupTXT(e.ctx, name)
	if err == nil && len(txts) == 0 {
		err = &spf.DNSError{QType: "TXT", Name: name, Err: spf.ErrNoData}
	}
	if e.listener != nil {
		ev := Event{Kind: EventDNS, QType: "TXT", Name: name, Answers: txts}
		if err != nil {
			ev.Err = dnsFailure(err)
		}
		e.emit(ev)
	}
	var l lookup
	switch {
	case err != nil:
		if isTemporary(err) {
			l.err = fmt.Errorf("TXT %s: %s", name, dnsFailure(err))
		}
	default:
		var found []string
		for _, t := range txts {
			if IsRecord(t) {
				found = append(found, t)
			}
		}
		ev := Event{Kind: EventRecord, Domain: domain}
		switch len(found) {
		case 0:
			ev.Reason = "no DMARC record among the " + strconv.Itoa(len(txts)) + " TXT records at " + name
		case 1:
			l.rec, _ = Parse(found[0]) // IsRecord made sure it parses
			ev.Record, ev.PSD, ev.Problems = l.rec.Text, l.rec.PSD, l.rec.Problems
		default:
			ev.Reason = strconv.Itoa(len(found)) + " DMARC records at " + name + ": all are discarded (RFC 9989 §4.10 step 2)"
		}
		if e.listener != nil {
			e.emit(ev)
		}
	}
	e.lookups[domain] = l
	return l.rec, l.err
}

// treeWalk returns the names a DNS Tree Walk from domain queries, in order
// (RFC 9989 §4.10): the domain, then, if it has eight labels or more, its
// seven rightmost labels, then one label fewer each time down to one label.
// There are at most eight.
func treeWalk(domain string) []string {
	names := []string{domain}
	labels := strings.Count(domain, ".") + 1
	for cur := domain; labels > 1; {
		keep := labels - 1
		if labels >= maxWalkQueries { // step 4: x >= 8 keeps 7 labels
			keep = maxWalkQueries - 1
		}
		for ; labels > keep; labels-- {
			cur = cur[strings.IndexByte(cur, '.')+1:]
		}
		names = append(names, cur)
	}
	return names
}

// walk is the outcome of a DNS Tree Walk to find an Organizational Domain.
type walk struct {
	org string // the Organizational Domain
	psd string // the public suffix domain (psd=y) that stopped the walk, if any
	err error  // a temporary failure stopped the walk
}

// orgDomain finds the Organizational Domain of start by a DNS Tree Walk
// (RFC 9989 §4.10, §4.10.2), once per evaluation. Among the domains with a
// record, from the longest to the shortest: a record with psd=n makes its
// domain the Organizational Domain (rule 1); a record with psd=y, other
// than start's, makes it the domain one label below (rule 2); otherwise
// the domain with the fewest labels (rule 3). With no record at all it is
// start itself.
func (e *evaluation) orgDomain(start string) walk {
	if w, ok := e.walks[start]; ok {
		return w
	}
	var found []string
	var w walk
	for _, name := range treeWalk(start) {
		rec, err := e.record(name)
		if err != nil {
			w.err = err
			break
		}
		if rec == nil {
			continue
		}
		found = append(found, name)
		if rec.PSD != PSDUndetermined { // step 2 and 6: psd=y or psd=n stops the walk
			break
		}
	}
	if w.err == nil {
		var why string
		switch last := lastOf(found); {
		case last == "":
			w.org, why = start, "no DMARC record on the way up: the domain itself, RFC 9989 §4.10.2"
		case e.lookups[last].rec.PSD == PSDOrganizational:
			w.org, why = last, "psd=n at "+last+", RFC 9989 §4.10.2 rule 1"
		case e.lookups[last].rec.PSD == PSDPublicSuffix && last != start:
			w.org, w.psd = oneBelow(start, last), last
			why = "one label below " + last + ", which has psd=y, RFC 9989 §4.10.2 rule 2"
		default:
			w.org, why = last, "the domain with a DMARC record and the fewest labels, RFC 9989 §4.10.2 rule 3"
		}
		if e.listener != nil {
			e.emit(Event{Kind: EventOrgDomain, Domain: start, OrgDomain: w.org, Reason: why})
		}
	}
	e.walks[start] = w
	return w
}

func lastOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

// oneBelow returns the domain one label below parent on the way to name,
// a subdomain of parent.
func oneBelow(name, parent string) string {
	rest := strings.TrimSuffix(name, "."+parent)
	return rest[strings.LastIndexByte(rest, '.')+1:] + "." + parent
}

// policyRecord is the record policy discovery chose.
type policyRecord struct {
	domain string // where it was found; "" when none
	record *Record
}

// discover finds the DMARC record that applies to the Author Domain a
// (RFC 9989 §4.10.1): a's own, else its Organizational Domain's, else that
// of the public suffix domain that stopped the tree walk.
func (e *evaluation) discover(a string) (policyRecord, error) {
	var p policyRecord
	var why string
	rec, err := e.record(a)
	switch {
	case err != nil:
		return p, err
	case rec != nil:
		p, why = policyRecord{a, rec}, "the Author Domain"
	default:
		w := e.orgDomain(a)
		if w.err != nil {
			return p, w.err
		}
		if r := e.lookups[w.org].rec; r != nil {
			p, why = policyRecord{w.org, r}, "the organizational domain of "+a
		} else if w.psd != "" {
			p, why = policyRecord{w.psd, e.lookups[w.psd].rec}, "the public suffix domain above "+a+", psd=y"
		}
	}
	if e.listener != nil {
		e.emit(Event{Kind: EventPolicyDomain, PolicyDomain: p.domain, Reason: why})
	}
	return p, nil
}

// check evaluates DMARC for one Author Domain.
func (e *evaluation) check(a string, m Message) Outcome {
	e.author = a
	o := Outcome{AuthorDomain: a, Disposition: PolicyNone}
	p, err := e.discover(a)
	o.PolicyDomain, o.Record = p.domain, p.record
	var why string
	switch {
	case err != nil:
		o.Result, o.Err, why = TempError, err, "policy discovery failed: "+err.Error()
	case p.record == nil:
		o.Result, why = None, "no DMARC record applies"
	default:
		why = e.evaluate(&o, p, m)
	}
	if w, ok := e.walks[a]; ok {
		o.OrgDomain = w.org
	}
	if e.listener != nil {
		e.emit(Event{Kind: EventResult, Result: o.Result, Disposition: o.Disposition, Reason: why})
	}
	return o
}

// evaluate checks alignment (RFC 9989 §5.3.4, §5.3.5) and, for a fail,
// applies the policy of p's record. It sets o's result and returns why.
func (e *evaluation) evaluate(o *Outcome, p policyRecord, m Message) string {
	rec := p.record
	usable, asNone := rec.usable()
	if !usable {
		o.Result = PermError
		o.Err = fmt.Errorf("the DMARC record of %s has a p, sp or np tag that is not valid and no valid rua: no DMARC processing (RFC 9989 §4.10.1)", p.domain)
		return o.Err.Error()
	}
	var undetermined error
	var aligned []string
	if m.SPF.Domain != "" {
		ok, err := e.align("spf", m.SPF.Domain, "", m.SPF.Result, rec.SPFAlignment)
		o.SPFAligned = ok
		if ok {
			aligned = append(aligned, "SPF")
		}
		if undetermined == nil {
			undetermined = err
		}
	}
	for _, d := range m.DKIM {
		if d.Domain == "" { // no signature, or none that could be read
			continue
		}
		ok, err := e.align("dkim", d.Domain, d.Selector, d.Result, rec.DKIMAlignment)
		if ok {
			o.DKIMAligned = append(o.DKIMAligned, d.Domain)
			aligned = append(aligned, "DKIM d="+d.Domain)
		}
		if undetermined == nil {
			undetermined = err
		}
	}
	switch {
	case len(aligned) > 0:
		o.Result = Pass
		return strings.Join(aligned, " and ") + " aligned"
	case undetermined != nil:
		o.Result, o.Err = TempError, undetermined
		return "no identifier is known to be aligned: " + undetermined.Error()
	}
	if err := e.applyPolicy(o, p, asNone); err != nil {
		o.Result, o.Err, o.Disposition = TempError, err, PolicyNone
		return "the policy cannot be chosen: " + err.Error()
	}
	o.Result = Fail
	return "no authenticated identifier is aligned with " + e.author
}

// align compares one identifier with the Author Domain (RFC 9989 §4.4,
// §4.10.2): only an identifier that passed is authenticated; strict
// alignment needs identical domains, relaxed the same Organizational
// Domain. The error says why a relaxed comparison could not be made.
func (e *evaluation) align(method, domain, selector, result string, mode Alignment) (bool, error) {
	ev := Event{Kind: EventAlign, Method: method, Selector: selector, AuthResult: strings.ToLower(result), Mode: mode}
	if ev.AuthResult == "" {
		ev.AuthResult = "none"
	}
	d, derr := normalizeDomain(domain)
	if derr != nil {
		d = domain
	}
	ev.Domain = d
	var err error
	switch {
	case ev.AuthResult != "pass":
	case derr != nil:
		ev.Reason = "not a domain name"
	case d == e.author:
		ev.Identical, ev.Aligned = true, true
	case mode == Strict:
	default:
		wa := e.orgDomain(e.author)
		wd := walk{err: wa.err}
		if wa.err == nil {
			wd = e.orgDomain(d)
		}
		if err = wd.err; err != nil {
			ev.Err = "an organizational domain is not known: " + err.Error()
			break
		}
		ev.OrgDomain, ev.AuthorOrg, ev.Aligned = wd.org, wa.org, wd.org == wa.org
	}
	if e.listener != nil {
		e.emit(ev)
	}
	return ev.Aligned, err
}

// applyPolicy sets the policy of a fail (RFC 9989 §4.10.1, §4.7): p for the
// Author Domain's own record; for a record found above it, sp, or np when
// the Author Domain does not exist; an absent tag falls back to sp, then
// p, then none. t=y lowers the disposition one level.
func (e *evaluation) applyPolicy(o *Outcome, p policyRecord, asNone bool) error {
	rec := p.record
	tag, policy := "p", rec.Policy
	if p.domain != e.author {
		if rec.NonExistentPolicy != "" {
			exists, err := e.exists(e.author)
			if err != nil {
				return err
			}
			if !exists {
				tag, policy = "np", rec.NonExistentPolicy
			}
		}
		if tag == "p" && rec.SubdomainPolicy != "" {
			tag, policy = "sp", rec.SubdomainPolicy
		}
	}
	if policy == "" || asNone {
		policy = PolicyNone // an absent p counts as p=none (§4.7)
	}
	o.PolicyTag, o.Policy, o.Disposition = tag, policy, policy
	if rec.Testing {
		o.Disposition = policy.lowered()
	}
	if e.listener != nil {
		e.emit(Event{Kind: EventPolicy, PolicyDomain: p.domain, Tag: tag, Policy: policy, Testing: rec.Testing && policy != PolicyNone,
			AsNone: asNone, Disposition: o.Disposition})
	}
	return nil
}

// exists tells whether domain exists (RFC 9989 §3.2.13, Appendix A.4): any
// answer but NXDOMAIN means it does, whatever the record type.
func (e *evaluation) exists(domain string) (bool, error) {
	addrs, err := e.c.Resolver.LookupA(e.ctx, domain)
	if e.listener != nil {
		ev := Event{Kind: EventDNS, QType: "A", Name: domain}
		if err != nil {
			ev.Err = dnsFailure(err)
		}
		for _, a := range addrs {
			ev.Answers = append(ev.Answers, a.String())
		}
		e.emit(ev)
	}
	switch {
	case err == nil, errors.Is(err, spf.ErrNoData):
	case errors.Is(err, spf.ErrNoSuchName):
		if e.listener != nil {
			e.emit(Event{Kind: EventExists})
		}
		return false, nil
	default:
		return false, fmt.Errorf("A %s: %s", domain, dnsFailure(err))
	}
	if e.listener != nil {
		e.emit(Event{Kind: EventExists, Exists: true})
	}
	return true, nil
}
