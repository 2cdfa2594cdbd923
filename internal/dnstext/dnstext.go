// Package dnstext converts between the raw octets of DNS names and
// character-strings and their presentation form (RFC 1035 §5.1), in which
// miekg/dns holds them: a backslash escapes the next character, \DDD is an
// octet in decimal.
package dnstext

import "strings"

// Decode returns the octets s stands for: its \X and \DDD escapes decoded,
// as miekg/dns does when it packs a name or a TXT string. A dangling
// backslash at the end stands for nothing.
func Decode(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	decodeTo(&b, s)
	return b.String()
}

func decodeTo(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' {
			if i+1 == len(s) {
				break
			}
			i++
			c = s[i]
			if i+2 < len(s) && isDigit(c) && isDigit(s[i+1]) && isDigit(s[i+2]) {
				c = (c-'0')*100 + (s[i+1]-'0')*10 + (s[i+2] - '0')
				i += 2
			}
		}
		b.WriteByte(c)
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// JoinTXT joins the character-strings of a TXT record, given in
// presentation form, into the raw text RFC 7208 §3.3 evaluates: decoded and
// concatenated with no separator.
func JoinTXT(strs []string) string {
	if len(strs) == 1 {
		return Decode(strs[0])
	}
	var b strings.Builder
	for _, s := range strs {
		decodeTo(&b, s)
	}
	return b.String()
}

// SplitTXT turns raw text into character-strings of at most 255 octets
// (RFC 1035 §3.3) in presentation form: backslash and double quote escaped
// with a backslash, octets outside printable ASCII as \DDD.
func SplitTXT(raw string) []string {
	strs := make([]string, 0, len(raw)/255+1)
	for {
		chunk := raw[:min(len(raw), 255)]
		strs = append(strs, escape(chunk, `"\`, false))
		raw = raw[len(chunk):]
		if raw == "" {
			return strs
		}
	}
}

// EscapeName writes the octets of a domain name in presentation form, dots
// kept as label separators: the characters special in a zone file escaped
// with a backslash, space and octets outside printable ASCII as \DDD.
func EscapeName(raw string) string { return escape(raw, `"\()$;@`, true) }

// Printable returns s with every octet outside printable ASCII (a control
// character, DEL or an octet of a multi-byte character) as \DDD: the text
// cannot move a terminal's cursor or change its state.
func Printable(s string) string { return escape(s, "", false) }

// escape escapes the octets of special with a backslash and those outside
// printable ASCII (and space, when space is set) as \DDD; it returns s
// itself when nothing needs escaping.
func escape(s, special string, space bool) string {
	ddd := func(c byte) bool { return c < ' ' || c > '~' || c == ' ' && space }
	i := 0
	for i < len(s) && !ddd(s[i]) && strings.IndexByte(special, s[i]) < 0 {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case ddd(c):
			b.WriteByte('\\')
			b.WriteByte('0' + c/100)
			b.WriteByte('0' + c/10%10)
			b.WriteByte('0' + c%10)
		case strings.IndexByte(special, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
