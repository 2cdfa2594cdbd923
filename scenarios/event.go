package scenarios

import (
	"fmt"
	"net"

	"spflab/smtpsim"
)

// EventKind says what an Event of a run is: one of the run's own kinds,
// or EventSMTP for every event of the server's session, whose own kind is
// Event.SMTP.Kind.
type EventKind uint8

// The kinds of events of a run.
const (
	EventLesson    EventKind = iota + 1 // Text: the lesson, before the first step
	EventNarration                      // Text: a step's narration, before its line is sent
	EventSMTP                           // SMTP: an event of the server's session; SMTP.Kind says which
	EventNote                           // Text: the runner's note, e.g. a message not sent because DATA was refused
	EventNotice                         // Text: what to notice, after the step's reply
	EventCheck                          // Check: an expectation met or not
)

var eventKindNames = [...]string{"", "lesson", "narration", "smtp", "note", "notice", "check"}

// String names the kind: "lesson", "narration", "smtp", ...
func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && k > 0 {
		return eventKindNames[k]
	}
	return "unknown"
}

// MarshalText names the kind in JSON.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

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
	SMTP  *smtpsim.Event `json:"smtp,omitempty"`  // EventSMTP
	Check *Check         `json:"check,omitempty"` // EventCheck
}

// Is reports whether e is a server event of one of the kinds given.
func (e Event) Is(kinds ...smtpsim.EventKind) bool {
	if e.SMTP == nil {
		return false
	}
	for _, k := range kinds {
		if e.SMTP.Kind == k {
			return true
		}
	}
	return false
}

// Check is the outcome of one expectation of a step.
type Check struct {
	Scenario string `json:"scenario"`
	Step     int    `json:"step"`  // the dialogue step, from 1
	Line     int    `json:"line"`  // the line of the expectation in its file
	Field    string `json:"field"` // code, enhanced, text, spf, header, rdns, dkim or dmarc
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
	return Event{Scenario: scenario, Step: step, Kind: EventSMTP, SMTP: &e}
}

func hostOnly(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
