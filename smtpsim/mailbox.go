package smtpsim

import (
	"bytes"
	"net/mail"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Message is a message the server accepted. Nothing ever leaves the
// process: a message is stored here and nowhere else.
type Message struct {
	ID         uint64     `json:"id"`      // from 1, per Server
	Session    uint64     `json:"session"` // the Event.Session that delivered it
	Time       time.Time  `json:"time"`
	ClientIP   netip.Addr `json:"client_ip"`
	ClientName string     `json:"client_name,omitempty"` // the forward-confirmed reverse name, "" if none
	HELO       string     `json:"helo"`
	MailFrom   string     `json:"mail_from"` // "" for the null sender
	Recipients []string   `json:"recipients"`
	// Quarantined marks a message the DMARC quarantine disposition
	// applied to (Config.DMARC); it also has a QuarantineField.
	Quarantined bool `json:"quarantined,omitempty"`
	// Fields are the header fields the server prepended, top first.
	Fields []Field `json:"fields"`
	// Data is the message as stored: the prepended fields, then the
	// message as received, CRLF line endings, dot-stuffing removed.
	// It must not be modified.
	Data []byte `json:"data"`
}

// Header parses the header of the stored message, prepended fields
// included (RFC 5322 §2.2).
func (m *Message) Header() (mail.Header, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return nil, err
	}
	return msg.Header, nil
}

// Mailbox is the bounded in-memory store of accepted messages: at most a
// number of messages and of bytes, the oldest dropped first. It is safe for
// concurrent use.
type Mailbox struct {
	mu       sync.Mutex
	msgs     []*Message // oldest first
	size     int64      // bytes of Data held
	max      int
	maxBytes int64
	nextID   atomic.Uint64
}

func newMailbox(maxMessages int, maxBytes int64) *Mailbox {
	return &Mailbox{max: maxMessages, maxBytes: maxBytes}
}

// newID returns the ID of the next message.
func (b *Mailbox) newID() uint64 { return b.nextID.Add(1) }

// put stores m and returns how many old messages it dropped.
func (b *Mailbox) put(m *Message) (evicted int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := int64(len(m.Data))
	for len(b.msgs) > 0 && (len(b.msgs) >= b.max || b.size+n > b.maxBytes) {
		b.size -= int64(len(b.msgs[0].Data))
		b.msgs[0] = nil
		b.msgs = b.msgs[1:]
		evicted++
	}
	b.msgs = append(b.msgs, m)
	b.size += n
	return evicted
}

// Messages returns the stored messages, oldest first.
func (b *Mailbox) Messages() []Message {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Message, len(b.msgs))
	for i, m := range b.msgs {
		out[i] = *m
	}
	return out
}

// Get returns the message with the given ID, if it is still stored.
func (b *Mailbox) Get(id uint64) (Message, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.msgs {
		if m.ID == id {
			return *m, true
		}
	}
	return Message{}, false
}

// Len returns the number of stored messages.
func (b *Mailbox) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.msgs)
}

// Clear drops every message.
func (b *Mailbox) Clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs, b.size = nil, 0
}
