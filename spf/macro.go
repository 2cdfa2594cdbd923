package spf

import (
	"strconv"
	"strings"
)

// macroString is a parsed macro-string (RFC 7208 §7.1): literal text and
// macro-expands in order. A macro-string without macros has one literal
// part, so expanding it costs nothing.
type macroString []macroPart

// macroPart is a literal (letter 0) or one %{...} macro.
type macroPart struct {
	literal string
	letter  byte   // lower-case macro letter
	upper   bool   // URL-escape the value (RFC 7208 §7.3)
	digits  int    // keep this many right-hand parts; 0 keeps all
	reverse bool   // the "r" transformer
	delims  string // split on these; "" means "."
	text    string // the macro as written, for traces
}

// endsInMacro reports whether m ends in a macro-expand, or in one and a
// final dot (RFC 7208 §7.1 domain-end; the dot is tolerated as in a name).
func (m macroString) endsInMacro() bool {
	if n := len(m); n > 1 && m[n-1].letter == 0 && m[n-1].literal == "." {
		m = m[:n-1]
	}
	return len(m) > 0 && m[len(m)-1].letter != 0
}

// isLiteral reports whether m expands to a constant: no macros, at most
// one literal (escapes already decoded). A nil macroString stands for the
// text it was parsed from, which had no "%".
func (m macroString) isLiteral() bool { return len(m) == 0 || (len(m) == 1 && m[0].letter == 0) }

// parseMacroString parses s as a macro-string, or as an explain-string
// (which may also hold spaces and the letters c, r and t) when exp is true.
// On error it returns the offset of the fault and the reason.
func parseMacroString(s string, exp bool) (macroString, int, string) {
	if strings.IndexByte(s, '%') < 0 {
		for i := 0; i < len(s); i++ {
			if !isMacroLiteral(s[i], exp) {
				return nil, i, badChar(s[i])
			}
		}
		return nil, 0, "" // a literal: the caller keeps s itself
	}
	m := make(macroString, 0, 2*strings.Count(s, "%{")+1)
	// The pending literal is s[lit:i], or, once an escape was decoded in
	// it, dec.
	var dec []byte
	lit := 0
	flush := func(i int) {
		switch {
		case dec != nil:
			m = append(m, macroPart{literal: string(append(dec, s[lit:i]...))})
			dec = nil
		case i > lit:
			m = append(m, macroPart{literal: s[lit:i]})
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c != '%' {
			if !isMacroLiteral(c, exp) {
				return nil, i, badChar(c)
			}
			i++
			continue
		}
		if i+1 >= len(s) {
			return nil, i, `"%" at the end: write "%%" for a percent sign`
		}
		switch s[i+1] {
		case '%', '_', '-':
			dec = append(append(dec, s[lit:i]...), escapes[s[i+1]]...)
			i += 2
			lit = i
			continue
		case '{':
		default:
			return nil, i, "\"%" + string(s[i+1]) + "\" is not a macro: write %{x}, %%, %_ or %-"
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return nil, i, "unterminated macro: missing \"}\""
		}
		end += i
		p, reason := parseMacro(s[i+2:end], exp)
		if reason != "" {
			return nil, i, reason + " in " + strconv.Quote(s[i:end+1])
		}
		p.text = s[i : end+1]
		flush(i)
		m = append(m, p)
		i = end + 1
		lit = i
	}
	flush(len(s))
	return m, 0, ""
}

// escapes are the values of %%, %_ and %- (RFC 7208 §7.1).
var escapes = map[byte]string{'%': "%", '_': " ", '-': "%20"}

// parseMacro parses the inside of %{...}: letter, transformers, delimiters.
func parseMacro(s string, exp bool) (macroPart, string) {
	if s == "" {
		return macroPart{}, "empty macro"
	}
	p := macroPart{letter: s[0] | 0x20, upper: s[0] >= 'A' && s[0] <= 'Z'}
	switch p.letter {
	case 's', 'l', 'o', 'd', 'i', 'p', 'h', 'v':
	case 'c', 'r', 't':
		if !exp {
			return p, "macro letter " + strconv.Quote(s[:1]) + " is allowed only in exp= text (RFC 7208 §7.2)"
		}
	default:
		return p, "unknown macro letter " + strconv.Quote(s[:1])
	}
	i := 1
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i > 1 {
		n, err := strconv.Atoi(s[1:i])
		if err != nil || n == 0 {
			if err == nil {
				return p, "a digit transformer must not be zero"
			}
			n = 1 << 30 // more parts than any name has: keep all
		}
		p.digits = n
	}
	if i < len(s) && (s[i] == 'r' || s[i] == 'R') {
		p.reverse = true
		i++
	}
	for j := i; j < len(s); j++ {
		if !strings.ContainsRune(".-+,/_=", rune(s[j])) {
			return p, "invalid delimiter " + strconv.Quote(s[j:j+1])
		}
	}
	p.delims = s[i:]
	return p, ""
}

func isMacroLiteral(c byte, exp bool) bool {
	return (c >= 0x21 && c <= 0x7e && c != '%') || (exp && c == ' ')
}

func badChar(c byte) string {
	if c == ' ' {
		return "a space is not allowed here"
	}
	return "character " + strconv.QuoteRune(rune(c)) + " is not allowed in a macro-string (RFC 7208 §7.1)"
}

// expand expands m with the values of evaluation e (RFC 7208 §7.3).
func (m macroString) expand(e *evaluation) string {
	if m.isLiteral() {
		if len(m) == 0 {
			return ""
		}
		return m[0].literal
	}
	var buf [256]byte // most names and explanations fit: one allocation, the result
	b := buf[:0]
	for i := range m {
		p := &m[i]
		if p.letter == 0 {
			b = append(b, p.literal...)
			continue
		}
		b = p.appendExpanded(b, e)
	}
	return string(b)
}

// appendExpanded appends the value of one macro after its transformers.
func (p *macroPart) appendExpanded(b []byte, e *evaluation) []byte {
	plain := p.digits == 0 && !p.reverse && (p.delims == "" || p.delims == ".")
	if plain && !p.upper {
		return e.appendMacroValue(b, p.letter)
	}
	value := e.macroValue(p.letter)
	if plain {
		return appendMaybeEscaped(b, value, p.upper)
	}
	delims := p.delims
	if delims == "" {
		delims = "."
	}
	// The parts are value[start:cut] between the cuts (the delimiters).
	cuts := make([]int, 0, 64)
	for i := 0; i < len(value); i++ {
		if strings.IndexByte(delims, value[i]) >= 0 {
			cuts = append(cuts, i)
		}
	}
	cuts = append(cuts, len(value))
	part := func(k int) string {
		start := 0
		if k > 0 {
			start = cuts[k-1] + 1
		}
		return value[start:cuts[k]]
	}
	// Reversed or not, keep the right-most digits parts.
	n := len(cuts)
	keep := n
	if p.digits > 0 && p.digits < n {
		keep = p.digits
	}
	for i := range keep {
		if i > 0 {
			b = append(b, '.')
		}
		k := n - keep + i
		if p.reverse {
			k = keep - 1 - i
		}
		b = appendMaybeEscaped(b, part(k), p.upper)
	}
	return b
}

// appendMaybeEscaped appends s, URL-escaped when escape is set: every
// character outside RFC 3986's unreserved set becomes %XX (RFC 7208 §7.3).
func appendMaybeEscaped(b []byte, s string, escape bool) []byte {
	if !escape {
		return append(b, s...)
	}
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return b
}
