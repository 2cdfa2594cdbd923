package dmarc

import (
	"encoding/json"
	"strconv"
	"strings"
)

// A Listener receives the Events of an evaluation, in order, on the
// goroutine that runs it. A nil Listener costs nothing.
type Listener func(Event)

// EventKind says what step of a DMARC evaluation an Event reports.
type EventKind uint8

// The steps of an evaluation.
const (
	// EventAuthor: the Author Domains read from the From: header field
	// (RFC 9989 §5.3.1): Domains; or Reason when there is none to use.
	EventAuthor EventKind = iota + 1
	// EventDNS: one DNS query: QType, Name, Answers, and Err when it failed.
	EventDNS
	// EventRecord: the DMARC record of Domain, after a TXT answer at its
	// _dmarc name (RFC 9989 §4.10 steps 2 and 6): Record and its Problems,
	// or Reason why the answer holds none.
	EventRecord
	// EventOrgDomain: the Organizational Domain of Domain is OrgDomain
	// (RFC 9989 §4.10.2); Reason says by which rule.
	EventOrgDomain
	// EventPolicyDomain: policy discovery (RFC 9989 §4.10.1) chose the
	// record of PolicyDomain, or found none (PolicyDomain is "").
	EventPolicyDomain
	// EventExists: whether the Author Domain exists (RFC 9989 §3.2.13),
	// which decides between sp and np.
	EventExists
	// EventAlign: one Identifier Alignment comparison (RFC 9989 §4.4):
	// Method's identifier Domain against the Author Domain in Mode.
	EventAlign
	// EventPolicy: the policy tag that applies (RFC 9989 §4.10.1) and the
	// Disposition after t=y.
	EventPolicy
	// EventResult: the DMARC result for Author (RFC 9989 §5.3.5), or for the
	// whole message when Author is "" and it had several Author Domains.
	EventResult
)

var eventKindNames = [...]string{"", "author", "dns", "record", "org-domain", "policy-domain", "exists", "align", "policy", "result"}

func (k EventKind) String() string {
	if int(k) < len(eventKindNames) {
		return eventKindNames[k]
	}
	return "unknown"
}

// MarshalText names the kind in JSON.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Event is one step of an evaluation. Which fields are set depends on Kind;
// String words it, so every printer shows the same step in the same words.
type Event struct {
	Kind   EventKind `json:"kind"`
	Author string    `json:"author,omitempty"` // the Author Domain this step is for

	// EventAuthor
	Domains []string `json:"domains,omitempty"`

	// EventDNS. Answers is shared with the resolver: copy it before
	// changing it.
	QType   string   `json:"qtype,omitempty"`
	Name    string   `json:"name,omitempty"`
	Answers []string `json:"answers,omitempty"`
	Err     string   `json:"error,omitempty"` // the failure in words; for EventAlign, why it was not determined

	// Domain is the domain a step looks at: whose record (EventRecord),
	// whose Organizational Domain (EventOrgDomain), which identifier
	// (EventAlign).
	Domain string `json:"domain,omitempty"`

	// EventRecord
	Record   string    `json:"record,omitempty"`
	PSD      PSD       `json:"psd,omitempty"`
	Problems []Problem `json:"problems,omitempty"`

	OrgDomain    string `json:"org_domain,omitempty"`    // EventOrgDomain, EventAlign (relaxed)
	PolicyDomain string `json:"policy_domain,omitempty"` // EventPolicyDomain, EventPolicy
	Exists       bool   `json:"exists,omitempty"`        // EventExists

	// EventAlign: Method is "spf" or "dkim"; AuthResult is the method's
	// result for the identifier; an identifier that did not pass is not
	// compared (RFC 9989 §4.4.1, §4.4.2).
	Method      string    `json:"method,omitempty"`
	Selector    string    `json:"selector,omitempty"`
	AuthResult  string    `json:"auth_result,omitempty"`
	Mode        Alignment `json:"mode,omitempty"`
	AuthorOrg   string    `json:"author_org,omitempty"` // the Author Domain's Organizational Domain (relaxed)
	Aligned     bool      `json:"aligned,omitempty"`
	Identical   bool      `json:"identical,omitempty"`
	AsNone      bool      `json:"as_none,omitempty"` // EventPolicy: an invalid policy tag made the record count as p=none
	Tag         string    `json:"tag,omitempty"`     // EventPolicy: "p", "sp" or "np"
	Policy      Policy    `json:"policy,omitempty"`  // EventPolicy: the tag's value
	Testing     bool      `json:"testing,omitempty"` // EventPolicy: t=y lowered the policy
	Disposition Policy    `json:"disposition,omitempty"`

	// EventResult
	Result Result `json:"result,omitempty"`

	// Reason says why in words where the fields above do not.
	Reason string `json:"reason,omitempty"`
}

// String words the step, e.g. "SPF bounce.euston.net vs euston.net:
// relaxed, same organizational domain (euston.net) → aligned".
func (e *Event) String() string {
	switch e.Kind {
	case EventAuthor:
		switch {
		case e.Reason != "":
			return e.Reason
		case len(e.Domains) == 1:
			return "Author Domain " + e.Domains[0] + " (the domain of the From: address, RFC 9989 §5.3.1)"
		}
		return "Author Domains " + strings.Join(e.Domains, ", ") + ": each is evaluated and the strictest failing policy applies (RFC 9989 §11.5)"
	case EventDNS:
		if e.Err != "" {
			return e.QType + " " + e.Name + ": " + e.Err
		}
		q := make([]string, len(e.Answers))
		for i, a := range e.Answers {
			q[i] = strconv.Quote(a)
		}
		return e.QType + " " + e.Name + " → " + strings.Join(q, ", ")
	case EventRecord:
		if e.Record == "" {
			return e.Reason
		}
		s := e.Domain + " publishes a DMARC record"
		switch e.PSD {
		case PSDPublicSuffix:
			s += " with psd=y, a public suffix domain: the tree walk stops (RFC 9989 §4.10)"
		case PSDOrganizational:
			s += " with psd=n, an organizational domain: the tree walk stops (RFC 9989 §4.10)"
		}
		for _, p := range e.Problems {
			s += "; ignored: " + p.String()
		}
		return s
	case EventOrgDomain:
		return "organizational domain of " + e.Domain + ": " + e.OrgDomain + " (" + e.Reason + ")"
	case EventPolicyDomain:
		if e.PolicyDomain == "" {
			return "no DMARC record for " + e.Author + " or the domains above it: DMARC does not apply (RFC 9989 §4.10.1)"
		}
		return "policy record: _dmarc." + e.PolicyDomain + " (" + e.Reason + ")"
	case EventExists:
		if e.Exists {
			return e.Author + " exists: the subdomain policy sp applies (RFC 9989 §3.2.13)"
		}
		return e.Author + " does not exist (NXDOMAIN): the policy for non-existent subdomains np applies (RFC 9989 §3.2.13)"
	case EventAlign:
		return e.alignText()
	case EventPolicy:
		s := "policy " + e.Tag + "=" + string(e.Policy) + " of " + e.PolicyDomain
		if e.AsNone {
			s = "a policy tag of " + e.PolicyDomain + " is not valid but rua is: the record counts as p=none (RFC 9989 §4.10.1)"
		}
		if e.Testing {
			s += ", t=y asks for one level below (RFC 9989 §4.7)"
		}
		return s + " → " + string(e.Disposition)
	case EventResult:
		who := "DMARC " + string(e.Result)
		if e.Author != "" {
			who += " for " + e.Author
		}
		s := who + ": " + e.Reason
		if e.Result == Fail {
			s += " → " + string(e.Disposition)
		}
		return s
	}
	return e.Reason
}

func (e *Event) alignText() string {
	id := strings.ToUpper(e.Method) + " "
	if e.Method == "dkim" {
		id += "d="
	}
	id += e.Domain
	if e.Selector != "" {
		id += " s=" + e.Selector
	}
	if e.AuthResult != "pass" {
		return id + ": " + e.AuthResult + ", not an authenticated identifier → not aligned"
	}
	s := id + " vs " + e.Author + ": " + string(e.Mode) + ", "
	switch {
	case e.Err != "":
		return s + e.Err + " → not determined"
	case e.Reason != "":
		s += e.Reason
	case e.Identical:
		s += "identical"
	case e.Mode == Strict:
		s += "not identical"
	case e.Aligned:
		s += "same organizational domain (" + e.OrgDomain + ")"
	default:
		s += "organizational domains differ (" + e.OrgDomain + ", " + e.AuthorOrg + ")"
	}
	if e.Aligned {
		return s + " → aligned"
	}
	return s + " → not aligned"
}

// MarshalJSON writes the event with its words (String) as "text".
func (e Event) MarshalJSON() ([]byte, error) {
	type event Event // without the method
	return json.Marshal(struct {
		event
		Text string `json:"text"`
	}{event(e), e.String()})
}
