package fakedns

import "strings"

// joinTXT joins the character-strings of a TXT record, given in miekg/dns
// presentation form, into the raw text RFC 7208 §3.3 evaluates.
func joinTXT(strs []string) string {
	if len(strs) == 1 && !strings.Contains(strs[0], `\`) {
		return strs[0]
	}
	var b strings.Builder
	for _, s := range strs {
		unescapeTXT(&b, s)
	}
	return b.String()
}

// unescapeTXT writes s with its \DDD and \X escapes (RFC 1035 §5.1)
// decoded, as miekg/dns does when it packs a TXT record.
func unescapeTXT(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			c = s[i]
			if i+2 < len(s) && isDigit(c) && isDigit(s[i+1]) && isDigit(s[i+2]) {
				c = (c-'0')*100 + (s[i+1]-'0')*10 + (s[i+2] - '0')
				i += 2
			}
		} else if c == '\\' {
			break // a dangling backslash packs as nothing
		}
		b.WriteByte(c)
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// splitTXT turns raw text into character-strings of at most 255 octets
// (RFC 1035 §3.3) in miekg/dns presentation form.
func splitTXT(raw string) []string {
	strs := make([]string, 0, len(raw)/255+1)
	for {
		chunk := raw[:min(len(raw), 255)]
		strs = append(strs, escapeTXT(chunk))
		raw = raw[len(chunk):]
		if raw == "" {
			return strs
		}
	}
}

// escapeTXT escapes raw octets for a miekg/dns TXT string: backslash and
// double quote with a backslash, octets outside printable ASCII as \DDD.
func escapeTXT(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c > '~':
			b.WriteByte('\\')
			b.WriteByte('0' + c/100)
			b.WriteByte('0' + c/10%10)
			b.WriteByte('0' + c%10)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
