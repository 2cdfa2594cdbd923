package dmarc

import (
	"bytes"
	"net/mail"

	"spflab/dkim"
)

// NewMessage returns what DMARC needs from a received message (RFC 9989
// §5.3): the body of each From: header field of message (RFC 5322
// §3.6.2; none when its header cannot be read, which Check reports as
// permerror), the SPF result spf of the MAIL FROM identity, and the
// verdict of each DKIM signature sigs found (RFC 9989 §4.4.1). The single
// Signature with result none that an unsigned message gets authenticates
// nothing and is left out.
func NewMessage(message []byte, spf SPF, sigs []dkim.Signature) Message {
	m := Message{SPF: spf}
	if msg, err := mail.ReadMessage(bytes.NewReader(message)); err == nil {
		m.From = msg.Header["From"]
	}
	for _, sig := range sigs {
		if sig.Result != dkim.None {
			m.DKIM = append(m.DKIM, DKIM{Domain: sig.Domain, Selector: sig.Selector, Result: string(sig.Result)})
		}
	}
	return m
}
