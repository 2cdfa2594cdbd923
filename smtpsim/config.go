package smtpsim

import (
	"errors"
	"fmt"
	"log"
	"net/netip"
	"strings"
	"time"

	"spflab/spf"
)

// Config configures a Server. Its zero value with a Resolver set is a
// server like the seed's: SPF checked at RCPT, unknown sender domains
// refused at MAIL, fail rejected with 550, XCLIENT from loopback.
type Config struct {
	// Hostname is the server's name: in the greeting, the Received field's
	// "by", the authserv-id of Authentication-Results and the SPF %{r}
	// macro. Default "mail.example.com".
	Hostname string
	// Addr is where Start listens; default "127.0.0.1:0" (a port the OS
	// chooses, see Server.Addr).
	Addr string
	// Resolver answers every DNS query the server and its SPF checks make.
	// Required.
	Resolver spf.Resolver

	// CheckAt is the command at which the MAIL FROM identity is checked
	// and the policy applied: CheckAtRCPT (the default, as in the seed) or
	// CheckAtMAIL.
	CheckAt CheckPoint
	// CheckHELO also checks the HELO identity (RFC 7208 §2.3) at HELO/EHLO;
	// its policy applies, before the MAIL FROM identity's, at CheckAt.
	CheckHELO bool
	// AllowUnknownSenderDomain turns off the check that refuses, at MAIL,
	// a sender domain with no A, AAAA or MX record (553 5.1.8, as in the
	// seed).
	AllowUnknownSenderDomain bool
	// Policy says what to do with each SPF result; results it leaves out
	// get DefaultPolicy's rule.
	Policy Policy
	// Explanation is the explain-string (RFC 7208 §6.2, macros expanded)
	// of a fail whose record has no usable exp=; default
	// DefaultExplanation.
	Explanation string
	// Personality is the mail server whose words the replies use: the
	// default PersonalityGoSMTP (go-smtp's own), PersonalitySendmail (the
	// seed article's server), PersonalityPostfix. The codes are the same
	// for all.
	Personality Personality
	// DMARC turns on DKIM and DMARC at the end of DATA and says how to
	// refuse; off by default.
	DMARC DMARCPolicy

	// XClientTrusted lists the networks whose clients may use XCLIENT;
	// nil means loopback (127.0.0.0/8 and ::1). An empty, non-nil list
	// trusts no one. XCLIENT is advertised only to trusted clients.
	XClientTrusted []netip.Prefix

	// Limits bound what a client can make the server hold or wait for.
	Limits Limits
	// MailboxMessages and MailboxBytes bound the mailbox; when a new
	// message does not fit, the oldest are dropped. Defaults 1000 messages
	// and 64 MiB.
	MailboxMessages int
	MailboxBytes    int64

	// OnEvent receives every event of every session. The events of one
	// session arrive one at a time and in order while the session waits
	// for each, so OnEvent may block briefly (the session waits); events
	// of different sessions may arrive concurrently.
	OnEvent func(Event)
	// Clock gives the time of events, Received fields and SPF's %{t};
	// nil means time.Now.
	Clock func() time.Time
	// ErrorLog receives go-smtp's reports of internal errors (a panic in a
	// handler); nil discards them.
	ErrorLog *log.Logger
}

// TrustsXClient reports whether a client at ip may use XCLIENT: whether
// one of XClientTrusted contains it (nil meaning loopback, as the server
// reads it).
func (c *Config) TrustsXClient(ip netip.Addr) bool {
	trusted := c.XClientTrusted
	if trusted == nil {
		trusted = loopback()
	}
	return contains(trusted, ip)
}

// Limits bound a session. Zero means the default.
type Limits struct {
	// MaxLineLength is the longest command or text line in bytes; default
	// 2000 (go-smtp's, twice RFC 5321 §4.5.3.1.6's 1000). A longer line
	// gets "500 5.4.0" and the connection is closed.
	MaxLineLength int
	// MaxMessageBytes is the largest message, default 1 MiB; more gets
	// "552 5.3.4" (RFC 1870).
	MaxMessageBytes int64
	// MaxRecipients per message, default 100 (RFC 5321 §4.5.3.1.8); more
	// get "452 4.5.3".
	MaxRecipients int
	// ReadTimeout is how long the server waits for a command (and for a
	// message after DATA), default 5 minutes (RFC 5321 §4.5.3.2.7);
	// WriteTimeout how long for a reply to be sent, default 1 minute.
	ReadTimeout, WriteTimeout time.Duration
	// DNSTimeout bounds the lookups made for one command, default 20 s.
	DNSTimeout time.Duration
	// MaxSessions is the most connections served at once, default 100.
	// One more takes the place of the oldest connection that has not sent
	// a command yet (that one gets "421 4.4.2" and is closed), so that
	// silent connections cannot keep a real client out; when every
	// connection has sent a command, it gets "421 4.3.2" and is closed.
	MaxSessions int
	// MaxSessionsPerIP is the most connections at once from one client
	// address (the real peer, whatever XCLIENT says), default 20; one more
	// gets "421 4.7.0" and is closed. It does not bound the clients of
	// PerIPExempt.
	MaxSessionsPerIP int
	// PerIPExempt lists the networks whose clients only MaxSessions
	// bounds; nil means loopback (127.0.0.0/8 and ::1), where the lab's
	// own runner, swaks and load tests on this machine connect from. An
	// empty, non-nil list exempts no one.
	PerIPExempt []netip.Prefix
	// GreetingTimeout is how long a new connection may stay silent before
	// its first command, default 30 s (time to type "HELO" into nc by
	// hand, not to hold a session for ReadTimeout); the deadline does not
	// move for bytes that trickle in without a line end. Then the server
	// answers "421 4.4.2" and closes.
	GreetingTimeout time.Duration
	// MessageLineEvents is how many lines of each message are reported as
	// events (EventClientLine with InData); the lines after them are
	// counted, and reported in one EventOmitted before the final ".".
	// Zero reports every line: the lessons' runner waits for each line
	// a learner types. The classroom server sets it, so that a client
	// streaming a big message costs its monitor and log a few lines.
	MessageLineEvents int
}

// CheckPoint is the SMTP command at which SPF decides.
type CheckPoint uint8

// Where the MAIL FROM identity is checked.
const (
	CheckAtRCPT CheckPoint = iota // at the first RCPT of a transaction, as in the seed
	CheckAtMAIL                   // at MAIL
)

// String names the command: "RCPT" or "MAIL".
func (p CheckPoint) String() string {
	if p == CheckAtMAIL {
		return "MAIL"
	}
	return "RCPT"
}

// Action is what the policy does with an SPF result.
type Action uint8

// The actions of a Rule.
const (
	// ActionHeader accepts and records the result in Received-SPF
	// (RFC 7208 §9.1) and Authentication-Results (RFC 8601).
	ActionHeader Action = iota + 1
	// ActionAccept accepts without recording the result.
	ActionAccept
	// ActionTempFail refuses with a 4xx reply: the client may try later.
	ActionTempFail
	// ActionReject refuses with a 5xx reply.
	ActionReject
)

var actionNames = [...]string{"", "header", "accept", "tempfail", "reject"}

// String names the action: "header", "accept", "tempfail", "reject".
func (a Action) String() string {
	if int(a) < len(actionNames) && a > 0 {
		return actionNames[a]
	}
	return "unknown"
}

// MarshalText names the action in JSON.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Refuses reports whether the action refuses the command.
func (a Action) Refuses() bool { return a == ActionTempFail || a == ActionReject }

// Rule is the policy for one SPF result. For ActionTempFail and
// ActionReject, Code, Enhanced and Text make the reply; zero values take
// the defaults: 451 or 550, the enhanced code of RFC 7372 for the result,
// and a text naming result, ip, sender and helo.
//
// Text may use {result}, {ip}, {sender}, {helo}, {domain}, {identity},
// {mechanism}, {explanation} (the exp= text, RFC 7208 §6.2) and {problem}
// (why temperror or permerror). The reply is kept on one line.
type Rule struct {
	Action   Action
	Code     int    // 4xx for ActionTempFail, 5xx for ActionReject
	Enhanced string // e.g. "5.7.23" (RFC 3463, RFC 7372)
	Text     string
}

// Policy maps an SPF result to its Rule.
type Policy map[spf.Result]Rule

// DefaultExplanation is the default explanation of a fail (an
// explain-string of RFC 7208 §6.2), after the seed's
// "550 SPF test returned fail ... ip= sender= helo=".
const DefaultExplanation = "SPF test returned fail for %{c}: ip=%{c} sender=%{s} helo=%{h}"

// The default reply text of a refusal other than fail.
const (
	defaultText      = "SPF test returned {result} for {ip}: ip={ip} sender={sender} helo={helo}"
	defaultErrorText = "SPF test returned {result} for {ip}: {problem}"
)

// DefaultPolicy returns the policy a Config gets for the results its
// Policy leaves out: fail → 550 5.7.23 with the explanation, temperror →
// 451 4.4.3, permerror → 550 5.7.24 (RFC 7372 §3.2), any other result
// accepted with the header fields.
func DefaultPolicy() Policy {
	return Policy{
		spf.Pass:      {Action: ActionHeader},
		spf.None:      {Action: ActionHeader},
		spf.Neutral:   {Action: ActionHeader},
		spf.Softfail:  {Action: ActionHeader},
		spf.Fail:      {Action: ActionReject, Code: 550, Enhanced: "5.7.23", Text: "{explanation}"},
		spf.TempError: {Action: ActionTempFail, Code: 451, Enhanced: "4.4.3", Text: defaultErrorText},
		spf.PermError: {Action: ActionReject, Code: 550, Enhanced: "5.7.24", Text: defaultErrorText},
	}
}

var results = []spf.Result{spf.Pass, spf.None, spf.Neutral, spf.Softfail, spf.Fail, spf.TempError, spf.PermError}

// resolve returns the complete policy: p over the defaults, every field of
// a refusing rule filled in. It reports a rule that cannot work.
func (p Policy) resolve() (Policy, error) {
	out := DefaultPolicy()
	for r, rule := range p {
		if !isResult(r) {
			return nil, fmt.Errorf("policy: %q is not an SPF result (RFC 7208 §2.6)", r)
		}
		if rule.Action == 0 {
			return nil, fmt.Errorf("policy for %s: no action", r)
		}
		if rule.Action > ActionReject {
			return nil, fmt.Errorf("policy for %s: unknown action %d", r, rule.Action)
		}
		if !rule.Action.Refuses() {
			if rule.Code != 0 || rule.Enhanced != "" || rule.Text != "" {
				return nil, fmt.Errorf("policy for %s: action %s sends no reply of its own, so takes no code or text", r, rule.Action)
			}
			out[r] = rule
			continue
		}
		class, code := 5, 550
		if rule.Action == ActionTempFail {
			class, code = 4, 451
		}
		if rule.Code == 0 {
			rule.Code = code
		}
		if rule.Code/100 != class || rule.Code%100 > 59 || rule.Code%100/10 > 5 {
			return nil, fmt.Errorf("policy for %s: code %d is not a %dxx reply for %s", r, rule.Code, class, rule.Action)
		}
		if rule.Enhanced == "" {
			rule.Enhanced = defaultEnhanced(r, class)
		}
		if err := parseEnhanced(rule.Enhanced, rule.Code); err != nil {
			return nil, fmt.Errorf("policy for %s: %w", r, err)
		}
		if rule.Text == "" {
			rule.Text = defaultRuleText(r)
		}
		if strings.ContainsAny(rule.Text, "\r\n") {
			return nil, fmt.Errorf("policy for %s: the text has a line break; replies are kept on one line", r)
		}
		out[r] = rule
	}
	return out, nil
}

func isResult(r spf.Result) bool {
	for _, x := range results {
		if x == r {
			return true
		}
	}
	return false
}

// defaultEnhanced is the enhanced code of a refusal (RFC 7372 §3.2).
func defaultEnhanced(r spf.Result, class int) string {
	switch {
	case r == spf.Fail:
		return fmt.Sprintf("%d.7.23", class)
	case r == spf.PermError:
		return fmt.Sprintf("%d.7.24", class)
	case r == spf.TempError && class == 4:
		return "4.4.3"
	case r == spf.TempError:
		return "5.7.24"
	}
	return fmt.Sprintf("%d.7.1", class)
}

func defaultRuleText(r spf.Result) string {
	switch r {
	case spf.Fail:
		return "{explanation}"
	case spf.TempError, spf.PermError:
		return defaultErrorText
	}
	return defaultText
}

// withDefaults returns c with every default filled in, or an error naming
// the field at fault.
func (c Config) withDefaults() (Config, Policy, error) {
	if c.Resolver == nil {
		return c, nil, errors.New("smtpsim: Config.Resolver is required")
	}
	if c.Hostname == "" {
		c.Hostname = "mail.example.com"
	}
	if !IsHostName(c.Hostname) {
		return c, nil, fmt.Errorf("smtpsim: Config.Hostname %q is not a host name", c.Hostname)
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:0"
	}
	if c.CheckAt > CheckAtMAIL {
		return c, nil, fmt.Errorf("smtpsim: Config.CheckAt: unknown check point %d", c.CheckAt)
	}
	if _, ok := voices[c.Personality]; !ok {
		return c, nil, fmt.Errorf("smtpsim: Config.Personality: unknown personality %d", c.Personality)
	}
	if c.Explanation == "" {
		c.Explanation = DefaultExplanation
	}
	if c.XClientTrusted == nil {
		c.XClientTrusted = loopback()
	}
	l := &c.Limits
	if l.PerIPExempt == nil {
		l.PerIPExempt = loopback()
	}
	if err := errors.Join(
		orDefault("Limits.MaxLineLength", &l.MaxLineLength, 2000),
		orDefault("Limits.MaxMessageBytes", &l.MaxMessageBytes, 1<<20),
		orDefault("Limits.MaxRecipients", &l.MaxRecipients, 100),
		orDefault("Limits.ReadTimeout", &l.ReadTimeout, 5*time.Minute),
		orDefault("Limits.WriteTimeout", &l.WriteTimeout, time.Minute),
		orDefault("Limits.DNSTimeout", &l.DNSTimeout, 20*time.Second),
		orDefault("Limits.MaxSessions", &l.MaxSessions, 100),
		orDefault("Limits.MaxSessionsPerIP", &l.MaxSessionsPerIP, 20),
		orDefault("Limits.GreetingTimeout", &l.GreetingTimeout, 30*time.Second),
		orDefault("Limits.MessageLineEvents", &l.MessageLineEvents, 0),
		orDefault("MailboxMessages", &c.MailboxMessages, 1000),
		orDefault("MailboxBytes", &c.MailboxBytes, 64<<20),
	); err != nil {
		return c, nil, err
	}
	if l.MaxLineLength < 512 {
		return c, nil, fmt.Errorf("smtpsim: Limits.MaxLineLength %d is below the 512 bytes of a command line (RFC 5321 §4.5.3.1.4)", l.MaxLineLength)
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	p, err := c.Policy.resolve()
	if err != nil {
		return c, nil, fmt.Errorf("smtpsim: %w", err)
	}
	return c, p, nil
}

// loopback is the networks of loopback addresses.
func loopback() []netip.Prefix {
	return []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// contains reports whether one of ps contains ip.
func contains(ps []netip.Prefix, ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range ps {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// orDefault sets *v to d when it is zero; a negative *v is an error.
func orDefault[T int | int64 | time.Duration](name string, v *T, d T) error {
	switch {
	case *v < 0:
		return fmt.Errorf("smtpsim: Config.%s is negative", name)
	case *v == 0:
		*v = d
	}
	return nil
}
