package lint

import "spflab/finding"

// Finding is one problem a lint found: the rule it breaks, where, why, and
// how to fix it (RFC 7208's rules; the type is shared with the DMARC
// lint). Its words are final: printers lay them out, never re-word them.
type Finding = finding.Finding

// newFinding is a finding of rule r.
func newFinding(r ruleID, domain, message, fix string) Finding {
	return rules[r].Finding(domain, message, fix)
}
