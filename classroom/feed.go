package classroom

import (
	"sync"
	"sync/atomic"
	"time"

	"spflab/fakedns"
	"spflab/smtpsim"
)

// feedBuffer is how many events and queries wait for the monitor; past
// it they are dropped.
const feedBuffer = 4096

// maxOwed bounds the sessions whose dropped events the feed remembers, to
// tell the monitor in their place; past it they are only counted.
const maxOwed = 1024

// A Feed passes the lab's events to a live monitor without ever making a
// server wait for it: a session's event or a DNS query that finds the
// monitor behind by feedBuffer is dropped and counted (Dropped). In place
// of a session's dropped events the monitor then gets one EventOmitted
// that counts them, before that session's next event, so the session's
// story shows where its hole is. Once the monitor has ended (Close),
// events are dropped uncounted.
type Feed struct {
	smtp chan smtpsim.Event
	dns  chan fakedns.Query
	done chan struct{}

	mu   sync.Mutex      // orders the sends, guards owed
	owed map[uint64]int  // per session: events dropped, the monitor not told yet
	lost [2]atomic.Int64 // SMTP events and DNS queries dropped
}

// NewFeed returns a feed with room for a burst of events.
func NewFeed() *Feed {
	return &Feed{
		smtp: make(chan smtpsim.Event, feedBuffer), dns: make(chan fakedns.Query, feedBuffer), done: make(chan struct{}),
		owed: make(map[uint64]int),
	}
}

// SMTP is an smtpsim OnEvent. It never waits.
func (m *Feed) SMTP(e smtpsim.Event) {
	if m.ended() {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tell()
	if m.owed[e.Session] > 0 || !m.offer(e) { // a session's events keep their order
		m.lost[0].Add(1)
		if _, ok := m.owed[e.Session]; ok || len(m.owed) < maxOwed {
			m.owed[e.Session]++
		}
	}
}

// tell passes on, while there is room, one EventOmitted per session whose
// events were dropped. m.mu is held.
func (m *Feed) tell() {
	for id, n := range m.owed {
		if !m.offer(smtpsim.Event{Session: id, Time: time.Now(), Kind: smtpsim.EventOmitted, Omitted: &smtpsim.Omitted{Events: n}}) {
			return
		}
		delete(m.owed, id)
	}
}

func (m *Feed) offer(e smtpsim.Event) bool {
	select {
	case m.smtp <- e:
		return true
	default:
		return false
	}
}

// DNS is a fakedns OnQuery. It never waits: the monitor shows the latest
// queries anyway.
func (m *Feed) DNS(q fakedns.Query) {
	if m.ended() {
		return
	}
	select {
	case m.dns <- q:
	default:
		m.lost[1].Add(1)
	}
}

func (m *Feed) ended() bool {
	select {
	case <-m.done:
		return true
	default:
		return false
	}
}

// Dropped counts the SMTP events and the DNS queries the feed dropped
// because the monitor was behind.
func (m *Feed) Dropped() (events, queries int64) { return m.lost[0].Load(), m.lost[1].Load() }

// Close tells the feed that the monitor has ended.
func (m *Feed) Close() { close(m.done) }

// SMTPEvents are the SMTP events for the monitor, in order.
func (m *Feed) SMTPEvents() <-chan smtpsim.Event { return m.smtp }

// DNSQueries are the DNS queries for the monitor, the latest kept.
func (m *Feed) DNSQueries() <-chan fakedns.Query { return m.dns }
