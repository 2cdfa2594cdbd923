package smtpsim

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// XCLIENT (Postfix, XCLIENT_README): an authorized client overrides what
// the server believes about the client, and the session starts over with a
// new 220 greeting.

// The attributes this server takes, in the order it advertises them.
const xclientAttrs = "NAME ADDR PORT PROTO HELO"

// Special attribute values of XCLIENT_README.
const (
	xUnavailable = "[UNAVAILABLE]" // the information is not available
	xTempUnavail = "[TEMPUNAVAIL]" // NAME: the lookup failed temporarily
)

// XClient holds the attributes of one XCLIENT command, decoded from xtext
// (RFC 3461 §4). A field is "" when its attribute was not given; NAME and
// HELO may be "[UNAVAILABLE]", NAME also "[TEMPUNAVAIL]".
type XClient struct {
	Name  string `json:"name,omitempty"`  // NAME: the client's host name, as if found by reverse DNS
	Addr  string `json:"addr,omitempty"`  // ADDR: an IPv4 address, or an IPv6 address (written with "IPV6:")
	Port  string `json:"port,omitempty"`  // PORT: the client's TCP port
	Proto string `json:"proto,omitempty"` // PROTO: SMTP or ESMTP
	HELO  string `json:"helo,omitempty"`  // HELO: the HELO/EHLO argument
}

// XClientError is an XCLIENT command the server refuses, with the reply it
// sends.
type XClientError struct {
	Reply Reply
}

// Error is the reply.
func (e *XClientError) Error() string { return e.Reply.String() }

func xclientError(code int, enhanced, format string, args ...any) *XClientError {
	return &XClientError{Reply{Code: code, Enhanced: enhanced, Lines: []string{oneLine(fmt.Sprintf(format, args...))}}}
}

// ParseXClient parses the arguments of an XCLIENT command: one or more
// attribute=value pairs separated by spaces, names in any case, values in
// xtext. It checks each value's syntax; the error is an *XClientError
// carrying the 501 reply that names the attribute at fault.
func ParseXClient(args string) (XClient, error) {
	var x XClient
	fields := strings.Fields(args)
	if len(fields) == 0 {
		return x, xclientError(501, "5.5.4", "Syntax: XCLIENT attribute=value...")
	}
	for _, f := range fields {
		name, raw, ok := strings.Cut(f, "=")
		if !ok || name == "" {
			return x, xclientError(501, "5.5.4", "Bad XCLIENT syntax: %q is not attribute=value", clip(f))
		}
		name = strings.ToUpper(name)
		value, err := decodeXtext(raw)
		if err != nil {
			return x, xclientError(501, "5.5.4", "Bad XCLIENT %s value: %v", clip(name), err)
		}
		var bad bool
		switch name {
		case "NAME":
			x.Name, bad = value, !isSpecial(value, true) && !IsHostName(value)
		case "ADDR":
			x.Addr = value
			_, err := x.addr()
			bad = err != nil
		case "PORT":
			x.Port = value
			_, err := x.port()
			bad = err != nil
		case "PROTO":
			x.Proto, bad = value, !isSpecial(value, false) && !strings.EqualFold(value, "SMTP") && !strings.EqualFold(value, "ESMTP")
		case "HELO":
			x.HELO, bad = value, value == "" || len(value) > 255
		default:
			return x, xclientError(501, "5.5.4", "Bad XCLIENT attribute name: %s", clip(name))
		}
		if bad {
			return x, xclientError(501, "5.5.4", "Bad XCLIENT %s syntax: %s", name, clip(value))
		}
	}
	return x, nil
}

// Command returns the XCLIENT command line for the attributes that are set,
// values in xtext, without the line ending.
func (x XClient) Command() string {
	var b strings.Builder
	b.WriteString("XCLIENT")
	add := func(name, value string) {
		if value != "" {
			b.WriteString(" " + name + "=" + encodeXtext(value))
		}
	}
	addr := x.Addr
	if ip, err := netip.ParseAddr(addr); err == nil && ip.Is6() && !ip.Is4In6() {
		addr = "IPV6:" + addr
	}
	add("NAME", x.Name)
	add("ADDR", addr)
	add("PORT", x.Port)
	add("PROTO", x.Proto)
	add("HELO", x.HELO)
	return b.String()
}

// addr parses ADDR: an IPv4 address, or "IPV6:" and an IPv6 address, or
// [UNAVAILABLE] (the zero Addr).
func (x XClient) addr() (netip.Addr, error) {
	v := x.Addr
	if strings.EqualFold(v, xUnavailable) {
		return netip.Addr{}, nil
	}
	want6 := len(v) > 5 && strings.EqualFold(v[:5], "IPV6:")
	if want6 {
		v = v[5:]
	}
	ip, err := netip.ParseAddr(v)
	if err != nil || ip.Zone() != "" || ip.Is4() == want6 || ip.Is4In6() {
		return netip.Addr{}, fmt.Errorf("not an IPv4 address or IPV6: and an IPv6 address")
	}
	return ip, nil
}

func (x XClient) port() (int, error) {
	if strings.EqualFold(x.Port, xUnavailable) {
		return 0, nil
	}
	if x.Port == "" || len(x.Port) > 5 || strings.Trim(x.Port, "0123456789") != "" {
		return 0, fmt.Errorf("not a port number")
	}
	n, err := strconv.Atoi(x.Port)
	if err != nil || n > 65535 {
		return 0, fmt.Errorf("not a port number")
	}
	return n, nil
}

func isSpecial(v string, tempOK bool) bool {
	return strings.EqualFold(v, xUnavailable) || (tempOK && strings.EqualFold(v, xTempUnavail))
}

// IsHostName reports whether s is a host name: labels of letters, digits,
// "-" and "_" (which real names carry) separated by dots, at most 253
// characters (RFC 1123 §2.1, RFC 1035 §2.3.4). Config.Hostname and an
// XCLIENT NAME must be one.
func IsHostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// decodeXtext decodes xtext (RFC 3461 §4): printable ASCII but "+" and
// "=", and "+" followed by two upper-case hex digits for any octet.
func decodeXtext(s string) (string, error) {
	if !strings.ContainsAny(s, "+=") {
		for i := 0; i < len(s); i++ {
			if s[i] < '!' || s[i] > '~' {
				return "", fmt.Errorf("byte %#02x at %d is not xtext", s[i], i+1)
			}
		}
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			if i+2 >= len(s) || !isUpperHex(s[i+1]) || !isUpperHex(s[i+2]) {
				return "", fmt.Errorf(`"+" at %d is not followed by two upper-case hex digits`, i+1)
			}
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b = append(b, byte(n))
			i += 2
		case c < '!' || c > '~' || c == '=':
			return "", fmt.Errorf("byte %#02x at %d is not xtext", c, i+1)
		default:
			b = append(b, c)
		}
	}
	return string(b), nil
}

// encodeXtext encodes s as xtext (RFC 3461 §4).
func encodeXtext(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '!' || c > '~' || c == '+' || c == '=' {
			b.WriteByte('+')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isUpperHex(c byte) bool { return isDigit(c) || 'A' <= c && c <= 'F' }

// clip shortens text put into a reply.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
