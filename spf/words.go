package spf

import (
	"strconv"
	"strings"
)

// A Part is a piece of an event's words with the role it plays, so that a
// viewer can colour the pieces of a step without wording it again: the
// concatenated Text of an event's parts is its String.
type Part struct {
	Text string
	Role Role
}

// Role says what a Part of an event's words is.
type Role uint8

// The roles of the parts of an event's words.
const (
	RoleText    Role = iota // plain words
	RoleLabel               // what the line is: "DNS ", "expand ", "record "
	RoleSubject             // what the step is about: a term, a record, a name
	RoleResult              // a result word ("pass", "fail", ...): its Text is the Result
	RoleMatch               // a verdict that matched
	RoleNoMatch             // a verdict that did not match
	RoleBad                 // something wrong: a lie, an error
	RoleWarn                // worth noticing: a void lookup
	RoleDetail              // the reason, in words
	RoleLab                 // the lab's machinery, not the lesson
)

// Words is a sequence of parts: an event's words.
type Words []Part

// String joins the parts' text.
func (w Words) String() string {
	n := 0
	for _, p := range w {
		n += len(p.Text)
	}
	var b strings.Builder
	b.Grow(n)
	for _, p := range w {
		b.WriteString(p.Text)
	}
	return b.String()
}

// String describes the event in one line, without the indentation of its
// depth or its counters; Words gives the same words in parts.
//
//	check_host(192.0.2.80, euston.net, honeypot@euston.net)
//	DNS TXT euston.net → "v=spf1 ip4:192.0.2.25 -all"
//	record v=spf1 ip4:192.0.2.25 -all
//	ip4:192.0.2.25: no match: 192.0.2.80 not in 192.0.2.25/32
//	-all: match → fail: all matches every address
//	result fail for euston.net: SPF test returned fail for 192.0.2.80 ...
func (e *Event) String() string { return e.Words().String() }

// Words describes the event in parts; see String.
func (e *Event) Words() Words {
	why := e.Why()
	switch e.Kind {
	case EventCheck:
		return Words{{"check_host(", RoleLabel}, {e.IP.String() + ", " + e.Domain + ", " + e.Sender, RoleSubject}, {")", RoleLabel}}
	case EventRecord:
		switch {
		case e.Record != "" && e.Result != "":
			return Words{{"record ", RoleLabel}, {e.Record, RoleSubject}, {" → ", RoleText}, {string(e.Result), RoleResult},
				{" at column " + strconv.Itoa(e.Column) + ": " + why, RoleBad}}
		case e.Record != "":
			return Words{{"record ", RoleLabel}, {e.Record, RoleSubject}}
		}
		return Words{{"no usable record → ", RoleLabel}, {string(e.Result), RoleResult}, {": " + why, RoleDetail}}
	case EventDNS:
		w := Words{{"DNS ", RoleLabel}, {e.QType + " " + e.Name + " → " + e.Answer(), RoleText}}
		if e.Void {
			w = append(w, Part{" (a void lookup)", RoleWarn})
		}
		return w
	case EventMacro:
		return Words{{"expand ", RoleLabel}, {e.Macro, RoleText}, {" → ", RoleLabel}, {e.Expanded, RoleSubject}}
	case EventTerm:
		term := e.Term
		if term == "" {
			term = "(end of record)"
		}
		var w Words
		switch {
		case e.Match:
			w = Words{{term, RoleSubject}, {": match → ", RoleMatch}, {string(e.Result), RoleResult}}
		case e.Result != "":
			w = Words{{term, RoleSubject}, {": ", RoleText}, {string(e.Result), RoleResult}}
		default:
			w = Words{{term, RoleSubject}, {": no match", RoleNoMatch}}
		}
		if why != "" {
			w = append(w, Part{": " + why, RoleDetail})
		}
		return w
	case EventEnter:
		return Words{{e.Term, RoleSubject}, {": evaluate the record of " + e.Target, RoleText}}
	case EventLeave:
		w := Words{{e.Term, RoleSubject}, {": " + e.Target + " returned ", RoleText}, {string(e.Result), RoleResult}}
		switch {
		case strings.HasPrefix(strings.ToLower(e.Term), "redirect"):
			w = append(w, Part{": the result of the redirect", RoleDetail})
		case e.Match:
			w = append(w, Part{": the include matches", RoleMatch})
		case e.Result == Fail || e.Result == Softfail || e.Result == Neutral:
			w = append(w, Part{": the include does not match", RoleNoMatch})
		}
		return w
	case EventExplanation:
		if e.Explanation != "" {
			return Words{{"explanation: ", RoleLabel}, {e.Explanation, RoleText}}
		}
		return Words{{"explanation not used: " + why, RoleDetail}}
	case EventResult:
		w := Words{{"result ", RoleLabel}, {string(e.Result), RoleResult}, {" for " + e.Domain, RoleText}}
		switch {
		case e.Explanation != "":
			w = append(w, Part{": " + e.Explanation, RoleDetail})
		case why != "":
			w = append(w, Part{": " + why, RoleDetail})
		}
		return w
	}
	return Words{{e.Kind.String(), RoleText}}
}

// Answer is what a DNS query of the event got, in words: the TXT answers
// quoted, the MX and PTR names, the addresses, or the failure ("no such
// name").
func (e *Event) Answer() string {
	if e.Err != "" {
		return e.Err
	}
	ans := make([]string, 0, len(e.Answers)+len(e.Addrs))
	for _, a := range e.Answers {
		if e.QType == "TXT" {
			a = strconv.Quote(a)
		}
		ans = append(ans, a)
	}
	for _, a := range e.Addrs {
		ans = append(ans, a.String())
	}
	return strings.Join(ans, ", ")
}

// String says how much of the default limits of RFC 7208 §4.6.4 the
// evaluation has spent: "lookups 3/10, void 1/2".
func (c Counters) String() string { return c.Of(DefaultMaxDNSTerms, DefaultMaxVoidLookups) }

// Of is String for the limits a Checker was given.
func (c Counters) Of(maxDNSTerms, maxVoidLookups int) string {
	return "lookups " + strconv.Itoa(c.DNSTerms) + "/" + strconv.Itoa(maxDNSTerms) +
		", void " + strconv.Itoa(c.VoidLookups) + "/" + strconv.Itoa(maxVoidLookups)
}

// TraceLine is the line of a text trace: String, and after a term or a
// result the counters spent of the given limits (Counters.Of):
// "ip4:192.0.2.25: no match: 192.0.2.80 not in 192.0.2.25/32 [lookups
// 0/10, void 0/2]".
func (e *Event) TraceLine(maxDNSTerms, maxVoidLookups int) string {
	if e.Kind != EventTerm && e.Kind != EventResult {
		return e.String()
	}
	return e.String() + " [" + e.Counters.Of(maxDNSTerms, maxVoidLookups) + "]"
}

// Echoed reports whether the next event tells this one's step again: the
// leave of an include or redirect, whose term's own event follows with
// the same result. Text traces leave it out.
func (e *Event) Echoed() bool { return e.Kind == EventLeave }
