package dmarc

import (
	"net/url"
	"strconv"
	"strings"
)

// Policy is a Domain Owner Assessment Policy (RFC 9989 §4.7, the p, sp and
// np tags), and also the disposition a receiver applies (the policy.dmarc
// property of RFC 9989 §9.1).
type Policy string

// The three policies of RFC 9989 §4.7.
const (
	PolicyNone       Policy = "none"
	PolicyQuarantine Policy = "quarantine"
	PolicyReject     Policy = "reject"
)

// lowered is the policy one level below p: what t=y asks for (RFC 9989
// §4.7, the t tag).
func (p Policy) lowered() Policy {
	switch p {
	case PolicyReject:
		return PolicyQuarantine
	case PolicyQuarantine:
		return PolicyNone
	}
	return p
}

// strictness orders policies for RFC 9989 §11.5's "most strict policy".
func (p Policy) strictness() int {
	switch p {
	case PolicyReject:
		return 2
	case PolicyQuarantine:
		return 1
	}
	return 0
}

// Alignment is an Identifier Alignment mode (RFC 9989 §3.2.10, the adkim
// and aspf tags).
type Alignment string

// The two modes; relaxed is the default.
const (
	Relaxed Alignment = "relaxed" // §3.2.10.1: the same Organizational Domain
	Strict  Alignment = "strict"  // §3.2.10.2: identical domains
)

// PSD is the value of the psd tag (RFC 9989 §4.7).
type PSD string

// The three values of the psd tag.
const (
	PSDPublicSuffix   PSD = "y" // the domain is a Public Suffix Domain
	PSDOrganizational PSD = "n" // the domain is the Organizational Domain of itself and its subdomains
	PSDUndetermined   PSD = "u" // the default: the DNS Tree Walk decides (§4.10)
)

// Tag is one tag=value pair of a record, as written.
type Tag struct {
	Name   string // in lower case
	Value  string // without the white space around it
	Column int    // 1-based byte column of Name in the record
}

// ProblemKind says how a tag departs from RFC 9989's record format.
type ProblemKind uint8

// The kinds of Problem.
const (
	// ProblemInvalid: a tag or value that does not follow RFC 9989 §4.8;
	// it is ignored and the tag keeps its default.
	ProblemInvalid ProblemKind = iota + 1
	// ProblemUnknown: a tag RFC 9989 does not define; ignored (§4.7).
	ProblemUnknown
	// ProblemRemoved: pct, rf or ri, tags of RFC 7489 that RFC 9989 removed
	// (Appendix C.5.2); ignored.
	ProblemRemoved
	// ProblemObsolete: the "!size" suffix of a report URI, obsolete syntax
	// that reporters ignore (§4.8, obs-dmarc-uri).
	ProblemObsolete
)

var problemKindNames = [...]string{"", "invalid", "unknown", "removed", "obsolete"}

func (k ProblemKind) String() string {
	if int(k) < len(problemKindNames) {
		return problemKindNames[k]
	}
	return "unknown"
}

// MarshalText names the kind in JSON.
func (k ProblemKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Problem is a part of a record that a receiver ignores: RFC 9989 §4.8 says
// syntax errors after the version are discarded in favour of defaults, and
// unknown tags are ignored (§4.7). Problem names the tag and the column.
type Problem struct {
	Kind   ProblemKind `json:"kind"`
	Tag    string      `json:"tag,omitempty"` // the tag's name, "" when none could be read
	Column int         `json:"column"`        // 1-based byte column of the fault in the record
	Reason string      `json:"reason"`
}

func (p Problem) String() string {
	if p.Tag == "" {
		return "column " + strconv.Itoa(p.Column) + ": " + p.Reason
	}
	return "column " + strconv.Itoa(p.Column) + ": tag " + strconv.Quote(p.Tag) + ": " + p.Reason
}

// SyntaxError is a text that is not a DMARC record: it does not begin with
// the tag v=DMARC1 (RFC 9989 §4.7, the v tag), so the whole record is
// ignored.
type SyntaxError struct {
	Record string // the text
	Column int    // 1-based byte column of the fault
	Reason string
}

func (e *SyntaxError) Error() string {
	return "column " + strconv.Itoa(e.Column) + ": " + e.Reason
}

// Record is a parsed DMARC Policy Record (RFC 9989 §4.7, §4.8). Tags that
// were absent or ignored hold their defaults.
type Record struct {
	Text string // the record as published
	Tags []Tag  // every name=value pair after the version, in order, ignored ones too

	// Policy is p (§4.7); "" when absent or invalid.
	Policy Policy
	// SubdomainPolicy is sp and NonExistentPolicy np; "" when absent or
	// invalid.
	SubdomainPolicy, NonExistentPolicy Policy
	PSD                                PSD       // psd; default PSDUndetermined
	Testing                            bool      // t=y
	DKIMAlignment, SPFAlignment        Alignment // adkim, aspf; default Relaxed
	// AggregateURIs (rua) and FailureURIs (ruf) are the valid report URIs,
	// without an obsolete "!size" suffix.
	AggregateURIs, FailureURIs []string
	// FailureOptions are the values of fo (§4.7), e.g. ["0"] or ["1", "d"];
	// nil when absent or invalid.
	FailureOptions []string

	Problems []Problem // what a receiver ignores, in order

	policyInvalid bool // p, sp or np written with a value that is not a policy
}

// Version is the only value of the v tag (RFC 9989 §4.7).
const Version = "DMARC1"

// IsRecord reports whether a TXT record is a DMARC record: one that begins
// with the tag v=DMARC1, the value in that case, followed by a separator or
// the end (RFC 9989 §4.7, §4.8). Other TXT records at a _dmarc name are
// discarded (§4.10 step 2).
func IsRecord(txt string) bool {
	_, err := version(txt)
	return err == nil
}

// version checks dmarc-version at the start of text and returns the offset
// after it.
func version(text string) (int, *SyntaxError) {
	fail := func(col int, reason string) (int, *SyntaxError) {
		return 0, &SyntaxError{Record: text, Column: col, Reason: reason}
	}
	if text == "" || (text[0] != 'v' && text[0] != 'V') {
		return fail(1, `a DMARC record begins with the tag "v=DMARC1" (RFC 9989 §4.7)`)
	}
	i := skipWSP(text, 1)
	if i == len(text) || text[i] != '=' {
		return fail(i+1, `"v" must be followed by "=" (RFC 9989 §4.8)`)
	}
	i = skipWSP(text, i+1)
	if !strings.HasPrefix(text[i:], Version) {
		return fail(i+1, `the version must be "DMARC1", in upper case (RFC 9989 §4.7)`)
	}
	end := i + len(Version)
	if j := skipWSP(text, end); j < len(text) && text[j] != ';' {
		return fail(end+1, `"v=DMARC1" must be followed by ";" or the end of the record (RFC 9989 §4.8)`)
	}
	return end, nil
}

func skipWSP(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// Parse parses a DMARC record. The error, if any, is a *SyntaxError: the
// text is not a DMARC record. Anything wrong after the version is not an
// error but a Problem of the record, as RFC 9989 §4.8 has receivers
// discard it.
func Parse(text string) (*Record, error) {
	end, serr := version(text)
	if serr != nil {
		return nil, serr
	}
	r := &Record{Text: text, PSD: PSDUndetermined, DKIMAlignment: Relaxed, SPFAlignment: Relaxed}
	seen := make(map[string]int) // tag name → column of its first occurrence
	seen["v"] = 1
	end = skipWSP(text, end) // to the ';' after the version, or the end
	// Each tag lies between two semicolons; a value cannot hold one (§4.8,
	// dmarc-value).
	for start := end; start < len(text); {
		semi := strings.IndexByte(text[start+1:], ';')
		stop := len(text)
		if semi >= 0 {
			stop = start + 1 + semi
		}
		// text[start] is the ';' before this tag.
		r.parseTag(text[start+1:stop], start+2, stop == len(text), seen)
		start = stop
	}
	return r, nil
}

// parseTag parses one dmarc-tag; col is the 1-based column of seg[0] and
// last says whether seg ends the record.
func (r *Record) parseTag(seg string, col int, last bool, seen map[string]int) {
	i := skipWSP(seg, 0)
	if i == len(seg) {
		if !last { // a separator may end the record, but not repeat (§4.8)
			r.problem(ProblemInvalid, "", col+i, "an empty tag between two semicolons (RFC 9989 §4.8)")
		}
		return
	}
	nameEnd := i
	for nameEnd < len(seg) && isAlpha(seg[nameEnd]) {
		nameEnd++
	}
	tagCol := col + i
	if nameEnd == i {
		r.problem(ProblemInvalid, "", tagCol, "a tag name is one or more letters (RFC 9989 §4.8)")
		return
	}
	name := strings.ToLower(seg[i:nameEnd])
	eq := skipWSP(seg, nameEnd)
	if eq == len(seg) || seg[eq] != '=' {
		r.problem(ProblemInvalid, name, tagCol, `the tag name must be followed by "=" (RFC 9989 §4.8); the tag is ignored`)
		return
	}
	vStart := skipWSP(seg, eq+1)
	vEnd := len(seg)
	for vEnd > vStart && (seg[vEnd-1] == ' ' || seg[vEnd-1] == '\t') {
		vEnd--
	}
	value := seg[vStart:vEnd]
	r.Tags = append(r.Tags, Tag{Name: name, Value: value, Column: tagCol})
	if value == "" {
		r.problem(ProblemInvalid, name, tagCol, "the value is empty (RFC 9989 §4.8); the tag is ignored")
		r.markPolicy(name)
		return
	}
	for k := 0; k < len(value); k++ {
		if c := value[k]; c < 0x20 || c > 0x7e {
			r.problem(ProblemInvalid, name, col+vStart+k, "the value holds a character that is not printable ASCII (RFC 9989 §4.8); the tag is ignored")
			r.markPolicy(name)
			return
		}
	}
	if first, dup := seen[name]; dup {
		r.problem(ProblemInvalid, name, tagCol, "the tag appears again (first at column "+strconv.Itoa(first)+"); this one is ignored")
		return
	}
	seen[name] = tagCol
	r.setTag(name, value, tagCol, col+vStart)
}

// setTag interprets a known tag's value (RFC 9989 §4.7, Table 2); vcol is
// the value's column.
func (r *Record) setTag(name, value string, tagCol, vcol int) {
	invalid := func(want string) {
		r.problem(ProblemInvalid, name, vcol, strconv.Quote(value)+" is not "+want+" (RFC 9989 §4.8); the default applies")
	}
	switch name {
	case "p", "sp", "np":
		p, ok := parsePolicy(value)
		if !ok {
			invalid(`"none", "quarantine" or "reject"`)
			r.policyInvalid = true
			return
		}
		switch name {
		case "p":
			r.Policy = p
		case "sp":
			r.SubdomainPolicy = p
		default:
			r.NonExistentPolicy = p
		}
	case "psd":
		switch v := strings.ToLower(value); v {
		case "y", "n", "u":
			r.PSD = PSD(v)
		default:
			invalid(`"y", "n" or "u"`)
		}
	case "t":
		switch strings.ToLower(value) {
		case "y":
			r.Testing = true
		case "n":
		default:
			invalid(`"y" or "n"`)
		}
	case "adkim", "aspf":
		var a Alignment
		switch strings.ToLower(value) {
		case "r":
			a = Relaxed
		case "s":
			a = Strict
		default:
			invalid(`"r" or "s"`)
			return
		}
		if name == "adkim" {
			r.DKIMAlignment = a
		} else {
			r.SPFAlignment = a
		}
	case "rua":
		r.AggregateURIs = r.uriList(name, value, vcol)
	case "ruf":
		r.FailureURIs = r.uriList(name, value, vcol)
	case "fo":
		r.FailureOptions = r.failureOptions(value, vcol)
	case "pct", "rf", "ri":
		r.problem(ProblemRemoved, name, tagCol, "RFC 9989 removed this tag of RFC 7489 (Appendix C.5.2); it is ignored")
	default:
		r.problem(ProblemUnknown, name, tagCol, "not a DMARC tag; ignored (RFC 9989 §4.7)")
	}
}

func parsePolicy(v string) (Policy, bool) {
	switch p := Policy(strings.ToLower(v)); p {
	case PolicyNone, PolicyQuarantine, PolicyReject:
		return p, true
	}
	return "", false
}

// markPolicy notes an empty or unprintable p, sp or np (RFC 9989 §4.10.1
// treats it as an invalid policy tag).
func (r *Record) markPolicy(name string) {
	if name == "p" || name == "sp" || name == "np" {
		r.policyInvalid = true
	}
}

// uriList parses a dmarc-urilist: URIs separated by commas, each an
// absolute URI (RFC 3986) with an optional obsolete "!size" suffix
// (RFC 9989 §4.8). Invalid URIs are dropped with a Problem.
func (r *Record) uriList(name, value string, vcol int) []string {
	var uris []string
	off := 0
	for _, part := range strings.Split(value, ",") {
		lead := len(part) - len(strings.TrimLeft(part, " \t"))
		u := strings.TrimSpace(part)
		col := vcol + off + lead
		off += len(part) + 1
		if bang := strings.LastIndexByte(u, '!'); bang >= 0 && isSize(u[bang+1:]) {
			r.problem(ProblemObsolete, name, col+bang, `the "!size" suffix is obsolete and ignored (RFC 9989 §4.8)`)
			u = u[:bang]
		}
		if reason := checkURI(u); reason != "" {
			r.problem(ProblemInvalid, name, col, strconv.Quote(u)+" "+reason+" (RFC 9989 §4.8); it is ignored")
			continue
		}
		uris = append(uris, u)
	}
	return uris
}

// isSize reports whether s is the size of obs-dmarc-report-size without
// its "!": digits and an optional unit.
func isSize(s string) bool {
	s = strings.TrimRight(s, "kmgtKMGT")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkURI says why u is not an absolute URI, or "".
func checkURI(u string) string {
	if u == "" {
		return "is empty"
	}
	if strings.ContainsAny(u, " \t!") {
		return "is not a URI: spaces and \"!\" must be percent-encoded"
	}
	p, err := url.Parse(u)
	if err != nil {
		return "is not a URI"
	}
	if p.Scheme == "" {
		return "is not an absolute URI (no scheme such as mailto:)"
	}
	if p.Opaque == "" && p.Host == "" && p.Path == "" {
		return "has nothing after the scheme"
	}
	return ""
}

// failureOptions checks dmarc-fo: "0", "1", "d" and "s" separated by
// colons, each at most once, "0" and "1" not together (RFC 9989 §4.7,
// §4.8).
func (r *Record) failureOptions(value string, vcol int) []string {
	opts := strings.Split(value, ":")
	have := make(map[string]bool)
	for i, o := range opts {
		o = strings.ToLower(strings.TrimSpace(o))
		opts[i] = o
		var reason string
		switch {
		case o != "0" && o != "1" && o != "d" && o != "s":
			reason = strconv.Quote(o) + ` is not "0", "1", "d" or "s"`
		case have[o]:
			reason = strconv.Quote(o) + " appears twice"
		case (o == "0" && have["1"]) || (o == "1" && have["0"]):
			reason = `"0" and "1" exclude each other`
		}
		if reason != "" {
			r.problem(ProblemInvalid, "fo", vcol, reason+" (RFC 9989 §4.8); the default \"0\" applies")
			return nil
		}
		have[o] = true
	}
	return opts
}

func (r *Record) problem(kind ProblemKind, tag string, col int, reason string) {
	r.Problems = append(r.Problems, Problem{Kind: kind, Tag: tag, Column: col, Reason: reason})
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// usable says whether the record's policy can be applied, and why not
// (RFC 9989 §4.10.1): a p, sp or np tag that is not valid makes the record
// count as p=none when rua names a valid URI, and unusable otherwise.
func (r *Record) usable() (ok, asNone bool) {
	if !r.policyInvalid {
		return true, false
	}
	return len(r.AggregateURIs) > 0, true
}
