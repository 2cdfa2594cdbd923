package lint

import (
	"fmt"

	"spflab/finding"
)

// Severity says how bad a Finding is.
type Severity = finding.Severity

// The severities of a Finding, from the worst.
const (
	SeverityError   = finding.SeverityError
	SeverityWarning = finding.SeverityWarning
	SeverityInfo    = finding.SeverityInfo
)

// Rule is one check lint makes, explained by a section of RFC 7208. Its ID
// never changes meaning, so a CI configuration can name it.
type Rule = finding.Rule

// ruleID identifies a rule inside this package; its number is the
// number of the rule's ID.
type ruleID int

// The rules. A rule keeps its number forever.
const (
	ruleSyntax ruleID = iota + 1
	ruleNoRecord
	ruleMultipleRecords
	ruleIncludeNoRecord
	ruleRedirectNoRecord
	ruleLookupFailed
	ruleLoop
	ruleLookupLimit
	ruleVoidLimit
	ruleMXNames
	ruleGluedTerms
	ruleLookupHeadroom
	ruleVoidLookup
	ruleANoAddress
	ruleMXNoAddress
	rulePTR
	ruleAllPass
	ruleAllNeutral
	ruleNoAll
	ruleRedirectIgnored
	ruleAfterAll
	ruleDuplicateTerm
	ruleDuplicateInclude
	ruleHostBits
	ruleWideRange
	ruleOverlappingNetworks
	ruleMacroLocalPart
	ruleMacroP
	ruleStringLength
	ruleAnswerSize
	ruleSPF2Record
	ruleParkedDomain

	ruleEnd // one past the last rule: new rules go before it
)

// rules holds every rule by number; ID is filled in from the number.
var rules = numbered([...]Rule{
	ruleSyntax: {Name: "syntax", Severity: SeverityError, Section: "4.6",
		Summary: "the record does not follow the grammar of RFC 7208 §12: a check of it ends in permerror"},
	ruleNoRecord: {Name: "no-record", Severity: SeverityError, Section: "4.5",
		Summary: "the domain publishes no SPF record: a check of it gives none"},
	ruleMultipleRecords: {Name: "multiple-records", Severity: SeverityError, Section: "4.5",
		Summary: "the domain publishes more than one SPF record: a check of it ends in permerror"},
	ruleIncludeNoRecord: {Name: "include-no-record", Severity: SeverityError, Section: "5.2",
		Summary: "an include names a domain without an SPF record: a check that reaches it ends in permerror"},
	ruleRedirectNoRecord: {Name: "redirect-no-record", Severity: SeverityError, Section: "6.1",
		Summary: "a redirect names a domain without an SPF record: a check that reaches it ends in permerror"},
	ruleLookupFailed: {Name: "lookup-failed", Severity: SeverityError, Section: "2.6.6",
		Summary: "a DNS lookup the record needs fails: a check gives temperror"},
	ruleLoop: {Name: "loop", Severity: SeverityError, Section: "4.6.4",
		Summary: "includes or redirects lead back to a record already being evaluated"},
	ruleLookupLimit: {Name: "lookup-limit", Severity: SeverityError, Section: "4.6.4",
		Summary: "more DNS-querying terms than the limit of 10: a check that matches nothing ends in permerror"},
	ruleVoidLimit: {Name: "void-limit", Severity: SeverityError, Section: "4.6.4",
		Summary: "more void lookups than the limit of 2: a check that matches nothing ends in permerror"},
	ruleMXNames: {Name: "mx-names", Severity: SeverityError, Section: "4.6.4",
		Summary: "an mx term's domain has more MX records than the limit of 10: a check that reaches it ends in permerror"},
	ruleGluedTerms: {Name: "glued-terms", Severity: SeverityError, Section: "3.3",
		Summary: "two terms run together with no space, as when a TXT record's strings are split without one"},
	ruleLookupHeadroom: {Name: "lookup-headroom", Severity: SeverityWarning, Section: "4.6.4",
		Summary: "8 or more DNS-querying terms: little headroom before the limit of 10"},
	ruleVoidLookup: {Name: "void-lookup", Severity: SeverityWarning, Section: "4.6.4",
		Summary: "a term's lookup finds nothing (a void lookup); more than 2 in one check are a permerror"},
	ruleANoAddress: {Name: "a-no-address", Severity: SeverityWarning, Section: "5.3",
		Summary: "an a term's domain has no address: the term never matches and costs a void lookup"},
	ruleMXNoAddress: {Name: "mx-no-address", Severity: SeverityWarning, Section: "5.4",
		Summary: "an mx term's domain has no MX host with an address: the term never matches for them"},
	rulePTR: {Name: "ptr", Severity: SeverityWarning, Section: "5.5",
		Summary: "the ptr mechanism is slow and unreliable; RFC 7208 says not to use it"},
	ruleAllPass: {Name: "all-pass", Severity: SeverityWarning, Section: "5.1",
		Summary: "+all lets every host on the Internet pass"},
	ruleAllNeutral: {Name: "all-neutral", Severity: SeverityWarning, Section: "5.1",
		Summary: "?all makes every other host neutral, which receivers treat like no SPF record"},
	ruleNoAll: {Name: "no-all", Severity: SeverityWarning, Section: "4.7",
		Summary: "the record has neither all nor redirect=: a host that matches nothing gets neutral"},
	ruleRedirectIgnored: {Name: "redirect-ignored", Severity: SeverityWarning, Section: "6.1",
		Summary: "redirect= is ignored because the record has all"},
	ruleAfterAll: {Name: "after-all", Severity: SeverityWarning, Section: "5.1",
		Summary: "mechanisms after all are never evaluated"},
	ruleDuplicateTerm: {Name: "duplicate-term", Severity: SeverityWarning, Section: "4.6.2",
		Summary: "a term repeats an earlier one: it can never match where the first did not"},
	ruleDuplicateInclude: {Name: "duplicate-include", Severity: SeverityWarning, Section: "4.6.4",
		Summary: "the same domain is included twice in the tree: its lookups count twice"},
	ruleHostBits: {Name: "host-bits", Severity: SeverityWarning, Section: "5.6",
		Summary: "an ip4 or ip6 network has host bits set"},
	ruleWideRange: {Name: "wide-range", Severity: SeverityWarning, Section: "5.6",
		Summary: "a range wider than /8 (IPv4) or /32 (IPv6) is authorised"},
	ruleOverlappingNetworks: {Name: "overlapping-networks", Severity: SeverityInfo, Section: "5.6",
		Summary: "an ip4 or ip6 network lies inside another one the tree already authorises"},
	ruleMacroLocalPart: {Name: "macro-local-part", Severity: SeverityWarning, Section: "11.6",
		Summary: "a macro puts the sender's local part into DNS queries: no caching, and user names leak"},
	ruleMacroP: {Name: "macro-p", Severity: SeverityWarning, Section: "7.3",
		Summary: "the %{p} macro needs PTR lookups for every check and is discouraged"},
	ruleStringLength: {Name: "string-length", Severity: SeverityWarning, Section: "3.3",
		Summary: "the record is longer than one TXT character-string of 255 bytes"},
	ruleAnswerSize: {Name: "answer-size", Severity: SeverityWarning, Section: "3.4",
		Summary: "the TXT answer is larger than 512 bytes, the size of a UDP answer without EDNS"},
	ruleSPF2Record: {Name: "spf2-record", Severity: SeverityInfo, Section: "4.5",
		Summary: "a Sender ID (spf2.0) record sits beside the SPF record"},
	ruleParkedDomain: {Name: "parked-domain", Severity: SeverityInfo, Section: "5.1",
		Summary: "the domain has no MX and no address: if it sends no mail, v=spf1 -all says so"},
})

func numbered(rs [ruleEnd]Rule) [ruleEnd]Rule {
	for i := 1; i < len(rs); i++ {
		rs[i].ID, rs[i].RFC = fmt.Sprintf("SPF-L%03d", i), 7208
	}
	return rs
}

// Rules returns every rule lint checks, in the order of their IDs.
func Rules() []Rule { return append([]Rule(nil), rules[1:]...) }
