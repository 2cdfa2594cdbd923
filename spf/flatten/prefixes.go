package flatten

import (
	"cmp"
	"math/bits"
	"net/netip"
	"slices"
)

// u128 is an address as a number: IPv4 in the low 32 bits.
type u128 struct{ hi, lo uint64 }

func (a u128) cmp(b u128) int {
	if c := cmp.Compare(a.hi, b.hi); c != 0 {
		return c
	}
	return cmp.Compare(a.lo, b.lo)
}

func (a u128) add(b u128) u128 {
	lo, carry := bits.Add64(a.lo, b.lo, 0)
	hi, _ := bits.Add64(a.hi, b.hi, carry)
	return u128{hi, lo}
}

func (a u128) sub(b u128) u128 {
	lo, borrow := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, borrow)
	return u128{hi, lo}
}

var one = u128{0, 1}

// ones returns the number with the low n bits set.
func ones(n int) u128 {
	switch {
	case n <= 0:
		return u128{}
	case n < 64:
		return u128{0, 1<<n - 1}
	case n < 128:
		return u128{1<<(n-64) - 1, ^uint64(0)}
	}
	return u128{^uint64(0), ^uint64(0)}
}

func (a u128) or(b u128) u128     { return u128{a.hi | b.hi, a.lo | b.lo} }
func (a u128) andNot(b u128) u128 { return u128{a.hi &^ b.hi, a.lo &^ b.lo} }

func (a u128) trailingZeros() int {
	if a.lo != 0 {
		return bits.TrailingZeros64(a.lo)
	}
	if a.hi != 0 {
		return 64 + bits.TrailingZeros64(a.hi)
	}
	return 128
}

// bitLen is the number of bits needed to write a.
func (a u128) bitLen() int {
	if a.hi != 0 {
		return 64 + bits.Len64(a.hi)
	}
	return bits.Len64(a.lo)
}

func number(a netip.Addr) u128 {
	if a.Is4() {
		b := a.As4()
		return u128{0, uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])}
	}
	b := a.As16()
	var u u128
	for i := range 8 {
		u.hi = u.hi<<8 | uint64(b[i])
		u.lo = u.lo<<8 | uint64(b[8+i])
	}
	return u
}

func address(u u128, v4 bool) netip.Addr {
	if v4 {
		return netip.AddrFrom4([4]byte{byte(u.lo >> 24), byte(u.lo >> 16), byte(u.lo >> 8), byte(u.lo)})
	}
	var b [16]byte
	for i := range 8 {
		b[7-i] = byte(u.hi >> (8 * i))
		b[15-i] = byte(u.lo >> (8 * i))
	}
	return netip.AddrFrom16(b)
}

// span is the addresses lo to hi, both included.
type span struct{ lo, hi u128 }

// family is a set of addresses of one family: sorted spans that neither
// overlap nor touch.
type family []span

// set is a set of IPv4 and IPv6 addresses.
type set struct{ v4, v6 family }

func width(v4 bool) int {
	if v4 {
		return 32
	}
	return 128
}

// everything is every address of both families (all, RFC 7208 §5.1).
func everything() set {
	return set{v4: family{{u128{}, ones(32)}}, v6: family{{u128{}, ones(128)}}}
}

// add adds a network.
func (s *set) add(p netip.Prefix) {
	p = p.Masked()
	v4 := p.Addr().Is4()
	lo := number(p.Addr())
	sp := span{lo, lo.or(ones(width(v4) - p.Bits()))}
	if v4 {
		s.v4 = s.v4.union(family{sp})
	} else {
		s.v6 = s.v6.union(family{sp})
	}
}

func (s set) union(t set) set { return set{s.v4.union(t.v4), s.v6.union(t.v6)} }
func (s set) minus(t set) set { return set{s.v4.minus(t.v4), s.v6.minus(t.v6)} }
func (s set) empty() bool     { return len(s.v4) == 0 && len(s.v6) == 0 }

// prefixes returns the set as the fewest CIDR networks, IPv4 first.
func (s set) prefixes() []netip.Prefix {
	return append(s.v4.prefixes(true), s.v6.prefixes(false)...)
}

func (f family) union(g family) family {
	all := slices.Concat(f, g)
	slices.SortFunc(all, func(a, b span) int { return a.lo.cmp(b.lo) })
	var out family
	for _, sp := range all {
		if n := len(out); n > 0 {
			last := &out[n-1]
			// Overlapping or touching: last.hi+1 >= sp.lo (no overflow
			// when last.hi is the top, which covers everything after).
			if last.hi == ones(128) || last.hi.add(one).cmp(sp.lo) >= 0 {
				if sp.hi.cmp(last.hi) > 0 {
					last.hi = sp.hi
				}
				continue
			}
		}
		out = append(out, sp)
	}
	return out
}

func (f family) minus(g family) family {
	var out family
	for _, sp := range f {
		lo := sp.lo
		done := false
		for _, cut := range g {
			if cut.hi.cmp(lo) < 0 || cut.lo.cmp(sp.hi) > 0 {
				continue
			}
			if cut.lo.cmp(lo) > 0 {
				out = append(out, span{lo, cut.lo.sub(one)})
			}
			if cut.hi.cmp(sp.hi) >= 0 {
				done = true
				break
			}
			lo = cut.hi.add(one)
		}
		if !done {
			out = append(out, span{lo, sp.hi})
		}
	}
	return out
}

// prefixes covers each span with the fewest aligned networks.
func (f family) prefixes(v4 bool) []netip.Prefix {
	w := width(v4)
	var out []netip.Prefix
	for _, sp := range f {
		lo := sp.lo
		for {
			// The largest block aligned at lo that ends by hi.
			k := min(lo.trailingZeros(), w)
			n := sp.hi.sub(lo) // addresses left, minus one
			if n != ones(128) {
				k = min(k, n.add(one).bitLen()-1)
			}
			out = append(out, netip.PrefixFrom(address(lo, v4), w-k))
			end := lo.or(ones(k))
			if end.cmp(sp.hi) >= 0 {
				break
			}
			lo = end.add(one)
		}
	}
	return out
}
