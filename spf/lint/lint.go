package lint

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"spflab/spf"
)

// A Linter checks SPF records statically: it follows includes and
// redirects through Resolver, counts the DNS lookups a check can cost
// (RFC 7208 §4.6.4) and reports mistakes and risky practice, each with the
// rule it breaks, the section of RFC 7208 that explains it and a fix. It
// is safe for concurrent use if its Resolver is.
type Linter struct {
	Resolver spf.Resolver
	// Limits of RFC 7208 §4.6.4; zero means the RFC's default.
	MaxDNSTerms, MaxVoidLookups, MaxNames int
}

// maxRecords bounds the records one lint follows: a tree of includes can
// grow exponentially.
const maxRecords = 200

// fixFewerLookups is the fix for too many DNS-querying terms.
const fixFewerLookups = "flatten includes you control into ip4/ip6 ranges, drop ptr, and replace a and mx with the addresses they stand for"

// Lint lints the published SPF record of domain.
func (l *Linter) Lint(ctx context.Context, domain string) (*Report, error) {
	return l.lint(ctx, domain, "", false)
}

// Draft lints draft as the SPF record of domain: it takes the place of the
// published one, whose domain's other TXT records stay. The draft must
// begin with "v=spf1"; other syntax errors are findings.
func (l *Linter) Draft(ctx context.Context, domain, draft string) (*Report, error) {
	if !spf.IsSPFRecord(draft) {
		return nil, errors.New(`the draft record does not begin with "v=spf1" followed by a space or the end`)
	}
	return l.lint(ctx, domain, draft, true)
}

func (l *Linter) lint(ctx context.Context, domain, draft string, isDraft bool) (*Report, error) {
	if err := spf.ValidateDomain(domain); err != nil {
		return nil, fmt.Errorf("%q: %w", domain, err)
	}
	s := &linter{
		l: l, ctx: ctx, draft: draft, isDraft: isDraft, root: strings.TrimSuffix(domain, "."),
		maxTerms: limit(l.MaxDNSTerms, spf.DefaultMaxDNSTerms),
		maxVoid:  limit(l.MaxVoidLookups, spf.DefaultMaxVoidLookups),
		maxNames: limit(l.MaxNames, spf.DefaultMaxNames),
		txt:      map[string]txtAnswer{},
		addrs:    map[string]addrAnswer{},
		mx:       map[string]mxAnswer{},
		includes: map[string]string{},
	}
	s.rep = &Report{Domain: s.root, Draft: isDraft, MaxLookups: s.maxTerms, MaxVoidLookups: s.maxVoid,
		Voids: []Void{}, Findings: []Finding{}}
	s.rep.Tree, _ = s.walk(s.root, roleRoot, nil, nil, true)
	s.rep.Lookups = s.terms
	s.rep.VoidLookups = max(s.void4, s.void6)
	s.rep.Space = s.rep.Tree.Space
	if st := s.rep.Stop; st != nil {
		st.LookupsAfter = s.terms - s.stopTerms
	}
	if s.terms > s.maxTerms-3 && s.terms <= s.maxTerms {
		s.add(newFinding(ruleLookupHeadroom, s.root,
			fmt.Sprintf("a check that matches nothing makes %d of the %d DNS-querying terms allowed: one more include, a or mx, here or in a provider's record, makes it permerror", s.terms, s.maxTerms),
			fixFewerLookups))
	}
	s.overlaps()
	s.parked()
	return s.rep, nil
}

func limit(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// role is why a record is evaluated: it decides which findings apply.
type role uint8

const (
	roleRoot     role = iota // the domain linted
	roleInclude              // an include's target: its result only matches or not
	roleRedirect             // a redirect's target: its result is the result
)

// via is the term of the record above that leads to a record: findings
// about the record's absence point at it.
type via struct {
	domain, record string
	term           *spf.Term
}

// place is a record being linted.
type place struct {
	domain string
	record string
	role   role
	path   []string // the domains above it and itself, to find loops
	// pass is set when a pass here is a pass for the root: every include
	// above has the pass qualifier.
	pass bool
	auth authorised // what the record authorises, with what is below it
}

// authorised is the address space a record authorises.
type authorised struct {
	prefixes []netip.Prefix
	partial  bool // ptr, exists or macros authorise more
}

// linter is the state of one lint.
type linter struct {
	l       *Linter
	ctx     context.Context
	rep     *Report
	root    string
	draft   string
	isDraft bool

	maxTerms, maxVoid, maxNames int

	terms        int // DNS-querying terms so far, in evaluation order
	void4, void6 int // void lookups so far, for IPv4 and IPv6 clients
	overTerms    bool
	overVoid     bool
	stopTerms    int // terms when the check stops
	records      int

	txt      map[string]txtAnswer  // by canonical name
	addrs    map[string]addrAnswer // by type and canonical name
	mx       map[string]mxAnswer   // by canonical name
	includes map[string]string     // include targets seen, to the domain whose record has them
	nets     []network             // ip4 and ip6 networks that authorise for the root, in order
}

func (s *linter) add(f Finding) { s.rep.Findings = append(s.rep.Findings, f) }

// termFinding is a finding of rule r about term t of p's record.
func (s *linter) termFinding(r ruleID, p *place, t *spf.Term, msg, fix string) {
	f := newFinding(r, p.domain, msg, fix)
	f.Term, f.Column, f.Record = t.Text, t.Column, p.record
	s.add(f)
}

// viaFinding is a finding of rule r about the record the term v leads
// to, placed at v; at the root, about the root.
func (s *linter) viaFinding(r ruleID, v *via, msg, fix string) {
	if v == nil {
		s.add(newFinding(r, s.root, msg, fix))
		return
	}
	f := newFinding(r, v.domain, msg, fix)
	f.Term, f.Column, f.Record = v.term.Text, v.term.Column, v.record
	s.add(f)
}

// walk lints the record of domain, evaluated in role r, reached through
// v (nil for the root), and returns its node and what it authorises.
func (s *linter) walk(domain string, r role, v *via, path []string, pass bool) (*Node, authorised) {
	n := &Node{Domain: domain}
	for _, p := range path {
		if strings.EqualFold(p, domain) {
			n.Problem = "loop: " + strings.Join(append(path, domain), " → ")
			s.viaFinding(ruleLoop, v, n.Problem+": a check goes round until it exceeds the lookup limit (permerror)",
				"remove the include or redirect that leads back to "+domain)
			return n, authorised{}
		}
	}
	s.records++
	if s.records > maxRecords {
		n.Problem = "not followed: the tree has more than " + strconv.Itoa(maxRecords) + " records"
		s.rep.Truncated = true
		return n, authorised{partial: true}
	}
	p := &place{domain: domain, role: r, path: append(path, domain), pass: pass}

	txts, err := s.lookupTXT(domain)
	rec := s.selectRecord(n, p, v, txts, err)
	if p.role == roleRoot {
		s.spf2(domain, txts)
	}
	if n.Record == "" {
		return n, authorised{}
	}
	p.record = n.Record
	s.glued(p)
	if rec == nil {
		return n, authorised{}
	}
	if r == roleRoot {
		s.checkSize(domain, n.Record, txts)
	}

	start := s.terms
	var allTerm *spf.Term
	afterAll := false
	seen := map[string]int{}
	n.Terms = make([]Term, len(rec.Terms))
	for i := range rec.Terms {
		t := &rec.Terms[i]
		lt := &n.Terms[i]
		lt.Text, lt.Column = t.Text, t.Column
		s.duplicate(p, t, seen)
		if !t.Kind.IsMechanism() {
			s.modifier(p, t, lt)
			continue
		}
		if allTerm != nil {
			lt.Note = "never evaluated: it comes after " + allTerm.Text
			if !afterAll {
				afterAll = true
				s.termFinding(ruleAfterAll, p, t,
					fmt.Sprintf("%q and any mechanism after it come after %q and are never evaluated", t.Text, allTerm.Text),
					"move them before "+strconv.Quote(allTerm.Text)+" or remove them")
			}
			continue
		}
		s.mechanism(p, t, lt)
		if t.Kind == spf.KindAll {
			allTerm = t
		}
	}

	if rec.Redirect != nil {
		lt := &n.Terms[indexOfTerm(rec, rec.Redirect)]
		if allTerm != nil {
			lt.Note = "ignored: the record has all"
			s.termFinding(ruleRedirectIgnored, p, rec.Redirect,
				fmt.Sprintf("%q is ignored because the record has %q", rec.Redirect.Text, allTerm.Text),
				"remove "+strconv.Quote(allTerm.Text)+" to use the redirect, or remove the redirect")
		} else {
			s.follow(p, roleRedirect, rec.Redirect, lt)
		}
	}
	if allTerm == nil && rec.Redirect == nil && r != roleInclude {
		s.add(newFinding(ruleNoAll, domain, "the record has neither all nor redirect=: a sender that matches nothing gets neutral",
			`end the record with "-all" (or "~all" while you test it)`))
	}
	n.Lookups = s.terms - start
	p.auth.prefixes = mergePrefixes(p.auth.prefixes)
	n.Space = spaceOf(p.auth)
	return n, p.auth
}

func indexOfTerm(rec *spf.Record, t *spf.Term) int {
	for i := range rec.Terms {
		if &rec.Terms[i] == t {
			return i
		}
	}
	return -1
}

// duplicate warns about a term that repeats an earlier one of the record.
func (s *linter) duplicate(p *place, t *spf.Term, seen map[string]int) {
	key := strings.ToLower(t.Text)
	if t.Kind.IsMechanism() {
		key = strings.TrimLeft(key, "+-~?") // the same mechanism with another qualifier is dead too
	}
	prev, dup := seen[key]
	if !dup {
		seen[key] = t.Column
		return
	}
	fix := "remove the second one: it can never match where the first did not"
	if t.Kind.QueriesDNS() {
		fix += ", and it costs a lookup again"
	}
	s.termFinding(ruleDuplicateTerm, p, t, fmt.Sprintf("%q repeats the term at column %d", t.Text, prev), fix)
}

// modifier lints a modifier.
func (s *linter) modifier(p *place, t *spf.Term, lt *Term) {
	switch t.Kind {
	case spf.KindExp:
		s.macros(p, t)
		lt.Note = "explanation of a fail; costs no lookup against the limit"
	case spf.KindModifier:
		lt.Note = "unknown modifier: ignored"
	}
}

// macros warns about macros in t's domain-spec that reveal or vary with
// the local part of the sender, or that need PTR lookups.
func (s *linter) macros(p *place, t *spf.Term) {
	var local, ptr []string
	for _, m := range t.Macros() {
		switch m.Letter {
		case 'l', 's':
			local = append(local, m.Text)
		case 'p':
			ptr = append(ptr, m.Text)
		}
	}
	if len(local) > 0 {
		s.termFinding(ruleMacroLocalPart, p, t,
			strings.Join(local, ", ")+" puts the sender's local part into a DNS query: every mailbox makes its own query, so nothing is cached, and your users' names travel to DNS servers",
			"use %{o}, %{d} or %{i} instead, unless per-user policy is really wanted")
	}
	if len(ptr) > 0 {
		s.termFinding(ruleMacroP, p, t,
			strings.Join(ptr, ", ")+" needs PTR and address lookups for every check",
			"use %{i} or an ip4/ip6 mechanism instead")
	}
}

// mechanism lints one mechanism, adds its lookups and what it authorises.
func (s *linter) mechanism(p *place, t *spf.Term, lt *Term) {
	if t.Kind.QueriesDNS() && t.Kind != spf.KindInclude { // follow looks at the include's
		s.macros(p, t)
	}
	pass := t.Qualifier == spf.QualifierPass
	switch t.Kind {
	case spf.KindAll:
		switch {
		case pass:
			s.termFinding(ruleAllPass, p, t,
				fmt.Sprintf("%q lets every host on the Internet pass as a sender of %s", t.Text, s.root),
				`use "-all" (or "~all" while you test)`)
		case t.Qualifier == spf.QualifierNeutral && p.role != roleInclude:
			s.termFinding(ruleAllNeutral, p, t,
				fmt.Sprintf("%q makes every other host neutral: receivers treat it like no SPF record at all", t.Text),
				`use "-all" (or "~all" while you test)`)
		}
	case spf.KindIP4, spf.KindIP6:
		s.network(p, t, pass)
	case spf.KindPTR:
		s.countTerm(p, t, lt)
		lt.Note = "looks up the client's PTR names, up to " + strconv.Itoa(s.maxNames) + ", and their addresses"
		s.termFinding(rulePTR, p, t,
			"ptr is slow, unreliable and puts load on the DNS servers of the client's network; RFC 7208 says not to use it",
			"list the senders' addresses with ip4/ip6, or name them with the a mechanism")
		p.auth.partial = p.auth.partial || pass
	case spf.KindA:
		s.countTerm(p, t, lt)
		s.wideCIDR(p, t, pass)
		if name, ok := s.staticTarget(p, t, lt, pass); ok {
			s.a(p, t, lt, name, pass)
		}
	case spf.KindMX:
		s.countTerm(p, t, lt)
		s.wideCIDR(p, t, pass)
		if name, ok := s.staticTarget(p, t, lt, pass); ok {
			s.mxTerm(p, t, lt, name, pass)
		}
	case spf.KindExists:
		s.countTerm(p, t, lt)
		p.auth.partial = p.auth.partial || pass
		if name, ok := s.staticTarget(p, t, lt, pass); ok {
			if _, st := s.lookupAddrs("A", name); st == void {
				s.void(p, t, lt, true, true, name+" has no A record, so exists never matches", true)
			}
		}
	case spf.KindInclude:
		s.follow(p, roleInclude, t, lt)
	}
}

// network lints an ip4 or ip6 term.
func (s *linter) network(p *place, t *spf.Term, pass bool) {
	if t.Net != t.Net.Masked() {
		s.termFinding(ruleHostBits, p, t,
			fmt.Sprintf("%s has host bits set: it means %s", t.Value+"/"+strconv.Itoa(t.Net.Bits()), t.Net.Masked()),
			"write "+t.Name+":"+t.Net.Masked().String()+", or the /"+strconv.Itoa(t.Net.Addr().BitLen())+" of a single host if that was meant")
	}
	if !pass {
		return
	}
	if t.Net.Bits() < wideBits(t.Net.Addr()) {
		s.termFinding(ruleWideRange, p, t,
			fmt.Sprintf("%q authorises %s", t.Text, spaceOf(authorised{prefixes: []netip.Prefix{t.Net.Masked()}})),
			"list the networks your senders use, each as narrow as it can be")
	}
	p.auth.prefixes = append(p.auth.prefixes, t.Net.Masked())
	if p.pass {
		s.nets = append(s.nets, network{prefix: t.Net.Masked(), domain: p.domain, term: t.Text, column: t.Column, record: p.record})
	}
}

// wideBits is the shortest prefix length not reported as wide: /8 for
// IPv4, /32 for IPv6.
func wideBits(a netip.Addr) int {
	if a.Is4() {
		return 8
	}
	return 32
}

// wideCIDR warns about an a or mx term whose CIDR lengths widen each
// address it finds to a range wider than /8 or /32.
func (s *linter) wideCIDR(p *place, t *spf.Term, pass bool) {
	var wide []string
	if t.V4Prefix >= 0 && t.V4Prefix < 8 {
		wide = append(wide, "/"+strconv.Itoa(t.V4Prefix)+" around each IPv4 address")
	}
	if t.V6Prefix >= 0 && t.V6Prefix < 32 {
		wide = append(wide, "/"+strconv.Itoa(t.V6Prefix)+" around each IPv6 address")
	}
	if !pass || len(wide) == 0 {
		return
	}
	s.termFinding(ruleWideRange, p, t,
		fmt.Sprintf("%q authorises the whole %s it finds", t.Text, strings.Join(wide, " and the whole ")),
		"drop the CIDR length, or make it as long as your senders' networks allow")
}

// staticTarget returns the domain t looks up when it does not depend on
// the sender or the client.
func (s *linter) staticTarget(p *place, t *spf.Term, lt *Term, pass bool) (string, bool) {
	target, ok := t.Target(p.domain)
	if !ok {
		p.auth.partial = p.auth.partial || pass
		for _, m := range t.Macros() {
			if m.Letter != 'd' {
				lt.Note = "not followed: the domain depends on the sender or the client (" + m.Text + ")"
				break
			}
		}
	}
	return target, ok
}

// a lints an a term whose domain is name.
func (s *linter) a(p *place, t *spf.Term, lt *Term, name string, pass bool) {
	v4, st4 := s.lookupAddrs("A", name)
	v6, st6 := s.lookupAddrs("AAAA", name)
	if st4 == failed || st6 == failed {
		lt.Note = "the address lookup of " + name + " failed: a check would give temperror"
		s.termFinding(ruleLookupFailed, p, t, lt.Note, "make sure "+name+"'s name servers answer")
		return
	}
	switch {
	case st4 == void && st6 == void:
		s.void(p, t, lt, true, true, name+" has no A or AAAA records", false)
		s.termFinding(ruleANoAddress, p, t,
			name+" has no A or AAAA records: the term never matches, and a check that reaches it counts a void lookup",
			"publish the host's addresses, or remove the term")
	case st4 == void:
		s.void(p, t, lt, true, false, name+" has no A records", true)
	case st6 == void:
		s.void(p, t, lt, false, true, name+" has no AAAA records", true)
	}
	if pass {
		p.auth.prefixes = appendHosts(p.auth.prefixes, t, v4, v6)
	}
}

// appendHosts appends the networks an a or mx term authorises for the
// addresses it finds: each widened by the term's CIDR lengths.
func appendHosts(ps []netip.Prefix, t *spf.Term, v4, v6 []netip.Addr) []netip.Prefix {
	for _, a := range v4 {
		bits := 32
		if t.V4Prefix >= 0 {
			bits = t.V4Prefix
		}
		ps = append(ps, netip.PrefixFrom(a, bits).Masked())
	}
	for _, a := range v6 {
		bits := 128
		if t.V6Prefix >= 0 {
			bits = t.V6Prefix
		}
		ps = append(ps, netip.PrefixFrom(a, bits).Masked())
	}
	return ps
}

// mxTerm lints an mx term whose domain is name: its hosts and their
// addresses.
func (s *linter) mxTerm(p *place, t *spf.Term, lt *Term, name string, pass bool) {
	hosts, st := s.lookupMX(name)
	switch st {
	case failed:
		lt.Note = "the MX lookup of " + name + " failed: a check would give temperror"
		s.termFinding(ruleLookupFailed, p, t, lt.Note, "make sure "+name+"'s name servers answer")
		return
	case void:
		s.void(p, t, lt, true, true, name+" has no MX records", false)
		s.termFinding(ruleMXNoAddress, p, t,
			name+" has no MX records: the term never matches, and a check that reaches it counts a void lookup",
			"list the senders with ip4/ip6 or a, or remove the term")
		return
	}
	if len(hosts) > s.maxNames {
		s.termFinding(ruleMXNames, p, t,
			fmt.Sprintf("%s has %d MX records; an mx term may look at %d: a check that gets this far ends in permerror", name, len(hosts), s.maxNames),
			"list the mail servers with ip4/ip6 or a instead")
		hosts = hosts[:s.maxNames]
	}
	var bare []string
	for _, h := range hosts {
		host := Host{Name: h}
		v4, st4 := s.lookupAddrs("A", h)
		v6, st6 := s.lookupAddrs("AAAA", h)
		switch {
		case st4 == failed || st6 == failed:
			host.Problem = "the address lookup failed"
		case st4 == void && st6 == void:
			host.Problem = "no addresses"
			bare = append(bare, h)
		}
		host.Addresses = len(v4) + len(v6)
		lt.Hosts = append(lt.Hosts, host)
		if pass {
			p.auth.prefixes = appendHosts(p.auth.prefixes, t, v4, v6)
		}
	}
	switch {
	case len(bare) == len(hosts):
		s.termFinding(ruleMXNoAddress, p, t,
			fmt.Sprintf("none of the MX hosts of %s has an address (%s): the term never matches", name, strings.Join(bare, ", ")),
			"publish the hosts' addresses, or list the senders with ip4/ip6 or a")
	case len(bare) > 0:
		s.termFinding(ruleMXNoAddress, p, t,
			fmt.Sprintf("the MX %s %s of %s %s no address: the term never matches for %s", plural(len(bare), "host", "hosts"),
				strings.Join(bare, ", "), name, plural(len(bare), "has", "have"), plural(len(bare), "it", "them")),
			"publish the hosts' addresses, or remove them from the MX records")
	}
}

// plural is one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// void counts a void lookup of t for the address families given, and
// reports it (when warn is set, or when it exceeds the limit).
func (s *linter) void(p *place, t *spf.Term, lt *Term, v4, v6 bool, why string, warn bool) {
	switch {
	case v4 && v6:
		lt.Void = "every client"
	case v4:
		lt.Void = "IPv4 clients"
	default:
		lt.Void = "IPv6 clients"
	}
	if v4 {
		s.void4++
	}
	if v6 {
		s.void6++
	}
	lt.VoidNumber = max(s.void4, s.void6)
	lt.Note = why
	s.rep.Voids = append(s.rep.Voids, Void{Domain: p.domain, Term: t.Text, Column: t.Column, Clients: lt.Void})
	if !s.overVoid && lt.VoidNumber > s.maxVoid {
		s.overVoid = true
		s.stop(p, t, lt, "void lookups", lt.VoidNumber, s.maxVoid)
		s.termFinding(ruleVoidLimit, p, t,
			fmt.Sprintf("%q is void lookup number %d (%s); the limit is %d: a check that gets this far ends in permerror", t.Text, lt.VoidNumber, why, s.maxVoid),
			"remove the terms whose names do not exist or have no records")
		return
	}
	if warn {
		s.termFinding(ruleVoidLookup, p, t,
			fmt.Sprintf("a void lookup for %s: %s; more than %d in one check are a permerror", lt.Void, why, s.maxVoid),
			"publish the records it looks for, or remove the term")
	}
}

// countTerm counts a DNS-querying term against the limit.
func (s *linter) countTerm(p *place, t *spf.Term, lt *Term) {
	s.terms++
	lt.Lookups++
	lt.Position = s.terms
	if s.terms > s.maxTerms && !s.overTerms {
		s.overTerms = true
		s.stop(p, t, lt, "DNS-querying terms", s.terms, s.maxTerms)
		s.termFinding(ruleLookupLimit, p, t,
			fmt.Sprintf("%q is DNS-querying term number %d; the limit is %d: a check that gets this far ends in permerror", t.Text, s.terms, s.maxTerms),
			fixFewerLookups)
	}
}

// stop marks t as the term where a receiver stops, unless one stops
// earlier.
func (s *linter) stop(p *place, t *spf.Term, lt *Term, limit string, n, max int) {
	if s.rep.Stop != nil {
		return
	}
	lt.Stop = true
	s.stopTerms = s.terms
	s.rep.Stop = &Stop{Domain: p.domain, Term: t.Text, Column: t.Column, Limit: limit, Count: n, Max: max}
}

// follow lints the record an include or redirect leads to.
func (s *linter) follow(p *place, r role, t *spf.Term, lt *Term) {
	s.macros(p, t)
	s.countTerm(p, t, lt)
	// A pass of the include's record matches the include: it authorises
	// for the root when the include has the pass qualifier. A redirect's
	// result is the record's.
	carries := r == roleRedirect || t.Qualifier == spf.QualifierPass
	target, ok := s.staticTarget(p, t, lt, carries)
	if !ok {
		return
	}
	if r == roleInclude {
		key := strings.ToLower(strings.TrimSuffix(target, "."))
		if prev, dup := s.includes[key]; dup && prev != p.domain {
			s.termFinding(ruleDuplicateInclude, p, t,
				fmt.Sprintf("%s is included again (also by %s): its lookups count twice", target, prev),
				"include it once, from the record nearest the top")
		} else if !dup {
			s.includes[key] = p.domain
		}
	}
	before := s.terms
	var auth authorised
	lt.Target, auth = s.walk(target, r, &via{domain: p.domain, record: p.record, term: t}, p.path, p.pass && carries)
	lt.Lookups += s.terms - before
	if carries {
		p.auth.prefixes = append(p.auth.prefixes, auth.prefixes...)
		p.auth.partial = p.auth.partial || auth.partial
	}
}
