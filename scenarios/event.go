package scenarios

import (
	"fmt"
	"net"

	"spflab/smtpsim"
)

// EventKind says what an Event of a run is.
type EventKind uint8

// The kinds of events of a run. The SMTP kinds carry the server's event in
// Event.SMTP and follow smtpsim's kinds one for one.
const (
	EventLesson    EventKind = iota + 1 // Text: the lesson, before the first step
	EventNarration                      // Text: a step's narration, before its line is sent
	EventConnect                        // SMTP: the TCP connection (lab machinery)
	EventClient                         // SMTP: a line from the client (SMTP.Line; SMTP.InData inside a message)
	EventReply                          // SMTP: a reply of the server (SMTP.Reply)
	EventDNS                            // SMTP: a DNS query the server made itself (SMTP.DNS)
	EventHELO                           // SMTP: the claimed HELO name next to the client's real name (SMTP.HELO)
	EventSPF                            // SMTP: one step of an SPF evaluation (SMTP.SPF)
	EventPolicy                         // SMTP: an SPF result and what the policy did with it (SMTP.Policy)
	EventXClient                        // SMTP: XCLIENT accepted: a new client address (SMTP.XClient, SMTP.Client)
	EventHeader                         // SMTP: a header field the server prepended (SMTP.Field)
	EventStored                         // SMTP: the message was stored (SMTP.Stored)
	EventClose                          // SMTP: the connection closed (SMTP.Reason)
	EventNote                           // Text: the runner's note, e.g. a message not sent because DATA was refused
	EventNotice                         // Text: what to notice, after the step's reply
	EventCheck                          // Check: an expectation met or not
)

var eventKindNames = [...]string{"", "lesson", "narration", "connect", "client", "reply", "dns", "helo", "spf", "policy", "xclient", "header", "stored", "close", "note", "notice", "check"}

func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && k > 0 {
		return eventKindNames[k]
	}
	return "unknown"
}

// MarshalText names the kind in JSON.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// smtpKinds maps smtpsim's event kinds to a run's.
var smtpKinds = map[smtpsim.EventKind]EventKind{
	smtpsim.EventConnect:    EventConnect,
	smtpsim.EventClientLine: EventClient,
	smtpsim.EventReply:      EventReply,
	smtpsim.EventDNS:        EventDNS,
	smtpsim.EventHELO:       EventHELO,
	smtpsim.EventSPF:        EventSPF,
	smtpsim.EventPolicy:     EventPolicy,
	smtpsim.EventXClient:    EventXClient,
	smtpsim.EventHeader:     EventHeader,
	smtpsim.EventStored:     EventStored,
	smtpsim.EventClose:      EventClose,
}

// Event is one entry of a run's merged stream: narration, the server's
// session events (client lines, replies, DNS queries, SPF steps, header
// fields, the stored message) and the outcome of expectations, in order.
type Event struct {
	Scenario string    `json:"scenario"`
	Step     int       `json:"step"` // Step.Index of the step it belongs to
	Kind     EventKind `json:"kind"`
	// Lab marks the lab's machinery, not the lesson: the loopback
	// connection and its first greeting, XCLIENT lines and their effect,
	// the runner closing the connection.
	Lab   bool           `json:"lab,omitempty"`
	Text  string         `json:"text,omitempty"`  // EventLesson, EventNarration, EventNote, EventNotice
	SMTP  *smtpsim.Event `json:"smtp,omitempty"`  // the SMTP kinds
	Check *Check         `json:"check,omitempty"` // EventCheck
}

// Check is the outcome of one expectation of a step.
type Check struct {
	Scenario string `json:"scenario"`
	Step     int    `json:"step"`  // the dialogue step, from 1
	Line     int    `json:"line"`  // the line of the expectation in its file
	Field    string `json:"field"` // code, enhanced, text, spf, header or rdns
	Expected string `json:"expected"`
	Got      string `json:"got"`
	OK       bool   `json:"ok"`
}

func (c Check) String() string {
	verdict := "ok"
	if !c.OK {
		verdict = "FAIL"
	}
	return fmt.Sprintf("%s %s step %d (line %d): %s: expected %s, got %s", verdict, c.Scenario, c.Step, c.Line, c.Field, c.Expected, c.Got)
}

// fromSMTP turns a server event into a run's event. The addresses with the
// loopback ports, which change from run to run, keep only their host, so
// that running a scenario twice gives the same stream.
func fromSMTP(scenario string, step int, e smtpsim.Event) Event {
	e.Remote, e.Local = hostOnly(e.Remote), hostOnly(e.Local)
	return Event{Scenario: scenario, Step: step, Kind: smtpKinds[e.Kind], SMTP: &e}
}

func hostOnly(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
