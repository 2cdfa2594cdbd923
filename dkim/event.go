package dkim

import (
	"encoding/json"
	"strconv"
	"strings"

	"spflab/spf"
)

// A Listener receives the Events of a verification, in order, on the
// goroutine that called Verify. A nil Listener costs nothing.
type Listener func(Event)

// EventKind says what step of a verification an Event reports.
type EventKind uint8

// The steps of a verification, for each signature in turn.
const (
	// EventSignature: a DKIM-Signature header field (RFC 6376 §3.5):
	// Domain, Selector, Algorithm, Headers as far as they could be read;
	// with Reason when it is not verified at all.
	EventSignature EventKind = iota + 1
	// EventKeyQuery: the TXT query for the signature's public key
	// (RFC 6376 §3.6.2.2) at Name, and its Answers or Err.
	EventKeyQuery
	// EventBodyHash: the canonicalized body compared with bh=
	// (RFC 6376 §3.7): Match.
	EventBodyHash
	// EventVerdict: the signature's Result and the Reason; for a message
	// with no signature, Result is None and Index 0.
	EventVerdict
)

var eventKindNames = [...]string{"", "signature", "key-query", "body-hash", "verdict"}

func (k EventKind) String() string {
	if int(k) < len(eventKindNames) {
		return eventKindNames[k]
	}
	return "unknown"
}

// MarshalText names the kind in JSON.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Event is one step of a verification. Which fields are set depends on
// Kind; String words it, so every printer shows the same step in the same
// words.
type Event struct {
	Kind  EventKind `json:"kind"`
	Index int       `json:"index"` // 1-based number of the signature in the header

	// The signature's tags (every kind but a None verdict).
	Domain     string   `json:"domain,omitempty"`
	Selector   string   `json:"selector,omitempty"`
	Algorithm  string   `json:"algorithm,omitempty"`
	Identifier string   `json:"identifier,omitempty"`
	Headers    []string `json:"headers,omitempty"`

	// EventKeyQuery. Answers is shared with the resolver: copy it before
	// changing it.
	Name    string   `json:"name,omitempty"`
	Answers []string `json:"answers,omitempty"`
	Err     string   `json:"error,omitempty"`

	Match bool `json:"match,omitempty"` // EventBodyHash

	// EventVerdict
	Result       Result `json:"result,omitempty"`
	KeyAlgorithm string `json:"key_algorithm,omitempty"`
	KeyBits      int    `json:"key_bits,omitempty"`

	Reason string `json:"reason,omitempty"`
}

// String words the step, e.g. "DKIM fail for d=euston.net s=lab: body
// hash did not verify". Words gives the same words in parts.
func (e *Event) String() string { return e.Words().String() }

// Words words the step in parts with the roles a viewer colours
// (spf.Part): the concatenated text is String.
func (e *Event) Words() spf.Words {
	idx := strconv.Itoa(e.Index)
	switch e.Kind {
	case EventSignature:
		w := spf.Words{{Text: "DKIM-Signature " + idx + ": ", Role: spf.RoleLabel}, {Text: e.tags(), Role: spf.RoleSubject}}
		var tags string
		if e.Algorithm != "" {
			tags += " a=" + e.Algorithm
		}
		if len(e.Headers) > 0 {
			tags += " h=" + strings.Join(e.Headers, ":")
		}
		if tags != "" {
			w = append(w, spf.Part{Text: tags, Role: spf.RoleText})
		}
		if e.Reason != "" {
			w = append(w, spf.Part{Text: " (" + e.Reason + ")", Role: spf.RoleWarn})
		}
		return w
	case EventKeyQuery:
		w := spf.Words{{Text: "key query ", Role: spf.RoleLabel}, {Text: "TXT " + e.Name, Role: spf.RoleText}}
		if e.Err != "" {
			return append(w, spf.Part{Text: ": " + e.Err, Role: spf.RoleBad})
		}
		q := make([]string, len(e.Answers))
		for i, a := range e.Answers {
			q[i] = strconv.Quote(shortKey(a))
		}
		return append(w, spf.Part{Text: " → " + strings.Join(q, ", "), Role: spf.RoleText})
	case EventBodyHash:
		w := spf.Words{{Text: "body hash of signature " + idx + ": ", Role: spf.RoleLabel}}
		if e.Match {
			return append(w, spf.Part{Text: "the body matches bh=", Role: spf.RoleMatch})
		}
		return append(w, spf.Part{Text: "the body does not match bh=, it changed after signing", Role: spf.RoleBad})
	case EventVerdict:
		w := spf.Words{{Text: "DKIM ", Role: spf.RoleLabel}, {Text: string(e.Result), Role: spf.RoleResult}}
		if e.Index != 0 {
			w = append(w, spf.Part{Text: " for ", Role: spf.RoleText}, spf.Part{Text: e.tags(), Role: spf.RoleSubject})
		}
		return append(w, spf.Part{Text: ": " + e.Reason, Role: spf.RoleDetail})
	}
	return spf.Words{{Text: e.Reason, Role: spf.RoleText}}
}

// tags words the signature as "d=euston.net s=lab".
func (e *Event) tags() string {
	return "d=" + e.Domain + " s=" + e.Selector
}

// shortKey shortens a long p= of a key record (an RSA key's 392
// characters) for reading: its first 16 characters and its length.
func shortKey(record string) string {
	i := strings.Index(record, "p=")
	if i < 0 {
		return record
	}
	end := strings.IndexByte(record[i:], ';')
	if end < 0 {
		end = len(record) - i
	}
	p := record[i+2 : i+end]
	if len(p) <= 60 {
		return record
	}
	return record[:i+2] + p[:16] + "…(" + strconv.Itoa(len(p)) + " characters)" + record[i+end:]
}

// keyWords describes a key: "2048-bit RSA key", "Ed25519 key".
func keyWords(algorithm string, bits int) string {
	switch algorithm {
	case "rsa":
		return strconv.Itoa(bits) + "-bit RSA key"
	case "ed25519":
		return "Ed25519 key"
	}
	return "key"
}

// MarshalJSON writes the event with its words (String) as "text".
func (e Event) MarshalJSON() ([]byte, error) {
	type event Event // without the method
	return json.Marshal(struct {
		event
		Text string `json:"text"`
	}{event(e), e.String()})
}
