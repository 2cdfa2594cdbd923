package spf

import (
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
)

// A Listener receives the Events of an evaluation, in order, on the
// goroutine that runs it. A nil Listener costs nothing.
//
// The Event is valid only until the Listener returns, and the Listener
// must not change it: the evaluation fills the same Event again for a
// later step, so that no step copies one. A Listener that keeps an event,
// or changes it, copies it first (*e); the strings and slices an Event
// holds stay valid, and are shared.
type Listener func(e *Event)

// EventKind says what step of check_host() an Event reports.
type EventKind uint8

// The steps of an evaluation.
const (
	// EventCheck: check_host() begins (RFC 7208 §4). Domain, IP, Sender.
	// Nested for include and redirect (Depth > 0).
	EventCheck EventKind = iota + 1
	// EventRecord: the record of Domain was selected (§4.5): Record holds its
	// text; or none was found, or more than one: Result is None, PermError
	// or TempError and Reason says why.
	EventRecord
	// EventDNS: one DNS query: QType, Name, Answers or Addrs, and Err when it failed
	// (Void is true when it counted as a void lookup, §4.6.4).
	EventDNS
	// EventMacro: a domain-spec or explain-string expanded (§7): Macro is the
	// text before, Expanded after.
	EventMacro
	// EventTerm: a mechanism or modifier evaluated (§5, §6): Term, Column,
	// Match, Reason; when Match, Result is the qualifier's result.
	EventTerm
	// EventEnter: an include (§5.2) or redirect (§6.1) starts a nested
	// check_host() of Target.
	EventEnter
	// EventLeave: the nested check_host() of an include or redirect returned
	// Result; Match says whether an include matched.
	EventLeave
	// EventExplanation: the exp= explanation was fetched and expanded (§6.2):
	// Explanation, or Reason when it could not be used.
	EventExplanation
	// EventResult: check_host() at this Depth returned Result (with
	// Explanation for a top-level fail and Reason for errors).
	EventResult
)

var eventKindNames = [...]string{"", "check", "record", "dns", "macro", "term", "enter", "leave", "explanation", "result"}

func (k EventKind) String() string {
	if int(k) < len(eventKindNames) {
		return eventKindNames[k]
	}
	return "unknown"
}

// MarshalText names the kind in JSON.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Event is one step of an evaluation. Which fields are set depends on Kind;
// every event carries Depth, Domain and the Counters after the step, so a
// renderer never re-derives anything.
type Event struct {
	Kind   EventKind `json:"kind"`
	Depth  int       `json:"depth"`  // 0 at the top, +1 inside each include or redirect
	Domain string    `json:"domain"` // the <domain> of the check_host() this step belongs to

	// EventCheck
	IP     netip.Addr `json:"ip,omitzero"`
	Sender string     `json:"sender,omitempty"`

	// EventRecord
	Record string `json:"record,omitempty"`

	// EventDNS: the answers of a TXT, MX or PTR query in Answers, of an A
	// or AAAA query in Addrs. Both are shared with the resolver: copy them
	// before changing them.
	QType   string       `json:"qtype,omitempty"`
	Name    string       `json:"name,omitempty"`
	Answers []string     `json:"answers,omitempty"`
	Addrs   []netip.Addr `json:"addrs,omitempty"`
	Err     string       `json:"error,omitempty"` // the failure: "no such name", "no data", "timeout or server failure"
	Void    bool         `json:"void,omitempty"`

	// EventMacro
	Macro    string `json:"macro,omitempty"`
	Expanded string `json:"expanded,omitempty"`

	// EventTerm, EventEnter, EventLeave
	Term     string `json:"term,omitempty"`   // as written in the record, e.g. "ip4:192.0.2.0/24"
	TermKind Kind   `json:"-"`                // EventTerm: which mechanism
	Column   int    `json:"column,omitempty"` // 1-based byte column of Term in Record
	Target   string `json:"target,omitempty"` // the domain a term looked at, or an include or redirect evaluates
	Match    bool   `json:"match,omitempty"`

	// EventTerm: the data of the comparison. IP is the client address,
	// Net the network of ip4/ip6 or the one a or mx matched, Bits the
	// CIDR length a and mx compare with; Addrs the addresses of an a or
	// exists target, Answers an mx target's hosts or the client's PTR
	// names, Name the MX host or validated name that matched.
	Net  netip.Prefix `json:"net,omitzero"`
	Bits int          `json:"bits,omitempty"`

	// Reason says why in words where the data above does not and the
	// words cost little; it is empty where Why words the reason itself
	// from data the Event keeps (an include's nested result, a record not
	// found among TXT records). Cause is the error that stopped a term or
	// a check_host() with temperror or permerror. Why gives the reason of
	// every event in words: read it, not Reason.
	Reason string `json:"reason,omitempty"`
	Cause  error  `json:"-"`

	// EventTerm (when Match), EventLeave, EventRecord, EventResult
	Result      Result `json:"result,omitempty"`
	Explanation string `json:"explanation,omitempty"`

	Counters Counters `json:"counters"`

	lazy lazyReason
}

// lazyReason is the data of a reason that Event.Why words only when asked:
// most listeners never ask, and words built for every step would cost
// them more than the step.
type lazyReason struct {
	wording wording
	target  string // the domain of an include or redirect, the exp= target
	nested  Result // the result of the include's or redirect's check_host()
	count   int    // TXT or SPF records found
	failed  error  // the lookup that failed
}

// wording says which reason a lazyReason is.
type wording uint8

const (
	_              wording = iota
	wordInclude            // EventTerm: what the include's check_host() returned (RFC 7208 §5.2)
	wordRedirect           // EventTerm: what the redirect's check_host() returned (§6.1)
	wordNoRecord           // EventRecord: the TXT lookup of the record failed (§4.4)
	wordNoSPFAmong         // EventRecord: no SPF record among count TXT records (§4.5)
	wordManySPF            // EventRecord: count SPF records (§4.5)
	wordExpFailed          // EventExplanation: the exp= lookup failed (§6.2)
	wordExpCount           // EventExplanation: the exp= target has count TXT records (§6.2)
)

// words says the reason; match is the event's Match.
func (l *lazyReason) words(match bool) string {
	switch l.wording {
	case wordInclude:
		if match {
			return l.target + " returned pass"
		}
		return l.target + " returned " + string(l.nested) + ": no match"
	case wordRedirect:
		return l.target + " returned " + string(l.nested)
	case wordNoRecord:
		if isTemporary(l.failed) {
			return "the TXT lookup failed: " + l.failed.Error()
		}
		return "no SPF record: " + dnsFailure(l.failed)
	case wordNoSPFAmong:
		return "no SPF record among " + strconv.Itoa(l.count) + " TXT records"
	case wordManySPF:
		return strconv.Itoa(l.count) + " SPF records; RFC 7208 §4.5 allows one"
	case wordExpFailed:
		return "exp= lookup failed: " + dnsFailure(l.failed) + expDefaultUsed
	case wordExpCount:
		return "exp= target " + l.target + " has " + strconv.Itoa(l.count) + " TXT records; RFC 7208 §6.2 needs exactly one" + expDefaultUsed
	}
	return ""
}

// Why says in words why a term matched or not, from the event's data:
// "192.0.2.80 not in 192.0.2.25/32", "mail.euston.net has no A records".
// For other events, and where the evaluator gave one, it is Reason.
func (e *Event) Why() string {
	switch {
	case e.Reason != "":
		return e.Reason
	case e.lazy.wording != 0:
		return e.lazy.words(e.Match)
	case e.Cause != nil:
		return shortReason(e.Cause)
	case e.Kind != EventTerm:
		return ""
	}
	ip := e.IP.String()
	switch e.TermKind {
	case KindAll:
		return "all matches every address"
	case KindIP4, KindIP6:
		if e.Net.Addr().Is4() != e.IP.Is4() {
			return ip + " is not an " + e.TermKind.String() + " address"
		}
		return inNet(e.IP, e.Match, e.Net, "")
	case KindA:
		switch {
		case e.Match:
			return inNet(e.IP, true, e.Net, " (an address of "+e.Target+")")
		case len(e.Addrs) == 0:
			return e.Target + " has no " + addrType(e.IP) + " records"
		}
		return notInAddrs(e.IP, e.Addrs, e.Bits, " (the addresses of "+e.Target+")")
	case KindMX:
		switch {
		case e.Match:
			return inNet(e.IP, true, e.Net, " (an address of MX "+e.Name+")")
		case len(e.Answers) == 0:
			return e.Target + " has no MX records"
		}
		return ip + " is not an address of the MX hosts of " + e.Target + " (" + strings.Join(e.Answers, ", ") + ")"
	case KindPTR:
		switch {
		case e.Match:
			return e.Name + " is a validated name of " + ip + " within " + e.Target
		case len(e.Answers) == 0:
			return "no PTR records for " + ip
		}
		return "no validated name of " + ip + " is within " + e.Target
	case KindExists:
		if e.Match {
			return e.Target + " exists (" + e.Addrs[0].String() + ")"
		}
		return e.Target + " has no A record"
	}
	return ""
}

// MarshalJSON writes the event with its reason (Why) spelled out.
func (e Event) MarshalJSON() ([]byte, error) {
	type event Event // without the method
	ev := event(e)
	ev.Reason = e.Why()
	return json.Marshal(ev)
}

func addrType(ip netip.Addr) string {
	if ip.Is4() {
		return "A"
	}
	return "AAAA"
}

// inNet says "ip in p" or "ip not in p", then tail.
func inNet(ip netip.Addr, in bool, p netip.Prefix, tail string) string {
	var buf [160]byte
	b := ip.AppendTo(buf[:0])
	if in {
		b = append(b, " in "...)
	} else {
		b = append(b, " not in "...)
	}
	b = p.AppendTo(b)
	return string(append(b, tail...))
}

// notInAddrs says "ip not in a1, a2/bits", then tail.
func notInAddrs(ip netip.Addr, addrs []netip.Addr, bits int, tail string) string {
	var buf [160]byte
	b := append(ip.AppendTo(buf[:0]), " not in "...)
	for i, a := range addrs {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = a.AppendTo(b)
		if bits < a.BitLen() {
			b = strconv.AppendInt(append(b, '/'), int64(bits), 10)
		}
	}
	return string(append(b, tail...))
}
