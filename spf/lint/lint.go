package lint

import (
	"spflab/spf"

	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Severity says how bad a lint Finding is.
type Severity string

// The severities of a Finding.
const (
	// SeverityError: a check that reaches the problem ends in permerror
	// (or the record cannot be checked at all).
	SeverityError Severity = "error"
	// SeverityWarning: the record works, but not as well or as safely as it
	// could.
	SeverityWarning Severity = "warning"
)

// Finding is one problem Lint found, with the section of RFC 7208 that
// says why and a hint how to fix it.
type Finding struct {
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`   // a short stable name, e.g. "ptr", "lookup-limit"
	Domain   string   `json:"domain"` // whose record has the problem
	Term     string   `json:"term,omitempty"`
	Column   int      `json:"column,omitempty"` // 1-based byte column of Term in the record
	Section  string   `json:"section"`          // of RFC 7208, e.g. "5.5"
	Message  string   `json:"message"`
	Hint     string   `json:"hint"`
}

// Node is one record of the include/redirect tree.
type Node struct {
	Domain string `json:"domain"`
	Record string `json:"record,omitempty"`
	// Problem says why the record cannot be used, when it cannot: no
	// record, more than one, a syntax error, a failed lookup, a loop.
	Problem string `json:"problem,omitempty"`
	Terms   []Term `json:"terms,omitempty"`
	// Lookups counts the DNS-querying terms of this record and of every
	// record below it (RFC 7208 §4.6.4).
	Lookups int `json:"lookups"`
}

// Term is one term of a record in the tree.
type Term struct {
	Term   string `json:"term"`
	Column int    `json:"column"`
	// Lookups counts the DNS-querying terms this term costs: 1 for a, mx,
	// ptr, exists; 1 and the records below for include and redirect.
	Lookups int `json:"lookups,omitempty"`
	// Position is the running count of DNS-querying terms after this term
	// in evaluation order when nothing matches (the worst case); 0 for a
	// term that costs none.
	Position int `json:"position,omitempty"`
	// Names are the hosts an mx term looks at, each with its addresses.
	Names []Host `json:"names,omitempty"`
	// Void says which clients this term costs a void lookup (RFC 7208
	// §4.6.4): "every client", "IPv4 clients", "IPv6 clients", or "".
	Void   string `json:"void,omitempty"`
	Note   string `json:"note,omitempty"`   // e.g. why a term is not followed
	Target *Node  `json:"target,omitempty"` // the record an include or redirect evaluates
}

// Host is a host an mx term looks at.
type Host struct {
	Name      string `json:"name"`
	Addresses int    `json:"addresses"` // A and AAAA records
	Problem   string `json:"problem,omitempty"`
}

// Report is what Lint found: the tree of records, the lookup counts
// against the limits of RFC 7208 §4.6.4 and the findings.
type Report struct {
	Domain string `json:"domain"`
	// Draft is true when the root record is a draft, not the published
	// one.
	Draft          bool  `json:"draft"`
	Tree           *Node `json:"tree"`
	Lookups        int   `json:"lookups"` // DNS-querying terms in all, in the worst case
	MaxLookups     int   `json:"max_lookups"`
	VoidLookups    int   `json:"void_lookups"` // void lookups in the worst case, for the worse address family
	MaxVoidLookups int   `json:"max_void_lookups"`
	// Truncated is set when the tree was too large to follow to the end.
	Truncated bool      `json:"truncated,omitempty"`
	Findings  []Finding `json:"findings"`
}

// Errors and Warnings count the findings of each severity.
func (r *Report) Errors() int   { return r.count(SeverityError) }
func (r *Report) Warnings() int { return r.count(SeverityWarning) }

func (r *Report) count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// A Linter checks SPF records statically: it follows includes and
// redirects through Resolver, counts the DNS lookups a check can cost
// (RFC 7208 §4.6.4) and reports mistakes and risky practice, each with the
// section of RFC 7208 that explains it. It is safe for concurrent use if
// its Resolver is.
type Linter struct {
	Resolver spf.Resolver
	// Limits of RFC 7208 §4.6.4; zero means the RFC's default.
	MaxDNSTerms, MaxVoidLookups, MaxNames int
}

// maxLintRecords bounds the records one lint follows: a tree of includes
// can grow exponentially.
const maxLintRecords = 200

// Lint lints the published SPF record of domain.
func (l *Linter) Lint(ctx context.Context, domain string) (*Report, error) {
	return l.lint(ctx, domain, "", false)
}

// Draft lints draft as the SPF record of domain: it takes the place of
// the published one, whose domain's other TXT records stay. The draft must
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
		includes: map[string]string{},
	}
	s.rep = &Report{Domain: s.root, Draft: isDraft, MaxLookups: s.maxTerms, MaxVoidLookups: s.maxVoid}
	s.rep.Tree = s.walk(s.root, roleRoot, nil)
	s.rep.Lookups = s.terms
	s.rep.VoidLookups = max(s.void4, s.void6)
	if s.rep.Findings == nil {
		s.rep.Findings = []Finding{}
	}
	return s.rep, nil
}

// role is why a record is evaluated: it decides which findings apply.
type role uint8

const (
	roleRoot     role = iota // the domain linted
	roleInclude              // an include's target: its result only matches or not
	roleRedirect             // a redirect's target: its result is the result
)

type txtAnswer struct {
	txts []string
	err  error
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
	records      int

	txt      map[string]txtAnswer // TXT answers by canonical name
	includes map[string]string    // include targets seen, to the domain whose record has them
}

func (s *linter) add(f Finding) { s.rep.Findings = append(s.rep.Findings, f) }

func (s *linter) termFinding(sev Severity, code, domain string, t *spf.Term, section, msg, hint string) {
	s.add(Finding{Severity: sev, Code: code, Domain: domain, Term: t.Text, Column: t.Column, Section: section, Message: msg, Hint: hint})
}

// lookupTXT returns the TXT records of name, asking once per lint. For the
// root of a draft lint, the draft replaces the SPF records.
func (s *linter) lookupTXT(name string) ([]string, error) {
	key := strings.ToLower(strings.TrimSuffix(name, "."))
	if a, ok := s.txt[key]; ok {
		return a.txts, a.err
	}
	txts, err := s.l.Resolver.LookupTXT(s.ctx, name)
	if s.isDraft && key == strings.ToLower(s.root) {
		var own []string
		for _, t := range txts {
			if !spf.IsSPFRecord(t) {
				own = append(own, t)
			}
		}
		txts, err = append(own, s.draft), nil
	}
	err = noData("TXT", name, len(txts), err)
	s.txt[key] = txtAnswer{txts, err}
	return txts, err
}

// walk lints the record of domain, evaluated in role r, and returns its
// node. path holds the domains above it, to find loops.
func (s *linter) walk(domain string, r role, path []string) *Node {
	n := &Node{Domain: domain}
	for _, p := range path {
		if strings.EqualFold(p, domain) {
			n.Problem = "loop: " + strings.Join(append(path, domain), " → ")
			s.add(Finding{Severity: SeverityError, Code: "loop", Domain: path[len(path)-1], Section: "4.6.4",
				Message: n.Problem + ": a check goes round until it exceeds the lookup limit (permerror)",
				Hint:    "remove the include or redirect that leads back to " + domain})
			return n
		}
	}
	s.records++
	if s.records > maxLintRecords {
		n.Problem = "not followed: the tree has more than " + strconv.Itoa(maxLintRecords) + " records"
		s.rep.Truncated = true
		return n
	}
	path = append(path, domain)

	txts, err := s.lookupTXT(domain)
	rec, text := s.selectRecord(n, domain, r, txts, err)
	if rec == nil {
		return n
	}
	n.Record = text
	if len(path) == 1 {
		s.checkSize(domain, text, txts)
	}

	start := s.terms
	hasAll, afterAll := false, false
	var allTerm *spf.Term
	seen := map[string]int{}
	n.Terms = make([]Term, len(rec.Terms))
	for i := range rec.Terms {
		t := &rec.Terms[i]
		lt := &n.Terms[i]
		lt.Term, lt.Column = t.Text, t.Column
		key := strings.ToLower(t.Text)
		if t.Kind.IsMechanism() {
			key = strings.TrimLeft(key, "+-~?") // the same mechanism with another qualifier is dead too
		}
		if prev, dup := seen[key]; dup {
			section := "5"
			if t.Kind.QueriesDNS() {
				section = "4.6.4"
			}
			s.termFinding(SeverityWarning, "duplicate-term", domain, t, section,
				fmt.Sprintf("%q repeats the term at column %d", t.Text, prev),
				"remove the second one: it can never match where the first did not, and a DNS term costs a lookup again")
		} else {
			seen[key] = t.Column
		}
		if !t.Kind.IsMechanism() {
			s.modifier(domain, t, lt)
			continue
		}
		if hasAll {
			lt.Note = "never evaluated: it comes after " + allTerm.Text
			if !afterAll {
				afterAll = true
				s.termFinding(SeverityWarning, "after-all", domain, t, "5.1",
					fmt.Sprintf("%q and any mechanism after it come after %q and are never evaluated", t.Text, allTerm.Text),
					"move them before "+strconv.Quote(allTerm.Text)+" or remove them")
			}
			continue
		}
		s.mechanism(domain, r, t, lt, path)
		if t.Kind == spf.KindAll {
			hasAll, allTerm = true, t
		}
	}

	if rec.Redirect != nil {
		i := indexOfTerm(rec, rec.Redirect)
		lt := &n.Terms[i]
		if hasAll {
			lt.Note = "ignored: the record has all"
			s.termFinding(SeverityWarning, "redirect-ignored", domain, rec.Redirect, "6.1",
				fmt.Sprintf("%q is ignored because the record has %q", rec.Redirect.Text, allTerm.Text),
				"remove "+strconv.Quote(allTerm.Text)+" to use the redirect, or remove the redirect")
		} else {
			s.follow(domain, roleRedirect, rec.Redirect, lt, path)
		}
	}
	if !hasAll && rec.Redirect == nil && r != roleInclude {
		s.add(Finding{Severity: SeverityWarning, Code: "no-all", Domain: domain, Section: "4.7",
			Message: "the record has neither all nor redirect=: a sender that matches nothing gets neutral",
			Hint:    `end the record with "-all" (or "~all" while you test it)`})
	}
	n.Lookups = s.terms - start
	return n
}

func indexOfTerm(rec *spf.Record, t *spf.Term) int {
	for i := range rec.Terms {
		if &rec.Terms[i] == t {
			return i
		}
	}
	return -1
}

// selectRecord picks the SPF record from the TXT answer of domain (RFC
// 7208 §4.5) and parses it, or records on n why there is none.
func (s *linter) selectRecord(n *Node, domain string, r role, txts []string, err error) (*spf.Record, string) {
	noRecord := func(why string) {
		n.Problem = why
		switch r {
		case roleRoot:
			s.add(Finding{Severity: SeverityError, Code: "no-record", Domain: domain, Section: "4.5",
				Message: domain + ": " + why + ": a check of its senders gives none",
				Hint:    `publish a TXT record that begins with "v=spf1"`})
		case roleInclude:
			s.add(Finding{Severity: SeverityError, Code: "include-no-record", Domain: domain, Section: "5.2",
				Message: "an include of " + domain + ": " + why + ": a check that reaches the include ends in permerror",
				Hint:    "correct the include's domain or remove it"})
		case roleRedirect:
			s.add(Finding{Severity: SeverityError, Code: "redirect-no-record", Domain: domain, Section: "6.1",
				Message: "a redirect to " + domain + ": " + why + ": a check that reaches the redirect ends in permerror",
				Hint:    "correct the redirect's domain or remove it"})
		}
	}
	if err != nil {
		if isTemporary(err) {
			n.Problem = "the TXT lookup failed: " + err.Error()
			s.add(Finding{Severity: SeverityError, Code: "lookup-failed", Domain: domain, Section: "2.6.6",
				Message: "cannot look up the record of " + domain + ": " + err.Error() + "; a check would give temperror",
				Hint:    "make sure the domain's name servers answer"})
			return nil, ""
		}
		noRecord("no SPF record (" + dnsFailure(err) + ")")
		return nil, ""
	}
	var spfs []string
	for _, t := range txts {
		if spf.IsSPFRecord(t) {
			spfs = append(spfs, t)
		}
	}
	switch len(spfs) {
	case 0:
		noRecord("no SPF record among " + strconv.Itoa(len(txts)) + " TXT records")
		return nil, ""
	case 1:
	default:
		n.Problem = strconv.Itoa(len(spfs)) + " SPF records"
		s.add(Finding{Severity: SeverityError, Code: "multiple-records", Domain: domain, Section: "4.5",
			Message: domain + " publishes " + strconv.Itoa(len(spfs)) + " SPF records: a check of it ends in permerror",
			Hint:    "merge them into one record and delete the others"})
		return nil, ""
	}
	rec, err := spf.Parse(spfs[0])
	if err != nil {
		var se *spf.SyntaxError
		errors.As(err, &se)
		n.Record, n.Problem = spfs[0], "syntax error: "+err.Error()
		s.add(Finding{Severity: SeverityError, Code: "syntax", Domain: domain, Term: se.Term, Column: se.Column, Section: "4.6",
			Message: "syntax error at column " + strconv.Itoa(se.Column) + ": " + se.Reason + "; a check of it ends in permerror",
			Hint:    "correct the term (RFC 7208 §12 has the grammar)"})
		return nil, ""
	}
	return rec, spfs[0]
}

// checkSize checks the lengths of the root's record (RFC 7208 §3.3, §3.4).
func (s *linter) checkSize(domain, text string, txts []string) {
	if s.isDraft && len(text) > 255 {
		s.add(Finding{Severity: SeverityWarning, Code: "string-length", Domain: domain, Section: "3.3",
			Message: fmt.Sprintf("the draft is %d bytes; a TXT character-string holds at most 255", len(text)),
			Hint:    "publish it as several strings, which are joined with nothing between them: " + splitQuoted(text)})
	}
	if size := txtAnswerSize(domain, txts); size > 512 {
		s.add(Finding{Severity: SeverityWarning, Code: "answer-size", Domain: domain, Section: "3.4",
			Message: fmt.Sprintf("the TXT answer of %s is at least %d bytes, more than the 512 that fit a UDP answer without EDNS: some receivers retry over TCP, some fail", domain, size),
			Hint:    "shorten the record (ip4 ranges in CIDR form, fewer terms) or move other TXT records to subdomains"})
	}
}

// splitQuoted splits text into quoted strings of at most 255 bytes,
// cutting before a space where one is near.
func splitQuoted(text string) string {
	var parts []string
	for len(text) > 255 {
		cut := strings.LastIndexByte(text[:255], ' ')
		if cut < 200 {
			cut = 255
		}
		parts = append(parts, strconv.Quote(text[:cut]))
		text = text[cut:]
	}
	return strings.Join(append(parts, strconv.Quote(text)), " ")
}

// txtAnswerSize is the size of a DNS answer holding txts for name, each
// split into strings of 255 bytes, with name compression and no EDNS
// (RFC 1035 §4.1): a lower bound of what a server sends.
func txtAnswerSize(name string, txts []string) int {
	name = strings.TrimSuffix(name, ".")
	size := 12 + len(name) + 2 + 4 // header, question
	for _, t := range txts {
		strs := (len(t) + 254) / 255
		if strs == 0 {
			strs = 1
		}
		size += 2 + 10 + len(t) + strs // owner pointer, type class ttl rdlength, rdata
	}
	return size
}

// modifier lints a modifier.
func (s *linter) modifier(domain string, t *spf.Term, lt *Term) {
	switch t.Kind {
	case spf.KindExp:
		s.macros(domain, t)
		lt.Note = "explanation of a fail; costs no lookup against the limit"
	case spf.KindModifier:
		lt.Note = "unknown modifier: ignored"
	}
}

// macros warns about macros in t's domain-spec that reveal or vary with
// the local part of the sender, or that need PTR lookups.
func (s *linter) macros(domain string, t *spf.Term) {
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
		s.termFinding(SeverityWarning, "macro-local-part", domain, t, "7.3",
			fmt.Sprintf("%s puts the local part of the sender into a DNS query: every mailbox makes its own query (no caching) and the names of your users travel to DNS servers (RFC 7208 §11.6)", strings.Join(local, ", ")),
			"use %{o}, %{d} or %{i} instead, unless per-user policy is really wanted")
	}
	if len(ptr) > 0 {
		s.termFinding(SeverityWarning, "macro-p", domain, t, "7.3",
			strings.Join(ptr, ", ")+" needs PTR and address lookups for every check and is discouraged",
			"use %{i} or an ip4/ip6 mechanism instead")
	}
}

// mechanism lints one mechanism and adds its lookups.
func (s *linter) mechanism(domain string, r role, t *spf.Term, lt *Term, path []string) {
	if t.Kind.QueriesDNS() && t.Kind != spf.KindInclude { // follow looks at the include's
		s.macros(domain, t)
	}
	switch t.Kind {
	case spf.KindAll:
		switch {
		case t.Qualifier == spf.QualifierPass:
			s.termFinding(SeverityWarning, "all-pass", domain, t, "5.1",
				fmt.Sprintf("%q lets every host on the Internet pass as a sender of %s", t.Text, s.root),
				`use "-all" (or "~all" while you test)`)
		case t.Qualifier == spf.QualifierNeutral && r != roleInclude:
			s.termFinding(SeverityWarning, "all-neutral", domain, t, "5.1",
				fmt.Sprintf("%q makes every other host neutral: receivers treat it like no SPF record at all", t.Text),
				`use "-all" (or "~all" while you test)`)
		}
	case spf.KindIP4, spf.KindIP6:
		if t.Net != t.Net.Masked() {
			s.termFinding(SeverityWarning, "host-bits", domain, t, "5.6",
				fmt.Sprintf("%s has host bits set: it means %s", t.Value+"/"+strconv.Itoa(t.Net.Bits()), t.Net.Masked()),
				"write "+t.Name+":"+t.Net.Masked().String()+", or the /"+strconv.Itoa(t.Net.Addr().BitLen())+" of a single host if that was meant")
		}
	case spf.KindPTR:
		s.countTerm(domain, t, lt)
		lt.Note = "looks up the client's PTR names, up to " + strconv.Itoa(s.maxNames) + ", and their addresses"
		s.termFinding(SeverityWarning, "ptr", domain, t, "5.5",
			"ptr is slow, unreliable and puts load on the DNS servers of the client's network; RFC 7208 says not to use it",
			"list the senders' addresses with ip4/ip6, or name them with a")
	case spf.KindA:
		s.countTerm(domain, t, lt)
		if name, ok := s.staticTarget(domain, t, lt); ok {
			v4 := s.countAddrs(s.l.Resolver.LookupA, name)
			v6 := s.countAddrs(s.l.Resolver.LookupAAAA, name)
			s.voidAddrs(domain, t, lt, name, v4, v6)
		}
	case spf.KindMX:
		s.countTerm(domain, t, lt)
		if name, ok := s.staticTarget(domain, t, lt); ok {
			s.mx(domain, t, lt, name)
		}
	case spf.KindExists:
		s.countTerm(domain, t, lt)
		if name, ok := s.staticTarget(domain, t, lt); ok {
			if s.countAddrs(s.l.Resolver.LookupA, name) < 0 {
				s.void(domain, t, lt, true, true, name+" has no A record, so exists never matches")
			}
		}
	case spf.KindInclude:
		s.follow(domain, roleInclude, t, lt, path)
	}
}

// addrLookup is LookupA or LookupAAAA.
type addrLookup func(context.Context, string) ([]netip.Addr, error)

// countAddrs returns the number of addresses of name, -1 when it has none
// (a void lookup), -2 when the lookup failed.
func (s *linter) countAddrs(lookup addrLookup, name string) int {
	addrs, err := lookup(s.ctx, name)
	switch {
	case err != nil && isTemporary(err):
		return -2
	case err != nil || len(addrs) == 0:
		return -1
	}
	return len(addrs)
}

func (s *linter) voidAddrs(domain string, t *spf.Term, lt *Term, name string, v4, v6 int) {
	if v4 == -2 || v6 == -2 {
		lt.Note = "the address lookup of " + name + " failed: a check would give temperror"
		s.termFinding(SeverityError, "lookup-failed", domain, t, "2.6.6", lt.Note, "make sure "+name+"'s name servers answer")
		return
	}
	switch {
	case v4 < 0 && v6 < 0:
		s.void(domain, t, lt, true, true, name+" has no A or AAAA records")
	case v4 < 0:
		s.void(domain, t, lt, true, false, name+" has no A records: a void lookup for IPv4 clients")
	case v6 < 0:
		s.void(domain, t, lt, false, true, name+" has no AAAA records: a void lookup for IPv6 clients")
	}
}

// void counts a void lookup of t for the address families given.
func (s *linter) void(domain string, t *spf.Term, lt *Term, v4, v6 bool, why string) {
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
	lt.Note = why
	if !s.overVoid && max(s.void4, s.void6) > s.maxVoid {
		s.overVoid = true
		s.termFinding(SeverityError, "void-limit", domain, t, "4.6.4",
			fmt.Sprintf("%q is void lookup number %d (%s); the limit is %d: a check that gets this far ends in permerror", t.Text, max(s.void4, s.void6), why, s.maxVoid),
			"remove the terms whose names do not exist or have no records")
		return
	}
	s.termFinding(SeverityWarning, "void-lookup", domain, t, "4.6.4",
		fmt.Sprintf("%q is a void lookup for %s: %s; more than %d in one check is a permerror", t.Text, lt.Void, why, s.maxVoid),
		"remove the term or publish the records it looks for")
}

// countTerm counts a DNS-querying term against the limit.
func (s *linter) countTerm(domain string, t *spf.Term, lt *Term) {
	s.terms++
	lt.Lookups++
	lt.Position = s.terms
	if s.terms > s.maxTerms && !s.overTerms {
		s.overTerms = true
		s.termFinding(SeverityError, "lookup-limit", domain, t, "4.6.4",
			fmt.Sprintf("%q is DNS-querying term number %d; the limit is %d: a check that gets this far ends in permerror", t.Text, s.terms, s.maxTerms),
			"flatten includes into ip4/ip6 ranges, drop ptr, and replace a and mx with the addresses they stand for")
	}
}

// staticTarget returns the domain t looks up when it does not depend on
// the sender or the client: a literal, or one with only %{d} macros.
func (s *linter) staticTarget(domain string, t *spf.Term, lt *Term) (string, bool) {
	target, ok := t.Target(domain)
	if !ok {
		for _, m := range t.Macros() {
			if m.Letter != 'd' {
				lt.Note = "not followed: the domain depends on the sender or the client (" + m.Text + ")"
				break
			}
		}
	}
	return target, ok
}

// mx looks up the MX hosts of name and their addresses.
func (s *linter) mx(domain string, t *spf.Term, lt *Term, name string) {
	hosts, err := s.l.Resolver.LookupMX(s.ctx, name)
	switch {
	case err != nil && isTemporary(err):
		lt.Note = "the MX lookup of " + name + " failed: a check would give temperror"
		s.termFinding(SeverityError, "lookup-failed", domain, t, "2.6.6", lt.Note, "make sure "+name+"'s name servers answer")
		return
	case err != nil || len(hosts) == 0:
		s.void(domain, t, lt, true, true, name+" has no MX records")
		return
	}
	if len(hosts) > s.maxNames {
		s.termFinding(SeverityError, "mx-names", domain, t, "4.6.4",
			fmt.Sprintf("%s has %d MX records; an mx term may look at %d: a check that gets this far ends in permerror", name, len(hosts), s.maxNames),
			"list the mail servers with ip4/ip6 or a instead")
		hosts = hosts[:s.maxNames]
	}
	for _, h := range hosts {
		ln := Host{Name: h}
		v4 := s.countAddrs(s.l.Resolver.LookupA, h)
		v6 := s.countAddrs(s.l.Resolver.LookupAAAA, h)
		switch {
		case v4 == -2 || v6 == -2:
			ln.Problem = "the address lookup failed"
		case v4 < 0 && v6 < 0:
			ln.Problem = "no addresses"
		}
		ln.Addresses = max(v4, 0) + max(v6, 0)
		lt.Names = append(lt.Names, ln)
	}
}

// follow lints the record an include or redirect leads to.
func (s *linter) follow(domain string, r role, t *spf.Term, lt *Term, path []string) {
	s.macros(domain, t)
	s.countTerm(domain, t, lt)
	target, ok := s.staticTarget(domain, t, lt)
	if !ok {
		return
	}
	if r == roleInclude {
		key := strings.ToLower(strings.TrimSuffix(target, "."))
		if prev, dup := s.includes[key]; dup && prev != domain {
			s.termFinding(SeverityWarning, "duplicate-include", domain, t, "4.6.4",
				fmt.Sprintf("%s is included again (also by %s): its lookups count twice", target, prev),
				"include it once, from the record nearest the top")
		} else if !dup {
			s.includes[key] = domain
		}
	}
	before := s.terms
	lt.Target = s.walk(target, r, path)
	lt.Lookups += s.terms - before
}

// limit is n, or def when n is not positive.
func limit(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// noData turns an empty answer without an error into spf.ErrNoData, as
// the engine does (spf.Resolver).
func noData(qtype, name string, n int, err error) error {
	if err == nil && n == 0 {
		return &spf.DNSError{QType: qtype, Name: name, Err: spf.ErrNoData}
	}
	return err
}

// isTemporary reports whether a failed lookup is a temperror (RFC 7208
// §2.6.6) rather than a void lookup (§4.6.4).
func isTemporary(err error) bool {
	return !errors.Is(err, spf.ErrNoSuchName) && !errors.Is(err, spf.ErrNoData)
}

// dnsFailure names a failed lookup's kind, or gives its error.
func dnsFailure(err error) string {
	switch {
	case errors.Is(err, spf.ErrNoSuchName):
		return spf.ErrNoSuchName.Error()
	case errors.Is(err, spf.ErrNoData):
		return spf.ErrNoData.Error()
	}
	return err.Error()
}
