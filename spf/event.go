package spf

import "net/netip"

// A Listener receives the Events of an evaluation, in order, on the
// goroutine that runs it. A nil Listener costs nothing.
type Listener func(Event)

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
	Term   string `json:"term,omitempty"`   // as written in the record, e.g. "ip4:192.0.2.0/24"
	Column int    `json:"column,omitempty"` // 1-based byte column of Term in Record
	Target string `json:"target,omitempty"` // the domain an include or redirect evaluates
	Match  bool   `json:"match,omitempty"`

	// Reason says why, in words built from data: "192.0.2.80 not in
	// 192.0.2.25/32", "2 void lookups, limit is 2", "no SPF record".
	Reason string `json:"reason,omitempty"`

	// EventTerm (when Match), EventLeave, EventRecord, EventResult
	Result      Result `json:"result,omitempty"`
	Explanation string `json:"explanation,omitempty"`

	Counters Counters `json:"counters"`
}
