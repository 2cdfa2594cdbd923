package smtpsim

import (
	"strconv"
	"strings"

	"spflab/spf"
)

// String describes the event in one line (a reply of several lines in
// several): the words every printer, the lab and the monitor show for it.
// Words gives the same words in parts for a viewer that colours them.
//
//	C: HELO mail.euston.net
//	S: 250 www.euston.net Hello ...
//	DNS PTR 192.0.2.80 → www.euston.net (reverse)
//	HELO mail.euston.net: 192.0.2.80 is www.euston.net (reverse DNS confirmed): the HELO name is a lie
//	policy: SPF fail for the mfrom identity → refuse (5xx) at RCPT (550 5.7.23)
//
// SPF steps give the words of spf.Event, DKIM and DMARC steps those of
// dkim.Event and dmarc.Event.
func (e *Event) String() string { return e.Words().String() }

// Words describes the event in parts; see String.
func (e *Event) Words() spf.Words {
	switch e.Kind {
	case EventConnect:
		return spf.Words{{Text: "connected from " + e.Remote, Role: spf.RoleLab}}
	case EventClientLine:
		return spf.Words{{Text: "C: ", Role: spf.RoleLabel}, {Text: e.Line, Role: spf.RoleText}}
	case EventReply:
		return spf.Words{{Text: "S: ", Role: spf.RoleLabel}, {Text: strings.ReplaceAll(e.Reply.String(), "\n", "\nS: "), Role: spf.RoleText}}
	case EventDNS:
		return e.DNS.Words()
	case EventHELO:
		return e.HELO.Words()
	case EventSPF:
		return e.SPF.Words()
	case EventPolicy:
		return e.Policy.Words()
	case EventXClient:
		return spf.Words{{Text: "XCLIENT accepted: the server now takes the client for " + e.Client.String(), Role: spf.RoleLab}}
	case EventHeader:
		return spf.Words{{Text: "header ", Role: spf.RoleLabel}, {Text: e.Field.Name + ":", Role: spf.RoleSubject}, {Text: " " + e.Field.Value, Role: spf.RoleText}}
	case EventStored:
		return spf.Words{{Text: "stored message " + strconv.FormatUint(e.Stored.ID, 10) + " (" + strconv.Itoa(e.Stored.Size) + " bytes)", Role: spf.RoleDetail}}
	case EventClose:
		return spf.Words{{Text: "connection closed: " + e.Reason, Role: spf.RoleDetail}}
	case EventOmitted:
		return e.Omitted.Words()
	case EventDKIM:
		return e.DKIM.Words()
	case EventDMARC:
		return e.DMARC.Words()
	case EventDMARCPolicy:
		return e.DMARCPolicy.Words()
	}
	return spf.Words{{Text: e.Kind.String()}}
}

// Words describes the query: "DNS PTR 192.0.2.80 → www.euston.net
// (reverse)".
func (q *DNSQuery) Words() spf.Words {
	got := strings.Join(q.Answers, ", ")
	if q.Err != "" {
		got = q.Err
	}
	return spf.Words{{Text: "DNS ", Role: spf.RoleLabel}, {Text: q.QType + " " + q.Name + " → " + got, Role: spf.RoleText}, {Text: " (" + q.Purpose + ")", Role: spf.RoleDetail}}
}

// Words puts the claimed HELO name next to the name the address really
// has: "HELO mail.euston.net: 192.0.2.80 is www.euston.net (reverse DNS
// confirmed): the HELO name is a lie".
func (h *HELOCheck) Words() spf.Words {
	source := "reverse DNS confirmed"
	if h.Source == "xclient" {
		source = "named by XCLIENT"
	}
	w := spf.Words{{Text: "HELO ", Role: spf.RoleLabel}, {Text: h.Claimed, Role: spf.RoleSubject}, {Text: ": ", Role: spf.RoleText}}
	ip := h.IP.String()
	switch {
	case h.Name == "" && h.Problem != "":
		return append(w, spf.Part{Text: ip + " has no known name: " + h.Problem, Role: spf.RoleWarn})
	case h.Name == "":
		return append(w, spf.Part{Text: ip + " has no confirmed name", Role: spf.RoleDetail})
	case h.Matches:
		return append(w, spf.Part{Text: ip + " is " + h.Name + " (" + source + "): ", Role: spf.RoleText}, spf.Part{Text: "the HELO name is true", Role: spf.RoleMatch})
	}
	return append(w, spf.Part{Text: ip + " is " + h.Name + " (" + source + "): ", Role: spf.RoleText}, spf.Part{Text: "the HELO name is a lie", Role: spf.RoleBad})
}

// Words says what the policy did with an SPF result: "policy: SPF fail
// for the mfrom identity → refuse (5xx) at RCPT (550 5.7.23)".
func (d *Decision) Words() spf.Words {
	w := spf.Words{{Text: "policy: SPF ", Role: spf.RoleLabel}, {Text: string(d.Outcome.Result), Role: spf.RoleResult},
		{Text: " for the " + string(d.Outcome.Identity) + " identity → " + d.Action.Words() + " at " + d.At, Role: spf.RoleText}}
	if d.Reply != nil {
		w = append(w, spf.Part{Text: " (" + strconv.Itoa(d.Reply.Code) + " " + d.Reply.Enhanced + ")", Role: spf.RoleText})
	}
	if d.Problem != "" {
		w = append(w, spf.Part{Text: ": " + d.Problem, Role: spf.RoleDetail})
	}
	return w
}

// IdentityWords names the identity the SPF check was for: "identity
// mfrom: honeypot@euston.net", "identity helo: pc.home (the sender is
// <>)" (RFC 7208 §2.3, §2.4).
func (d *Decision) IdentityWords() spf.Words {
	o := d.Outcome
	id := o.MailFrom
	if o.Identity == spf.IdentityHELO {
		id = o.HELO
		if o.MailFrom == "" && d.At != "HELO" && d.At != "EHLO" {
			id += " (the sender is <>)"
		}
	}
	return spf.Words{{Text: "identity ", Role: spf.RoleLabel}, {Text: string(o.Identity), Role: spf.RoleSubject}, {Text: ": " + id, Role: spf.RoleText}}
}

// Words says what the action does: "accept, mark in Received-SPF",
// "refuse (5xx)".
func (a Action) Words() string {
	switch a {
	case ActionHeader:
		return "accept, mark in Received-SPF"
	case ActionAccept:
		return "accept"
	case ActionTempFail:
		return "refuse for now (4xx)"
	case ActionReject:
		return "refuse (5xx)"
	}
	return a.String()
}

// Words says what was left out: "… 12,345 more lines of the message
// (1.2 MB)", "… 37 events of this session dropped: the viewer fell
// behind".
func (o *Omitted) Words() spf.Words {
	var parts []string
	if o.Lines > 0 || o.Bytes > 0 {
		parts = append(parts, thousands(int64(o.Lines))+" more "+plural(o.Lines, "line")+" of the message ("+size(o.Bytes)+")")
	}
	if o.Events > 0 {
		parts = append(parts, thousands(int64(o.Events))+" "+plural(o.Events, "event")+" of this session dropped: the viewer fell behind")
	}
	return spf.Words{{Text: "… " + strings.Join(parts, "; "), Role: spf.RoleDetail}}
}

// thousands writes n with commas between groups of three digits: 12,345.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// size writes a size in bytes the way people read it: "345 bytes",
// "12.3 KB", "1.2 MB" (powers of 1000).
func size(n int64) string {
	switch {
	case n < 1000:
		return thousands(n) + " " + plural(int(n), "byte")
	case n < 1000*1000:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + " KB"
	case n < 1000*1000*1000:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
	}
	return strconv.FormatFloat(float64(n)/1e9, 'f', 1, 64) + " GB"
}
