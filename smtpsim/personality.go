package smtpsim

import (
	"fmt"
	"net/netip"
	"strings"
)

// Personality is the mail server whose words the server speaks: the text
// and the enhanced status code (RFC 3463) of its replies. RFC 5321 §4.2
// fixes the three-digit codes and leaves the text to each server, so the
// codes are the same whatever the personality; only the words change.
// The zero value is go-smtp's own words.
type Personality uint8

// The personalities.
const (
	// PersonalityGoSMTP speaks as go-smtp does: "250 2.0.0 Roger,
	// accepting mail from <honeypot@euston.net>".
	PersonalityGoSMTP Personality = iota
	// PersonalitySendmail speaks as the seed article's sendmail: "250
	// mail.example.com Hello www.euston.net [192.0.2.80], pleased to meet
	// you", "250 2.1.0 honeypot@euston.net Sender ok".
	PersonalitySendmail
	// PersonalityPostfix speaks as Postfix: "250 mail.example.com",
	// "250 2.1.0 Ok".
	PersonalityPostfix
)

var personalityNames = [...]string{"go-smtp", "sendmail", "postfix"}

// Personalities returns every personality, the default first.
func Personalities() []Personality {
	return []Personality{PersonalityGoSMTP, PersonalitySendmail, PersonalityPostfix}
}

// ParsePersonality returns the personality a name gives: "go-smtp",
// "sendmail" or "postfix".
func ParsePersonality(name string) (Personality, error) {
	for i, n := range personalityNames {
		if n == name {
			return Personality(i), nil
		}
	}
	return 0, fmt.Errorf("%q is not a server personality (want one of %s)", name, strings.Join(personalityNames[:], ", "))
}

// String names the personality: "go-smtp", "sendmail", "postfix".
func (p Personality) String() string {
	if int(p) < len(personalityNames) {
		return personalityNames[p]
	}
	return fmt.Sprintf("Personality(%d)", uint8(p))
}

// MarshalText names the personality in JSON.
func (p Personality) MarshalText() ([]byte, error) {
	if int(p) >= len(personalityNames) {
		return nil, fmt.Errorf("smtpsim: unknown personality %d", uint8(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText reads a personality's name.
func (p *Personality) UnmarshalText(b []byte) error {
	v, err := ParsePersonality(string(b))
	if err != nil {
		return fmt.Errorf("smtpsim: %w", err)
	}
	*p = v
	return nil
}

// replyKind is which reply of the dialogue a reply is, for wording it.
type replyKind uint8

const (
	replyOther          replyKind = iota // worded as go-smtp words it
	replyGreeting                        // 220 at connect and after XCLIENT
	replyHELO                            // 250 to HELO
	replyEHLO                            // 250 to EHLO: its first line
	replyMail                            // 250 to MAIL
	replyRcpt                            // 250 to RCPT
	replyData                            // 354 to DATA
	replyQueued                          // 250 after the message
	replyQuit                            // 221 to QUIT
	replyRset                            // 250 to RSET
	replyNoop                            // 250 to NOOP
	replyUnknownSender                   // 553 at MAIL: the sender domain does not exist
	replySenderTempFail                  // 451 at MAIL: its lookups failed for now
	replyRefusal                         // the SPF policy's refusal with a 5xx code
	replyTempRefusal                     // the SPF policy's refusal with a 4xx code
)

// keepEnhanced, as a wording's enhanced code, keeps the reply's own.
const keepEnhanced = "="

// wording is how a personality words one kind of reply: its enhanced code
// ("" for none, keepEnhanced for the reply's own) and its text, where
//
//	{host}     is the server's name (Config.Hostname);
//	{client}   the client as sendmail names it: its confirmed reverse name
//	           and address, "www.euston.net [192.0.2.80]";
//	{arg}      the address of MAIL or RCPT as the client wrote it;
//	{addr}     that address without its angle brackets;
//	{queue}    the message's queue ID (its Message.ID, in the MTA's style);
//	{role}     "Sender" at MAIL, "Recipient" at RCPT;
//	{refused}  the policy's text as a sentence (a "." added if missing).
type wording struct {
	enhanced, text string
}

// voice is a personality's words: the wording of each kind of reply it
// words differently from go-smtp, and its queue IDs.
type voice struct {
	replies map[replyKind]wording
	queueID func(id uint64) string
}

// voices holds each personality's words. go-smtp's is empty: its replies
// go out as go-smtp writes them.
var voices = map[Personality]voice{
	PersonalityGoSMTP: {},
	// Sendmail 8, as the seed article prints it: the greeting, HELO, MAIL,
	// RCPT and 553 replies word for word (MAIL without sendmail's usual
	// "..." after the address, as the article shows it), and the SPF
	// refusal ending "Command rejected." like the article's 550. What the
	// article does not show is sendmail's usual wording.
	PersonalitySendmail: {
		replies: map[replyKind]wording{
			replyGreeting:       {"", "{host} SMTP Server ready."},
			replyHELO:           {"", "{host} Hello {client}, pleased to meet you"},
			replyEHLO:           {keepEnhanced, "{host} Hello {client}, pleased to meet you"},
			replyMail:           {"2.1.0", "{arg} Sender ok"},
			replyRcpt:           {"2.1.5", "{arg}... Recipient ok"},
			replyData:           {"", `Enter mail, end with "." on a line by itself`},
			replyQueued:         {"2.0.0", "{queue} Message accepted for delivery"},
			replyQuit:           {"2.0.0", "{host} closing connection"},
			replyRset:           {"2.0.0", "Reset state"},
			replyNoop:           {"2.0.0", "OK"},
			replyUnknownSender:  {"5.1.8", "{arg}... Domain of sender address {addr} does not exist"},
			replySenderTempFail: {"4.1.8", "Domain of sender address {addr} does not resolve"},
			replyRefusal:        {keepEnhanced, "{refused} Command rejected."},
			replyTempRefusal:    {keepEnhanced, "{refused} Please try again later."},
		},
		queueID: func(id uint64) string { return fmt.Sprintf("m%07d", id) },
	},
	// Postfix: short texts, the address in angle brackets before the
	// reason of a refusal.
	PersonalityPostfix: {
		replies: map[replyKind]wording{
			replyGreeting:       {"", "{host} ESMTP Postfix"},
			replyHELO:           {"", "{host}"},
			replyEHLO:           {keepEnhanced, "{host}"},
			replyMail:           {"2.1.0", "Ok"},
			replyRcpt:           {"2.1.5", "Ok"},
			replyData:           {"", "End data with <CR><LF>.<CR><LF>"},
			replyQueued:         {"2.0.0", "Ok: queued as {queue}"},
			replyQuit:           {"2.0.0", "Bye"},
			replyRset:           {"2.0.0", "Ok"},
			replyNoop:           {"2.0.0", "Ok"},
			replyUnknownSender:  {"5.1.8", "<{addr}>: Sender address rejected: Domain not found"},
			replySenderTempFail: {"4.4.3", "<{addr}>: Sender address rejected: Domain not found"},
			replyRefusal:        {keepEnhanced, "<{addr}>: {role} address rejected: {refused}"},
			replyTempRefusal:    {keepEnhanced, "<{addr}>: {role} address rejected: {refused}"},
		},
		queueID: func(id uint64) string { return fmt.Sprintf("%010X", id) },
	},
}

// exchange is what the front knows when it words a reply: the command
// being served and what the session reported about the client.
type exchange struct {
	verb, line string     // the command's verb (upper case) and its whole line; "" before the first
	host       string     // the server's name
	client     clientName // who the client is, from the last EventHELO
	queued     uint64     // the ID of the message stored last
	refusals   []Reply    // the policy's refusals that may be sent now
}

// clientName is the client as the server found it at HELO/EHLO.
type clientName struct {
	ip        netip.Addr
	confirmed string   // the forward-confirmed reverse name, "" if none
	ptr       []string // the reverse names found
}

// word returns r in the personality's words, and whether they differ
// from go-smtp's. The code never changes: it is the protocol.
func (p Personality) word(x exchange, r Reply) (Reply, bool) {
	v := voices[p]
	kind := x.kind(r)
	w, ok := v.replies[kind]
	if !ok || len(r.Lines) == 0 {
		return r, false
	}
	arg := commandAddress(x.verb, x.line)
	text := expand(w.text, func(name string) string {
		switch name {
		case "host":
			return x.host
		case "client":
			return x.client.sendmail()
		case "arg":
			return arg
		case "addr":
			return strings.TrimSuffix(strings.TrimPrefix(arg, "<"), ">")
		case "queue":
			return v.queueID(x.queued)
		case "role":
			if x.verb == "RCPT" {
				return "Recipient"
			}
			return "Sender"
		case "refused":
			return sentence(r.Text())
		}
		return "{" + name + "}"
	})
	// One line, so that no client misreads an enhanced code; only EHLO's
	// capability list goes on after it.
	out := Reply{Code: r.Code, Enhanced: w.enhanced, Lines: []string{oneLine(text)}}
	if kind == replyEHLO {
		out.Lines = append(out.Lines, r.Lines[1:]...)
	}
	if w.enhanced == keepEnhanced {
		out.Enhanced = r.Enhanced
	}
	return out, out.String() != r.String()
}

// kind finds which reply r is by the command it answers and its code;
// a refusal of the policy's is known by its words.
func (x exchange) kind(r Reply) replyKind {
	for _, ref := range x.refusals {
		if r.Code == ref.Code && r.Enhanced == ref.Enhanced && r.Text() == ref.Text() {
			if r.Code/100 == 4 {
				return replyTempRefusal
			}
			return replyRefusal
		}
	}
	switch {
	case r.Code == 220 && (x.verb == "" || x.verb == "XCLIENT"):
		return replyGreeting
	case r.Code == 250 && x.verb == "HELO":
		return replyHELO
	case r.Code == 250 && x.verb == "EHLO":
		return replyEHLO
	case r.Code == 250 && x.verb == "MAIL":
		return replyMail
	case r.Code == 553 && x.verb == "MAIL":
		return replyUnknownSender
	case r.Code == 451 && r.Enhanced == "4.4.3" && x.verb == "MAIL":
		return replySenderTempFail
	case r.Code == 250 && x.verb == "RCPT":
		return replyRcpt
	case r.Code == 354 && x.verb == "DATA":
		return replyData
	case r.Code == 250 && x.verb == "DATA", r.Code == 250 && x.verb == "BDAT" && lastChunk(x.line):
		return replyQueued
	case r.Code == 221 && x.verb == "QUIT":
		return replyQuit
	case r.Code == 250 && x.verb == "RSET":
		return replyRset
	case r.Code == 250 && x.verb == "NOOP":
		return replyNoop
	}
	return replyOther
}

// sendmail names the client as sendmail's HELO reply does: "www.euston.net
// [192.0.2.80]" for a confirmed name, "name [ip] (may be forged)" for a
// reverse name that does not point back, "[ip]" without one; an IPv6
// address is written "[IPv6:2001:db8::1]".
func (n clientName) sendmail() string {
	addr := "[" + n.ip.String() + "]"
	if n.ip.Is6() && !n.ip.Is4In6() {
		addr = "[IPv6:" + n.ip.String() + "]"
	}
	switch {
	case n.confirmed != "":
		return n.confirmed + " " + addr
	case len(n.ptr) > 0:
		return n.ptr[0] + " " + addr + " (may be forged)"
	}
	return addr
}

// commandAddress returns the address of a MAIL FROM: or RCPT TO: line as
// the client wrote it: "<honeypot@euston.net>" or "honeypot@euston.net",
// without the parameters after it.
func commandAddress(verb, line string) string {
	var prefix string
	switch verb {
	case "MAIL":
		prefix = "FROM:"
	case "RCPT":
		prefix = "TO:"
	default:
		return ""
	}
	_, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimLeft(rest, " ")
	if len(rest) < len(prefix) || !strings.EqualFold(rest[:len(prefix)], prefix) {
		return ""
	}
	rest = strings.TrimLeft(rest[len(prefix):], " ")
	if strings.HasPrefix(rest, "<") {
		if i := strings.IndexByte(rest, '>'); i >= 0 {
			return rest[:i+1]
		}
	}
	if i := strings.IndexAny(rest, " \t"); i >= 0 {
		return rest[:i]
	}
	return rest
}

// lastChunk reports whether a BDAT line carries the message's last chunk.
func lastChunk(line string) bool {
	f := strings.Fields(line)
	return len(f) == 3 && strings.EqualFold(f[2], "LAST")
}

// expand replaces each {name} in template with value(name).
func expand(template string, value func(name string) string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(template, '{')
		j := strings.IndexByte(template[i+1:], '}')
		if i < 0 || j < 0 {
			b.WriteString(template)
			return b.String()
		}
		b.WriteString(template[:i])
		b.WriteString(value(template[i+1 : i+1+j]))
		template = template[i+j+2:]
	}
}

// sentence ends text with a full stop, unless it ends with one already
// (or another mark that ends a sentence).
func sentence(text string) string {
	text = strings.TrimRight(text, " ")
	if text == "" || strings.HasSuffix(text, ".") || strings.HasSuffix(text, "!") || strings.HasSuffix(text, "?") {
		return text
	}
	return text + "."
}
