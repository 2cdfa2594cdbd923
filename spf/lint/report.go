package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Report is what a lint found: the tree of records, the lookup budget of
// RFC 7208 §4.6.4 as a check that matches nothing spends it (the worst
// case), the address space authorised, and the findings.
type Report struct {
	Domain string `json:"domain"`
	// Draft is true when the root record is a draft, not the published
	// one.
	Draft          bool  `json:"draft"`
	Tree           *Node `json:"tree"`
	Lookups        int   `json:"lookups"` // DNS-querying terms, counted past the limit
	MaxLookups     int   `json:"max_lookups"`
	VoidLookups    int   `json:"void_lookups"` // for the worse address family
	MaxVoidLookups int   `json:"max_void_lookups"`
	// Voids lists the terms that make void lookups, in evaluation order.
	Voids []Void `json:"voids"`
	// Stop is where a receiver ends the check with permerror because a
	// limit is exceeded; nil when none is.
	Stop *Stop `json:"stop,omitempty"`
	// Space is the address space the whole tree authorises.
	Space Space `json:"space"`
	// Truncated is set when the tree was too large to follow to the end.
	Truncated bool      `json:"truncated,omitempty"`
	Findings  []Finding `json:"findings"`
}

// WriteJSON writes rep as indented JSON; every key is snake_case.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// Node is one record of the include/redirect tree.
type Node struct {
	Domain string `json:"domain"`
	Record string `json:"record,omitempty"`
	// Records are the SPF records of a domain that publishes more than
	// one (RFC 7208 §4.5); Record is then empty.
	Records []string `json:"records,omitempty"`
	// Problem says why the record cannot be used, when it cannot: no
	// record, more than one, a syntax error, a failed lookup, a loop.
	Problem string `json:"problem,omitempty"`
	Terms   []Term `json:"terms,omitempty"`
	// Lookups counts the DNS-querying terms of this record and of every
	// record below it (RFC 7208 §4.6.4).
	Lookups int `json:"lookups"`
	// Space is the address space this record and those below it authorise.
	Space Space `json:"space"`
}

// Term is one term of a record in the tree.
type Term struct {
	Text   string `json:"text"`
	Column int    `json:"column"`
	// Lookups counts the DNS-querying terms this term costs: 1 for a, mx,
	// ptr, exists; 1 and the records below for include and redirect.
	Lookups int `json:"lookups,omitempty"`
	// Position is the running count of DNS-querying terms after this term
	// in evaluation order when nothing matches (the worst case); 0 for a
	// term that costs none.
	Position int `json:"position,omitempty"`
	// Stop is set on the term at which a receiver ends the check with
	// permerror (Report.Stop).
	Stop bool `json:"stop,omitempty"`
	// Hosts are the hosts an mx term looks at, each with its addresses.
	Hosts []Host `json:"hosts,omitempty"`
	// Void says for which clients this term makes a void lookup (RFC 7208
	// §4.6.4): "every client", "IPv4 clients", "IPv6 clients", or "".
	Void string `json:"void,omitempty"`
	// VoidNumber is the running count of void lookups after this term,
	// for the worse address family; 0 when the term makes none.
	VoidNumber int    `json:"void_number,omitempty"`
	Note       string `json:"note,omitempty"`   // e.g. why a term is not followed
	Target     *Node  `json:"target,omitempty"` // the record an include or redirect evaluates
}

// Host is a host an mx term looks at.
type Host struct {
	Name      string `json:"name"`
	Addresses int    `json:"addresses"` // A and AAAA records
	Problem   string `json:"problem,omitempty"`
}

// Void is a void lookup (RFC 7208 §4.6.4) and the term that makes it.
type Void struct {
	Domain string `json:"domain"` // whose record has the term
	Term   string `json:"term"`
	Column int    `json:"column"`
	// Clients says for which clients the lookup is void: "every client",
	// "IPv4 clients" or "IPv6 clients".
	Clients string `json:"clients"`
}

// Stop is where a receiver ends a check that matches nothing with
// permerror, because a limit of RFC 7208 §4.6.4 is exceeded there.
type Stop struct {
	Domain string `json:"domain"` // whose record has the term
	Term   string `json:"term"`
	Column int    `json:"column"`
	// Limit is "DNS-querying terms" or "void lookups".
	Limit string `json:"limit"`
	// Count is the term's number against the limit: 11 for the 11th
	// DNS-querying term; Max is the limit.
	Count int `json:"count"`
	Max   int `json:"max"`
	// LookupsAfter counts the DNS-querying terms after the stop that a
	// receiver never reaches.
	LookupsAfter int `json:"lookups_after"`
}

// String says where the check stops and what the rest would cost.
func (s *Stop) String() string {
	text := fmt.Sprintf("a receiver stops with permerror at %q (%s, column %d): %s %d/%d", s.Term, s.Domain, s.Column, s.Limit, s.Count, s.Max)
	if s.LookupsAfter > 0 {
		text += "; the terms after it would cost " + count(s.LookupsAfter, "more lookup")
	}
	return text
}

// Space is the address space a record authorises: the networks of its
// ip4 and ip6 terms, and the addresses of its a and mx terms as their
// CIDR lengths widen them, with the pass qualifier, in the record and in
// those it includes with the pass qualifier or redirects to. Overlaps
// count once. It is an upper bound: a fail term before them may take
// some back.
type Space struct {
	IPv4 uint64 `json:"ipv4_addresses"`
	// IPv6 counts /64 networks, a longer prefix counting as its /64; at
	// most 2^64-1.
	IPv6 uint64 `json:"ipv6_64s"`
	// Partial is set when terms authorise addresses that cannot be known
	// before a check: ptr, exists, and domains built from macros.
	Partial bool `json:"partial,omitempty"`
}

// String says how many IPv4 addresses and IPv6 /64s are authorised.
func (s Space) String() string {
	var parts []string
	if s.IPv4 > 0 || s.IPv6 == 0 {
		parts = append(parts, count(s.IPv4, "IPv4 address"))
	}
	if s.IPv6 > 0 {
		parts = append(parts, count(s.IPv6, "IPv6 /64"))
	}
	text := strings.Join(parts, " and ")
	if s.Partial {
		text += ", and what ptr, exists or macros add"
	}
	return text
}

// count is n and the noun, in the plural when n is not 1, with thousands
// separators: "1 lookup", "65,536 IPv4 addresses".
func count[N int | uint64](n N, noun string) string {
	digits := strconv.FormatUint(uint64(n), 10)
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	b.WriteByte(' ')
	b.WriteString(noun)
	if n != 1 {
		switch {
		case strings.HasSuffix(noun, "s"):
			b.WriteString("es")
		default:
			b.WriteByte('s')
		}
	}
	return b.String()
}
