package spf

import (
	"errors"
	"strconv"
)

// TermError is why check_host() stopped with temperror or permerror at a
// term of a record.
type TermError struct {
	Domain string // whose record holds the term
	Term   string // the term as written
	Column int    // its 1-based column in the record
	Err    error  // the cause: a *DNSError, a *LimitError, a nested *TermError, ...
}

func (e *TermError) Error() string {
	return e.Domain + ": " + strconv.Quote(e.Term) + " at column " + strconv.Itoa(e.Column) + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *TermError) Unwrap() error { return e.Err }

// Errors of a domain's record itself, wrapped in a *RecordError.
var (
	ErrNoRecord        = errors.New("no SPF record (RFC 7208 §4.5)")
	ErrMultipleRecords = errors.New("more than one SPF record (RFC 7208 §4.5)")
)

// RecordError is a problem with the record of Domain as a whole: the domain
// cannot be checked (§4.3), it has no SPF record or more than one (§4.5), or
// its record has a *SyntaxError (§4.6).
type RecordError struct {
	Domain string
	Err    error
}

func (e *RecordError) Error() string { return e.Domain + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error { return e.Err }

// LimitError is a limit of RFC 7208 §4.6.4 exceeded: a permerror.
type LimitError struct {
	What  string // "DNS-querying terms" or "void lookups"
	Limit int
}

func (e *LimitError) Error() string {
	return "more than " + strconv.Itoa(e.Limit) + " " + e.What + " (RFC 7208 §4.6.4)"
}

// stop ends the evaluation with a temperror or permerror caused by err; the
// zero stop lets it go on.
type stop struct {
	result Result
	err    error
}

func (s stop) stopped() bool { return s.result != "" }

// noTargetRecordError is an include (RFC 7208 §5.2) or redirect= (§6.1)
// whose target has no SPF record: a permerror.
type noTargetRecordError struct {
	kind   Kind // KindInclude or KindRedirect
	target string
}

func (e *noTargetRecordError) Error() string {
	if e.kind == KindRedirect {
		return "redirect to " + e.target + ", which has no SPF record (RFC 7208 §6.1)"
	}
	return "include of " + e.target + ", which has no SPF record (RFC 7208 §5.2)"
}

// tooManyNamesError is an mx term whose target has more MX records than it
// may look at (RFC 7208 §4.6.4): a permerror.
type tooManyNamesError struct {
	target   string
	n, limit int
}

func (e *tooManyNamesError) Error() string {
	return e.target + " has " + strconv.Itoa(e.n) + " MX records; an mx term may look at " + strconv.Itoa(e.limit) + " (RFC 7208 §4.6.4)"
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// shortReason describes err for the trace of one level: a failure inside an
// include or redirect is reported in full where it happened, so the levels
// above name only the term that led there.
func shortReason(err error) string {
	if re, ok := err.(*RecordError); ok {
		if se, ok := re.Err.(*SyntaxError); ok {
			return se.Reason
		}
		return re.Err.Error()
	}
	var te *TermError
	if errors.As(err, &te) {
		if _, nested := te.Err.(*TermError); nested {
			return strconv.Quote(te.Term) + " at column " + strconv.Itoa(te.Column) + " led to the error"
		}
		return strconv.Quote(te.Term) + " at column " + strconv.Itoa(te.Column) + ": " + te.Err.Error()
	}
	return errText(err)
}
