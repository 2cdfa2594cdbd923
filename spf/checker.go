package spf

import (
	"context"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultExplanation is the explanation of a fail when the record has no
// usable exp= modifier and the Checker sets none (RFC 7208 §6.2 leaves the
// text to the receiver). It is an explain-string: its macros are expanded.
const DefaultExplanation = "%{o} does not designate %{c} as a permitted sender"

// Default limits of RFC 7208 §4.6.4.
const (
	DefaultMaxDNSTerms    = 10
	DefaultMaxVoidLookups = 2
	DefaultMaxNames       = 10 // names looked at per mx or ptr term
)

// A Checker evaluates SPF with a Resolver. Its zero value with a Resolver
// set is ready to use; a Checker is safe for concurrent use if its Resolver
// and Listener are.
type Checker struct {
	Resolver Resolver
	// Listener, when set, receives every step of every evaluation.
	Listener Listener
	// Explanation is the explain-string used for a fail when the record has
	// no usable exp= (RFC 7208 §6.2); "" means DefaultExplanation.
	Explanation string
	// NoExplanation, for callers that never show the explanation (a
	// comparison over many senders), skips it: a fail's exp= is not
	// looked up and the default not expanded, Outcome.Explanation stays
	// empty. The result is the same (RFC 7208 §6.2: the explanation only
	// adds text to a fail).
	NoExplanation bool
	// Receiver is the %{r} macro: the receiving host's domain name
	// (RFC 7208 §7.3); "" means "unknown".
	Receiver string
	// Now gives the %{t} macro; nil means time.Now.
	Now func() time.Time
	// Limits of RFC 7208 §4.6.4; zero means the RFC's default.
	MaxDNSTerms, MaxVoidLookups, MaxNames int
	// Records caches parsed records across evaluations; nil means a cache
	// shared by every Checker (of DefaultRecordCacheSize records).
	Records *RecordCache
}

// Check checks the MAIL FROM identity (RFC 7208 §2.4): the domain of
// mailFrom, or for the null sender ("" or "<>") the HELO identity with the
// sender postmaster@helo (RFC 7208 §2.3, §4.3). A mailFrom without a local
// part, or without "@", has the local part "postmaster".
func (c *Checker) Check(ctx context.Context, ip netip.Addr, helo, mailFrom string) (o Outcome) {
	addr := strings.TrimSuffix(strings.TrimPrefix(mailFrom, "<"), ">")
	if addr == "" {
		c.checkHELO(ctx, &o, ip, helo)
		return o
	}
	sender, local, domain := addr, "postmaster", addr
	switch at := strings.LastIndexByte(addr, '@'); at {
	case -1:
		sender = "postmaster@" + addr
	case 0:
		sender, domain = "postmaster"+addr, addr[1:]
	default:
		local, domain = addr[:at], addr[at+1:]
	}
	c.run(ctx, &o, ip, domain, sender, local, domain, helo)
	o.MailFrom = addr
	return o
}

// CheckHELO checks the HELO identity (RFC 7208 §2.3) with the sender
// postmaster@helo.
func (c *Checker) CheckHELO(ctx context.Context, ip netip.Addr, helo string) (o Outcome) {
	c.checkHELO(ctx, &o, ip, helo)
	return o
}

// The exported checks fill their named result through a pointer: an
// Outcome built aside would be copied on return.

func (c *Checker) checkHELO(ctx context.Context, o *Outcome, ip netip.Addr, helo string) {
	c.run(ctx, o, ip, helo, "postmaster@"+helo, "postmaster", helo, helo)
	o.Identity = IdentityHELO
}

// CheckHost runs check_host(ip, domain, sender) of RFC 7208 §4; helo is the
// %{h} macro. For a fail, Outcome.Explanation is the exp= text or the
// Checker's default.
func (c *Checker) CheckHost(ctx context.Context, ip netip.Addr, domain, sender, helo string) (o Outcome) {
	local, senderDomain := "postmaster", sender
	if at := strings.LastIndexByte(sender, '@'); at >= 0 {
		local, senderDomain = sender[:at], sender[at+1:]
	}
	c.run(ctx, &o, ip, domain, sender, local, senderDomain, helo)
	return o
}

// run is check_host() with the sender already split into its local part
// and domain (%{l}, %{o}); it fills o, as the MAIL FROM identity.
func (c *Checker) run(ctx context.Context, o *Outcome, ip netip.Addr, domain, sender, local, senderDomain, helo string) {
	// Field by field: a composite literal would be built aside and copied.
	var e evaluation
	e.c, e.ctx, e.listener, e.ip = c, ctx, c.Listener, ip.Unmap()
	e.sender, e.local, e.senderDomain, e.helo = sender, local, senderDomain, helo
	e.maxTerms = limit(c.MaxDNSTerms, DefaultMaxDNSTerms)
	e.maxVoid = limit(c.MaxVoidLookups, DefaultMaxVoidLookups)
	e.maxNames = limit(c.MaxNames, DefaultMaxNames)
	if e.listener != nil {
		e.trace = tracePool.Get().(*trace)
	}
	r, exp, mech, err := e.checkHost(domain, !c.NoExplanation)
	if r == Fail && exp == "" && !c.NoExplanation {
		exp = e.defaultExplanation()
	}
	o.Result, o.Explanation, o.Err, o.Identity = r, exp, err, IdentityMailFrom
	o.IP, o.Domain, o.Sender, o.HELO = e.ip, domain, sender, helo
	o.Counters, o.Mechanism = e.counters, mech
	if e.listener != nil {
		e.emitResult(domain, r, exp, mech, err)
		tracePool.Put(e.trace)
	}
}

func limit(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// evaluation is the state of one check_host() and its recursion.
type evaluation struct {
	c        *Checker
	ctx      context.Context
	listener Listener

	ip                          netip.Addr
	sender, local, senderDomain string
	helo                        string
	domain                      string // the current <domain>, %{d}
	depth                       int

	counters                    Counters
	maxTerms, maxVoid, maxNames int

	validated    string // %{p}, once computed
	hasValidated bool
	ipString     string // ip.String(), once computed

	trace *trace // with a listener: the Events the steps fill
}

// ipText is the client address as text (%{c}).
func (e *evaluation) ipText() string {
	if e.ipString == "" {
		e.ipString = e.ip.String()
	}
	return e.ipString
}

// checkHost evaluates the record of domain (RFC 7208 §4.3–§4.7). wantExp is
// false inside include, whose explanation is never used (§6.2). It returns
// the result, the explanation of a fail, and the term that decided it.
func (e *evaluation) checkHost(domain string, wantExp bool) (r Result, exp, mech string, err error) {
	saved := e.domain
	e.domain = domain
	defer func() { e.domain = saved }()
	if e.listener != nil {
		e.emitCheck()
	}

	if err := checkDomain(domain); err != nil {
		if e.listener != nil {
			e.emitNoRecord("", None, err.Error(), "", 0, nil)
		}
		return None, "", "", &RecordError{domain, err}
	}
	rec, r, err := e.record(domain)
	if rec == nil {
		return r, "", "", err
	}

	for i := range rec.Terms {
		t := &rec.Terms[i]
		if !t.Kind.IsMechanism() {
			continue
		}
		match, s := e.mechanism(t)
		if s.stopped() {
			return s.result, "", t.Text, &TermError{domain, t.Text, t.Column, s.err}
		}
		if match {
			r = t.Qualifier.Result()
			if r == Fail && wantExp && rec.Exp != nil {
				exp = e.explain(rec.Exp)
			}
			return r, exp, t.Text, nil
		}
	}
	if t := rec.Redirect; t != nil {
		return e.redirect(t, wantExp)
	}
	if e.listener != nil {
		e.emitTermEnd()
	}
	return Neutral, "", "", nil
}

// record looks up and selects the SPF record of domain (RFC 7208 §4.4,
// §4.5) and parses it (§4.6). With no record it returns the result.
func (e *evaluation) record(domain string) (*Record, Result, error) {
	txts, err := e.lookupTXT(domain)
	if err != nil {
		r := None
		if isTemporary(err) {
			r = TempError
		}
		if e.listener != nil {
			e.emitNoRecord("", r, "", "", 0, &lazyReason{wording: wordNoRecord, failed: err})
		}
		return nil, r, err
	}
	var text string
	n := 0
	for _, t := range txts {
		if IsSPFRecord(t) {
			text = t
			n++
		}
	}
	switch {
	case n == 0:
		if e.listener != nil {
			e.emitNoRecord("", None, "", "", 0, &lazyReason{wording: wordNoSPFAmong, count: len(txts)})
		}
		return nil, None, &RecordError{domain, ErrNoRecord}
	case n > 1:
		if e.listener != nil {
			e.emitNoRecord("", PermError, "", "", 0, &lazyReason{wording: wordManySPF, count: n})
		}
		return nil, PermError, &RecordError{domain, ErrMultipleRecords}
	}
	cr := e.c.Records.lookup(text)
	if cr.err != nil {
		if e.listener != nil {
			se := cr.err.(*SyntaxError)
			e.emitNoRecord(text, PermError, se.Reason, se.Term, se.Column, nil)
		}
		return nil, PermError, cr.recordError(domain)
	}
	if e.listener != nil {
		e.emitRecord(text)
	}
	return cr.rec, "", nil
}

// countDNSTerm counts a term that queries DNS against the limit
// (RFC 7208 §4.6.4).
func (e *evaluation) countDNSTerm() stop {
	e.counters.DNSTerms++
	if e.counters.DNSTerms > e.maxTerms {
		return stop{PermError, &LimitError{"DNS-querying terms", e.maxTerms}}
	}
	return stop{}
}

// countVoid counts a lookup that found nothing (RFC 7208 §4.6.4).
func (e *evaluation) countVoid() stop {
	e.counters.VoidLookups++
	if e.counters.VoidLookups > e.maxVoid {
		return stop{PermError, &LimitError{"void lookups", e.maxVoid}}
	}
	return stop{}
}

// mechanism evaluates one mechanism (RFC 7208 §5) and reports it.
func (e *evaluation) mechanism(t *Term) (match bool, s stop) {
	if t.Kind.QueriesDNS() {
		if s = e.countDNSTerm(); s.stopped() {
			e.reportStop(t, s)
			return false, s
		}
	}
	switch t.Kind {
	case KindAll, KindIP4, KindIP6:
		match = t.Kind == KindAll || t.Net.Contains(e.ip)
		if e.listener != nil {
			e.emitTermNet(t, match, t.Qualifier.Result())
		}
		return match, stop{}
	case KindInclude:
		return e.include(t)
	}
	// With a listener, ev gathers the data of the comparison, which its
	// reason is made of, as the mechanism looks things up.
	var ev *Event
	if e.listener != nil {
		ev = e.termData()
	}
	switch t.Kind {
	case KindA:
		match, s = e.mechA(t, e.target(t), ev)
	case KindMX:
		match, s = e.mechMX(t, e.target(t), ev)
	case KindPTR:
		match, s = e.mechPTR(e.target(t), ev)
	case KindExists:
		match, s = e.mechExists(e.target(t), ev)
	}
	if s.stopped() {
		e.reportStop(t, s)
		return false, s
	}
	if e.listener != nil {
		e.emitTerm(t, match, t.Qualifier.Result())
	}
	return match, stop{}
}

// reportNested reports an include or redirect whose check_host() of
// target returned nested.
func (e *evaluation) reportNested(t *Term, match bool, r Result, target string, nested Result) {
	if e.listener != nil {
		w := wordInclude
		if t.Kind == KindRedirect {
			w = wordRedirect
		}
		e.emitTermNested(t, match, r, w, target, nested)
	}
}

func (e *evaluation) reportStop(t *Term, s stop) {
	if e.listener != nil {
		e.emitTermStop(t, s.result, s.err)
	}
}

// target is the domain a term names: its domain-spec expanded, or the
// current domain (RFC 7208 §4.8).
func (e *evaluation) target(t *Term) string {
	if t.Value == "" {
		return e.domain
	}
	return e.expandDomain(t.spec, t.Value)
}

// expandDomain expands a domain-spec and truncates it to 253 characters by
// dropping labels from the left (RFC 7208 §7.3).
func (e *evaluation) expandDomain(m macroString, text string) string {
	s := e.expandText(m, text)
	if s == text {
		return s
	}
	for len(s) > 253 {
		dot := strings.IndexByte(s, '.')
		if dot < 0 {
			break
		}
		s = s[dot+1:]
	}
	if e.listener != nil {
		e.emitMacro(text, s)
	}
	return s
}

// addrBits is the prefix length a or mx compare with: the dual-cidr-length
// for the client's address family, or the whole address.
func (e *evaluation) addrBits(t *Term) int {
	if e.ip.Is4() {
		if t.V4Prefix >= 0 {
			return t.V4Prefix
		}
		return 32
	}
	if t.V6Prefix >= 0 {
		return t.V6Prefix
	}
	return 128
}

// matchAddrs reports whether the client is in one of addrs/bits.
func (e *evaluation) matchAddrs(addrs []netip.Addr, bits int) (netip.Prefix, bool) {
	for _, a := range addrs {
		if a.Is4() != e.ip.Is4() {
			continue
		}
		p, err := a.Prefix(bits)
		if err == nil && p.Contains(e.ip) {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

// mechA evaluates a (RFC 7208 §5.3). The mechanisms put the data of their
// comparison into ev, when it is not nil.
func (e *evaluation) mechA(t *Term, name string, ev *Event) (bool, stop) {
	addrs, err := e.lookupAddrs(name, e.ip.Is6())
	if err != nil {
		return false, e.lookupStop(err)
	}
	bits := e.addrBits(t)
	p, ok := e.matchAddrs(addrs, bits)
	if ev != nil {
		ev.Target, ev.Addrs, ev.Bits, ev.Net = name, addrs, bits, p
	}
	return ok, stop{}
}

// mechMX evaluates mx (RFC 7208 §5.4).
func (e *evaluation) mechMX(t *Term, name string, ev *Event) (bool, stop) {
	hosts, err := e.lookupMX(name)
	if err != nil {
		return false, e.lookupStop(err)
	}
	if len(hosts) > e.maxNames {
		return false, stop{PermError, &tooManyNamesError{name, len(hosts), e.maxNames}}
	}
	bits := e.addrBits(t)
	if ev != nil {
		ev.Target, ev.Answers, ev.Bits = name, hosts, bits
	}
	for _, h := range hosts {
		addrs, err := e.lookupAddrs(h, e.ip.Is6())
		if err != nil && isTemporary(err) {
			return false, stop{TempError, err}
		}
		if p, ok := e.matchAddrs(addrs, bits); ok {
			if ev != nil {
				ev.Name, ev.Net = h, p
			}
			return true, stop{}
		}
	}
	return false, stop{}
}

// mechPTR evaluates ptr (RFC 7208 §5.5): a validated name of the client
// that is the target or a subdomain of it.
func (e *evaluation) mechPTR(target string, ev *Event) (bool, stop) {
	if ev != nil {
		ev.Target = target
	}
	names, err := e.lookupPTR()
	if err != nil {
		if isTemporary(err) {
			if ev != nil {
				ev.Reason = "the PTR lookup failed: no match (RFC 7208 §5.5)"
			}
			return false, stop{}
		}
		return false, e.countVoid()
	}
	if ev != nil {
		ev.Answers = names
	}
	for _, n := range names {
		if isSubdomain(n, target) && e.validates(n) {
			if ev != nil {
				ev.Name = n
			}
			return true, stop{}
		}
	}
	return false, stop{}
}

// mechExists evaluates exists (RFC 7208 §5.7): an A lookup, whatever the
// client's address family.
func (e *evaluation) mechExists(name string, ev *Event) (bool, stop) {
	addrs, err := e.lookupAddrs(name, false)
	if err != nil {
		return false, e.lookupStop(err)
	}
	if ev != nil {
		ev.Target, ev.Addrs = name, addrs
	}
	return len(addrs) > 0, stop{}
}

// include evaluates include (RFC 7208 §5.2).
func (e *evaluation) include(t *Term) (bool, stop) {
	target := e.target(t)
	r, err := e.nested(t, target, false)
	var s stop
	match := r == Pass
	switch r {
	case TempError, PermError:
		s = stop{r, err}
	case None:
		s = stop{PermError, &noTargetRecordError{KindInclude, target}}
	}
	if s.stopped() {
		e.reportStop(t, s)
		return false, s
	}
	if e.listener != nil {
		var res Result
		if match {
			res = t.Qualifier.Result()
		}
		e.reportNested(t, match, res, target, r)
	}
	return match, stop{}
}

// redirect evaluates redirect= (RFC 7208 §6.1).
func (e *evaluation) redirect(t *Term, wantExp bool) (Result, string, string, error) {
	if s := e.countDNSTerm(); s.stopped() {
		e.reportStop(t, s)
		return s.result, "", t.Text, &TermError{e.domain, t.Text, t.Column, s.err}
	}
	target := e.target(t)
	r, exp, mech, err := e.nestedExp(t, target, wantExp)
	if r == None {
		r, mech, err = PermError, t.Text, &noTargetRecordError{KindRedirect, target}
	}
	if e.listener != nil {
		e.reportNested(t, r != PermError && r != TempError, r, target, r)
	}
	if err != nil {
		err = &TermError{e.domain, t.Text, t.Column, err}
	}
	return r, exp, mech, err
}

func (e *evaluation) nested(t *Term, target string, wantExp bool) (Result, error) {
	r, _, _, err := e.nestedExp(t, target, wantExp)
	return r, err
}

// nestedExp runs check_host() for an include or redirect one level down.
func (e *evaluation) nestedExp(t *Term, target string, wantExp bool) (Result, string, string, error) {
	if e.listener != nil {
		e.emitNested(EventEnter, t, target, "")
	}
	e.depth++
	r, exp, mech, err := e.checkHost(target, wantExp)
	if e.listener != nil {
		e.emitResult(target, r, exp, mech, err)
	}
	e.depth--
	if e.listener != nil {
		e.emitNested(EventLeave, t, target, r)
	}
	return r, exp, mech, err
}

// explain fetches and expands the exp= explanation (RFC 7208 §6.2). It
// returns "" when the explanation cannot be used.
func (e *evaluation) explain(t *Term) string {
	target := e.target(t)
	txts, err := e.lookupTXT(target)
	var reason string
	if err == nil && len(txts) == 1 {
		var m macroString
		if m, _, reason = parseMacroString(txts[0], true); reason == "" {
			exp := e.expandText(m, txts[0])
			if e.listener != nil {
				e.emitExplanation(txts[0], exp, "", nil)
			}
			return exp
		}
	}
	if e.listener != nil {
		switch {
		case err != nil:
			e.emitExplanation("", "", "", &lazyReason{wording: wordExpFailed, failed: err})
		case len(txts) != 1:
			e.emitExplanation("", "", "", &lazyReason{wording: wordExpCount, target: target, count: len(txts)})
		default:
			e.emitExplanation("", "", "exp= text is not a valid explain-string: "+reason+expDefaultUsed, nil)
		}
	}
	return ""
}

// expDefaultUsed ends the reasons of an exp= that is not used.
const expDefaultUsed = "; the default explanation is used"

func (e *evaluation) defaultExplanation() string {
	text := e.c.Explanation
	if text == "" {
		text = DefaultExplanation
	}
	m, ok := explanations.Load(text)
	if !ok {
		ms, _, reason := parseMacroString(text, true)
		if reason != "" {
			return text // not an explain-string: used as it is
		}
		m, _ = explanations.LoadOrStore(text, ms)
	}
	return e.expandText(m.(macroString), text)
}

// explanations caches the parsed default explanations of Checkers.
var explanations sync.Map // text → macroString

// expandText expands m, parsed from text.
func (e *evaluation) expandText(m macroString, text string) string {
	if m == nil {
		return text
	}
	return m.expand(e)
}

// lookupStop classifies the error of a lookup a term made: a temporary
// failure stops with temperror; no answer counts as a void lookup.
func (e *evaluation) lookupStop(err error) stop {
	if isTemporary(err) {
		return stop{TempError, err}
	}
	return e.countVoid()
}

// failureKind returns ErrNoSuchName or ErrNoData when err wraps one, else
// nil: the failure is temporary.
func failureKind(err error) error {
	if de, ok := err.(*DNSError); ok && (de.Err == ErrNoSuchName || de.Err == ErrNoData) {
		return de.Err // what resolvers return, without walking the chain
	}
	switch {
	case errors.Is(err, ErrNoSuchName):
		return ErrNoSuchName
	case errors.Is(err, ErrNoData):
		return ErrNoData
	}
	return nil
}

func isTemporary(err error) bool { return failureKind(err) == nil }

// dnsFailure words how a lookup failed: "no such name", "no data", or the
// temporary failure in full.
func dnsFailure(err error) string {
	if kind := failureKind(err); kind != nil {
		return kind.Error()
	}
	return err.Error()
}

// isSubdomain reports whether name is domain or a subdomain of it, without
// regard to case or a trailing dot.
func isSubdomain(name, domain string) bool {
	name, domain = strings.TrimSuffix(name, "."), strings.TrimSuffix(domain, ".")
	if len(name) < len(domain) || !strings.EqualFold(name[len(name)-len(domain):], domain) {
		return false
	}
	return len(name) == len(domain) || name[len(name)-len(domain)-1] == '.'
}

// validates reports whether name has an address that is the client's: the
// forward half of a validated name (RFC 7208 §5.5).
func (e *evaluation) validates(name string) bool {
	addrs, err := e.lookupAddrs(name, e.ip.Is6())
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if a == e.ip {
			return true
		}
	}
	return false
}

// Why a domain cannot be checked (RFC 7208 §4.3).
var (
	errEmptyDomain = errors.New("not a domain name: empty")
	errLongDomain  = errors.New("not a domain name: longer than 253 characters")
	errEmptyLabel  = errors.New("not a domain name: an empty label")
	errLongLabel   = errors.New("not a domain name: a label longer than 63 characters")
	errNotFQDN     = errors.New("not a fully qualified domain name")
	errBadTopLabel = errors.New("not a domain name: the last label is not a top-level domain name")
)

// checkDomain says why domain cannot be checked (RFC 7208 §4.3), or nil.
func checkDomain(domain string) error {
	d := strings.TrimSuffix(domain, ".")
	if d == "" {
		return errEmptyDomain
	}
	if len(d) > 253 {
		return errLongDomain
	}
	// One pass over the name: labels are short, a call per label costs more.
	labels, start := 0, 0
	for i := 0; i <= len(d); i++ {
		if i < len(d) && d[i] != '.' {
			continue
		}
		switch n := i - start; {
		case n == 0:
			return errEmptyLabel
		case n > 63:
			return errLongLabel
		}
		labels++
		start = i + 1
	}
	if labels < 2 {
		return errNotFQDN
	}
	if !hasDomainEnd(d) {
		return errBadTopLabel
	}
	return nil
}

// macroValue gives the value of a macro letter (RFC 7208 §7.3).
func (e *evaluation) macroValue(letter byte) string {
	switch letter {
	case 's':
		return e.sender
	case 'l':
		return e.local
	case 'o':
		return e.senderDomain
	case 'd':
		return e.domain
	case 'i':
		if e.ip.Is4() {
			return e.ipText()
		}
		return string(appendDottedIP(nil, e.ip))
	case 'p':
		return e.validatedName()
	case 'v':
		if e.ip.Is4() {
			return "in-addr"
		}
		return "ip6"
	case 'h':
		return e.helo
	case 'c':
		return e.ipText()
	case 'r':
		if e.c.Receiver != "" {
			return e.c.Receiver
		}
		return "unknown"
	case 't':
		return string(e.appendMacroValue(nil, 't'))
	}
	return ""
}

// appendMacroValue appends the value of a macro letter, without making a
// string of the client's address or the time.
func (e *evaluation) appendMacroValue(b []byte, letter byte) []byte {
	switch letter {
	case 'i':
		return appendDottedIP(b, e.ip)
	case 'c':
		if e.ipString != "" || !e.ip.IsValid() {
			return append(b, e.ipText()...)
		}
		return e.ip.AppendTo(b)
	case 't':
		now := time.Now
		if e.c.Now != nil {
			now = e.c.Now
		}
		return strconv.AppendInt(b, now().Unix(), 10)
	}
	return append(b, e.macroValue(letter)...)
}

// appendDottedIP appends %{i}: an IPv4 address in dotted form, an IPv6
// address as 32 dot-separated nibbles (RFC 7208 §7.3).
func appendDottedIP(b []byte, ip netip.Addr) []byte {
	if ip.Is4() {
		return ip.AppendTo(b)
	}
	const hex = "0123456789ABCDEF"
	for i, c := range ip.As16() {
		if i > 0 {
			b = append(b, '.')
		}
		b = append(b, hex[c>>4], '.', hex[c&15])
	}
	return b
}

// validatedName is %{p} (RFC 7208 §7.3): a validated name of the client,
// preferring the current domain, then a subdomain of it; "unknown" if none.
func (e *evaluation) validatedName() string {
	if e.hasValidated {
		return e.validated
	}
	e.hasValidated, e.validated = true, "unknown"
	names, err := e.lookupPTR()
	if err != nil {
		return e.validated
	}
	var sub, other string
	for _, n := range names {
		if !e.validates(n) {
			continue
		}
		n = strings.TrimSuffix(n, ".")
		switch {
		case strings.EqualFold(n, strings.TrimSuffix(e.domain, ".")):
			e.validated = n
			return n
		case sub == "" && isSubdomain(n, e.domain):
			sub = n
		case other == "":
			other = n
		}
	}
	if sub != "" {
		e.validated = sub
	} else if other != "" {
		e.validated = other
	}
	return e.validated
}
