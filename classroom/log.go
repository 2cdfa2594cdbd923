package classroom

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"spflab/fakedns"
	"spflab/smtpsim"
	"spflab/spf"
)

// A Log is the lab's event log, serve's --no-tui monitor: one line per
// event of every SMTP session and per DNS query, as text or as JSON
// objects. It is safe for concurrent use; lines of concurrent sessions
// interleave whole.
type Log struct {
	json bool

	mu  sync.Mutex
	w   io.Writer
	err error // the first write error; nothing is written after it
}

// NewLog returns a log writing text lines, or JSON objects when json is
// set, to w.
func NewLog(w io.Writer, json bool) *Log { return &Log{w: w, json: json} }

// logEntry is one line of the JSON log. Source says which field is set:
// "smtp" (an smtpsim.Event), "dns" (a query the DNS server answered) or
// "serve" (the servers started or stopped). Text is the line the text log
// prints for it.
type logEntry struct {
	Source string         `json:"source"`
	Text   string         `json:"text"`
	SMTP   *smtpsim.Event `json:"smtp,omitempty"`
	DNS    *dnsEntry      `json:"dns,omitempty"`
	Serve  *State         `json:"serve,omitempty"`
}

// dnsEntry is a query the DNS server answered (or let time out).
type dnsEntry struct {
	Time   time.Time `json:"time"`
	Net    string    `json:"net"`    // "udp" or "tcp"
	Client string    `json:"client"` // the client's address and port
	Name   string    `json:"name"`
	Type   string    `json:"type"`
	// Rcode is the answer's RCODE ("NOERROR", "NXDOMAIN", ...), "" when
	// the zone let the query time out.
	Rcode     string   `json:"rcode"`
	Answers   []string `json:"answers,omitempty"` // the answer records' data, in presentation form
	Truncated bool     `json:"truncated,omitempty"`
}

// State reports the servers starting ("listening") or stopping
// ("stopping", "stopped"), for the log.
type State struct {
	Time     time.Time `json:"time"`
	State    string    `json:"state"`
	SMTP     string    `json:"smtp,omitempty"`
	DNS      string    `json:"dns,omitempty"`
	Lesson   string    `json:"lesson,omitempty"`
	Client   string    `json:"client,omitempty"`
	Commands []string  `json:"commands,omitempty"` // the commands the hints suggest
}

// SMTP logs an event of an SMTP session. It is an smtpsim OnEvent.
func (l *Log) SMTP(e smtpsim.Event) {
	text := smtpText(&e)
	if !l.json {
		if e.Kind == smtpsim.EventSPF && e.SPF.Echoed() {
			return
		}
		l.write(fmt.Sprintf("%s smtp #%d %s\n", clock(e.Time), e.Session, text))
		return
	}
	l.writeJSON(logEntry{Source: "smtp", Text: text, SMTP: &e})
}

// smtpText is the one-line description of an SMTP event: the event's
// words, a reply of several lines joined by " | ", SPF steps marked and
// indented by their depth, with the counters after terms and results.
func smtpText(e *smtpsim.Event) string {
	if e.Kind == smtpsim.EventSPF {
		return "spf " + strings.Repeat("  ", e.SPF.Depth) + e.SPF.TraceLine(spf.DefaultMaxDNSTerms, spf.DefaultMaxVoidLookups)
	}
	return strings.ReplaceAll(e.String(), "\nS: ", " | ")
}

// DNS logs a query of the DNS server. It is a fakedns OnQuery.
func (l *Log) DNS(q fakedns.Query) {
	d := &dnsEntry{Time: time.Now(), Net: q.Net, Client: q.Client, Name: q.Name, Type: q.Type, Rcode: q.Rcode, Truncated: q.Truncated}
	for _, rr := range q.Answer {
		d.Answers = append(d.Answers, strings.TrimPrefix(rr.String(), rr.Header().String()))
	}
	text := dnsText(d)
	if !l.json {
		l.write(fmt.Sprintf("%s dns %s\n", clock(d.Time), text))
		return
	}
	l.writeJSON(logEntry{Source: "dns", Text: text, DNS: d})
}

// dnsText describes a query in one line: "udp 127.0.0.1:40112 TXT
// euston.net. → NOERROR: "v=spf1 ip4:192.0.2.25 -all"".
func dnsText(d *dnsEntry) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s %s → ", d.Net, d.Client, d.Type, d.Name)
	switch {
	case d.Rcode == "":
		b.WriteString("no answer (the zone times this name out)")
	case len(d.Answers) > 0:
		fmt.Fprintf(&b, "%s: %s", d.Rcode, strings.Join(d.Answers, ", "))
	case d.Rcode == dns.RcodeToString[dns.RcodeSuccess]:
		b.WriteString("NOERROR, no records of that type")
	default:
		b.WriteString(d.Rcode)
	}
	if d.Truncated {
		b.WriteString(" (truncated: retry over TCP)")
	}
	return b.String()
}

// Serve logs the servers starting or stopping; text is its line.
func (l *Log) Serve(text string, s State) {
	if s.Time.IsZero() {
		s.Time = time.Now()
	}
	if !l.json {
		l.write(fmt.Sprintf("%s serve %s\n", clock(s.Time), text))
		return
	}
	l.writeJSON(logEntry{Source: "serve", Text: text, Serve: &s})
}

func (l *Log) writeJSON(e logEntry) {
	b, err := json.Marshal(e)
	if err != nil {
		b, _ = json.Marshal(logEntry{Source: e.Source, Text: e.Text + " (not encodable: " + err.Error() + ")"})
	}
	l.write(string(b) + "\n")
}

func (l *Log) write(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		_, l.err = io.WriteString(l.w, s)
	}
}

// Err returns the first error writing the log.
func (l *Log) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// clock is the time of a text log line: the time of day, to the
// millisecond.
func clock(t time.Time) string { return t.Format("15:04:05.000") }
