package dmarc

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
)

// authorDomains returns the Author Domains of a message from the bodies of
// its From: header fields (RFC 9989 §5.3.1): the domain of each address,
// in A-label form, each once, in order. A message without exactly one
// From: field, or whose field names no domain, cannot be evaluated
// (RFC 9989 §4.4, §5.3.1).
func authorDomains(fields []string) ([]string, error) {
	switch len(fields) {
	case 0:
		return nil, errors.New("the message has no From: header field (RFC 5322 §3.6 requires one)")
	case 1:
	default:
		return nil, fmt.Errorf("the message has %d From: header fields; RFC 5322 §3.6 allows one (RFC 9989 §4.4)", len(fields))
	}
	addrs, err := mail.ParseAddressList(fields[0])
	if err != nil {
		return nil, fmt.Errorf("the From: header field %q cannot be parsed: %v", fields[0], err)
	}
	var domains []string
	for _, a := range addrs {
		// The domain follows the last "@": a quoted local part may hold one.
		d, err := normalizeDomain(a.Address[strings.LastIndexByte(a.Address, '@')+1:])
		if err != nil {
			return nil, fmt.Errorf("the From: address %q has no usable domain: %v", a.Address, err)
		}
		if !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	if len(domains) == 0 {
		return nil, errors.New("the From: header field holds no address (RFC 9989 §5.3.1)")
	}
	return domains, nil
}

// normalizeDomain returns a domain name as DMARC compares it: in lower
// case, without a trailing dot, a U-label converted to an A-label
// (RFC 9989 §5.3.1, RFC 5890 §2.3.2.1).
func normalizeDomain(d string) (string, error) {
	d = strings.ToLower(strings.TrimSuffix(d, "."))
	d, ok := toASCII(d)
	if !ok {
		return "", errors.New("not valid UTF-8")
	}
	if d == "" || len(d) > 253 || strings.HasPrefix(d, "[") {
		return "", errors.New("not a domain name")
	}
	for _, l := range strings.Split(d, ".") {
		if l == "" || len(l) > 63 {
			return "", errors.New("not a domain name: empty or overlong label")
		}
	}
	return d, nil
}
