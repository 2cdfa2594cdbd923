package lint

import (
	"strconv"
	"strings"

	"spflab/spf"
)

// A TXT record longer than 255 bytes is published as several strings,
// which receivers join with nothing between them (RFC 7208 §3.3): a
// string that does not end with a space glues the last term of one to the
// first of the next ("...include:a" "include:b..." gives
// "include:ainclude:b"). The Resolver gives TXT records joined, so the
// glue is found in the joined text: a term that splits into two or more
// valid terms, at a point where a term's name begins with a qualifier or
// a ":" or "=" after it, or at a multiple of 255 bytes, where zone tools
// split long records. A glue elsewhere with a bare name ("...comall") is
// not found: it cannot be told from a domain that ends that way.

// glued reports the terms of p's record that look like terms run
// together.
func (s *linter) glued(p *place) {
	rec := p.record
	for i := 6; i < len(rec); {
		if rec[i] == ' ' {
			i++
			continue
		}
		end := strings.IndexByte(rec[i:], ' ')
		if end < 0 {
			end = len(rec)
		} else {
			end += i
		}
		if parts, at := splitGlued(rec[i:end], i, !s.isDraft || p.role != roleRoot); parts != nil {
			quoted := make([]string, len(parts))
			for j, part := range parts {
				quoted[j] = strconv.Quote(part)
			}
			msg := strconv.Quote(rec[i:end]) + " looks like terms run together: " + strings.Join(quoted, " and ")
			fix := "put a space between them"
			if at > 0 {
				msg += "; the record's TXT strings break at byte " + strconv.Itoa(at) + ", and the string before it does not end with a space"
				fix = "end the string before byte " + strconv.Itoa(at) + " with a space, or begin the next one with one"
			}
			f := newFinding(ruleGluedTerms, p.domain, msg+": receivers join the strings with nothing between them", fix)
			f.Term, f.Column, f.Record = rec[i:end], i+1, rec
			s.add(f)
		}
		i = end
	}
}

// splitGlued splits tok, which starts at byte start of its record, into
// the valid terms it runs together; nil when it is not such a run. at is
// the byte of the record where a split falls at a 255-byte string
// boundary, or 0. A draft (published false) has no strings yet.
func splitGlued(tok string, start int, published bool) (parts []string, at int) {
	boundary := func(off int) bool { return published && (start+off)%255 == 0 }
	memo := map[int]bool{} // offsets from which no split exists
	var split func(from int) []string
	split = func(from int) []string {
		for p := from + 1; p < len(tok); p++ {
			if memo[p] || !termStart(tok[p:], boundary(p)) || !validTerm(tok[from:p]) {
				continue
			}
			if validTerm(tok[p:]) {
				return []string{tok[from:p], tok[p:]}
			}
			if rest := split(p); rest != nil {
				return append([]string{tok[from:p]}, rest...)
			}
			memo[p] = true
		}
		return nil
	}
	parts = split(0)
	off := 0
	for _, part := range parts[:max(len(parts)-1, 0)] {
		if off += len(part); boundary(off) {
			at = start + off
		}
	}
	return parts, at
}

// glueNames are the names a glued term can begin with.
var glueNames = []string{"include", "exists", "redirect", "exp", "ip4", "ip6", "all", "ptr", "mx", "a"}

// termStart reports whether s begins like a term glued to the one before:
// a mechanism with a qualifier, a name followed by ":" or "=", or a bare
// name at a string boundary.
func termStart(s string, atBoundary bool) bool {
	qualified := s != "" && strings.IndexByte("+-~?", s[0]) >= 0
	if qualified {
		s = s[1:]
	}
	for _, name := range glueNames {
		if len(s) < len(name) || !strings.EqualFold(s[:len(name)], name) {
			continue
		}
		switch after := s[len(name):]; {
		case name == "redirect" || name == "exp":
			return !qualified && strings.HasPrefix(after, "=")
		case after == "" || after[0] == '/':
			return qualified || atBoundary
		case after[0] == ':':
			return true
		}
	}
	return false
}

// validTerm reports whether t parses as one term.
func validTerm(t string) bool {
	_, err := spf.Parse("v=spf1 " + t)
	return err == nil
}
