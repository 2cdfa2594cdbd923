package finding

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Finding is one problem a lint found: the rule it breaks, where, why, and
// how to fix it. Its words are final: printers lay them out, never
// re-word them.
type Finding struct {
	ID       string   `json:"id"`   // the rule's ID, e.g. "SPF-L004"
	Name     string   `json:"name"` // the rule's name, e.g. "include-no-record"
	Severity Severity `json:"severity"`
	RFC      int      `json:"rfc"`     // the rule's RFC, e.g. 7208
	Section  string   `json:"section"` // of RFC, e.g. "5.2"
	// Domain is the name whose TXT record has the problem: the domain of
	// an SPF record, the _dmarc name of a DMARC record.
	Domain string `json:"domain"`
	Term   string `json:"term,omitempty"`
	// Column is the 1-based byte column in Record of the problem: the
	// term's start, or the fault within it for a syntax error.
	Column  int    `json:"column,omitempty"`
	Record  string `json:"record,omitempty"` // the text Column counts in
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// Where names the place: the domain, and the column and term when the
// finding is about one term.
func (f *Finding) Where() string {
	if f.Term == "" {
		return f.Domain
	}
	return f.Domain + ", column " + strconv.Itoa(f.Column) + ", " + strconv.Quote(f.Term)
}

// Ref is the reference to the rule's section, e.g. "RFC 7208 §5.2".
func (f *Finding) Ref() string { return ref(f.RFC, f.Section) }

// String is the finding on one line, without the fix: severity, rule,
// place, message and reference.
func (f *Finding) String() string {
	return string(f.Severity) + " " + f.ID + " " + f.Name + ": " + f.Where() + ": " + f.Message + " (" + f.Ref() + ")"
}

// Caret returns the record around Column and a line of carets under the
// term, as an editor marks a fault, cut to at most width bytes; nothing
// when the finding has no column.
func (f *Finding) Caret(width int) (line, carets string) {
	if f.Record == "" || f.Column < 1 || f.Column > len(f.Record)+1 {
		return "", ""
	}
	from := f.Column - 1
	to := from + 1
	// The carets run to the end of the term that holds the column.
	for i := 0; f.Term != "" && i <= from; {
		j := strings.Index(f.Record[i:], f.Term)
		if j < 0 || i+j > from {
			break
		}
		if j += i; from < j+len(f.Term) {
			to = j + len(f.Term)
			break
		}
		i = j + 1
	}
	// A window of width bytes around the term, marked with "…" where cut.
	lo, hi := 0, len(f.Record)
	if hi-lo > width {
		lo = max(0, from-width/3)
		hi = min(len(f.Record), lo+width)
		lo = max(0, min(lo, hi-width))
	}
	text := f.Record[lo:hi]
	// Columns on a terminal count characters, not bytes.
	pad := utf8.RuneCountInString(f.Record[lo:from])
	if lo > 0 {
		text = "…" + text
		pad++
	}
	if hi < len(f.Record) {
		text += "…"
	}
	n := max(1, utf8.RuneCountInString(f.Record[from:max(from, min(to, hi))]))
	return text, strings.Repeat(" ", pad) + strings.Repeat("^", n)
}
