package lint

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"spflab/spf"
)

// selectRecord picks the SPF record from the TXT answer of p's domain
// (RFC 7208 §4.5) and parses it; it records on n the record's text, and
// why it cannot be used when it cannot.
func (s *linter) selectRecord(n *Node, p *place, v *via, txts []string, err error) *spf.Record {
	domain := p.domain
	if err != nil && stateOf(0, err) == failed {
		cause := err
		var de *spf.DNSError
		if errors.As(err, &de) {
			cause = de.Err
		}
		n.Problem = "the TXT lookup failed: " + cause.Error()
		s.viaFinding(ruleLookupFailed, v, "the TXT lookup of "+domain+" failed ("+cause.Error()+"): a check that needs its record gives temperror",
			"make sure the name servers of "+domain+" answer")
		return nil
	}
	var spfs []string
	for _, t := range txts {
		if spf.IsSPFRecord(t) {
			spfs = append(spfs, t)
		}
	}
	switch len(spfs) {
	case 0:
		why := noSPFAmong(len(txts))
		if err != nil {
			why = failure(err)
		}
		n.Problem = "no SPF record (" + why + ")"
		switch p.role {
		case roleRoot:
			s.viaFinding(ruleNoRecord, nil, n.Problem+": a check of its senders gives none",
				`publish a TXT record that begins with "v=spf1"`)
		case roleInclude:
			s.viaFinding(ruleIncludeNoRecord, v, domain+" has "+n.Problem+": a check that reaches the include ends in permerror",
				"correct the include's domain or remove it")
		case roleRedirect:
			s.viaFinding(ruleRedirectNoRecord, v, domain+" has "+n.Problem+": a check that reaches the redirect ends in permerror",
				"correct the redirect's domain or remove it")
		}
		return nil
	case 1:
	default:
		n.Records = spfs
		n.Problem = strconv.Itoa(len(spfs)) + " SPF records"
		quoted := make([]string, len(spfs))
		for i, r := range spfs {
			quoted[i] = strconv.Quote(r)
		}
		s.add(newFinding(ruleMultipleRecords, domain,
			n.Problem+", "+strings.Join(quoted, " and ")+": a check of the domain ends in permerror",
			"merge them into one record and delete the others: "+strconv.Quote(merge(spfs))))
		return nil
	}
	n.Record = spfs[0]
	rec, err := spf.Parse(spfs[0])
	if err != nil {
		var se *spf.SyntaxError
		errors.As(err, &se)
		n.Problem = "syntax error: " + err.Error()
		f := newFinding(ruleSyntax, domain, se.Reason+": a check of the record ends in permerror",
			"correct the term, or remove it")
		f.Term, f.Column, f.Record = se.Term, se.Column, spfs[0]
		s.add(f)
		return nil
	}
	return rec
}

// noSPFAmong says that none of n TXT records is an SPF record.
func noSPFAmong(n int) string {
	if n == 1 {
		return `its only TXT record does not begin with "v=spf1"`
	}
	return "none of its " + strconv.Itoa(n) + ` TXT records begins with "v=spf1"`
}

// merge merges SPF records into one: the mechanisms of each in order
// without repeats, a redirect kept only when it is the only one and no
// record has all (else each becomes an include), the strictest all, the
// first exp.
func merge(records []string) string {
	var mechs, redirects []string
	seen := map[string]bool{}
	all, exp := "", ""
	for _, r := range records {
		for _, f := range strings.Fields(r)[1:] {
			low := strings.ToLower(f)
			switch {
			case strings.TrimLeft(low, "+-~?") == "all":
				if all == "" || strictness(f[0]) > strictness(all[0]) {
					all = f
				}
			case strings.HasPrefix(low, "redirect="):
				redirects = append(redirects, f[len("redirect="):])
			case strings.HasPrefix(low, "exp="):
				if exp == "" {
					exp = f
				}
			default:
				if key := strings.TrimPrefix(low, "+"); !seen[key] {
					seen[key] = true
					mechs = append(mechs, f)
				}
			}
		}
	}
	out := append([]string{"v=spf1"}, mechs...)
	if all == "" && len(redirects) == 1 {
		out = append(out, "redirect="+redirects[0])
	} else {
		for _, r := range redirects {
			if inc := "include:" + r; !seen[strings.ToLower(inc)] {
				seen[strings.ToLower(inc)] = true
				out = append(out, inc)
			}
		}
	}
	if all != "" {
		out = append(out, all)
	}
	if exp != "" {
		out = append(out, exp)
	}
	return strings.Join(out, " ")
}

// strictness orders the qualifiers of all from + to -.
func strictness(q byte) int { return strings.IndexByte("+?~-", q) }

// spf2 notes Sender ID records (RFC 4406) among the TXT records of the
// root.
func (s *linter) spf2(domain string, txts []string) {
	for _, t := range txts {
		if len(t) < 7 || !strings.EqualFold(t[:7], "spf2.0/") {
			continue
		}
		f := newFinding(ruleSPF2Record, domain,
			"a Sender ID record (RFC 4406, an experiment that has ended): SPF receivers ignore it, and a receiver that still applies Sender ID uses it instead of the SPF record",
			"delete it, so that one record says who may send")
		f.Term, f.Column, f.Record = strings.Fields(t)[0], 1, t
		s.add(f)
	}
}

// checkSize checks the lengths of the root's record (RFC 7208 §3.3, §3.4).
func (s *linter) checkSize(domain, text string, txts []string) {
	if s.isDraft && len(text) > 255 {
		s.add(newFinding(ruleStringLength, domain,
			fmt.Sprintf("the draft is %d bytes; a TXT character-string holds at most 255", len(text)),
			"publish it as several strings, which receivers join with nothing between them: "+splitQuoted(text)))
	}
	if size := txtAnswerSize(domain, txts); size > 512 {
		s.add(newFinding(ruleAnswerSize, domain,
			fmt.Sprintf("the TXT answer is at least %d bytes, more than the 512 that fit a UDP answer without EDNS: some receivers retry over TCP, some fail", size),
			"shorten the record (ip4 ranges in CIDR form, fewer terms) or move other TXT records to subdomains"))
	}
}

// splitQuoted splits text into quoted strings of at most 255 bytes,
// cutting before a space where one is near, so that each string but the
// first begins with the space between two terms.
func splitQuoted(text string) string {
	var parts []string
	for len(text) > 255 {
		cut := strings.LastIndexByte(text[:255], ' ')
		if cut < 200 {
			cut = 255
		}
		parts = append(parts, strconv.Quote(text[:cut]))
		text = text[cut:]
	}
	return strings.Join(append(parts, strconv.Quote(text)), " ")
}

// txtAnswerSize is the size of a DNS answer holding txts for name, each
// split into strings of 255 bytes, with name compression and no EDNS
// (RFC 1035 §4.1): a lower bound of what a server sends.
func txtAnswerSize(name string, txts []string) int {
	name = strings.TrimSuffix(name, ".")
	size := 12 + len(name) + 2 + 4 // header, question
	for _, t := range txts {
		strs := max((len(t)+254)/255, 1)
		size += 2 + 10 + len(t) + strs // owner pointer, type class ttl rdlength, rdata
	}
	return size
}

// parked suggests "v=spf1 -all" for a root domain that exists but has no
// MX and no address, unless its record already says it sends no mail.
func (s *linter) parked() {
	if err := s.txt[canonical(s.root)].err; err != nil && !errors.Is(err, spf.ErrNoData) {
		return // no such name, or the lookup failed
	}
	if fields := strings.Fields(s.rep.Tree.Record); len(fields) == 2 && strings.EqualFold(fields[1], "-all") {
		return
	}
	if _, st := s.lookupMX(s.root); st != void {
		return
	}
	for _, qtype := range []string{"A", "AAAA"} {
		if _, st := s.lookupAddrs(qtype, s.root); st != void {
			return
		}
	}
	f := newFinding(ruleParkedDomain, s.root,
		"the domain has no MX record and no A or AAAA record: if it sends no mail, its SPF record should say so",
		`publish "v=spf1 -all": no host may send mail as this domain`)
	f.Record = s.rep.Tree.Record
	s.add(f)
}
