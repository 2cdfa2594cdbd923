package smtpsim

import (
	"context"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"spflab/spf"
)

// Decision is the result of one SPF check and what the policy does with it.
type Decision struct {
	Outcome spf.Outcome `json:"outcome"`
	// Problem is Outcome.Err as text: why temperror or permerror.
	Problem string `json:"problem,omitempty"`
	Action  Action `json:"action"`
	// At is the command whose reply carries the decision: "MAIL" or "RCPT".
	At string `json:"at"`
	// Reply is the refusal, for ActionTempFail and ActionReject, as the
	// policy words it; the server's Personality may word it otherwise on
	// the wire (see the EventReply that follows).
	Reply *Reply `json:"reply,omitempty"`
}

// decide applies the policy to an outcome.
func (s *Server) decide(o spf.Outcome, at string) *Decision {
	d := &Decision{Outcome: o, At: at}
	if o.Err != nil {
		d.Problem = o.Err.Error()
	}
	rule, ok := s.policy[o.Result]
	if !ok {
		rule = Rule{Action: ActionHeader}
	}
	d.Action = rule.Action
	if !rule.Action.Refuses() {
		return d
	}
	text := rule.Text
	if strings.Contains(text, "{explanation}") && o.Explanation == "" {
		text = defaultText // no explanation to give: say what happened
	}
	problem := d.Problem
	if problem == "" {
		problem = "no details"
	}
	text = strings.NewReplacer(
		"{result}", string(o.Result),
		"{ip}", o.IP.String(),
		"{sender}", o.Sender,
		"{helo}", o.HELO,
		"{domain}", o.Domain,
		"{identity}", string(o.Identity),
		"{mechanism}", o.Mechanism,
		"{explanation}", o.Explanation,
		"{problem}", problem,
	).Replace(text)
	d.Reply = &Reply{Code: rule.Code, Enhanced: rule.Enhanced, Lines: []string{oneLine(text)}}
	return d
}

// replyError turns a reply into the error go-smtp sends as it is.
func replyError(r Reply) error {
	e := &smtp.SMTPError{Code: r.Code, Message: strings.Join(r.Lines, " ")}
	for i, part := range strings.SplitN(r.Enhanced, ".", 3) {
		e.EnhancedCode[i], _ = strconv.Atoi(part)
	}
	if r.Enhanced == "" {
		e.EnhancedCode = smtp.NoEnhancedCode
	}
	return e
}

// checkSenderDomain refuses a sender whose domain has no MX, A or AAAA
// record (553 5.1.8, as in the seed; RFC 3463 X.1.8 "bad sender's system
// address"), or 451 4.4.3 when the lookups failed temporarily.
func (s *session) checkSenderDomain(from string) error {
	domain := from[strings.LastIndexByte(from, '@')+1:]
	if strings.HasPrefix(domain, "[") {
		return nil // an address literal (RFC 5321 §4.1.3)
	}
	c := s.c
	r := c.srv.cfg.Resolver
	ctx := c.dnsContext()
	defer ctx.stop()
	temporary := false
	try := func(err error) bool {
		temporary = temporary || isTemporary(err)
		return err == nil
	}
	if _, err := c.lookup("sender-domain", "MX", domain, func() ([]string, error) { return r.LookupMX(ctx, domain) }); try(err) {
		return nil
	}
	if _, err := c.lookupAddrs("sender-domain", "A", domain, func() ([]netip.Addr, error) { return r.LookupA(ctx, domain) }); try(err) {
		return nil
	}
	if _, err := c.lookupAddrs("sender-domain", "AAAA", domain, func() ([]netip.Addr, error) { return r.LookupAAAA(ctx, domain) }); try(err) {
		return nil
	}
	if temporary {
		return replyError(Reply{Code: 451, Enhanced: "4.4.3", Lines: []string{oneLine(from + "... Temporary DNS failure looking up the domain of sender address " + from)}})
	}
	return replyError(Reply{Code: 553, Enhanced: "5.1.8", Lines: []string{oneLine(from + "... Domain of sender address " + from + " does not exist")}})
}

// dnsContext bounds the lookups of one command by Limits.DNSTimeout; the
// command stops it when done.
func (c *conn) dnsContext() *lookupContext {
	return &lookupContext{parent: c.ctx, deadline: time.Now().Add(c.srv.cfg.Limits.DNSTimeout)}
}

// lookupContext is the context of the lookups of one command: it is
// context.WithDeadline(parent, deadline), except that the timer and the
// channel of that context are made only when a resolver asks for them
// (Done, or Value, as a context derived from it does). The in-memory zones
// of the lessons answer at once without looking at the context, so a
// command's lookups cost no timer; a resolver that waits gets the same
// deadline as ever.
type lookupContext struct {
	parent   context.Context // the connection's: canceled when it closes
	deadline time.Time

	mu      sync.Mutex
	ctx     context.Context // the real one, once made
	cancel  context.CancelFunc
	stopped bool // the command is done
}

// Deadline is the deadline of the command's lookups.
func (l *lookupContext) Deadline() (time.Time, bool) { return l.deadline, true }

// Done makes the real context and returns its channel.
func (l *lookupContext) Done() <-chan struct{} { return l.real().Done() }

// Value makes the real context and asks it, so that a context derived
// from this one is canceled with the real one, with no goroutine to watch
// it (context.WithCancel finds the real one's cancelCtx through Value).
func (l *lookupContext) Value(key any) any { return l.real().Value(key) }

// Err says, without making the real context, what its Err would.
func (l *lookupContext) Err() error {
	l.mu.Lock()
	ctx, stopped := l.ctx, l.stopped
	l.mu.Unlock()
	switch {
	case ctx != nil:
		return ctx.Err()
	case stopped:
		return context.Canceled
	}
	if err := l.parent.Err(); err != nil {
		return err
	}
	if !time.Now().Before(l.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

func (l *lookupContext) real() context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ctx == nil {
		l.ctx, l.cancel = context.WithDeadline(l.parent, l.deadline)
		if l.stopped {
			l.cancel()
		}
	}
	return l.ctx
}

// stop ends the lookups: the command is done.
func (l *lookupContext) stop() {
	l.mu.Lock()
	l.stopped = true
	cancel := l.cancel
	l.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// lookup makes a query that answers names and reports it. An empty answer
// is spf.ErrNoData, as for the SPF evaluator.
func (c *conn) lookup(purpose, qtype, name string, f func() ([]string, error)) ([]string, error) {
	answers, err := f()
	if err == nil && len(answers) == 0 {
		err = &spf.DNSError{QType: qtype, Name: name, Err: spf.ErrNoData}
	}
	q := &DNSQuery{Purpose: purpose, QType: qtype, Name: name, Answers: answers}
	if err != nil {
		q.Answers, q.Err = nil, dnsError(err)
	}
	c.emit(Event{Kind: EventDNS, DNS: q})
	return answers, err
}

// lookupAddrs makes a query that answers addresses and reports it.
func (c *conn) lookupAddrs(purpose, qtype, name string, f func() ([]netip.Addr, error)) ([]netip.Addr, error) {
	var addrs []netip.Addr
	_, err := c.lookup(purpose, qtype, name, func() ([]string, error) {
		var err error
		addrs, err = f()
		s := make([]string, len(addrs))
		for i, a := range addrs {
			s[i] = a.String()
		}
		return s, err
	})
	return addrs, err
}

// dnsError names the kind of a failed lookup as the SPF trace does.
func dnsError(err error) string {
	for _, kind := range []error{spf.ErrNoSuchName, spf.ErrNoData, spf.ErrTemporary} {
		if errors.Is(err, kind) {
			return kind.Error()
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return spf.ErrTemporary.Error()
	}
	return err.Error()
}

// isTemporary reports whether a lookup failed for a passing reason.
func isTemporary(err error) bool {
	return errors.Is(err, spf.ErrTemporary) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)
}

func containsAddr(addrs []netip.Addr, ip netip.Addr) bool {
	for _, a := range addrs {
		if a.Unmap() == ip {
			return true
		}
	}
	return false
}

// oneLine makes text fit a reply line: control characters become spaces
// and it is cut at 400 bytes (RFC 5321 §4.5.3.1.5 allows 512 per line).
func oneLine(text string) string {
	b := []byte(text)
	for i, ch := range b {
		if ch < ' ' || ch == 0x7f {
			b[i] = ' '
		}
	}
	if len(b) > 400 {
		b = append(b[:397], "..."...)
	}
	return string(b)
}
