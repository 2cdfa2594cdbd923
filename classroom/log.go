package classroom

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"spflab/fakedns"
	"spflab/smtpsim"
	"spflab/spf"
)

// maxBacklog bounds the bytes of log lines waiting for a slow output.
const maxBacklog = 1 << 20

// A Log is the lab's event log, serve's --no-tui monitor: one line per
// event of every SMTP session and per DNS query, as text or as JSON
// objects. It is safe for concurrent use; lines of concurrent sessions
// interleave whole.
//
// A Log never makes a server wait: lines are written by a goroutine of
// its own while there are any, and when the output falls behind by
// maxBacklog bytes the events are dropped, counted, and the count logged
// in their place. (A message's lines are bounded before they reach the
// log: see smtpsim.Limits.MessageLineEvents.) Flush waits for the lines
// logged so far.
type Log struct {
	json bool
	w    io.Writer

	mu      sync.Mutex
	backlog []byte     // lines not written yet
	spare   []byte     // the buffer written last, reused
	dropped int        // events dropped since the last count logged
	writing bool       // a goroutine is writing the backlog
	idle    *sync.Cond // writing ended
	err     error      // the first write error; nothing is written after it
}

// NewLog returns a log writing text lines, or JSON objects when json is
// set, to w.
func NewLog(w io.Writer, json bool) *Log {
	l := &Log{w: w, json: json}
	l.idle = sync.NewCond(&l.mu)
	return l
}

// logEntry is one line of the JSON log. Source says which field is set:
// "smtp" (an smtpsim.Event), "dns" (a query the DNS server answered),
// "serve" (the servers started or stopped) or "log" (Dropped events were
// not logged). Text is the line the text log prints for it.
type logEntry struct {
	Source  string         `json:"source"`
	Text    string         `json:"text"`
	SMTP    *smtpsim.Event `json:"smtp,omitempty"`
	DNS     *dnsEntry      `json:"dns,omitempty"`
	Serve   *State         `json:"serve,omitempty"`
	Dropped int            `json:"dropped,omitempty"`
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
	Answers   []string `json:"answers,omitempty"` // the answer's records, as fakedns.Record words them
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
		l.write(clock(e.Time)+" smtp #"+strconv.FormatUint(e.Session, 10)+" "+text+"\n", true)
		return
	}
	l.write(l.jsonLine(logEntry{Source: "smtp", Text: text, SMTP: &e}), true)
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
	now := time.Now()
	if !l.json {
		l.write(clock(now)+" dns "+q.String()+"\n", true)
		return
	}
	d := &dnsEntry{Time: now, Net: q.Net, Client: q.Client, Name: q.Name, Type: q.Type, Rcode: q.Rcode, Truncated: q.Truncated}
	for _, r := range q.Answer {
		d.Answers = append(d.Answers, r.String())
	}
	l.write(l.jsonLine(logEntry{Source: "dns", Text: q.String(), DNS: d}), true)
}

// Serve logs the servers starting or stopping; text is its line.
func (l *Log) Serve(text string, s State) {
	if s.Time.IsZero() {
		s.Time = time.Now()
	}
	if !l.json {
		l.write(fmt.Sprintf("%s serve %s\n", clock(s.Time), text), false)
		return
	}
	l.write(l.jsonLine(logEntry{Source: "serve", Text: text, Serve: &s}), false)
}

// droppedLine is the line that counts the events dropped.
func (l *Log) droppedLine(n int) string {
	what := "events"
	if n == 1 {
		what = "event"
	}
	text := fmt.Sprintf("… %d %s not logged: the output fell behind", n, what)
	if !l.json {
		return fmt.Sprintf("%s log %s\n", clock(time.Now()), text)
	}
	return l.jsonLine(logEntry{Source: "log", Text: text, Dropped: n})
}

func (l *Log) jsonLine(e logEntry) string {
	b, err := json.Marshal(e)
	if err != nil {
		b, _ = json.Marshal(logEntry{Source: e.Source, Text: e.Text + " (not encodable: " + err.Error() + ")"})
	}
	return string(b) + "\n"
}

// write queues a line, or drops it (when it may) if the backlog is full;
// once dropping, it drops until the backlog has been taken.
func (l *Log) write(line string, droppable bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.err != nil:
		return
	case droppable && len(l.backlog) > 0 && (l.dropped > 0 || len(l.backlog)+len(line) > maxBacklog):
		l.dropped++
		return
	}
	l.countDropped()
	l.backlog = append(l.backlog, line...)
	if !l.writing {
		l.writing = true
		go l.drain()
	}
}

// drain writes the backlog until it is empty, and the count of the
// events dropped after it.
func (l *Log) drain() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.err == nil {
		l.countDropped()
		if len(l.backlog) == 0 {
			break
		}
		out := l.backlog
		l.backlog, l.spare = l.spare[:0], nil
		l.mu.Unlock()
		_, err := l.w.Write(out)
		l.mu.Lock()
		l.err, l.spare = cmp.Or(l.err, err), out
	}
	if l.err != nil {
		l.backlog = nil
	}
	l.writing = false
	l.idle.Broadcast()
}

// countDropped queues the line counting the events dropped, which came
// after the backlog. l.mu is held.
func (l *Log) countDropped() {
	if l.dropped > 0 {
		l.backlog = append(l.backlog, l.droppedLine(l.dropped)...)
		l.dropped = 0
	}
}

// Flush waits until the lines logged so far are written and returns the
// first error writing the log.
func (l *Log) Flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.writing {
		l.idle.Wait()
	}
	return l.err
}

// clock is the time of a text log line: the time of day, to the
// millisecond.
func clock(t time.Time) string { return t.Format("15:04:05.000") }
