package dmarc

import (
	"encoding/json"
	"strconv"
	"strings"

	"spflab/spf"
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
// relaxed, same organizational domain (euston.net) → aligned". Words
// gives the same words in parts.
func (e *Event) String() string { return e.Words().String() }

// Words words the step in parts with the roles a viewer colours
// (spf.Part): the concatenated text is String.
func (e *Event) Words() spf.Words {
	switch e.Kind {
	case EventAuthor:
		switch {
		case e.Reason != "":
			return spf.Words{{Text: e.Reason, Role: spf.RoleBad}}
		case len(e.Domains) == 1:
			return spf.Words{{Text: "Author Domain ", Role: spf.RoleLabel}, {Text: e.Domains[0], Role: spf.RoleSubject},
				{Text: " (the domain of the From: address, RFC 9989 §5.3.1)", Role: spf.RoleDetail}}
		}
		return spf.Words{{Text: "Author Domains ", Role: spf.RoleLabel}, {Text: strings.Join(e.Domains, ", "), Role: spf.RoleSubject},
			{Text: ": each is evaluated and the strictest failing policy applies (RFC 9989 §11.5)", Role: spf.RoleDetail}}
	case EventDNS:
		w := spf.Words{{Text: e.QType + " ", Role: spf.RoleLabel}, {Text: e.Name, Role: spf.RoleText}}
		if e.Err != "" {
			return append(w, spf.Part{Text: ": " + e.Err, Role: spf.RoleDetail})
		}
		q := make([]string, len(e.Answers))
		for i, a := range e.Answers {
			q[i] = strconv.Quote(a)
		}
		return append(w, spf.Part{Text: " → " + strings.Join(q, ", "), Role: spf.RoleText})
	case EventRecord:
		if e.Record == "" {
			return spf.Words{{Text: e.Reason, Role: spf.RoleDetail}}
		}
		w := spf.Words{{Text: e.Domain, Role: spf.RoleSubject}, {Text: " publishes a DMARC record", Role: spf.RoleText}}
		switch e.PSD {
		case PSDPublicSuffix:
			w = append(w, spf.Part{Text: " with psd=y, a public suffix domain: the tree walk stops (RFC 9989 §4.10)", Role: spf.RoleDetail})
		case PSDOrganizational:
			w = append(w, spf.Part{Text: " with psd=n, an organizational domain: the tree walk stops (RFC 9989 §4.10)", Role: spf.RoleDetail})
		}
		for _, p := range e.Problems {
			w = append(w, spf.Part{Text: "; ignored: " + p.String(), Role: spf.RoleWarn})
		}
		return w
	case EventOrgDomain:
		return spf.Words{{Text: "organizational domain of ", Role: spf.RoleLabel}, {Text: e.Domain, Role: spf.RoleSubject},
			{Text: ": ", Role: spf.RoleText}, {Text: e.OrgDomain, Role: spf.RoleSubject}, {Text: " (" + e.Reason + ")", Role: spf.RoleDetail}}
	case EventPolicyDomain:
		if e.PolicyDomain == "" {
			return spf.Words{{Text: "no DMARC record for ", Role: spf.RoleLabel}, {Text: e.Author, Role: spf.RoleSubject},
				{Text: " or the domains above it: DMARC does not apply (RFC 9989 §4.10.1)", Role: spf.RoleDetail}}
		}
		return spf.Words{{Text: "policy record: ", Role: spf.RoleLabel}, {Text: "_dmarc." + e.PolicyDomain, Role: spf.RoleSubject},
			{Text: " (" + e.Reason + ")", Role: spf.RoleDetail}}
	case EventExists:
		w := spf.Words{{Text: e.Author, Role: spf.RoleSubject}}
		if e.Exists {
			return append(w, spf.Part{Text: " exists: the subdomain policy sp applies (RFC 9989 §3.2.13)", Role: spf.RoleText})
		}
		return append(w, spf.Part{Text: " does not exist (NXDOMAIN)", Role: spf.RoleWarn},
			spf.Part{Text: ": the policy for non-existent subdomains np applies (RFC 9989 §3.2.13)", Role: spf.RoleText})
	case EventAlign:
		return e.alignWords()
	case EventPolicy:
		var w spf.Words
		if e.AsNone {
			w = spf.Words{{Text: "a policy tag of " + e.PolicyDomain + " is not valid but rua is: the record counts as p=none (RFC 9989 §4.10.1)", Role: spf.RoleWarn}}
		} else {
			w = spf.Words{{Text: "policy ", Role: spf.RoleLabel}, {Text: e.Tag + "=" + string(e.Policy), Role: spf.RoleSubject},
				{Text: " of " + e.PolicyDomain, Role: spf.RoleText}}
		}
		if e.Testing {
			w = append(w, spf.Part{Text: ", t=y asks for one level below (RFC 9989 §4.7)", Role: spf.RoleDetail})
		}
		return append(w, spf.Part{Text: " → ", Role: spf.RoleText}, spf.Part{Text: string(e.Disposition), Role: dispositionRole(e.Disposition)})
	case EventResult:
		w := spf.Words{{Text: "DMARC ", Role: spf.RoleLabel}, {Text: string(e.Result), Role: spf.RoleResult}}
		if e.Author != "" {
			w = append(w, spf.Part{Text: " for " + e.Author, Role: spf.RoleText})
		}
		w = append(w, spf.Part{Text: ": " + e.Reason, Role: spf.RoleDetail})
		if e.Result == Fail {
			w = append(w, spf.Part{Text: " → ", Role: spf.RoleText}, spf.Part{Text: string(e.Disposition), Role: dispositionRole(e.Disposition)})
		}
		return w
	}
	return spf.Words{{Text: e.Reason, Role: spf.RoleText}}
}

// dispositionRole is the role of a disposition's word: what a receiver
// does to the message is worth noticing unless it is nothing.
func dispositionRole(p Policy) spf.Role {
	switch p {
	case PolicyReject:
		return spf.RoleBad
	case PolicyQuarantine:
		return spf.RoleWarn
	}
	return spf.RoleText
}

// alignWords words an EventAlign: the identifier, the Author Domain, the
// mode, the comparison and the verdict.
func (e *Event) alignWords() spf.Words {
	id := strings.ToUpper(e.Method) + " "
	if e.Method == "dkim" {
		id += "d="
	}
	id += e.Domain
	if e.Selector != "" {
		id += " s=" + e.Selector
	}
	notAligned := spf.Part{Text: " → not aligned", Role: spf.RoleNoMatch}
	if e.AuthResult != "pass" {
		return spf.Words{{Text: id, Role: spf.RoleSubject}, {Text: ": ", Role: spf.RoleText}, {Text: e.AuthResult, Role: spf.RoleResult},
			{Text: ", not an authenticated identifier", Role: spf.RoleDetail}, notAligned}
	}
	w := spf.Words{{Text: id, Role: spf.RoleSubject}, {Text: " vs ", Role: spf.RoleText}, {Text: e.Author, Role: spf.RoleSubject},
		{Text: ": " + string(e.Mode) + ", ", Role: spf.RoleText}}
	var how string
	switch {
	case e.Err != "":
		return append(w, spf.Part{Text: e.Err, Role: spf.RoleBad}, spf.Part{Text: " → not determined", Role: spf.RoleWarn})
	case e.Reason != "":
		how = e.Reason
	case e.Identical:
		how = "identical"
	case e.Mode == Strict:
		how = "not identical"
	case e.Aligned:
		how = "same organizational domain (" + e.OrgDomain + ")"
	default:
		how = "organizational domains differ (" + e.OrgDomain + ", " + e.AuthorOrg + ")"
	}
	w = append(w, spf.Part{Text: how, Role: spf.RoleDetail})
	if e.Aligned {
		return append(w, spf.Part{Text: " → aligned", Role: spf.RoleMatch})
	}
	return append(w, notAligned)
}

// MarshalJSON writes the event with its words (String) as "text".
func (e Event) MarshalJSON() ([]byte, error) {
	type event Event // without the method
	return json.Marshal(struct {
		event
		Text string `json:"text"`
	}{event(e), e.String()})
}
