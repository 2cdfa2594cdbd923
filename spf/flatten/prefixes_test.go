package flatten

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func setOf(t *testing.T, prefixes ...string) set {
	t.Helper()
	var s set
	for _, p := range prefixes {
		s.add(netip.MustParsePrefix(p))
	}
	return s
}

func text(ps []netip.Prefix) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return strings.Join(out, " ")
}

func TestSetOperations(t *testing.T) {
	tests := []struct {
		name    string
		a, b    []string
		union   string
		aMinusB string
	}{
		{"adjacent halves merge", []string{"192.0.2.0/25"}, []string{"192.0.2.128/25"}, "192.0.2.0/24", "192.0.2.0/25"},
		{"a network inside another", []string{"192.0.2.0/24"}, []string{"192.0.2.64/26"}, "192.0.2.0/24", "192.0.2.0/26 192.0.2.128/25"},
		{"host bits are masked", []string{"192.0.2.77/24"}, nil, "192.0.2.0/24", "192.0.2.0/24"},
		{"an odd range", []string{"10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/30", "10.0.0.8/32"}, []string{"10.0.0.5/32"}, "10.0.0.1/32 10.0.0.2/31 10.0.0.4/30 10.0.0.8/32",
			"10.0.0.1/32 10.0.0.2/31 10.0.0.4/32 10.0.0.6/31 10.0.0.8/32"},
		{"the whole space", []string{"0.0.0.0/0", "::/0"}, []string{"0.0.0.0/1", "8000::/1"}, "0.0.0.0/0 ::/0", "128.0.0.0/1 ::/1"},
		{"the top of the space", []string{"255.255.255.255/32", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"}, []string{"255.255.255.254/32"},
			"255.255.255.254/31 ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", "255.255.255.255/32 ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127"},
		{"IPv6 across the 64-bit halves", []string{"2001:db8::/64", "2001:db8:0:1::/64"}, []string{"2001:db8::/65"}, "2001:db8::/63", "2001:db8:0:0:8000::/65 2001:db8:0:1::/64"},
		{"families apart", []string{"192.0.2.0/24"}, []string{"::ffff:192.0.2.0/120"}, "192.0.2.0/24 ::ffff:192.0.2.0/120", "192.0.2.0/24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := setOf(t, tt.a...), setOf(t, tt.b...)
			if got := text(a.union(b).prefixes()); got != tt.union {
				t.Errorf("union: %s, want %s", got, tt.union)
			}
			if got := text(a.minus(b).prefixes()); got != tt.aMinusB {
				t.Errorf("a minus b: %s, want %s", got, tt.aMinusB)
			}
		})
	}
}

// TestSetAgainstMembership checks union, minus and prefixes against
// plain membership over every address of a small IPv4 range.
func TestSetAgainstMembership(t *testing.T) {
	base := netip.MustParseAddr("198.51.100.0")
	addr := func(i int) netip.Addr {
		a := base
		for range i {
			a = a.Next()
		}
		return a
	}
	in := func(ps []netip.Prefix, ip netip.Addr) bool {
		return slices.ContainsFunc(ps, func(p netip.Prefix) bool { return p.Contains(ip) })
	}
	// Pseudo-random networks inside 198.51.100.0/24.
	seed := uint32(7)
	next := func() uint32 { seed = seed*1664525 + 1013904223; return seed >> 8 }
	for round := range 200 {
		var a, b []netip.Prefix
		for range 1 + round%5 {
			a = append(a, netip.PrefixFrom(addr(int(next()%256)), 24+int(next()%9)).Masked())
			b = append(b, netip.PrefixFrom(addr(int(next()%256)), 24+int(next()%9)).Masked())
		}
		var sa, sb set
		for _, p := range a {
			sa.add(p)
		}
		for _, p := range b {
			sb.add(p)
		}
		u, m := sa.union(sb).prefixes(), sa.minus(sb).prefixes()
		for i := range 256 {
			ip := addr(i)
			if in(u, ip) != (in(a, ip) || in(b, ip)) || in(m, ip) != (in(a, ip) && !in(b, ip)) {
				t.Fatalf("round %d, %s: a %v b %v: union %v minus %v", round, ip, a, b, u, m)
			}
		}
		// The fewest networks: no two of them merge into one.
		for i := 0; i+1 < len(u); i++ {
			if p, err := u[i].Addr().Prefix(u[i].Bits() - 1); err == nil && p.Contains(u[i+1].Addr()) && u[i].Bits() == u[i+1].Bits() {
				t.Fatalf("%v and %v merge into %v", u[i], u[i+1], p)
			}
		}
	}
}
