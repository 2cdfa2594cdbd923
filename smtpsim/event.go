package smtpsim

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"spflab/dkim"
	"spflab/dmarc"
	"spflab/spf"
)

// EventKind says what an Event reports.
type EventKind uint8

// The kinds of events of a session, in the order a dialogue usually has them.
const (
	// EventConnect: a TCP connection was accepted. Remote is the real peer
	// (the scripted client's Client.LocalAddr), Local the server's address,
	// Client the client address the server assumes.
	EventConnect EventKind = iota + 1
	// EventClientLine: a line from the client, as received (Line, without
	// its line ending; Unterminated when it had none). InData marks the
	// lines of a message after DATA, the final "." included.
	EventClientLine
	// EventReply: a reply of the server (Reply), as sent.
	EventReply
	// EventDNS: a DNS query the server itself made (DNS): the reverse and
	// forward lookups of the client address, the sender domain check.
	// The SPF evaluation's own queries are EventSPF events.
	EventDNS
	// EventHELO: what the server learnt about the client at HELO/EHLO
	// (HELO): the claimed name next to the names its address has.
	EventHELO
	// EventSPF: one step of an SPF evaluation (SPF), in the order the
	// evaluator reports them.
	EventSPF
	// EventPolicy: the result of an SPF check and what the policy does with
	// it (Policy).
	EventPolicy
	// EventXClient: an XCLIENT command was accepted (XClient); the session
	// starts over with Client as the client address and a new greeting.
	EventXClient
	// EventHeader: a header field the server prepended to a message (Field).
	EventHeader
	// EventStored: a message was stored in the mailbox (Stored).
	EventStored
	// EventClose: the connection was closed (Reason). It is the last event
	// of a session.
	EventClose
	// EventOmitted: what was left out of the stream (Omitted). The server
	// reports the lines of a message past Limits.MessageLineEvents in one,
	// before the final "." line (before EventClose when the message was
	// cut off). A consumer that must drop events rather than wait (a
	// live monitor that fell behind) may pass one on in their place,
	// with Events counted and Seq 0.
	EventOmitted
	// EventDKIM: one step of the DKIM verification of a message at the
	// end of DATA (DKIM), with DMARCPolicy.Check.
	EventDKIM
	// EventDMARC: one step of the DMARC evaluation of a message at the end
	// of DATA (DMARC), with DMARCPolicy.Check.
	EventDMARC
	// EventDMARCPolicy: the DMARC result of a message and what the server
	// does with it (DMARCPolicy), before the reply to the message.
	EventDMARCPolicy
)

var eventKindNames = [...]string{"", "connect", "client", "reply", "dns", "helo", "spf", "policy", "xclient", "header", "stored", "close", "omitted", "dkim", "dmarc", "dmarc-policy"}

// String names the kind: "connect", "client", "reply", ...
func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && k > 0 {
		return eventKindNames[k]
	}
	return "unknown"
}

// MarshalText names the kind in JSON.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Event is one step of an SMTP session. The events of one session carry its
// Session number and are delivered in order (Seq 1, 2, ...); a consumer can
// tell the whole story of the session from them alone. Which fields are set
// depends on Kind.
type Event struct {
	Session uint64    `json:"session"` // the connection's number, from 1, per Server
	Seq     int       `json:"seq"`     // 1-based position in the session's stream
	Time    time.Time `json:"time"`
	Kind    EventKind `json:"kind"`
	// Command is the verb of the client command that caused the event
	// ("HELO", "MAIL", "RCPT", "DATA", "XCLIENT", ...) and Cause the Seq of
	// its EventClientLine; "" and 0 before the first command.
	Command string `json:"command,omitempty"`
	Cause   int    `json:"cause,omitempty"`

	// EventConnect, EventXClient
	Remote string     `json:"remote,omitempty"`
	Local  string     `json:"local,omitempty"`
	Client netip.Addr `json:"client,omitzero"`

	// EventClientLine
	Line         string `json:"line,omitempty"`
	InData       bool   `json:"in_data,omitempty"`
	Unterminated bool   `json:"unterminated,omitempty"`

	Reply   *Reply     `json:"reply,omitempty"`   // EventReply
	DNS     *DNSQuery  `json:"dns,omitempty"`     // EventDNS
	HELO    *HELOCheck `json:"helo,omitempty"`    // EventHELO
	SPF     *spf.Event `json:"spf,omitempty"`     // EventSPF
	Policy  *Decision  `json:"policy,omitempty"`  // EventPolicy
	XClient *XClient   `json:"xclient,omitempty"` // EventXClient: the attributes as given
	Field   *Field     `json:"field,omitempty"`   // EventHeader
	Stored  *Stored    `json:"stored,omitempty"`  // EventStored
	Omitted *Omitted   `json:"omitted,omitempty"` // EventOmitted
	Reason  string     `json:"reason,omitempty"`  // EventClose: why

	DKIM        *dkim.Event    `json:"dkim,omitempty"`         // EventDKIM
	DMARC       *dmarc.Event   `json:"dmarc,omitempty"`        // EventDMARC
	DMARCPolicy *DMARCDecision `json:"dmarc_policy,omitempty"` // EventDMARCPolicy
}

// DNSQuery is one lookup the server made through its Resolver.
type DNSQuery struct {
	Purpose string   `json:"purpose"` // "reverse", "forward" (confirming a reverse name), "sender-domain"
	QType   string   `json:"qtype"`   // "PTR", "A", "AAAA", "MX"
	Name    string   `json:"name"`    // the name (or, for PTR, the address) asked
	Answers []string `json:"answers,omitempty"`
	Err     string   `json:"error,omitempty"` // "no such name", "no data", "timeout or server failure", ...
}

// HELOCheck is what the server knows about the client after HELO/EHLO:
// the name it claimed and the names its address really has.
type HELOCheck struct {
	Claimed string     `json:"claimed"` // the HELO/EHLO argument
	IP      netip.Addr `json:"ip"`      // the client address
	// PTR holds the names of the reverse lookup of IP (RFC 1912 §2.1).
	PTR []string `json:"ptr,omitempty"`
	// Name is the client's host name: the first PTR name whose forward
	// lookup gives IP back (forward-confirmed, FCrDNS), or the XCLIENT NAME.
	// "" when there is none.
	Name string `json:"name,omitempty"`
	// Source says where Name came from: "dns" or "xclient".
	Source string `json:"source"`
	// Matches reports whether Claimed is Name (in any case): false is the
	// lie the seed shows, "said mail.euston.net, is www.euston.net".
	Matches bool `json:"matches"`
	// Problem says why Name is "" when a lookup failed temporarily or the
	// XCLIENT NAME was [TEMPUNAVAIL] or [UNAVAILABLE].
	Problem string `json:"problem,omitempty"`
}

// Field is a header field (RFC 5322 §2.2), its value unfolded.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Stored reports a message put into the mailbox.
type Stored struct {
	ID      uint64 `json:"id"`      // the Message's ID in the Mailbox
	Size    int    `json:"size"`    // bytes stored, header fields added included
	Evicted int    `json:"evicted"` // older messages dropped to make room
}

// Omitted counts what was left out of a session's stream: lines of a
// message not reported one by one, or events dropped by a consumer.
type Omitted struct {
	Lines  int   `json:"lines,omitempty"`
	Bytes  int64 `json:"bytes,omitempty"` // of the Lines, line endings included
	Events int   `json:"events,omitempty"`
}

// A Recorder collects the events of every session of a Server, for a
// caller that wants the story of one session after it ended (the lessons
// runner, tests). Set Config.OnEvent to its Record method. It is safe for
// concurrent use and keeps every event until Forget.
type Recorder struct {
	mu       sync.Mutex
	sessions map[uint64][]Event
	byRemote map[string]uint64
	changed  chan struct{} // closed and replaced at every Record
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder {
	return &Recorder{sessions: make(map[uint64][]Event), byRemote: make(map[string]uint64), changed: make(chan struct{})}
}

// Record stores e. It is an OnEvent function.
func (r *Recorder) Record(e Event) {
	r.mu.Lock()
	if e.Kind == EventConnect {
		r.byRemote[e.Remote] = e.Session
	}
	r.sessions[e.Session] = append(r.sessions[e.Session], e)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

// Events returns a copy of the events of a session recorded so far.
func (r *Recorder) Events(session uint64) []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.sessions[session]...)
}

// Wait waits until the session whose client connected from remote (the
// Client's LocalAddr) has closed and returns its events.
func (r *Recorder) Wait(ctx context.Context, remote string) ([]Event, error) {
	for {
		r.mu.Lock()
		id, ok := r.byRemote[remote]
		evs := r.sessions[id]
		changed := r.changed
		if ok && len(evs) > 0 && evs[len(evs)-1].Kind == EventClose {
			evs = append([]Event(nil), evs...)
			r.mu.Unlock()
			return evs, nil
		}
		r.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Forget drops the events of a session.
func (r *Recorder) Forget(session uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, v := range r.byRemote {
		if v == session {
			delete(r.byRemote, k)
		}
	}
	delete(r.sessions, session)
}
