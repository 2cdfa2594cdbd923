package dkim

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	msgdkim "github.com/emersion/go-msgauth/dkim"
)

// defaultHeaders are the header fields a signature covers unless
// SignOptions says otherwise: those RFC 6376 §5.4.1 recommends that a
// message commonly has. A name listed but absent is signed as absent, so
// adding the field later breaks the signature.
var defaultHeaders = []string{"From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To", "In-Reply-To", "References", "MIME-Version", "Content-Type"}

// SignOptions says who signs a message and what the signature covers.
type SignOptions struct {
	Domain   string // d=, the Signing Domain (RFC 6376 §3.5)
	Selector string // s=, naming the key under Domain (RFC 6376 §3.1)
	Key      *Key
	// Headers are the header fields to sign (h=); nil means From, To, Cc,
	// Subject, Date, Message-ID, Reply-To, In-Reply-To, References,
	// MIME-Version and Content-Type. From must be among them (RFC 6376
	// §5.4).
	Headers []string
}

// Sign returns message with a DKIM-Signature header field prepended
// (RFC 6376 §5), in relaxed/relaxed canonicalization (§3.4). The message
// may end its lines in LF or CRLF; it is signed, and returned, with CRLF,
// as it travels over SMTP (RFC 5321 §2.3.8).
func Sign(message []byte, o SignOptions) ([]byte, error) {
	headers := o.Headers
	if headers == nil {
		headers = defaultHeaders
	}
	switch {
	case o.Key == nil:
		return nil, errors.New("dkim sign: no key")
	case !isDomainName(o.Domain):
		return nil, fmt.Errorf("dkim sign: the domain %q is not a domain name", o.Domain)
	case !isDomainName(o.Selector):
		return nil, fmt.Errorf("dkim sign: the selector %q is not made of DNS labels (RFC 6376 §3.1)", o.Selector)
	case !slices.ContainsFunc(headers, func(h string) bool { return strings.EqualFold(h, "From") }):
		return nil, errors.New("dkim sign: the header fields to sign must include From (RFC 6376 §5.4)")
	}
	for _, h := range headers {
		if h == "" || strings.ContainsAny(h, ": \t\r\n;") {
			return nil, fmt.Errorf("dkim sign: %q is not a header field name", h)
		}
	}
	var out bytes.Buffer
	err := msgdkim.Sign(&out, bytes.NewReader(wireForm(message)), &msgdkim.SignOptions{
		Domain:                 o.Domain,
		Selector:               o.Selector,
		Signer:                 o.Key.signer,
		HeaderCanonicalization: msgdkim.CanonicalizationRelaxed,
		BodyCanonicalization:   msgdkim.CanonicalizationRelaxed,
		HeaderKeys:             headers,
	})
	if err != nil {
		return nil, fmt.Errorf("dkim sign: %w", err)
	}
	return out.Bytes(), nil
}

// isDomainName reports whether s is dot-separated labels of letters,
// digits, hyphens and underscores, each 1 to 63 long, 253 in all.
func isDomainName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

var crlf = []byte("\r\n")

// wireForm returns message with every line ended by CRLF and a header
// that ends with an empty line, as on the SMTP wire (RFC 5321 §2.3.8,
// RFC 5322 §2.1): what the signer and the verifier canonicalize.
func wireForm(message []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(message) + len(message)/32 + 4)
	for i, c := range message {
		if c == '\n' && (i == 0 || message[i-1] != '\r') {
			b.WriteByte('\r')
		}
		b.WriteByte(c)
	}
	out := b.Bytes()
	if len(out) > 0 && !bytes.HasSuffix(out, crlf) {
		out = append(out, crlf...)
	}
	if !bytes.HasPrefix(out, crlf) && !bytes.Contains(out, []byte("\r\n\r\n")) {
		out = append(out, crlf...) // a header with no body
	}
	return out
}
