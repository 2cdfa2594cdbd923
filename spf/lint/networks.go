package lint

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// network is an ip4 or ip6 network that authorises senders of the root
// domain, and the term that names it.
type network struct {
	prefix netip.Prefix // masked
	domain string       // whose record has the term
	term   string
	column int
	record string
}

// comparePrefixes orders prefixes IPv4 first, by address, the wider of
// two at the same address first.
func comparePrefixes(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return cmp.Compare(a.Bits(), b.Bits())
}

// contains reports whether outer contains all of inner.
func contains(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

// mergePrefixes sorts masked prefixes and drops those inside another.
// Two CIDR networks either nest or are disjoint, so a prefix inside any
// kept one is inside the last kept one.
func mergePrefixes(ps []netip.Prefix) []netip.Prefix {
	slices.SortFunc(ps, comparePrefixes)
	out := ps[:0]
	for _, p := range ps {
		if len(out) > 0 && contains(out[len(out)-1], p) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// spaceOf counts the IPv4 addresses and IPv6 /64s of merged prefixes.
func spaceOf(a authorised) Space {
	sp := Space{Partial: a.partial}
	var v6 []netip.Prefix
	for _, p := range a.prefixes {
		if p.Addr().Is4() {
			sp.IPv4 += 1 << (32 - p.Bits())
			continue
		}
		if p.Bits() > 64 {
			p = netip.PrefixFrom(p.Addr(), 64).Masked()
		}
		v6 = append(v6, p)
	}
	for _, p := range mergePrefixes(v6) {
		n := uint64(math.MaxUint64) // 2^64 /64s in ::/0, one too many
		if p.Bits() > 0 {
			n = 1 << (64 - p.Bits())
		}
		if sum := sp.IPv6 + n; sum >= sp.IPv6 {
			sp.IPv6 = sum
		} else { // saturate rather than wrap
			sp.IPv6 = math.MaxUint64
		}
	}
	return sp
}

// overlaps reports each network of the tree that lies inside another one
// the tree authorises (or repeats it): the narrower, or the later of two
// equal ones. Networks of one term (an include followed twice) and terms
// duplicate-term already reports are not compared.
func (s *linter) overlaps() {
	type entry struct {
		network
		index int
	}
	nets := make([]entry, len(s.nets))
	for i, n := range s.nets {
		nets[i] = entry{n, i}
	}
	slices.SortFunc(nets, func(a, b entry) int {
		if c := comparePrefixes(a.prefix, b.prefix); c != 0 {
			return c
		}
		return cmp.Compare(a.index, b.index)
	})
	var stack []entry // the networks containing the current one, widest first
	for _, n := range nets {
		for len(stack) > 0 && !contains(stack[len(stack)-1].prefix, n.prefix) {
			stack = stack[:len(stack)-1]
		}
		for i := len(stack) - 1; i >= 0; i-- {
			if o := stack[i]; !sameTerm(o.network, n.network) {
				s.overlap(n.network, o.network)
				break
			}
		}
		stack = append(stack, n)
	}
}

// sameTerm reports whether a and b come from one term, or from terms of
// one record that duplicate-term reports.
func sameTerm(a, b network) bool {
	if !strings.EqualFold(a.domain, b.domain) {
		return false
	}
	return a.column == b.column || strings.EqualFold(strings.TrimPrefix(a.term, "+"), strings.TrimPrefix(b.term, "+"))
}

// overlap reports n, which lies inside o.
func (s *linter) overlap(n, o network) {
	where := "at column " + strconv.Itoa(o.column)
	if !strings.EqualFold(n.domain, o.domain) {
		where = "in the record of " + o.domain + ", column " + strconv.Itoa(o.column)
	}
	msg := fmt.Sprintf("%s lies inside %q %s, which authorises all of it already", n.prefix, o.term, where)
	if n.prefix == o.prefix {
		msg = fmt.Sprintf("%s is authorised already by %q %s", n.prefix, o.term, where)
	}
	f := newFinding(ruleOverlappingNetworks, n.domain, msg, "remove "+strconv.Quote(n.term)+", or the other term if this one is meant to stay")
	f.Term, f.Column, f.Record = n.term, n.column, n.record
	s.add(f)
}
