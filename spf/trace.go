package spf

import (
	"net/netip"
	"sync"
)

// How an evaluation reports its steps to a Listener without copying
// Events: each emit function below has its own Event in the trace, fills
// it in place and hands it over by pointer. It sets every field it ever
// sets, every time, and the fields it never sets stay zero; so no Event
// is ever cleared. That matters: the trace lives on the heap, and while
// the garbage collector marks, every pointer stored there costs a write
// barrier, and clearing an Event stores 20 of them.

// The Events of a trace, one per emit function.
const (
	slotCheck    = iota
	slotRecord   // the record found
	slotNoRecord // none, or none usable
	slotDNSText  // TXT, MX, PTR
	slotDNSAddrs // A, AAAA
	slotMacro
	slotTermNet    // all, ip4, ip6 compared
	slotTerm       // a, mx, ptr, exists compared
	slotTermNested // an include or redirect returned
	slotTermStop   // a term stopped the evaluation
	slotTermEnd    // no mechanism matched
	slotEnter
	slotLeave
	slotExplanation
	slotResult
	slots
)

// trace is the scratch of an evaluation with a listener, from tracePool.
type trace struct {
	events [slots]Event
}

var tracePool = sync.Pool{New: func() any { return new(trace) }}

// event is the Event of slot, of kind k, with what every event carries:
// the evaluation's depth, the domain and counters. The emit function of
// the slot sets the rest.
func (e *evaluation) event(slot int, k EventKind, domain string) *Event {
	ev := &e.trace.events[slot]
	ev.Kind, ev.Depth, ev.Domain, ev.Counters = k, e.depth, domain, e.counters
	return ev
}

func (e *evaluation) emitCheck() {
	ev := e.event(slotCheck, EventCheck, e.domain)
	ev.IP, ev.Sender = e.ip, e.sender
	e.listener(ev)
}

// setLazy gives ev the lazy reason l, or none. Most events have none, and
// neither had the last of their kind: then nothing is stored.
func setLazy(ev *Event, l *lazyReason) {
	// Field by field: a struct copied into the heap whole goes through a
	// bulk write barrier while the garbage collector marks.
	switch {
	case l != nil:
		ev.lazy.wording, ev.lazy.target, ev.lazy.nested, ev.lazy.count, ev.lazy.failed = l.wording, l.target, l.nested, l.count, l.failed
	case ev.lazy.wording != 0:
		ev.lazy.wording, ev.lazy.target, ev.lazy.nested, ev.lazy.count, ev.lazy.failed = 0, "", "", 0, nil
	}
}

// emitRecord reports the record of the current domain.
func (e *evaluation) emitRecord(record string) {
	ev := e.event(slotRecord, EventRecord, e.domain)
	ev.Record = record
	e.listener(ev)
}

// emitNoRecord reports why the current domain has no usable record
// (RFC 7208 §4.5): r, and reason or l; a record with a syntax error, with
// the term and column of the error.
func (e *evaluation) emitNoRecord(record string, r Result, reason, term string, column int, l *lazyReason) {
	ev := e.event(slotNoRecord, EventRecord, e.domain)
	ev.Record, ev.Result, ev.Reason, ev.Term, ev.Column = record, r, reason, term, column
	setLazy(ev, l)
	e.listener(ev)
}

// emitDNSText reports a TXT, MX or PTR query and its answers; err is what
// the lookup returned.
func (e *evaluation) emitDNSText(qtype, name string, answers []string, err error) {
	ev := e.event(slotDNSText, EventDNS, e.domain)
	ev.QType, ev.Name, ev.Answers = qtype, name, answers
	ev.Err, ev.Void = dnsError(qtype, err)
	e.listener(ev)
}

// emitDNSAddrs reports an A or AAAA query and its answers.
func (e *evaluation) emitDNSAddrs(qtype, name string, addrs []netip.Addr, err error) {
	ev := e.event(slotDNSAddrs, EventDNS, e.domain)
	ev.QType, ev.Name, ev.Addrs = qtype, name, addrs
	ev.Err, ev.Void = dnsError(qtype, err)
	e.listener(ev)
}

// dnsError is how a query failed, "" if it did not, and whether it
// counts as a void lookup.
func dnsError(qtype string, err error) (failure string, void bool) {
	if err == nil {
		return "", false
	}
	if kind := failureKind(err); kind != nil {
		// Only the lookups of terms count as void (RFC 7208 §4.6.4); a TXT
		// query fetches a record (§4.4) or an explanation (§6.2).
		return kind.Error(), qtype != "TXT"
	}
	return err.Error(), false
}

func (e *evaluation) emitMacro(macro, expanded string) {
	ev := e.event(slotMacro, EventMacro, e.domain)
	ev.Macro, ev.Expanded = macro, expanded
	e.listener(ev)
}

// emitTermNet reports mechanism all, ip4 or ip6: the network compared;
// r is the qualifier's result.
func (e *evaluation) emitTermNet(t *Term, match bool, r Result) {
	if !match {
		r = ""
	}
	ev := e.event(slotTermNet, EventTerm, e.domain)
	ev.TermKind, ev.Term, ev.Column, ev.IP, ev.Match, ev.Result, ev.Net = t.Kind, t.Text, t.Column, e.ip, match, r, t.Net
	e.listener(ev)
}

// termData readies the Event of a, mx, ptr or exists for the data of
// their comparison (Target, Addrs, Answers, Name, Net, Bits, Reason),
// which the mechanism fills in as it looks things up: its lookups report
// in Events of their own.
func (e *evaluation) termData() *Event {
	ev := &e.trace.events[slotTerm]
	ev.Target, ev.Name, ev.Addrs, ev.Answers, ev.Net, ev.Bits, ev.Reason = "", "", nil, nil, netip.Prefix{}, 0, ""
	return ev
}

// emitTerm reports mechanism a, mx, ptr or exists, whose data termData
// gathered; r is the qualifier's result.
func (e *evaluation) emitTerm(t *Term, match bool, r Result) {
	if !match {
		r = ""
	}
	ev := e.event(slotTerm, EventTerm, e.domain)
	ev.TermKind, ev.Term, ev.Column, ev.IP, ev.Match, ev.Result = t.Kind, t.Text, t.Column, e.ip, match, r
	e.listener(ev)
}

// emitTermNested reports include or redirect t, whose check_host() of
// target returned nested; Why words it (lazyReason).
func (e *evaluation) emitTermNested(t *Term, match bool, r Result, w wording, target string, nested Result) {
	ev := e.event(slotTermNested, EventTerm, e.domain)
	ev.TermKind, ev.Term, ev.Column, ev.IP, ev.Match, ev.Result = t.Kind, t.Text, t.Column, e.ip, match, r
	ev.lazy.wording, ev.lazy.target, ev.lazy.nested = w, target, nested
	e.listener(ev)
}

// emitTermStop reports that term t stopped the evaluation with r, for cause.
func (e *evaluation) emitTermStop(t *Term, r Result, cause error) {
	ev := e.event(slotTermStop, EventTerm, e.domain)
	ev.TermKind, ev.Term, ev.Column, ev.IP, ev.Result, ev.Cause = t.Kind, t.Text, t.Column, e.ip, r, cause
	e.listener(ev)
}

// emitTermEnd reports the end of a record where no mechanism matched and
// there is no redirect= (RFC 7208 §4.7).
func (e *evaluation) emitTermEnd() {
	ev := e.event(slotTermEnd, EventTerm, e.domain)
	ev.Result, ev.Reason = Neutral, "no mechanism matched and there is no redirect=: the default result is neutral"
	e.listener(ev)
}

// emitNested reports that include or redirect t enters (EventEnter) or
// leaves (EventLeave, with the nested result r) the check_host() of target.
func (e *evaluation) emitNested(k EventKind, t *Term, target string, r Result) {
	slot := slotEnter
	if k == EventLeave {
		slot = slotLeave
	}
	ev := e.event(slot, k, e.domain)
	ev.Term, ev.Column, ev.Target, ev.Result, ev.Match = t.Text, t.Column, target, r, r == Pass
	e.listener(ev)
}

// emitExplanation reports the exp= text expanded, or why it is not used.
func (e *evaluation) emitExplanation(macro, explanation, reason string, l *lazyReason) {
	ev := e.event(slotExplanation, EventExplanation, e.domain)
	ev.Macro, ev.Explanation, ev.Reason = macro, explanation, reason
	setLazy(ev, l)
	e.listener(ev)
}

// emitResult reports that check_host() of domain returned.
func (e *evaluation) emitResult(domain string, r Result, exp, mech string, err error) {
	ev := e.event(slotResult, EventResult, domain)
	ev.Result, ev.Explanation, ev.Term, ev.Cause = r, exp, mech, err
	e.listener(ev)
}
