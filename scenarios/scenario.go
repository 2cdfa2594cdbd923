package scenarios

import (
	"net/netip"
	"slices"
	"strings"

	"spflab/dkim"
	"spflab/dmarc"
	"spflab/fakedns"
	"spflab/smtpsim"
	"spflab/spf"
)

// File is a loaded scenarios file: its lessons in the order written.
type File struct {
	Name      string // the file name used in errors and reports
	Scenarios []*Scenario
}

// Lookup returns the scenario with the given id, or nil.
func (f *File) Lookup(id string) *Scenario {
	for _, s := range f.Scenarios {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// IDs returns the ids of the scenarios in file order.
func (f *File) IDs() []string {
	ids := make([]string, len(f.Scenarios))
	for i, s := range f.Scenarios {
		ids[i] = s.ID
	}
	return ids
}

// Scenario is one lesson: DNS zones, a server, a client address and a
// scripted dialogue with narration and expectations. A loaded Scenario is
// read-only and may be run by several Runners at once.
type Scenario struct {
	ID      string // unique in its file; letters, digits, "-", "_", "."
	Title   string
	Summary string // one line
	Lesson  string // the narration shown before the first step; may be ""
	// Client is the address the lab gives the client with XCLIENT ADDR:
	// the address the server believes it talks to (IPv4 or IPv6).
	Client netip.Addr
	Server Server
	// Zone is everything the lesson's DNS answers: the zone files, then
	// the file's default zones, then the scenario's own zones, a name
	// listed later replacing the records of that name listed earlier.
	Zone     *fakedns.Zone
	Dialogue []DialogueStep
	// Signers are the DKIM keys the lab signs the lesson's messages with
	// (a data: step's sign:); each key's record is in Zone.
	Signers []Signer

	File string // where the scenario was loaded from
	Line int    // the line of its first key
}

// Server is how the lesson's SMTP server behaves; Config turns it into an
// smtpsim.Config.
type Server struct {
	// Hostname is the server's name in its greeting and header fields.
	Hostname string
	// Personality is the MTA whose words the server's replies use
	// (sendmail, Postfix or go-smtp); the codes are the same for all.
	Personality smtpsim.Personality
	// CheckAt is the command where the MAIL FROM identity is checked and
	// the policy decides (RFC 7208 §2.4 leaves the moment to the receiver).
	CheckAt smtpsim.CheckPoint
	// CheckHELO also checks the HELO identity at HELO/EHLO (RFC 7208 §2.3).
	CheckHELO bool
	// SenderDomainCheck refuses at MAIL a sender domain with no A, AAAA or
	// MX record (553 5.1.8, as in the seed article).
	SenderDomainCheck bool
	// Explanation is the explain-string of a fail whose record has no
	// exp= (RFC 7208 §6.2); "" is smtpsim.DefaultExplanation.
	Explanation string
	// Policy is what the server does with each SPF result; results it
	// leaves out follow smtpsim.DefaultPolicy.
	Policy smtpsim.Policy
	// DMARC verifies DKIM and evaluates DMARC at the end of each message
	// and applies the disposition (smtpsim.DMARCPolicy): reject refuses
	// with 550 5.7.26, quarantine marks the stored message.
	DMARC bool
}

// Config returns the smtpsim configuration of the server answering from
// resolver.
func (s Server) Config(resolver spf.Resolver) smtpsim.Config {
	return smtpsim.Config{
		Hostname:                 s.Hostname,
		Personality:              s.Personality,
		Resolver:                 resolver,
		CheckAt:                  s.CheckAt,
		CheckHELO:                s.CheckHELO,
		AllowUnknownSenderDomain: !s.SenderDomainCheck,
		Policy:                   s.Policy,
		Explanation:              s.Explanation,
		DMARC:                    smtpsim.DMARCPolicy{Check: s.DMARC},
	}
}

// checks reports whether a command verb can trigger an SPF check.
func (s Server) checks(verb string) bool {
	switch verb {
	case "HELO", "EHLO":
		return s.CheckHELO
	case "MAIL":
		return s.CheckAt == smtpsim.CheckAtMAIL
	case "RCPT":
		return s.CheckAt == smtpsim.CheckAtRCPT
	}
	return false
}

// StepKind says what a dialogue step does.
type StepKind uint8

// The kinds of dialogue steps.
const (
	// StepSay only narrates: nothing is sent.
	StepSay StepKind = iota + 1
	// StepSend sends Line, exactly as written, and reads the reply.
	StepSend
	// StepData sends Data as the message after DATA's 354 reply (line
	// endings made CRLF, dot-stuffed, ended by "."; RFC 5321 §4.5.2) and
	// reads the reply.
	StepData
)

var stepKindNames = [...]string{"", "say", "send", "data"}

func (k StepKind) String() string {
	if int(k) < len(stepKindNames) && k > 0 {
		return stepKindNames[k]
	}
	return "unknown"
}

// MarshalText names the kind in JSON.
func (k StepKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// DialogueStep is one step of a lesson's dialogue, as written.
type DialogueStep struct {
	Kind StepKind `json:"kind"`
	// Narration is told before the step: what the server is about to do
	// and why.
	Narration string `json:"narration,omitempty"`
	Line      string `json:"line,omitempty"` // StepSend: the raw line
	Data      string `json:"data,omitempty"` // StepData: the message
	// Notice is told after the reply: what to notice in it and in the SPF
	// steps.
	Notice string `json:"notice,omitempty"`
	Expect Expect `json:"expect"`

	// StepData: the domains of the Scenario.Signers the lab signs the
	// message with, in order (each signature goes on top), and what then
	// changes in transit: "body" (one byte of the body) or "subject" (a
	// mailing list's tag in the Subject).
	Sign   []string `json:"sign,omitempty"`
	Tamper string   `json:"tamper,omitempty"`
	// Wire is the message the lab sends, signed and changed as Sign and
	// Tamper say, made once at load; "" when the step does neither and
	// sends Data. Tampered says in words what changed in transit.
	Wire     string `json:"-"`
	Tampered string `json:"tampered,omitempty"`

	SourceLine int `json:"source_line"` // the line of the step in its file

	signLine, tamperLine int // the lines of sign: and tamper:
}

// Message returns the message a data: step sends: Wire, else Data.
func (s *DialogueStep) Message() string {
	if s.Wire != "" {
		return s.Wire
	}
	return s.Data
}

// Verb returns the command verb of a StepSend line in upper case ("MAIL"),
// "" for other steps.
func (s *DialogueStep) Verb() string {
	if s.Kind != StepSend {
		return ""
	}
	v, _, _ := strings.Cut(strings.TrimLeft(s.Line, " \t"), " ")
	v, _, _ = strings.Cut(v, ":") // "MAIL From:x" has the verb "MAIL"
	return strings.ToUpper(v)
}

// Arg returns the argument of a StepSend line as the server reads it: the
// domain of "HELO mail.euston.net", the address of
// "MAIL From: <honeypot@euston.net> SIZE=100" without its brackets, "<>"
// for the null sender; "" when the line has none.
func (s *DialogueStep) Arg() string {
	verb := s.Verb()
	if verb == "" {
		return ""
	}
	rest := strings.TrimLeft(s.Line, " \t")[len(verb):]
	if verb == "MAIL" || verb == "RCPT" {
		_, rest, _ = strings.Cut(rest, ":")
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return ""
	}
	if fields[0] == "<>" {
		return "<>"
	}
	return strings.TrimSuffix(strings.TrimPrefix(fields[0], "<"), ">")
}

// Expect holds the expectations of a step; a zero field expects nothing.
type Expect struct {
	Code     int        `json:"code,omitempty"`     // the reply code, e.g. 550
	Enhanced string     `json:"enhanced,omitempty"` // the enhanced status code (RFC 3463), e.g. "5.7.23"
	Text     string     `json:"text,omitempty"`     // text the reply contains
	SPF      spf.Result `json:"spf,omitempty"`      // the result of the SPF check the step triggers
	// Headers are header fields the stored message has: "Name", or
	// "Name: text" for a field of that name whose value contains text.
	Headers []string `json:"headers,omitempty"`
	// RDNS is the client's forward-confirmed reverse name the server found
	// at HELO/EHLO, "none" for none: where a lying HELO shows.
	RDNS string `json:"rdns,omitempty"`
	// DKIM is the verdict on each DKIM signature of the message, in header
	// order (RFC 8601 §2.7.1; one none for an unsigned message), and DMARC
	// the message's DMARC result (RFC 9989 §9.2), with server.dmarc.
	DKIM  []dkim.Result `json:"dkim,omitempty"`
	DMARC dmarc.Result  `json:"dmarc,omitempty"`

	Lines map[string]int `json:"-"` // the source line of each expectation, by key
}

// empty reports whether e expects nothing.
func (e *Expect) empty() bool {
	return e.Code == 0 && e.Enhanced == "" && e.Text == "" && e.SPF == "" && len(e.Headers) == 0 && e.RDNS == "" &&
		len(e.DKIM) == 0 && e.DMARC == ""
}

// Signer is a DKIM signing key of a lesson (its dkim: list): the lab signs
// a data: step's message with it when the step's sign: names Domain.
type Signer struct {
	Domain   string // d=, the Signing Domain (RFC 6376 §3.5)
	Selector string // s= (RFC 6376 §3.1)
	Key      *dkim.Key
	// Seeded says the key is the Ed25519 key made from the seed: text
	// (the same on every load), not a key: in PEM.
	Seeded bool
}

// KeyName is where the signer's public key is published:
// selector._domainkey.domain (RFC 6376 §3.6.2.1).
func (s *Signer) KeyName() string { return s.Selector + "._domainkey." + s.Domain }

// Signer returns the scenario's signer for a domain, or nil.
func (sc *Scenario) Signer(domain string) *Signer {
	for i := range sc.Signers {
		if strings.EqualFold(sc.Signers[i].Domain, strings.TrimSuffix(domain, ".")) {
			return &sc.Signers[i]
		}
	}
	return nil
}

// Record is the SPF record a domain of a lesson publishes.
type Record struct {
	Domain string
	Text   string
}

// Records returns the SPF records the lesson's zone publishes, by domain:
// the records a viewer offers to edit.
func (s *Scenario) Records() []Record {
	var out []Record
	for _, name := range s.Zone.Names() {
		for _, t := range s.Zone.TXT(name) {
			if spf.IsSPFRecord(t) {
				out = append(out, Record{Domain: name, Text: t})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Record) int { return strings.Compare(a.Domain, b.Domain) })
	return out
}
