package suite

import (
	"fmt"
	"net/netip"
	"strings"
)

// receivedSPF is a Received-SPF field value taken apart (RFC 7208 §9.1):
// the result, the comment, and the key-value pairs, keys in lower case.
type receivedSPF struct {
	result  string
	comment string
	pairs   map[string]string
	keys    []string // in order
}

// parseReceivedSPF parses a Received-SPF field value, with or without the
// field name, folded or not:
//
//	header-field   = "Received-SPF:" [CFWS] result FWS [comment FWS] [ key-value-list ] CRLF
//	key-value-list = key-value-pair *( ";" [CFWS] key-value-pair ) [";"]
//	key-value-pair = key [CFWS] "=" ( dot-atom / quoted-string )
func parseReceivedSPF(s string) (*receivedSPF, error) {
	if name, rest, ok := strings.Cut(s, ":"); ok && strings.EqualFold(strings.TrimSpace(name), "Received-SPF") {
		s = rest
	}
	p := &fieldParser{s: s}
	h := &receivedSPF{pairs: map[string]string{}}
	p.space()
	if h.result = p.token(); h.result == "" {
		return nil, p.errorf("no result")
	}
	p.space()
	if p.peek() == '(' {
		c, err := p.comment()
		if err != nil {
			return nil, err
		}
		h.comment = c
	}
	for {
		p.space()
		if p.done() {
			return h, nil
		}
		key := strings.ToLower(p.token())
		if key == "" {
			return nil, p.errorf("want a key")
		}
		p.space()
		if p.peek() != '=' {
			return nil, p.errorf("want = after %s", key)
		}
		p.i++
		p.space()
		var val string
		if p.peek() == '"' {
			v, err := p.quoted()
			if err != nil {
				return nil, err
			}
			val = v
		} else {
			val = p.atom()
		}
		if _, dup := h.pairs[key]; dup {
			return nil, p.errorf("%s given twice", key)
		}
		h.pairs[key] = val
		h.keys = append(h.keys, key)
		p.space()
		switch {
		case p.done():
			return h, nil
		case p.peek() == ';':
			p.i++
		default:
			return nil, p.errorf("want ; after the value of %s", key)
		}
	}
}

// fieldParser reads a header field value.
type fieldParser struct {
	s string
	i int
}

func (p *fieldParser) done() bool { return p.i >= len(p.s) }

func (p *fieldParser) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.i]
}

func (p *fieldParser) errorf(format string, args ...any) error {
	return fmt.Errorf("column %d: %s", p.i+1, fmt.Sprintf(format, args...))
}

// space skips folding white space.
func (p *fieldParser) space() {
	for !p.done() && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

// token reads a result or a key: letters, digits and "-".
func (p *fieldParser) token() string {
	start := p.i
	for !p.done() {
		c := p.s[p.i]
		if c != '-' && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && !('0' <= c && c <= '9') {
			break
		}
		p.i++
	}
	return p.s[start:p.i]
}

// atom reads a dot-atom (RFC 5322 §3.2.3): up to white space or ";".
func (p *fieldParser) atom() string {
	start := p.i
	for !p.done() && strings.IndexByte(" \t\r\n;", p.s[p.i]) < 0 {
		p.i++
	}
	return p.s[start:p.i]
}

// quoted reads a quoted-string (RFC 5322 §3.2.4) and returns its content,
// quoted-pairs undone and folding removed.
func (p *fieldParser) quoted() (string, error) {
	start := p.i
	p.i++ // the opening quote
	var b strings.Builder
	for !p.done() {
		c := p.s[p.i]
		p.i++
		switch c {
		case '"':
			return b.String(), nil
		case '\\':
			if p.done() {
				return "", p.errorf("a backslash at the end")
			}
			b.WriteByte(p.s[p.i])
			p.i++
		case '\r', '\n':
		default:
			b.WriteByte(c)
		}
	}
	p.i = start
	return "", p.errorf("a quoted string that is not closed")
}

// comment reads a comment (RFC 5322 §3.2.2), nested parentheses and
// quoted-pairs included, and returns its text without the outer
// parentheses.
func (p *fieldParser) comment() (string, error) {
	start := p.i
	depth := 0
	for !p.done() {
		c := p.s[p.i]
		p.i++
		switch c {
		case '\\':
			p.i++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return p.s[start+1 : p.i-1], nil
			}
		}
	}
	p.i = start
	return "", p.errorf("a comment that is not closed")
}

// compareReceivedSPF compares the Received-SPF field a suite expects with
// the one spflab adds, as far as RFC 7208 §9.1 fixes it: the result (its
// keywords are case-insensitive, RFC 5234 §2.3) and the value of every key
// the suite gives, except that the comment and the text of problem= are
// the receiver's own words (§9.1: "the nature of the error"), so problem
// only has to be there. Keys spflab adds beyond the suite's are not
// compared. It returns what differs, "" for nothing.
func compareReceivedSPF(want, got string) string {
	w, err := parseReceivedSPF(want)
	if err != nil {
		return "the expected header: " + err.Error()
	}
	g, err := parseReceivedSPF(got)
	if err != nil {
		return "spflab's header: " + err.Error()
	}
	var diffs []string
	if !strings.EqualFold(w.result, g.result) {
		diffs = append(diffs, fmt.Sprintf("result %s, want %s", g.result, w.result))
	}
	for _, k := range w.keys {
		wv := w.pairs[k]
		gv, ok := g.pairs[k]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("no %s (want %q)", k, wv))
		case k == "problem":
		case !sameValue(k, wv, gv):
			diffs = append(diffs, fmt.Sprintf("%s=%q, want %q", k, gv, wv))
		}
	}
	return strings.Join(diffs, "; ")
}

// sameValue compares the values of key: addresses as addresses, names and
// the identity without regard to case (RFC 4343), the rest exactly.
func sameValue(key, a, b string) bool {
	switch key {
	case "client-ip":
		x, errx := netip.ParseAddr(a)
		y, erry := netip.ParseAddr(b)
		if errx == nil && erry == nil {
			return x.Unmap() == y.Unmap()
		}
	case "helo", "receiver", "identity":
		return strings.EqualFold(a, b)
	}
	return a == b
}
