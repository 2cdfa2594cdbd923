package smtpsim

import (
	"errors"
	"io"
	"net/netip"
	"slices"
	"strings"

	"github.com/emersion/go-smtp"

	"spflab/spf"
)

// backend makes a session for go-smtp at each incarnation's first
// HELO/EHLO.
type backend struct{ srv *Server }

// NewSession starts a session: the first HELO of an incarnation.
func (b backend) NewSession(sc *smtp.Conn) (smtp.Session, error) {
	v, ok := sc.Conn().(*vconn)
	if !ok {
		return nil, errors.New("smtpsim: connection not from the front")
	}
	s := &session{c: v.c, sc: sc}
	s.hello(sc.Hostname())
	return s, nil
}

// session is one incarnation of an SMTP session, from its first HELO.
type session struct {
	c  *conn
	sc *smtp.Conn

	helo    string
	proto   string // "ESMTP" after EHLO, "SMTP" after HELO
	known   bool   // the client's name has been looked for
	name    HELOCheck
	heloDec *Decision // the HELO identity's decision, with CheckHELO

	// the transaction
	from    string
	rcpts   []string
	mailDec *Decision       // the MAIL FROM identity's decision
	auth    *authentication // the end-of-DATA checks, with Config.DMARC

	eval evaluation // the SPF check in progress, reused
}

// hello serves HELO/EHLO: the claimed name next to the client's real
// names, and the HELO identity's SPF check when configured.
func (s *session) hello(helo string) {
	s.helo, s.proto = helo, "SMTP"
	if s.c.currentCommand() == "EHLO" {
		s.proto = "ESMTP"
	}
	if !s.known {
		s.known = true
		s.name = s.lookupName()
	}
	h := s.name
	h.Claimed = helo
	h.Matches = h.Name != "" && strings.EqualFold(strings.TrimSuffix(helo, "."), h.Name)
	s.c.emit(Event{Kind: EventHELO, HELO: &h})
	s.heloDec = nil
	if s.c.srv.cfg.CheckHELO {
		s.heloDec = s.check(spf.IdentityHELO, "")
	}
}

// lookupName finds the client's host name: the XCLIENT NAME, or the first
// reverse name that resolves back to the address (forward-confirmed).
func (s *session) lookupName() HELOCheck {
	c := s.c
	ip := c.client.ip
	h := HELOCheck{IP: ip, Source: "dns"}
	if c.client.nameGiven {
		h.Source = "xclient"
		switch n := c.client.name; {
		case strings.EqualFold(n, xUnavailable):
			h.Problem = "XCLIENT NAME=[UNAVAILABLE]: the address has no name"
		case strings.EqualFold(n, xTempUnavail):
			h.Problem = "XCLIENT NAME=[TEMPUNAVAIL]: the name lookup failed temporarily"
		default:
			h.Name = strings.TrimSuffix(n, ".")
		}
		return h
	}
	ctx := c.dnsContext()
	defer ctx.stop()
	r := c.srv.cfg.Resolver
	names, err := c.lookup("reverse", "PTR", ip.String(), func() ([]string, error) { return r.LookupPTR(ctx, ip) })
	if err != nil {
		if isTemporary(err) {
			h.Problem = "reverse lookup failed: " + dnsError(err)
		}
		return h
	}
	names = slices.Clone(names) // the resolver's slice is shared
	for i, n := range names {
		names[i] = strings.TrimSuffix(n, ".")
	}
	h.PTR = names
	qtype, lookup := "A", r.LookupA
	if ip.Is6() {
		qtype, lookup = "AAAA", r.LookupAAAA
	}
	for _, n := range names[:min(len(names), spf.DefaultMaxNames)] {
		addrs, err := c.lookupAddrs("forward", qtype, n, func() ([]netip.Addr, error) { return lookup(ctx, n) })
		if err == nil && containsAddr(addrs, ip) {
			h.Name = n
			return h
		}
		if isTemporary(err) && h.Problem == "" {
			h.Problem = "forward lookup of " + n + " failed: " + dnsError(err)
		}
	}
	return h
}

// Reset ends the transaction (RSET, end of DATA, a new HELO/EHLO).
func (s *session) Reset() {
	s.from, s.rcpts, s.mailDec, s.auth = "", nil, nil, nil
	s.c.inTransaction = false
	switch s.c.currentCommand() {
	case "HELO", "EHLO": // a new HELO resets the session (RFC 5321 §4.1.4)
		s.hello(s.sc.Hostname())
	}
}

// Logout has nothing to free.
func (s *session) Logout() error { return nil }

// Mail serves MAIL FROM: the sender domain must exist, and with
// CheckAtMAIL the policy decides here.
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from, s.rcpts, s.mailDec = "", nil, nil
	cfg := &s.c.srv.cfg
	if from != "" && !cfg.AllowUnknownSenderDomain {
		if err := s.checkSenderDomain(from); err != nil {
			return err
		}
	}
	if cfg.CheckAt == CheckAtMAIL {
		if err := s.apply(from); err != nil {
			return err
		}
	}
	s.from = from
	s.c.inTransaction = true
	return nil
}

// Rcpt serves RCPT TO: with CheckAtRCPT the policy decides at the first
// RCPT of the transaction and its decision holds for the others. Every
// recipient is accepted otherwise: nothing is ever delivered anywhere.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := s.apply(s.from); err != nil {
		return err
	}
	s.rcpts = append(s.rcpts, to)
	return nil
}

// apply checks the MAIL FROM identity once per transaction and returns the
// refusal of the HELO decision or of the MAIL FROM decision, if any.
func (s *session) apply(from string) error {
	if s.heloDec != nil && s.heloDec.Action.Refuses() {
		return replyError(*s.heloDec.Reply)
	}
	if s.mailDec == nil {
		s.mailDec = s.check(spf.IdentityMailFrom, from)
	}
	if s.mailDec.Action.Refuses() {
		return replyError(*s.mailDec.Reply)
	}
	return nil
}

// check runs SPF for an identity (with from, the MAIL FROM address) and
// decides by the policy.
func (s *session) check(id spf.Identity, from string) *Decision {
	c := s.c
	cfg := &c.srv.cfg
	ck := spf.Checker{
		Resolver:    cfg.Resolver,
		Explanation: cfg.Explanation,
		Receiver:    cfg.Hostname,
		Now:         cfg.Clock,
		Records:     c.srv.records,
	}
	if cfg.OnEvent != nil {
		ck.Listener = func(e *spf.Event) {
			kept := *e // the Checker reuses e for its next step
			c.emit(Event{Kind: EventSPF, SPF: &kept})
		}
	}
	ctx := c.dnsContext()
	defer ctx.stop()
	s.eval = evaluation{ck: ck, ctx: ctx, identity: id, ip: c.client.ip, helo: s.helo, from: from, done: s.eval.done}
	o := c.srv.evaluate(&s.eval)
	s.eval = evaluation{done: s.eval.done}
	d := c.srv.decide(o, cfg.CheckAt.String())
	c.emit(Event{Kind: EventPolicy, Policy: d})
	return d
}

// Data stores the message with the fields the server prepends.
func (s *session) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		switch {
		case errors.Is(err, smtp.ErrDataTooLarge):
			return smtp.ErrDataTooLarge
		case errors.Is(err, smtp.ErrTooLongLine):
			// go-smtp would answer twice (for the message, then for the
			// next command it cannot read): answer once and close.
			s.c.hangUp(Reply{Code: 500, Enhanced: "5.4.0", Lines: []string{"Too long line in the message, closing connection"}}, "line too long")
		}
		return err
	}
	return s.store(body)
}

// store stores a message's body with the fields the server prepends (a
// function of its own, so that Data's frame stays small while the message
// is read).
func (s *session) store(body []byte) error {
	c := s.c
	srv := c.srv
	if srv.cfg.DMARC.Check {
		s.auth = s.authenticate(body)
		if r := s.auth.decision.Reply; r != nil {
			return replyError(*r)
		}
	}
	m := &Message{
		ID: srv.mailbox.newID(), Session: c.id, Time: srv.cfg.Clock(), ClientIP: c.client.ip, ClientName: s.name.Name,
		HELO: s.helo, MailFrom: s.from, Recipients: append([]string(nil), s.rcpts...),
		Quarantined: s.auth != nil && s.auth.decision.Quarantined(),
	}
	// Received is worded here rather than inside headerFields: formatting
	// its time takes stack, which a session's goroutine would have to grow
	// for, deeper down.
	rcvd := received(m, s.proto, srv.cfg.Hostname)
	m.Fields = append(s.auth.fields(), srv.headerFields(s, rcvd)...)
	m.Data = prepend(m.Fields, body)
	s.report(m, srv.mailbox.put(m))
	return nil
}

// report tells the fields prepended to a stored message and where it was
// stored.
func (s *session) report(m *Message, evicted int) {
	for i := range m.Fields {
		s.c.emit(Event{Kind: EventHeader, Field: &m.Fields[i]})
	}
	s.c.emit(Event{Kind: EventStored, Stored: &Stored{ID: m.ID, Size: len(m.Data), Evicted: evicted}})
}
