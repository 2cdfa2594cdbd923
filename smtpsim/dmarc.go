package smtpsim

import (
	"cmp"
	"strconv"
	"strings"

	"spflab/dkim"
	"spflab/dmarc"
	"spflab/spf"
)

// DMARCPolicy says whether the server authenticates the header From at the
// end of DATA and how it refuses. With Check set, the server reads the
// From: field (RFC 5322 §3.6.2), verifies the message's DKIM signatures
// (RFC 6376) with its Resolver, evaluates DMARC (RFC 9989) with the SPF
// result of the MAIL FROM identity and the DKIM results, adds dkim= and
// dmarc= clauses to Authentication-Results (RFC 8601), and applies the
// disposition: reject refuses the message with "550 5.7.26" (RFC 7372
// §3.4), quarantine accepts it marked (Message.Quarantined and a
// QuarantineField), none accepts it. The zero value checks nothing.
type DMARCPolicy struct {
	Check bool
	// RejectText is the text of the 550 5.7.26 reply; {domain} is the
	// Author Domain. "" means DefaultDMARCRejectText.
	RejectText string
}

// DefaultDMARCRejectText is the text of the refusal of a message whose
// Author Domain asks for reject.
const DefaultDMARCRejectText = "Unauthenticated email from {domain} is not accepted due to domain's DMARC policy"

// QuarantineField is the header field that marks a message the DMARC
// quarantine disposition applied to (RFC 9989 §5.3.5: the receiver treats
// it as suspicious; the lab's mailbox only marks it).
const QuarantineField = "X-Spflab-Quarantine"

// DMARCDecision is the DMARC result of a message and what the server does
// with it at the end of DATA.
type DMARCDecision struct {
	Result dmarc.Result `json:"result"`
	// Author is the Author Domain that decided (RFC 9989 §3.2.2); "" when
	// the From: field gave none.
	Author string `json:"author,omitempty"`
	// PolicyDomain is where the DMARC record that applied was found.
	PolicyDomain string `json:"policy_domain,omitempty"`
	// Disposition is the policy applied: none, quarantine or reject
	// (RFC 9989 §9.1, policy.dmarc).
	Disposition dmarc.Policy `json:"disposition"`
	// Problem says why the result is temperror or permerror, or that the
	// message's header could not be read for DKIM.
	Problem string `json:"problem,omitempty"`
	// Reply is the refusal, for the reject disposition.
	Reply *Reply `json:"reply,omitempty"`
}

// Quarantined reports whether the message is accepted into quarantine.
func (d *DMARCDecision) Quarantined() bool { return d.Disposition == dmarc.PolicyQuarantine }

// Words says what the policy did: "policy: DMARC fail for euston.net,
// disposition reject → refuse (5xx) after DATA (550 5.7.26)".
func (d *DMARCDecision) Words() spf.Words {
	w := spf.Words{{Text: "policy: DMARC ", Role: spf.RoleLabel}, {Text: string(d.Result), Role: spf.RoleResult}}
	if d.Author != "" {
		w = append(w, spf.Part{Text: " for " + d.Author, Role: spf.RoleText})
	}
	if d.Result == dmarc.Fail {
		w = append(w, spf.Part{Text: ", disposition " + string(d.Disposition), Role: spf.RoleText})
	}
	switch {
	case d.Reply != nil:
		w = append(w, spf.Part{Text: " → refuse (5xx) after DATA (" + strconv.Itoa(d.Reply.Code) + " " + d.Reply.Enhanced + ")", Role: spf.RoleText})
	case d.Quarantined():
		w = append(w, spf.Part{Text: " → accept into quarantine, marked " + QuarantineField, Role: spf.RoleWarn})
	default:
		w = append(w, spf.Part{Text: " → accept", Role: spf.RoleText})
	}
	if d.Problem != "" {
		w = append(w, spf.Part{Text: ": " + d.Problem, Role: spf.RoleDetail})
	}
	return w
}

// authentication is what the end-of-DATA checks found about a message.
type authentication struct {
	sigs     []dkim.Signature
	outcome  dmarc.Outcome
	decision *DMARCDecision
}

// authenticate verifies the DKIM signatures of a message, evaluates DMARC
// for its From: field and decides by the disposition, reporting each step.
func (s *session) authenticate(message []byte) *authentication {
	c := s.c
	cfg := &c.srv.cfg
	v := dkim.Verifier{Resolver: cfg.Resolver}
	ck := dmarc.Checker{Resolver: cfg.Resolver}
	if cfg.OnEvent != nil {
		v.Listener = func(e dkim.Event) { c.emit(Event{Kind: EventDKIM, DKIM: &e}) }
		ck.Listener = func(e dmarc.Event) { c.emit(Event{Kind: EventDMARC, DMARC: &e}) }
	}
	ctx := c.dnsContext()
	defer ctx.stop()
	a := &authentication{}
	sigs, dkimErr := v.Verify(ctx, message)
	a.sigs = sigs
	a.outcome = ck.Check(ctx, dmarc.NewMessage(message, s.spfForDMARC(), sigs))
	a.decision = c.srv.decideDMARC(a.outcome)
	if dkimErr != nil && a.decision.Problem == "" {
		a.decision.Problem = dkimErr.Error()
	}
	c.emit(Event{Kind: EventDMARCPolicy, DMARCPolicy: a.decision})
	return a
}

// spfForDMARC is the SPF result DMARC uses: that of the MAIL FROM
// identity, or of the HELO name for the null sender (RFC 9989 §4.4.2).
func (s *session) spfForDMARC() dmarc.SPF {
	if d := s.mailDec; d != nil {
		return dmarc.SPF{Domain: d.Outcome.Domain, Result: string(d.Outcome.Result)}
	}
	return dmarc.SPF{Result: string(spf.None)}
}

// decideDMARC applies the disposition of an outcome.
func (srv *Server) decideDMARC(o dmarc.Outcome) *DMARCDecision {
	d := &DMARCDecision{Result: o.Result, Author: o.AuthorDomain, PolicyDomain: o.PolicyDomain, Disposition: cmp.Or(o.Disposition, dmarc.PolicyNone)}
	if o.Err != nil {
		d.Problem = o.Err.Error()
	}
	if d.Disposition == dmarc.PolicyReject {
		text := strings.ReplaceAll(cmp.Or(srv.cfg.DMARC.RejectText, DefaultDMARCRejectText), "{domain}", o.AuthorDomain)
		d.Reply = &Reply{Code: 550, Enhanced: "5.7.26", Lines: []string{oneLine(text)}}
	}
	return d
}

// clauses returns the dkim= clause of each signature and the dmarc= clause
// of Authentication-Results (RFC 8601 §2.7); nil without the checks.
func (a *authentication) clauses() []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, sig := range a.sigs {
		out = append(out, dkim.AuthResultsClause(sig))
	}
	return append(out, dmarc.AuthResultsClause(a.outcome))
}

// fields returns the QuarantineField of a quarantined message, nil for
// any other.
func (a *authentication) fields() []Field {
	if a == nil || !a.decision.Quarantined() {
		return nil
	}
	return []Field{{QuarantineField, "DMARC " + string(a.outcome.Result) + " for " + headerSafe(a.outcome.AuthorDomain) + ", policy " + string(a.decision.Disposition)}}
}
