package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"spflab/smtpsim"
	"spflab/spf"
)

// Limits shown with the counters: RFC 7208 §4.6.4.
const (
	maxDNSTerms    = spf.DefaultMaxDNSTerms
	maxVoidLookups = spf.DefaultMaxVoidLookups
)

// Counters says how much of the limits of RFC 7208 §4.6.4 an evaluation
// has spent: "lookups 3/10, void 1/2".
func Counters(c spf.Counters) string {
	return fmt.Sprintf("lookups %d/%d, void %d/%d", c.DNSTerms, maxDNSTerms, c.VoidLookups, maxVoidLookups)
}

// SPFLine describes one step of an SPF evaluation in one line, without
// the indentation of its depth: the words the text and Markdown printers
// use, and any other viewer may.
//
//	check_host(192.0.2.80, euston.net, honeypot@euston.net)
//	TXT euston.net → "v=spf1 ip4:192.0.2.25 -all"
//	record v=spf1 ip4:192.0.2.25 -all
//	ip4:192.0.2.25: no match: 192.0.2.80 not in 192.0.2.25/32 [lookups 0/10, void 0/2]
//	-all: match → fail: all matches every address [lookups 0/10, void 0/2]
//	result fail: SPF test returned fail for 192.0.2.80: ...
func SPFLine(e *spf.Event) string {
	why := e.Why()
	switch e.Kind {
	case spf.EventCheck:
		return fmt.Sprintf("check_host(%s, %s, %s)", e.IP, e.Domain, e.Sender)
	case spf.EventRecord:
		switch {
		case e.Record != "" && e.Result != "":
			return fmt.Sprintf("record %s → %s at column %d: %s", e.Record, e.Result, e.Column, why)
		case e.Record != "":
			return "record " + e.Record
		}
		return fmt.Sprintf("no usable record → %s: %s", e.Result, why)
	case spf.EventDNS:
		return fmt.Sprintf("%s %s → %s", e.QType, e.Name, DNSAnswer(e))
	case spf.EventMacro:
		return fmt.Sprintf("expand %s → %s", e.Macro, e.Expanded)
	case spf.EventTerm:
		term := e.Term
		if term == "" {
			term = "(end of record)"
		}
		verdict := "no match"
		switch {
		case e.Match:
			verdict = "match → " + string(e.Result)
		case e.Result != "":
			verdict = string(e.Result)
		}
		return fmt.Sprintf("%s: %s: %s [%s]", term, verdict, why, Counters(e.Counters))
	case spf.EventEnter:
		return fmt.Sprintf("%s: evaluate the record of %s", e.Term, e.Target)
	case spf.EventLeave:
		return fmt.Sprintf("%s: %s returned %s", e.Term, e.Target, e.Result)
	case spf.EventExplanation:
		if e.Explanation != "" {
			return "explanation: " + e.Explanation
		}
		return "explanation not used: " + why
	case spf.EventResult:
		line := fmt.Sprintf("result %s for %s", e.Result, e.Domain)
		switch {
		case e.Explanation != "":
			line += ": " + e.Explanation
		case why != "":
			line += ": " + why
		}
		return line + " [" + Counters(e.Counters) + "]"
	}
	return e.Kind.String()
}

// DNSAnswer is what an SPF DNS query got, in words: the TXT, MX or PTR
// answers quoted, the addresses, or the failure ("no such name").
func DNSAnswer(e *spf.Event) string {
	if e.Err != "" {
		return e.Err
	}
	ans := make([]string, 0, len(e.Answers)+len(e.Addrs))
	for _, a := range e.Answers {
		ans = append(ans, strconv.Quote(a))
	}
	for _, a := range e.Addrs {
		ans = append(ans, a.String())
	}
	return strings.Join(ans, ", ")
}

// SMTPLine describes one event of the server's session in one line (a
// reply of several lines gives several lines): "C: HELO mail.euston.net",
// "S: 250 2.0.0 Hello mail.euston.net", "DNS PTR 192.0.2.80 → www.euston.net
// (reverse)". SPF steps give SPFLine.
func SMTPLine(e *smtpsim.Event) string {
	switch e.Kind {
	case smtpsim.EventConnect:
		return fmt.Sprintf("connected from %s", e.Remote)
	case smtpsim.EventClientLine:
		return "C: " + e.Line
	case smtpsim.EventReply:
		return "S: " + strings.ReplaceAll(e.Reply.String(), "\n", "\nS: ")
	case smtpsim.EventDNS:
		q := e.DNS
		got := strings.Join(q.Answers, ", ")
		if q.Err != "" {
			got = q.Err
		}
		return fmt.Sprintf("DNS %s %s → %s (%s)", q.QType, q.Name, got, q.Purpose)
	case smtpsim.EventHELO:
		return heloLine(e.HELO)
	case smtpsim.EventSPF:
		return SPFLine(e.SPF)
	case smtpsim.EventPolicy:
		d := e.Policy
		line := fmt.Sprintf("policy: SPF %s for the %s identity → %s at %s", d.Outcome.Result, d.Outcome.Identity, d.Action, d.At)
		if d.Reply != nil {
			line += fmt.Sprintf(" (%d %s)", d.Reply.Code, d.Reply.Enhanced)
		}
		return line
	case smtpsim.EventXClient:
		return fmt.Sprintf("XCLIENT accepted: the server now takes the client for %s", e.Client)
	case smtpsim.EventHeader:
		return "header " + e.Field.Name + ": " + e.Field.Value
	case smtpsim.EventStored:
		return fmt.Sprintf("stored message %d (%d bytes)", e.Stored.ID, e.Stored.Size)
	case smtpsim.EventClose:
		return "connection closed: " + e.Reason
	}
	return e.Kind.String()
}

// heloLine puts the claimed HELO name next to the name the address
// really has: "said mail.euston.net, is www.euston.net (192.0.2.80,
// reverse DNS confirmed): the HELO name is a lie".
func heloLine(h *smtpsim.HELOCheck) string {
	source := "reverse DNS confirmed"
	if h.Source == "xclient" {
		source = "named by XCLIENT"
	}
	switch {
	case h.Name == "" && h.Problem != "":
		return fmt.Sprintf("said %s; %s has no known name: %s", h.Claimed, h.IP, h.Problem)
	case h.Name == "":
		return fmt.Sprintf("said %s; %s has no confirmed name", h.Claimed, h.IP)
	case h.Matches:
		return fmt.Sprintf("said %s, is %s (%s, %s): the HELO name is true", h.Claimed, h.Name, h.IP, source)
	}
	return fmt.Sprintf("said %s, is %s (%s, %s): the HELO name is a lie", h.Claimed, h.Name, h.IP, source)
}
