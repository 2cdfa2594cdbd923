package spf

import (
	"net/netip"
	"sync"
)

// How an evaluation reports its steps to a Listener without copying
// Events: each kind of event has its Event in the trace, filled in place
// and handed over by pointer. An emit function sets every field its kind
// carries, so no Event is ever cleared: the trace lives on the heap, and
// while the garbage collector marks, clearing 400 bytes of pointers costs
// a write barrier on each of them.

// trace is the scratch of an evaluation with a listener, from tracePool.
type trace struct {
	events [EventResult]Event // one per EventKind, at Kind-1
}

var tracePool = sync.Pool{New: func() any { return new(trace) }}

// termData is the data of a mechanism's comparison, gathered for its
// EventTerm (see the Event fields of the same names) across the lookups
// the mechanism makes, which report events of their own.
type termData struct {
	target, name string
	addrs        []netip.Addr
	answers      []string
	net          netip.Prefix
	bits         int
	reason       string
}

// event is the Event of kind k, with what every event carries: the
// evaluation's depth, domain and counters. The emit function of the kind
// sets the rest.
func (e *evaluation) event(k EventKind) *Event {
	ev := &e.trace.events[k-1]
	ev.Kind, ev.Depth, ev.Domain, ev.Counters = k, e.depth, e.domain, e.counters
	return ev
}

func (e *evaluation) emitCheck() {
	ev := e.event(EventCheck)
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

// emitRecord reports the record of the current domain, or why there is
// none (RFC 7208 §4.5); term and column place a syntax error.
func (e *evaluation) emitRecord(record string, r Result, reason, term string, column int, l *lazyReason) {
	ev := e.event(EventRecord)
	ev.Record, ev.Result, ev.Reason, ev.Term, ev.Column = record, r, reason, term, column
	setLazy(ev, l)
	e.listener(ev)
}

// emitDNS reports a query and its answer; err is what the lookup returned.
func (e *evaluation) emitDNS(qtype, name string, answers []string, addrs []netip.Addr, err error) {
	var failure string
	var void bool
	if err != nil {
		// Only the lookups of terms count as void (RFC 7208 §4.6.4); a TXT
		// query fetches a record (§4.4) or an explanation (§6.2).
		failure, void = dnsFailure(err), !isTemporary(err) && qtype != "TXT"
	}
	ev := e.event(EventDNS)
	ev.QType, ev.Name, ev.Answers, ev.Addrs, ev.Err, ev.Void = qtype, name, answers, addrs, failure, void
	e.listener(ev)
}

func (e *evaluation) emitMacro(macro, expanded string) {
	ev := e.event(EventMacro)
	ev.Macro, ev.Expanded = macro, expanded
	e.listener(ev)
}

// emitTerm reports term t (nil for the end of the record) with the data
// of its comparison, d, when it has one.
func (e *evaluation) emitTerm(t *Term, match bool, r Result, reason string, cause error, d *termData, l *lazyReason) {
	var none termData
	if d == nil {
		d = &none
	}
	ev := e.event(EventTerm)
	if t != nil {
		ev.TermKind, ev.Term, ev.Column, ev.IP = t.Kind, t.Text, t.Column, e.ip
	} else {
		ev.TermKind, ev.Term, ev.Column, ev.IP = 0, "", 0, netip.Addr{}
	}
	ev.Match, ev.Result, ev.Reason, ev.Cause = match, r, reason, cause
	ev.Target, ev.Name, ev.Addrs, ev.Answers, ev.Net, ev.Bits = d.target, d.name, d.addrs, d.answers, d.net, d.bits
	setLazy(ev, l)
	e.listener(ev)
}

// emitNested reports that include or redirect t enters (EventEnter) or
// leaves (EventLeave, with the nested result r) the check_host() of target.
func (e *evaluation) emitNested(k EventKind, t *Term, target string, r Result) {
	ev := e.event(k)
	ev.Term, ev.Column, ev.Target, ev.Result, ev.Match = t.Text, t.Column, target, r, r == Pass
	e.listener(ev)
}

// emitExplanation reports the exp= text expanded, or why it is not used.
func (e *evaluation) emitExplanation(macro, explanation, reason string, l *lazyReason) {
	ev := e.event(EventExplanation)
	ev.Macro, ev.Explanation, ev.Reason = macro, explanation, reason
	setLazy(ev, l)
	e.listener(ev)
}

// emitResult reports that check_host() of domain returned.
func (e *evaluation) emitResult(domain string, r Result, exp, mech string, err error) {
	ev := e.event(EventResult)
	ev.Domain, ev.Result, ev.Explanation, ev.Term, ev.Cause = domain, r, exp, mech, err
	e.listener(ev)
}
