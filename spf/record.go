package spf

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Kind says what a term of a record is (RFC 7208 §5, §6).
type Kind uint8

// The mechanisms (RFC 7208 §5) and modifiers (RFC 7208 §6) of a record.
const (
	KindAll      Kind = iota + 1 // §5.1
	KindInclude                  // §5.2
	KindA                        // §5.3
	KindMX                       // §5.4
	KindPTR                      // §5.5
	KindIP4                      // §5.6
	KindIP6                      // §5.6
	KindExists                   // §5.7
	KindRedirect                 // §6.1
	KindExp                      // §6.2
	KindModifier                 // an unknown modifier, ignored (§6)
)

var kindNames = [...]string{"", "all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists", "redirect", "exp", "modifier"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// IsMechanism reports whether k is a mechanism rather than a modifier.
func (k Kind) IsMechanism() bool { return k >= KindAll && k <= KindExists }

// QueriesDNS reports whether a term of kind k counts against the limit of
// 10 DNS-querying terms (RFC 7208 §4.6.4).
func (k Kind) QueriesDNS() bool {
	switch k {
	case KindInclude, KindA, KindMX, KindPTR, KindExists, KindRedirect:
		return true
	}
	return false
}

// Qualifier is the prefix of a mechanism (RFC 7208 §4.6.2).
type Qualifier byte

// The four qualifiers.
const (
	QualifierPass     Qualifier = '+'
	QualifierFail     Qualifier = '-'
	QualifierSoftfail Qualifier = '~'
	QualifierNeutral  Qualifier = '?'
)

// Result is the result a matching mechanism with qualifier q produces.
func (q Qualifier) Result() Result {
	switch q {
	case QualifierFail:
		return Fail
	case QualifierSoftfail:
		return Softfail
	case QualifierNeutral:
		return Neutral
	}
	return Pass
}

// Term is one mechanism or modifier of a record, as written.
type Term struct {
	Text      string    // the term as written, e.g. "-ip4:192.0.2.0/24"
	Column    int       // 1-based byte column of Text in the record
	Name      string    // the name in lower case: "ip4", "redirect", or an unknown modifier's name
	Value     string    // after ':' or '=' and before a CIDR length: domain-spec, address or macro-string
	Kind      Kind      // which mechanism or modifier
	Qualifier Qualifier // mechanisms only; QualifierPass when none is written
	// Net is the network of ip4 and ip6.
	Net netip.Prefix
	// V4Prefix and V6Prefix are the dual-cidr-length of a and mx (RFC 7208
	// §5.6); -1 when not written.
	V4Prefix, V6Prefix int

	spec macroString // Value parsed, for the terms whose Value is a macro-string
}

// HasTarget reports whether the term names a domain (a domain-spec was
// written): include, exists, redirect, exp always; a, mx, ptr when written.
func (t *Term) HasTarget() bool { return t.Value != "" && t.Kind != KindIP4 && t.Kind != KindIP6 }

// Record is a parsed SPF record (RFC 7208 §4.6, §12).
type Record struct {
	Text     string // the record as published
	Terms    []Term // every term after the version, in order
	Redirect *Term  // the redirect= modifier, or nil
	Exp      *Term  // the exp= modifier, or nil
}

// SyntaxError is a record that does not follow the grammar of RFC 7208 §12;
// check_host() returns permerror for it (RFC 7208 §4.6).
type SyntaxError struct {
	Record string // the whole record
	Term   string // the term at fault
	Column int    // 1-based byte column of the fault in Record
	Reason string // why
}

func (e *SyntaxError) Error() string {
	if e.Term == "" {
		return fmt.Sprintf("column %d: %s", e.Column, e.Reason)
	}
	return fmt.Sprintf("column %d: term %q: %s", e.Column, e.Term, e.Reason)
}

// IsSPFRecord reports whether a TXT record is an SPF version 1 record:
// "v=spf1" in any case, followed by a space or the end (RFC 7208 §4.5).
func IsSPFRecord(txt string) bool {
	// Byte by byte: c|0x20 is the letter's lower case, and no other byte's.
	return len(txt) >= 6 && txt[0]|0x20 == 'v' && txt[1] == '=' && txt[2]|0x20 == 's' &&
		txt[3]|0x20 == 'p' && txt[4]|0x20 == 'f' && txt[5] == '1' && (len(txt) == 6 || txt[6] == ' ')
}

// Parse parses an SPF record and checks the syntax of all of it
// (RFC 7208 §4.6, §12). The error, if any, is a *SyntaxError.
func Parse(text string) (*Record, error) {
	if !IsSPFRecord(text) {
		return nil, &SyntaxError{Record: text, Column: 1, Reason: `a record must begin with "v=spf1" followed by a space or the end`}
	}
	n := 0 // terms: a non-space after a space
	for i := 6; i < len(text)-1; i++ {
		if text[i] == ' ' && text[i+1] != ' ' {
			n++
		}
	}
	r := &Record{Text: text, Terms: make([]Term, 0, n)}
	for i := 6; i < len(text); {
		if text[i] == ' ' {
			i++
			continue
		}
		end := strings.IndexByte(text[i:], ' ')
		if end < 0 {
			end = len(text)
		} else {
			end += i
		}
		// Parsed in place: a Term is large, appending one would copy it.
		r.Terms = r.Terms[:len(r.Terms)+1] // n counted every term
		t := &r.Terms[len(r.Terms)-1]
		t.Text, t.Column, t.V4Prefix, t.V6Prefix = text[i:end], i+1, -1, -1
		if off, reason := parseTerm(t); reason != "" {
			return nil, &SyntaxError{Record: text, Term: t.Text, Column: t.Column + off, Reason: reason}
		}
		i = end
	}
	for i := range r.Terms {
		t := &r.Terms[i]
		var slot **Term
		switch t.Kind {
		case KindRedirect:
			slot = &r.Redirect
		case KindExp:
			slot = &r.Exp
		default:
			continue
		}
		if *slot != nil {
			return nil, &SyntaxError{Record: text, Term: t.Text, Column: t.Column, Reason: fmt.Sprintf("a second %s= modifier (RFC 7208 §6: at most one)", t.Name)}
		}
		*slot = t
	}
	return r, nil
}

// mechanism returns the kind and lower-case name of the mechanism called
// name in any case, or 0 for none.
func mechanism(name string) (Kind, string) {
	var k Kind
	switch len(name) {
	case 1:
		k = KindA
	case 2:
		k = KindMX
	case 3:
		switch name[0] | 0x20 {
		case 'a':
			k = KindAll
		case 'p':
			k = KindPTR
		case 'i':
			k = KindIP4
			if name[2] == '6' {
				k = KindIP6
			}
		}
	case 6:
		k = KindExists
	case 7:
		k = KindInclude
	}
	if k == 0 || !strings.EqualFold(name, kindNames[k]) {
		return 0, ""
	}
	return k, kindNames[k]
}

// parseTerm fills t from t.Text. On a syntax error it returns the offset of
// the fault within the term and the reason.
func parseTerm(t *Term) (int, string) {
	s := t.Text
	// A modifier: name "=" macro-string, the name starting with a letter.
	if eq := modifierName(s); eq > 0 {
		t.Name = strings.ToLower(s[:eq])
		t.Value = s[eq+1:]
		switch t.Name {
		case "redirect":
			t.Kind = KindRedirect
		case "exp":
			t.Kind = KindExp
		default:
			t.Kind = KindModifier
			spec, off, err := parseMacroString(t.Value, false)
			if err != "" {
				return eq + 1 + off, err
			}
			t.spec = spec
			return 0, ""
		}
		return parseDomainSpec(t, eq+1, t.Value)
	}
	t.Qualifier = QualifierPass
	start := 0
	switch Qualifier(s[0]) {
	case QualifierPass, QualifierFail, QualifierSoftfail, QualifierNeutral:
		t.Qualifier = Qualifier(s[0])
		start = 1
	}
	rest := s[start:]
	nameEnd := strings.IndexAny(rest, ":/")
	if nameEnd < 0 {
		nameEnd = len(rest)
	}
	name := rest[:nameEnd]
	t.Kind, t.Name = mechanism(name)
	if t.Kind == 0 {
		if name == "" {
			return start, "a qualifier without a mechanism"
		}
		if strings.IndexByte(rest, '=') >= 0 && start > 0 {
			return 0, "a modifier cannot have a qualifier"
		}
		return start, fmt.Sprintf("unknown mechanism %q", name)
	}
	args := rest[nameEnd:]
	off := start + nameEnd // offset of args within the term
	switch t.Kind {
	case KindAll:
		if args != "" {
			return off, `"all" takes no argument`
		}
	case KindInclude, KindExists:
		if args == ":" {
			return off, noDomainAfterColon(t.Name)
		}
		if !strings.HasPrefix(args, ":") {
			return off, fmt.Sprintf("%q needs \":\" and a domain", t.Name)
		}
		t.Value = args[1:]
		return parseDomainSpec(t, off+1, t.Value)
	case KindA, KindMX:
		spec, o, err := parseDualCIDR(t, args)
		if err != "" {
			return off + o, err
		}
		if spec == ":" {
			return off, noDomainAfterColon(t.Name)
		}
		if spec != "" {
			if !strings.HasPrefix(spec, ":") {
				return off, fmt.Sprintf("%q: expected \":\" and a domain or a CIDR length", t.Name)
			}
			t.Value = spec[1:]
			return parseDomainSpec(t, off+1, t.Value)
		}
	case KindPTR:
		if args == ":" {
			return off, noDomainAfterColon(t.Name)
		}
		if args != "" {
			if !strings.HasPrefix(args, ":") {
				return off, `"ptr" takes only ":" and a domain`
			}
			t.Value = args[1:]
			return parseDomainSpec(t, off+1, t.Value)
		}
	case KindIP4, KindIP6:
		return parseIPNetwork(t, off, args)
	}
	return 0, ""
}

// noDomainAfterColon is the reason for a mechanism written with ":" and
// nothing after it.
func noDomainAfterColon(name string) string {
	return fmt.Sprintf("%q needs a domain after \":\"", name)
}

// modifierName returns the index of the "=" ending a modifier's name, or -1
// when s is not a modifier (RFC 7208 §12: name = ALPHA *( ALPHA / DIGIT /
// "-" / "_" / "." )).
func modifierName(s string) int {
	if s == "" || !isAlpha(s[0]) {
		return -1
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '=':
			return i
		case isAlpha(c) || isDigit(c) || c == '-' || c == '_' || c == '.':
		default:
			return -1
		}
	}
	return -1
}

// parseDualCIDR takes the ip4-cidr-length and ip6-cidr-length off the end of
// the arguments of a or mx and returns what is left.
func parseDualCIDR(t *Term, args string) (string, int, string) {
	if i := strings.LastIndex(args, "//"); i >= 0 && allDigits(args[i+2:]) {
		n, ok := cidrLength(args[i+2:], 128)
		if !ok {
			return "", i, "invalid IPv6 CIDR length " + strconv.Quote(args[i:])
		}
		t.V6Prefix = n
		args = args[:i]
	}
	if i := strings.LastIndexByte(args, '/'); i >= 0 && allDigits(args[i+1:]) {
		n, ok := cidrLength(args[i+1:], 32)
		if !ok {
			return "", i, "invalid IPv4 CIDR length " + strconv.Quote(args[i:])
		}
		t.V4Prefix = n
		args = args[:i]
	}
	return args, 0, ""
}

// cidrLength parses a CIDR length: digits without a leading zero, at most max.
func cidrLength(s string, max int) (int, bool) {
	if s == "" || len(s) > 3 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n <= max
}

func parseIPNetwork(t *Term, off int, args string) (int, string) {
	if !strings.HasPrefix(args, ":") {
		return off, fmt.Sprintf("%q needs \":\" and an address", t.Name)
	}
	args = args[1:]
	off++
	addr, bits, max := args, -1, 32
	if t.Kind == KindIP6 {
		max = 128
	}
	if i := strings.IndexByte(args, '/'); i >= 0 {
		n, ok := cidrLength(args[i+1:], max)
		if !ok {
			return off + i, "invalid CIDR length " + strconv.Quote(args[i:])
		}
		addr, bits = args[:i], n
	}
	ip, err := netip.ParseAddr(addr)
	switch {
	case err != nil || ip.Zone() != "":
		return off, fmt.Sprintf("invalid address %q", addr)
	case t.Kind == KindIP4 && !ip.Is4():
		return off, fmt.Sprintf("%q is not an IPv4 address", addr)
	case t.Kind == KindIP6 && !ip.Is6():
		return off, fmt.Sprintf("%q is not an IPv6 address", addr)
	}
	if bits < 0 {
		bits = max
	}
	t.Value = addr
	t.Net = netip.PrefixFrom(ip, bits)
	return 0, ""
}

// parseDomainSpec parses a domain-spec (RFC 7208 §7.1): a macro-string that
// ends in a macro or in "." and a top label.
func parseDomainSpec(t *Term, off int, spec string) (int, string) {
	if spec == "" {
		return off, fmt.Sprintf("%q needs a domain", t.Name)
	}
	ms, o, err := parseMacroString(spec, false)
	if err != "" {
		return off + o, err
	}
	if !ms.endsInMacro() && !hasDomainEnd(spec) {
		return off, fmt.Sprintf("%q does not end in a top-level domain name (RFC 7208 §7.1 domain-end)", spec)
	}
	t.spec = ms
	return 0, ""
}

// hasDomainEnd reports whether s ends in "." toplabel ["."], where a
// toplabel is alphanumeric with at least one letter, or has inner hyphens.
func hasDomainEnd(s string) bool {
	s = strings.TrimSuffix(s, ".")
	dot := strings.LastIndexByte(s, '.')
	if dot < 0 {
		return false
	}
	label := s[dot+1:]
	if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	letter, hyphen := false, false
	for i := 0; i < len(label); i++ {
		c := label[i]
		switch {
		case isAlpha(c):
			letter = true
		case isDigit(c):
		case c == '-':
			hyphen = true
		default:
			return false
		}
	}
	return letter || hyphen
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
