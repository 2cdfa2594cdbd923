package smtpsim

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"spflab/spf"
)

// headerFields returns the fields the server prepends to a message, top
// first: Authentication-Results (RFC 8601; with the dkim= and dmarc=
// clauses of Config.DMARC), Received-SPF for each checked
// identity whose policy records it (RFC 7208 §9.1: above the receiver's
// Received field), and Received (RFC 5321 §4.4) with the value given.
func (srv *Server) headerFields(s *session, received string) []Field {
	host := srv.cfg.Hostname
	decisions := [...]*Decision{s.mailDec, s.heloDec}
	records := func(d *Decision) bool { return d != nil && d.Action == ActionHeader }
	n := 0
	for _, d := range decisions {
		if records(d) {
			n++
		}
	}
	fields := make([]Field, 0, n+2)
	if auth := s.auth.clauses(); n > 0 || len(auth) > 0 {
		var b strings.Builder
		b.Grow(len(host) + 128*(n+len(auth)))
		b.WriteString(host)
		for _, d := range decisions {
			if records(d) {
				b.WriteString("; ")
				b.WriteString(spf.AuthResultsClause(d.Outcome))
			}
		}
		for _, a := range auth {
			b.WriteString("; ")
			b.WriteString(a)
		}
		fields = append(fields, Field{"Authentication-Results", b.String()})
	}
	for _, d := range decisions {
		if records(d) {
			fields = append(fields, Field{"Received-SPF", spf.ReceivedSPF(d.Outcome, host)})
		}
	}
	return append(fields, Field{"Received", received})
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
	b := make([]byte, 0, 128+len(m.HELO)+len(name)+len(host))
	b = append(b, "from "...)
	b = appendHeaderSafe(b, m.HELO)
	b = append(b, " ("...)
	b = append(b, name...)
	b = append(b, " ["...)
	b = appendAddressLiteral(b, m.ClientIP)
	b = append(b, "]) by "...)
	b = append(b, host...)
	b = append(b, " (spflab) with "...)
	b = append(b, proto...)
	b = append(b, " id "...)
	b = strconv.AppendUint(b, m.ID, 10)
	if len(m.Recipients) == 1 {
		b = append(b, " for <"...)
		b = appendHeaderSafe(b, m.Recipients[0])
		b = append(b, '>')
	}
	b = append(b, "; "...)
	b = m.Time.AppendFormat(b, time.RFC1123Z)
	return string(b)
}

// appendAddressLiteral appends an address as in RFC 5321 §4.1.3:
// 192.0.2.80, IPv6:2001:db8::1.
func appendAddressLiteral(b []byte, ip netip.Addr) []byte {
	switch {
	case !ip.IsValid():
		return append(b, ip.String()...) // "invalid IP", as String words it
	case ip.Is6():
		b = append(b, "IPv6:"...)
	}
	return ip.AppendTo(b)
}

// headerSafe keeps a client-given word fit for a header field: printable
// ASCII, at most 255 bytes.
func headerSafe(s string) string {
	return string(appendHeaderSafe(nil, s))
}

// appendHeaderSafe appends headerSafe(s) to b.
func appendHeaderSafe(b []byte, s string) []byte {
	long := len(s) > 255
	if long {
		s = s[:252]
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch <= ' ' || ch >= 0x7f {
			ch = '?'
		}
		b = append(b, ch)
	}
	if long {
		b = append(b, "..."...)
	}
	return b
}

// prepend returns the folded fields followed by the message, in one
// allocation but when the fields fold more often than every 64 bytes.
func prepend(fields []Field, body []byte) []byte {
	n := len(body)
	for _, f := range fields {
		n += len(f.Name) + len(f.Value) + len(f.Value)/32 + 4 // a fold adds 2 bytes
	}
	b := make([]byte, 0, n)
	for _, f := range fields {
		b = appendFold(b, f.Name, f.Value)
	}
	return append(b, body...)
}

// appendFold appends "Name: value" CRLF to b, folded at spaces so that
// lines stay within 78 characters where the words allow (RFC 5322
// §2.2.3).
func appendFold(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ':')
	col := len(name) + 1
	for w := range strings.FieldsSeq(value) {
		if foldsBefore(col, len(name), len(w)) {
			b = append(b, "\r\n\t"...)
			col = 8
		} else {
			b = append(b, ' ')
			col++
		}
		b = append(b, w...)
		col += len(w)
	}
	return append(b, "\r\n"...)
}

// foldsBefore reports whether appendFold breaks the line before a word of
// length w that would start at column col: past 78 characters, unless it
// is the first word after the field's name.
func foldsBefore(col, name, w int) bool {
	return col+1+w > 78 && col > name+1
}
