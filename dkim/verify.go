package dkim

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	msgdkim "github.com/emersion/go-msgauth/dkim"
)

// DefaultMaxSignatures is how many signatures of one message a Verifier
// checks unless told otherwise (RFC 6376 §6.1 lets a verifier limit them).
const DefaultMaxSignatures = 8

// A Verifier checks the DKIM signatures of messages with a Resolver. Its
// zero value with a Resolver set is ready to use; a Verifier is safe for
// concurrent use if its Resolver and Listener are. The key queries of a
// message with several signatures run concurrently; the Listener is
// called on the goroutine of Verify, in header order.
type Verifier struct {
	Resolver Resolver
	// Listener, when set, receives every step of every verification.
	Listener Listener
	// MaxSignatures bounds the signatures checked per message; the rest
	// are reported and skipped. Zero means DefaultMaxSignatures.
	MaxSignatures int
}

// keyLookups records the key queries go-msgauth makes, which run
// concurrently when a message has several signatures.
type keyLookups struct {
	mu      sync.Mutex
	answers map[string]keyLookup
}

type keyLookup struct {
	txts []string
	err  error
}

// Verify checks the DKIM-Signature fields of message (RFC 6376 §6.1), up
// to MaxSignatures, and returns one Signature each, in header order; a
// message without one gets a single Signature with Result None. The message may end its lines in LF
// or CRLF (see Sign). The error is for a message whose header cannot be
// read.
func (v *Verifier) Verify(ctx context.Context, message []byte) ([]Signature, error) {
	msg := wireForm(message)
	fields := signatureFields(msg)
	if len(fields) == 0 {
		s := Signature{Result: None, Err: errors.New("the message has no DKIM-Signature header field")}
		v.emit(Event{Kind: EventVerdict, Result: None, Reason: s.Err.Error()})
		return []Signature{s}, nil
	}
	limit := v.MaxSignatures
	if limit <= 0 {
		limit = DefaultMaxSignatures
	}
	lookups := &keyLookups{answers: make(map[string]keyLookup)}
	opts := &msgdkim.VerifyOptions{MaxVerifications: limit, LookupTXT: func(name string) ([]string, error) {
		txts, err := v.Resolver.LookupTXT(ctx, name)
		lookups.mu.Lock()
		lookups.answers[strings.ToLower(name)] = keyLookup{txts, err}
		lookups.mu.Unlock()
		if err != nil && isTemporary(err) {
			return nil, temporary{err}
		}
		return txts, err
	}}
	verifs, err := msgdkim.VerifyWithOptions(bytes.NewReader(msg), opts)
	if err != nil && !errors.Is(err, msgdkim.ErrTooManySignatures) {
		return nil, fmt.Errorf("dkim: reading the message: %w", err)
	}
	sigs := make([]Signature, 0, len(verifs))
	for i, verif := range verifs {
		if i >= len(fields) { // go-msgauth read the header differently; never seen
			break
		}
		sigs = append(sigs, v.verdict(i+1, fields[i], verif, lookups.answers))
	}
	for i := len(sigs); i < len(fields); i++ {
		ev := signatureEvent(i+1, fields[i])
		ev.Reason = "not verified: only the first " + strconv.Itoa(limit) + " signatures are checked (RFC 6376 §6.1 lets a verifier limit them)"
		v.emit(ev)
	}
	return sigs, nil
}

func (v *Verifier) emit(ev Event) {
	if v.Listener != nil {
		v.Listener(ev)
	}
}

// signatureEvent reads what a DKIM-Signature field says, for its event.
func signatureEvent(index int, field string) Event {
	tags, _ := parseTags(field)
	return Event{Kind: EventSignature, Index: index,
		Domain: stripSpace(tags["d"]), Selector: stripSpace(tags["s"]), Algorithm: stripSpace(tags["a"]),
		Identifier: stripSpace(tags["i"]), Headers: headerList(tags["h"])}
}

// verdict turns go-msgauth's verification of the index-th signature into a
// Signature and reports its steps.
func (v *Verifier) verdict(index int, field string, verif *msgdkim.Verification, answers map[string]keyLookup) Signature {
	ev := signatureEvent(index, field)
	v.emit(ev)
	s := Signature{Domain: ev.Domain, Selector: ev.Selector, Identifier: verif.Identifier, Algorithm: ev.Algorithm, Headers: ev.Headers}
	if s.Identifier == "" && s.Domain != "" {
		s.Identifier = "@" + s.Domain
	}

	name := strings.ToLower(s.Selector + "._domainkey." + s.Domain)
	if l, asked := answers[name]; asked {
		q := ev
		q.Kind, q.Name, q.Answers = EventKeyQuery, s.Selector+"._domainkey."+s.Domain, l.txts
		if l.err != nil {
			q.Err = dnsFailure(l.err)
		} else if len(l.txts) == 1 {
			s.KeyAlgorithm, s.KeyBits = describeKey(l.txts[0])
		}
		v.emit(q)
	}

	err := verif.Err
	reason := ""
	if err != nil {
		reason = strings.TrimPrefix(err.Error(), "dkim: ")
	}
	syntax := syntaxError(field)
	switch {
	case err == nil:
		s.Result, s.BodyHash = Pass, BodyHashMatch
		reason = "the signature verifies with the " + keyWords(s.KeyAlgorithm, s.KeyBits)
	case syntax != "":
		s.Result, reason = Neutral, syntax
	case msgdkim.IsTempFail(err):
		s.Result = TempError
	case msgdkim.IsPermFail(err):
		s.Result = PermError
	default:
		s.Result = Fail
		switch {
		case strings.Contains(reason, "body hash did not verify"):
			s.BodyHash, reason = BodyHashMismatch, "the body hash does not verify: the body changed after signing"
		case strings.Contains(reason, "signature did not verify"):
			s.BodyHash = BodyHashMatch
			reason = "the signature does not verify with the " + keyWords(s.KeyAlgorithm, s.KeyBits) + ": a signed header field changed, or another key signed"
		}
	}
	if s.Result != Pass {
		s.Err = errors.New(reason)
	}
	if s.BodyHash != BodyHashUnchecked {
		b := ev
		b.Kind, b.Match = EventBodyHash, s.BodyHash == BodyHashMatch
		v.emit(b)
	}
	r := ev
	r.Kind, r.Result, r.Reason, r.KeyAlgorithm, r.KeyBits = EventVerdict, s.Result, reason, s.KeyAlgorithm, s.KeyBits
	v.emit(r)
	return s
}

// syntaxError says why a DKIM-Signature's tag list cannot be read
// (RFC 6376 §3.2), or "": a pair without "=", a repeated tag, b= or bh=
// that is not base64. Such a signature is neutral (RFC 8601 §2.7.1).
func syntaxError(field string) string {
	tags, err := parseTags(field)
	if err != nil {
		return "the tag list has a syntax error (RFC 6376 §3.2): " + err.Error()
	}
	for _, t := range []string{"b", "bh"} {
		if v, ok := tags[t]; ok {
			if _, err := base64.StdEncoding.DecodeString(stripSpace(v)); err != nil {
				return "the " + t + "= tag is not base64 (RFC 6376 §3.5)"
			}
		}
	}
	return ""
}
