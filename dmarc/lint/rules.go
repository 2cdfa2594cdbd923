package lint

import (
	"fmt"

	"spflab/finding"
)

// ruleID identifies a rule inside this package; its number is the
// number of the rule's ID.
type ruleID int

// The rules. A rule keeps its number forever.
const (
	ruleNoRecord ruleID = iota + 1
	ruleMultipleRecords
	ruleLookupFailed
	ruleInvalidTag
	ruleUnknownTag
	ruleRemovedTag
	ruleObsoleteSize
	ruleReportURI
	ruleExternalDestination
	rulePolicyNone
	ruleWeakerSubdomainPolicy
	ruleTesting

	ruleEnd // one past the last rule: new rules go before it
)

// rules holds every rule by number; ID is filled in from the number, RFC
// is 9989 unless given.
var rules = numbered([...]finding.Rule{
	ruleNoRecord: {Name: "no-record", Severity: finding.SeverityError, Section: "4.10.1",
		Summary: "no DMARC record applies to the domain: receivers apply no policy to mail that uses it in From: (result none)"},
	ruleMultipleRecords: {Name: "multiple-records", Severity: finding.SeverityError, Section: "4.10",
		Summary: "a _dmarc name holds more than one DMARC record: receivers discard them all"},
	ruleLookupFailed: {Name: "lookup-failed", Severity: finding.SeverityError, Section: "4.10",
		Summary: "a DNS lookup the record needs fails: receivers get temperror, or send no reports"},
	ruleInvalidTag: {Name: "invalid-tag", Severity: finding.SeverityError, Section: "4.8",
		Summary: "a tag or value does not follow the record's grammar: receivers ignore it and use the default"},
	ruleUnknownTag: {Name: "unknown-tag", Severity: finding.SeverityWarning, Section: "4.7",
		Summary: "a tag RFC 9989 does not define: receivers ignore it"},
	ruleRemovedTag: {Name: "removed-tag", Severity: finding.SeverityWarning, Section: "C.5.2",
		Summary: "pct, rf or ri: tags of RFC 7489 that RFC 9989 removed; receivers ignore them"},
	ruleObsoleteSize: {Name: "obsolete-size", Severity: finding.SeverityInfo, Section: "4.8",
		Summary: "a report URI ends in the obsolete !size suffix, which reporters ignore"},
	ruleReportURI: {Name: "report-uri", Severity: finding.SeverityWarning, Section: "4.7",
		Summary: "a rua or ruf URI is not a mailto: address: receivers need support only mailto:"},
	ruleExternalDestination: {Name: "external-destination", Severity: finding.SeverityWarning, RFC: 9990, Section: "3",
		Summary: "reports go to another organization's domain that has not published its consent at <domain>._report._dmarc.<destination>"},
	rulePolicyNone: {Name: "policy-none", Severity: finding.SeverityInfo, Section: "4.7",
		Summary: "p=none only monitors: mail that fails DMARC is delivered as if there were no record"},
	ruleWeakerSubdomainPolicy: {Name: "weaker-subdomain-policy", Severity: finding.SeverityInfo, Section: "4.7",
		Summary: "sp or np asks for less than p: subdomains, or names that do not exist, are protected less than the domain"},
	ruleTesting: {Name: "testing", Severity: finding.SeverityInfo, Section: "4.7",
		Summary: "t=y: receivers apply one level less than the policy while the domain tests"},
})

func numbered(rs [ruleEnd]finding.Rule) [ruleEnd]finding.Rule {
	for i := 1; i < len(rs); i++ {
		rs[i].ID = fmt.Sprintf("DMARC-L%03d", i)
		if rs[i].RFC == 0 {
			rs[i].RFC = 9989
		}
	}
	return rs
}

// Rules returns every rule lint checks, in the order of their IDs.
func Rules() []finding.Rule { return append([]finding.Rule(nil), rules[1:]...) }
