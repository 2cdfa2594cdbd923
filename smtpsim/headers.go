package smtpsim

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"spflab/spf"
)

// headerFields returns the fields the server prepends to a message, top
// first: Authentication-Results (RFC 8601; with the dkim= and dmarc=
// clauses of Config.DMARC), Received-SPF for each checked
// identity whose policy records it (RFC 7208 §9.1: above the receiver's
// Received field), and Received (RFC 5321 §4.4).
func (srv *Server) headerFields(s *session, m *Message) []Field {
	host := srv.cfg.Hostname
	var recorded []spf.Outcome
	for _, d := range []*Decision{s.mailDec, s.heloDec} {
		if d != nil && d.Action == ActionHeader {
			recorded = append(recorded, d.Outcome)
		}
	}
	var fields []Field
	if auth := s.auth.clauses(); len(recorded) > 0 || len(auth) > 0 {
		clauses := []string{host}
		for _, o := range recorded {
			clauses = append(clauses, spf.AuthResultsClause(o))
		}
		clauses = append(clauses, auth...)
		fields = append(fields, Field{"Authentication-Results", strings.Join(clauses, "; ")})
	}
	for _, o := range recorded {
		fields = append(fields, Field{"Received-SPF", spf.ReceivedSPF(o, host)})
	}
	fields = append(fields, Field{"Received", received(m, s.proto, host)})
	return fields
}

// received is the value of the Received field (RFC 5321 §4.4): the HELO
// name and, in the comment, the client's confirmed name and address —
// where a lying HELO shows: "from mail.euston.net (www.euston.net
// [192.0.2.80])".
func received(m *Message, proto, host string) string {
	name := m.ClientName
	if name == "" {
		name = "unknown"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "from %s (%s [%s])", headerSafe(m.HELO), name, addressLiteral(m.ClientIP))
	fmt.Fprintf(&b, " by %s (spflab) with %s id %d", host, proto, m.ID)
	if len(m.Recipients) == 1 {
		fmt.Fprintf(&b, " for <%s>", headerSafe(m.Recipients[0]))
	}
	fmt.Fprintf(&b, "; %s", m.Time.Format(time.RFC1123Z))
	return b.String()
}

// addressLiteral writes an address as in RFC 5321 §4.1.3: 192.0.2.80,
// IPv6:2001:db8::1.
func addressLiteral(ip netip.Addr) string {
	if ip.Is6() {
		return "IPv6:" + ip.String()
	}
	return ip.String()
}

// headerSafe keeps a client-given word fit for a header field: printable
// ASCII, at most 255 bytes.
func headerSafe(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if ch <= ' ' || ch >= 0x7f {
			b[i] = '?'
		}
	}
	if len(b) > 255 {
		b = append(b[:252], "..."...)
	}
	return string(b)
}

// prepend returns the folded fields followed by the message.
func prepend(fields []Field, body []byte) []byte {
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(fold(f.Name, f.Value))
	}
	b.Write(body)
	return []byte(b.String())
}

// fold writes "Name: value" CRLF, folded at spaces so that lines stay
// within 78 characters where the words allow (RFC 5322 §2.2.3).
func fold(name, value string) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteString(":")
	col := len(name) + 1
	for _, w := range strings.Fields(value) {
		if col+1+len(w) > 78 && col > len(name)+1 {
			b.WriteString("\r\n\t")
			col = 8
		} else {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += len(w)
	}
	b.WriteString("\r\n")
	return b.String()
}
