package lint

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"spflab/dmarc"
	"spflab/finding"
)

// Report is what a lint of a domain's DMARC record found: the record that
// applies and where policy discovery found it, the discovery step by step,
// the report destinations and the findings.
type Report struct {
	Domain string `json:"domain"`
	// PolicyDomain is where the record that applies was found: the domain,
	// or above it (RFC 9989 §4.10.1); "" when none applies.
	PolicyDomain string `json:"policy_domain,omitempty"`
	// OrgDomain is the domain's Organizational Domain (RFC 9989 §4.10.2),
	// when discovery got that far.
	OrgDomain string `json:"org_domain,omitempty"`
	Record    string `json:"record,omitempty"` // the record that applies
	// Trace is policy discovery, step by step: each query and answer, each
	// record, the Organizational Domain.
	Trace []dmarc.Event `json:"trace"`
	// Destinations are the record's rua and ruf URIs, in order.
	Destinations []Destination     `json:"destinations"`
	Findings     []finding.Finding `json:"findings"`

	discoveryFailed bool
}

// Destination is one report URI of the record (rua or ruf) and whether
// reports may go there (RFC 9990 §3).
type Destination struct {
	Tag  string `json:"tag"` // "rua" or "ruf"
	URI  string `json:"uri"`
	Host string `json:"host,omitempty"` // the domain of a mailto: address
	// External says Host is in another organization: its Organizational
	// Domain is not the policy domain's.
	External bool `json:"external"`
	// Consent is the name where an external Host consents to the reports:
	// <policy domain>._report._dmarc.<host>.
	Consent string `json:"consent,omitempty"`
	// Authorised says reports may go there: Host is in the same
	// organization, or has consented.
	Authorised bool `json:"authorised"`
	// Problem says why reports may not go there, or what failed.
	Problem string `json:"problem,omitempty"`

	lookupFailed bool
}

// String says where reports go and whether they may: "rua
// mailto:d@example.net: example.net, another organization, consents at
// TXT example.com._report._dmarc.example.net".
func (d *Destination) String() string {
	s := d.Tag + " " + d.URI + ": "
	switch {
	case d.Host == "":
		return s + d.Problem
	case d.External && d.Problem != "":
		return s + d.Host + ", another organization: " + d.Problem
	case d.Problem != "":
		return s + d.Host + ": " + d.Problem
	case !d.External:
		return s + d.Host + ", the same organization"
	}
	return s + d.Host + ", another organization, consents at TXT " + d.Consent
}

func (rep *Report) add(f finding.Finding) { rep.Findings = append(rep.Findings, f) }

// Headline says which record applies to the domain and where it was
// found: `DMARC policy for example.com: "v=DMARC1; p=reject" at
// _dmarc.example.com (organizational domain example.com)`.
func (rep *Report) Headline() string {
	s := "DMARC policy for " + rep.Domain + ": "
	switch {
	case rep.Record != "":
		s += strconv.Quote(rep.Record) + " at _dmarc." + rep.PolicyDomain
	case rep.discoveryFailed:
		s += "not known, a lookup failed"
	default:
		s += "none found"
	}
	if rep.OrgDomain != "" {
		s += " (organizational domain " + rep.OrgDomain + ")"
	}
	return s
}

// WriteText writes rep for a terminal: the headline, policy discovery step
// by step, the report destinations, then each finding with a caret under
// its column and its fix, and the counts.
func WriteText(w io.Writer, rep *Report) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, rep.Headline())
	for i := range rep.Trace {
		fmt.Fprintln(bw, "  "+rep.Trace[i].String())
	}
	if len(rep.Destinations) > 0 {
		fmt.Fprintln(bw, "report destinations:")
		for i := range rep.Destinations {
			fmt.Fprintln(bw, "  "+rep.Destinations[i].String())
		}
	}
	if err := finding.WriteText(bw, rep.Findings); err != nil {
		return err
	}
	fmt.Fprintf(bw, "\n%s\n", finding.Counts(rep.Findings))
	return bw.Flush()
}

// WriteJSON writes rep as indented JSON; every key is snake_case.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// WriteSARIF writes rep as a SARIF 2.1.0 log of one run: every rule in
// the driver, every finding a result at its _dmarc name's TXT records
// (finding.ArtifactURI), line 1, the finding's column.
func WriteSARIF(w io.Writer, rep *Report) error {
	return finding.WriteSARIF(w, Rules(), rep.Findings)
}
