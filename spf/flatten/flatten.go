// Package flatten writes a domain's SPF record (RFC 7208) as today's DNS
// resolves it: the addresses of every a, mx and include in the tree as
// ip4 and ip6 terms, merged into the fewest CIDR networks, split into
// character-strings of at most 255 bytes (§3.3) and into records whose
// answer fits 512 bytes (§3.4), chained with includes where one record
// does not hold them all.
//
// A flattened record needs no DNS lookups for what it copied, so it
// stays under the limit of 10 (§4.6.4); but it is a copy: when a provider
// whose include was flattened changes its addresses, the copy goes stale
// and their mail starts to fail. Result.Sources names the domains to
// watch.
//
// The flattened record gives every client the result the tree gives it
// today: sets of addresses are taken in evaluation order (§4.6.2), each
// term's addresses less those an earlier term decided, so that the terms
// of the flattened record are disjoint and their order does not matter.
// Terms whose answer depends on the client or the sender (exists, ptr, a
// macro other than %{d}) cannot be copied: they are kept as written, in
// their place, and an include whose tree holds one is kept whole.
package flatten

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"spflab/spf"
)

// Flattener flattens records, resolving names with Resolver.
type Flattener struct {
	Resolver spf.Resolver
}

// Result is a flattened record.
type Result struct {
	Domain string `json:"domain"`
	// Source is the record flattened: the published one, or a draft.
	Source string `json:"source"`
	// Records are the records to publish: the domain's first, then the
	// chained ones its includes name.
	Records []Record `json:"records"`
	// Networks are the networks that pass, merged, IPv4 first.
	Networks []netip.Prefix `json:"networks"`
	// Kept are the terms kept as written: their answer depends on the
	// client or the sender.
	Kept []string `json:"kept,omitempty"`
	// Sources are the domains whose addresses were copied: when any of
	// them changes, the flattened record is stale.
	Sources []string `json:"sources"`
	// Lookups counts the DNS-querying terms of the flattened record
	// (RFC 7208 §4.6.4): the chained includes and the kept terms.
	Lookups int `json:"lookups"`
}

// maxRecords bounds the records one flattening fetches.
const maxRecords = 100

// Flatten flattens the published record of domain.
func (f *Flattener) Flatten(ctx context.Context, domain string) (*Result, error) {
	w := &walker{ctx: ctx, r: f.Resolver}
	rec, text, err := w.fetch(domain)
	if err != nil {
		return nil, err
	}
	return w.flatten(domain, text, rec)
}

// Draft flattens draft as if it were domain's record.
func (f *Flattener) Draft(ctx context.Context, domain, draft string) (*Result, error) {
	rec, err := spf.Parse(draft)
	if err != nil {
		return nil, fmt.Errorf("the draft: %w", err)
	}
	w := &walker{ctx: ctx, r: f.Resolver}
	return w.flatten(domain, draft, rec)
}

type walker struct {
	ctx     context.Context
	r       spf.Resolver
	fetched int
	sources []string
	stack   []string // the records being walked, for loops
}

// segment is a run of the flattened record: disjoint sets of addresses by
// qualifier, or one term kept as written.
type segment struct {
	sets map[spf.Qualifier]set
	kept string
}

func (w *walker) flatten(domain, text string, rec *spf.Record) (*Result, error) {
	segs, final, err := w.top(domain, rec)
	if err != nil {
		return nil, err
	}
	res := &Result{Domain: domain, Source: text, Sources: w.sources}
	var pass set
	for _, s := range segs {
		if s.kept != "" {
			res.Kept = append(res.Kept, s.kept)
		}
		pass = pass.union(s.sets[spf.QualifierPass])
	}
	res.Networks = pass.prefixes()
	res.Records, res.Lookups, err = pack(domain, segs, final)
	return res, err
}

// top walks the domain's record, and the records of its redirects, into
// segments and the final term (all, a kept redirect, or "" for the
// default neutral).
func (w *walker) top(domain string, rec *spf.Record) ([]segment, string, error) {
	var segs []segment
	var decided set
	emit := func(q spf.Qualifier, s set) {
		if s.empty() {
			return
		}
		if len(segs) == 0 || segs[len(segs)-1].kept != "" {
			segs = append(segs, segment{sets: map[spf.Qualifier]set{}})
		}
		last := segs[len(segs)-1].sets
		last[q] = last[q].union(s)
	}
	keep := func(text string) { segs = append(segs, segment{kept: text}) }
	w.stack = append(w.stack, domain)
	cur := domain
	for {
		for i := range rec.Terms {
			t := &rec.Terms[i]
			if !t.Kind.IsMechanism() {
				continue
			}
			if t.Kind == spf.KindAll {
				return segs, t.Text, nil // later terms are never evaluated (§5.1)
			}
			target, static := t.Target(cur)
			switch {
			case copyable(t, static):
				s, err := w.addresses(cur, t, target)
				if err != nil {
					return nil, "", err
				}
				emit(t.Qualifier, s.minus(decided))
				decided = decided.union(s)
			case t.Kind == spf.KindInclude && static:
				p, dynamic, err := w.passSet(target)
				if err != nil {
					return nil, "", fmt.Errorf("%s: %q: %w", cur, t.Text, err)
				}
				if dynamic != "" {
					keep(qualified(t.Qualifier, "include:"+target))
					continue
				}
				// A matching include gives the include's qualifier (§5.2).
				emit(t.Qualifier, p.minus(decided))
				decided = decided.union(p)
			default: // exists, ptr, a macro: asked per client
				text, err := keptText(domain, cur, t, target, static)
				if err != nil {
					return nil, "", err
				}
				keep(text)
			}
		}
		if rec.Redirect == nil {
			return segs, "", nil // no match is neutral (§4.7)
		}
		target, static := rec.Redirect.Target(cur)
		if !static {
			if cur != domain {
				return nil, "", fmt.Errorf("%s: %q depends on the client or the sender and is reached through a redirect: it cannot be kept", cur, rec.Redirect.Text)
			}
			return segs, rec.Redirect.Text, nil
		}
		// The target's record decides for the clients no term matched
		// (§6.1): its terms go on where these end.
		next, _, err := w.follow(cur, rec.Redirect.Text, target)
		if err != nil {
			return nil, "", err
		}
		rec, cur = next, target
	}
}

// passSet returns the addresses for which the record of domain gives pass,
// or the term that makes that depend on the client or the sender.
func (w *walker) passSet(domain string) (set, string, error) {
	base := len(w.stack)
	defer func() { w.stack = w.stack[:base] }()
	rec, _, err := w.follow("", "", domain)
	if err != nil {
		return set{}, "", err
	}
	var pass, decided set
	cur := domain
	for {
		for i := range rec.Terms {
			t := &rec.Terms[i]
			if !t.Kind.IsMechanism() {
				continue
			}
			target, static := t.Target(cur)
			switch {
			case t.Kind == spf.KindAll:
				if t.Qualifier == spf.QualifierPass {
					pass = pass.union(everything().minus(decided))
				}
				return pass, "", nil
			case copyable(t, static):
				s, err := w.addresses(cur, t, target)
				if err != nil {
					return set{}, "", err
				}
				if t.Qualifier == spf.QualifierPass {
					pass = pass.union(s.minus(decided))
				}
				decided = decided.union(s)
			case t.Kind == spf.KindInclude && static:
				p, dynamic, err := w.passSet(target)
				if err != nil {
					return set{}, "", fmt.Errorf("%s: %q: %w", cur, t.Text, err)
				}
				if dynamic != "" {
					return set{}, dynamic, nil
				}
				if t.Qualifier == spf.QualifierPass {
					pass = pass.union(p.minus(decided))
				}
				decided = decided.union(p)
			default:
				return set{}, cur + ": " + t.Text, nil
			}
		}
		if rec.Redirect == nil {
			return pass, "", nil
		}
		target, static := rec.Redirect.Target(cur)
		if !static {
			return set{}, cur + ": " + rec.Redirect.Text, nil
		}
		next, _, err := w.follow(cur, rec.Redirect.Text, target)
		if err != nil {
			return set{}, "", err
		}
		rec, cur = next, target
	}
}

// copyable reports whether a term's addresses can be copied: ip4, ip6,
// and a or mx naming a domain that does not depend on the client or the
// sender.
func copyable(t *spf.Term, static bool) bool {
	switch t.Kind {
	case spf.KindIP4, spf.KindIP6:
		return true
	case spf.KindA, spf.KindMX:
		return static
	}
	return false
}

// follow fetches the record of target for an include or redirect of
// from, pushing it on the stack.
func (w *walker) follow(from, term, target string) (*spf.Record, string, error) {
	where := func(err error) error {
		if from == "" {
			return err
		}
		return fmt.Errorf("%s: %q: %w", from, term, err)
	}
	if slices.Contains(w.stack, target) {
		return nil, "", where(fmt.Errorf("%s is already being evaluated: a loop, which is a permerror (RFC 7208 §4.6.4)", target))
	}
	rec, text, err := w.fetch(target)
	if err != nil {
		return nil, "", where(err)
	}
	w.stack = append(w.stack, target)
	return rec, text, nil
}

// fetch returns the one SPF record of domain (RFC 7208 §4.5).
func (w *walker) fetch(domain string) (*spf.Record, string, error) {
	if w.fetched++; w.fetched > maxRecords {
		return nil, "", fmt.Errorf("more than %d records in the tree", maxRecords)
	}
	txts, err := w.r.LookupTXT(w.ctx, domain)
	if spf.Temporary(err) {
		return nil, "", fmt.Errorf("the TXT lookup of %s failed: %w: today's check gives temperror", domain, err)
	}
	var records []string
	for _, t := range txts {
		if spf.IsSPFRecord(t) {
			records = append(records, t)
		}
	}
	switch len(records) {
	case 0:
		return nil, "", fmt.Errorf("%s has no SPF record: today's check gives permerror or none (RFC 7208 §4.5, §5.2)", domain)
	case 1:
	default:
		return nil, "", fmt.Errorf("%s has %d SPF records: today's check gives permerror (RFC 7208 §4.5)", domain, len(records))
	}
	rec, err := spf.Parse(records[0])
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w: today's check gives permerror", domain, err)
	}
	w.source(domain)
	return rec, records[0], nil
}

// addresses resolves an ip4, ip6, a or mx term of the record of domain
// (RFC 7208 §5.3, §5.4, §5.6). A name without addresses adds none, as it
// matches none.
func (w *walker) addresses(domain string, t *spf.Term, target string) (set, error) {
	var s set
	switch t.Kind {
	case spf.KindIP4, spf.KindIP6:
		s.add(t.Net)
		return s, nil
	case spf.KindA:
		return s, w.hostAddresses(&s, domain, t, target)
	}
	hosts, err := w.r.LookupMX(w.ctx, target)
	if err := lookupError(domain, t, err); err != nil {
		return s, err
	}
	if len(hosts) > 10 {
		return s, fmt.Errorf("%s: %q: %s has %d MX records: today's check gives permerror (RFC 7208 §4.6.4)", domain, t.Text, target, len(hosts))
	}
	for _, h := range hosts {
		if h == "." { // the null MX (RFC 7505): no host
			continue
		}
		if err := w.hostAddresses(&s, domain, t, h); err != nil {
			return s, err
		}
	}
	return s, nil
}

// hostAddresses adds the addresses of host with the term's CIDR lengths.
func (w *walker) hostAddresses(s *set, domain string, t *spf.Term, host string) error {
	v4, err := w.r.LookupA(w.ctx, host)
	if err := lookupError(domain, t, err); err != nil {
		return err
	}
	v6, err := w.r.LookupAAAA(w.ctx, host)
	if err := lookupError(domain, t, err); err != nil {
		return err
	}
	for _, ip := range v4 {
		s.add(netip.PrefixFrom(ip, cidr(t.V4Prefix, 32)))
	}
	for _, ip := range v6 {
		s.add(netip.PrefixFrom(ip, cidr(t.V6Prefix, 128)))
	}
	w.source(host)
	return nil
}

// source notes a name whose records were copied.
func (w *walker) source(name string) {
	if !slices.Contains(w.sources, name) {
		w.sources = append(w.sources, name)
	}
}

func cidr(n, full int) int {
	if n < 0 {
		return full
	}
	return n
}

// lookupError is nil for an answer and for a void lookup (a term that
// matches nothing), and a temperror of today's check otherwise.
func lookupError(domain string, t *spf.Term, err error) error {
	if !spf.Temporary(err) {
		return nil
	}
	return fmt.Errorf("%s: %q: %w: today's check gives temperror", domain, t.Text, err)
}

// keptText is a term kept as written in the record of domain, reached in
// the record of cur (the same, or a redirect's target): written with its
// target when that is static, so that it names the same domain.
func keptText(domain, cur string, t *spf.Term, target string, static bool) (string, error) {
	if cur == domain {
		return t.Text, nil
	}
	if !static {
		return "", fmt.Errorf("%s: %q depends on the client or the sender and is reached through a redirect: it cannot be kept", cur, t.Text)
	}
	return qualified(t.Qualifier, t.Name+":"+target), nil
}

// qualified writes a term with its qualifier, "+" left out.
func qualified(q spf.Qualifier, term string) string {
	if q == spf.QualifierPass {
		return term
	}
	return string(q) + term
}

// terms writes a set as ip4 and ip6 terms.
func terms(q spf.Qualifier, s set) []string {
	var out []string
	for _, p := range s.prefixes() {
		name := "ip6:"
		if p.Addr().Is4() {
			name = "ip4:"
		}
		text := p.String()
		if p.IsSingleIP() {
			text = p.Addr().String()
		}
		out = append(out, qualified(q, name+text))
	}
	return out
}

// joinTerms writes a record of terms.
func joinTerms(terms []string) string {
	return strings.Join(append([]string{"v=spf1"}, terms...), " ")
}
