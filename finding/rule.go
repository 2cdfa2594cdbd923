package finding

import "strconv"

// Severity says how bad a Finding is.
type Severity string

// The severities of a Finding, from the worst.
const (
	// SeverityError: a check that reaches the problem ends in permerror or
	// temperror, or the record does not say what was meant.
	SeverityError Severity = "error"
	// SeverityWarning: the record works, but not as well or as safely as
	// it could.
	SeverityWarning Severity = "warning"
	// SeverityInfo: a hint to tidy up; the record works as it is.
	SeverityInfo Severity = "info"
)

// Rule is one check a linter makes. Its ID never changes meaning, so a CI
// configuration can name it.
type Rule struct {
	ID       string   `json:"id"`   // "SPF-L001", "DMARC-L001"
	Name     string   `json:"name"` // a short name, e.g. "include-no-record"
	Severity Severity `json:"severity"`
	RFC      int      `json:"rfc"`     // the RFC that explains it, e.g. 7208
	Section  string   `json:"section"` // of RFC, e.g. "5.2", or an appendix, "C.5.2"
	Summary  string   `json:"summary"` // what the rule finds, in one line
}

// HelpURI is the address of the rule's section of its RFC.
func (r Rule) HelpURI() string {
	return "https://www.rfc-editor.org/rfc/rfc" + strconv.Itoa(r.RFC) + "#" + anchor(r.Section)
}

// Ref is the reference to the rule's section: "RFC 7208 §5.2", or
// "RFC 9989 Appendix C.5.2".
func (r Rule) Ref() string { return ref(r.RFC, r.Section) }

// Finding returns a finding of r about the record at domain, with its
// words: why (message) and what to do (fix).
func (r Rule) Finding(domain, message, fix string) Finding {
	return Finding{ID: r.ID, Name: r.Name, Severity: r.Severity, RFC: r.RFC, Section: r.Section,
		Domain: domain, Message: message, Fix: fix}
}

// isAppendix reports whether a section is an appendix: it begins with a
// letter.
func isAppendix(section string) bool {
	return section != "" && section[0] >= 'A' && section[0] <= 'Z'
}

func ref(rfc int, section string) string {
	if isAppendix(section) {
		return "RFC " + strconv.Itoa(rfc) + " Appendix " + section
	}
	return "RFC " + strconv.Itoa(rfc) + " §" + section
}

// anchor is the fragment of a section on rfc-editor.org.
func anchor(section string) string {
	if isAppendix(section) {
		return "appendix-" + section
	}
	return "section-" + section
}

// Count returns how many of findings have severity s.
func Count(findings []Finding, s Severity) int {
	n := 0
	for _, f := range findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}
