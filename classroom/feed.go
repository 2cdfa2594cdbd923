package classroom

import (
	"spflab/fakedns"
	"spflab/smtpsim"
)

// feedBuffer is how many events wait for the monitor before a session
// waits for it.
const feedBuffer = 4096

// A Feed passes the lab's events to a live monitor. An SMTP session
// waits while the monitor is behind, so that its story is never told
// with holes; a DNS query is dropped instead, so that a client's flood of
// queries never slows the DNS server (the monitor shows the latest
// queries anyway). Once the monitor has ended (Close), events are
// dropped.
type Feed struct {
	smtp chan smtpsim.Event
	dns  chan fakedns.Query
	done chan struct{}
}

// NewFeed returns a feed with room for a burst of events.
func NewFeed() *Feed {
	return &Feed{smtp: make(chan smtpsim.Event, feedBuffer), dns: make(chan fakedns.Query, feedBuffer), done: make(chan struct{})}
}

// SMTP is an smtpsim OnEvent.
func (m *Feed) SMTP(e smtpsim.Event) {
	select {
	case m.smtp <- e:
	case <-m.done:
	}
}

// DNS is a fakedns OnQuery.
func (m *Feed) DNS(q fakedns.Query) {
	select {
	case m.dns <- q:
	default:
	}
}

// Close tells the feed that the monitor has ended.
func (m *Feed) Close() { close(m.done) }

// SMTPEvents are the SMTP events for the monitor, in order.
func (m *Feed) SMTPEvents() <-chan smtpsim.Event { return m.smtp }

// DNSQueries are the DNS queries for the monitor, the latest kept.
func (m *Feed) DNSQueries() <-chan fakedns.Query { return m.dns }
