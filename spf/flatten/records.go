package flatten

import (
	"fmt"
	"strconv"

	"spflab/spf"
)

// Record is one TXT record to publish.
type Record struct {
	Name string `json:"name"`
	Text string `json:"text"`
	// Strings are the character-strings of the TXT record, each at most
	// 255 bytes, split after a space so that no term is cut (RFC 7208
	// §3.3 joins them with nothing between).
	Strings []string `json:"strings"`
	// AnswerSize is the size of a DNS answer holding this record alone
	// (RFC 1035 §4.1); at most MaxAnswer.
	AnswerSize int `json:"answer_size"`
}

// MaxAnswer is the answer a record must fit: 512 bytes, a UDP answer
// without EDNS (RFC 7208 §3.4, RFC 1035 §2.3.4).
const MaxAnswer = 512

// maxString is the longest character-string (RFC 1035 §3.3).
const maxString = 255

// maxLookups is the limit of DNS-querying terms (RFC 7208 §4.6.4).
const maxLookups = 10

func newRecord(name, text string) Record {
	r := Record{Name: name, Text: text, Strings: split(text)}
	// Header 12; question: the name on the wire (its length + 2) and
	// type and class 4; answer: a pointer to the name 2, type, class,
	// TTL and length 10, and each string with its length octet.
	r.AnswerSize = 12 + len(name) + 2 + 4 + 2 + 10
	for _, s := range r.Strings {
		r.AnswerSize += 1 + len(s)
	}
	return r
}

// split cuts text into character-strings of at most 255 bytes, each
// ending after a space where one is near.
func split(text string) []string {
	var out []string
	for len(text) > maxString {
		cut := maxString
		for i := maxString; i > maxString/2; i-- {
			if text[i-1] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, text[:cut])
		text = text[cut:]
	}
	return append(out, text)
}

func (r Record) fits() bool { return r.AnswerSize <= MaxAnswer }

// pack writes the segments as the domain's record and, when that does not
// fit an answer, moves the passing networks to chained records
// _spf1.domain, _spf2.domain, ... included in their place.
func pack(domain string, segs []segment, final string) ([]Record, int, error) {
	var inline []string
	lookups := 0
	for _, s := range segs {
		if s.kept != "" {
			// A kept term is a, mx, include, ptr or exists: it queries DNS.
			inline = append(inline, s.kept)
			lookups++
			continue
		}
		for _, q := range []spf.Qualifier{spf.QualifierFail, spf.QualifierSoftfail, spf.QualifierNeutral, spf.QualifierPass} {
			inline = append(inline, terms(q, s.sets[q])...)
		}
	}
	if final != "" {
		inline = append(inline, final)
	}
	if root := newRecord(domain, joinTerms(inline)); root.fits() {
		return []Record{root}, lookups, nil
	}

	// Chain: the passing networks of each segment go to records of their
	// own; the other terms stay in the domain's record, in order.
	var rootTerms []string
	var chained []Record
	for _, s := range segs {
		if s.kept != "" {
			rootTerms = append(rootTerms, s.kept)
			continue
		}
		for _, q := range []spf.Qualifier{spf.QualifierFail, spf.QualifierSoftfail, spf.QualifierNeutral} {
			rootTerms = append(rootTerms, terms(q, s.sets[q])...)
		}
		var part []string
		flush := func() {
			if len(part) == 0 {
				return
			}
			name := "_spf" + strconv.Itoa(len(chained)+1) + "." + domain
			chained = append(chained, newRecord(name, joinTerms(append(part, "-all"))))
			rootTerms = append(rootTerms, "include:"+name)
			part = nil
		}
		for _, t := range terms(spf.QualifierPass, s.sets[spf.QualifierPass]) {
			name := "_spf" + strconv.Itoa(len(chained)+1) + "." + domain
			if len(part) > 0 && !newRecord(name, joinTerms(append(part, t, "-all"))).fits() {
				flush()
			}
			part = append(part, t)
		}
		flush()
	}
	if final != "" {
		rootTerms = append(rootTerms, final)
	}
	root := newRecord(domain, joinTerms(rootTerms))
	lookups += len(chained)
	switch {
	case !root.fits():
		return nil, lookups, fmt.Errorf("the flattened record of %s needs a %d-byte answer even with its networks chained: more than %d", domain, root.AnswerSize, MaxAnswer)
	case lookups > maxLookups:
		return nil, lookups, fmt.Errorf("the flattened record of %s needs %d DNS-querying terms (%d chained records): more than %d (RFC 7208 §4.6.4)", domain, lookups, len(chained), maxLookups)
	}
	return append([]Record{root}, chained...), lookups, nil
}
