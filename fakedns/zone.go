package fakedns

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"spflab/internal/dnstext"
	"spflab/spf"
)

// maxCNAMEChain bounds how many CNAME records one lookup follows; a longer
// chain is treated as a loop (RFC 1034 §3.6.2) and fails like SERVFAIL.
const maxCNAMEChain = 8

// Zone is an in-memory set of resource records that answers the lookups of
// spf.Resolver. Names compare case-insensitively (RFC 4343) and a trailing
// dot is not significant. A name not in the zone answers NXDOMAIN
// (spf.ErrNoSuchName), a name without records of the queried type NODATA
// (spf.ErrNoData); CNAME records are followed (RFC 1034 §3.6.2).
//
// Build a Zone with its Add methods, Merge and Replace before use; after
// that, lookups are safe for concurrent use. The slices lookups return
// are shared by every caller: they must not be modified.
type Zone struct {
	// TimeoutErrorNames turns on a convention of the openspf.org suite: a
	// name not in the zone whose first label is "error" times out instead
	// of answering NXDOMAIN.
	TimeoutErrorNames bool
	// OnQuery, when set, is called after every lookup with the query type
	// ("TXT", "A", "AAAA", "MX", "PTR"), the name as asked and the error
	// returned (nil for an answer). It is called on the goroutine of the
	// lookup, so concurrently when lookups are.
	OnQuery func(qtype, name string, err error)

	nodes map[string]*node
}

// node is everything the zone knows about one owner name, with the answers
// precomputed so that a lookup is one map access.
type node struct {
	name    string   // canonical owner name
	rrs     []dns.RR // every record, in the order added
	txt     []string // each TXT record's character-strings joined
	a, aaaa []netip.Addr
	mx      []mxHost // by preference, stable
	mxNames []string // mx's hosts, in the same order
	ptr     []string
	cname   string // canonical target, "" when none
	// faults says which query types fail and how; the entry for
	// dns.TypeNone applies to every type without an entry of its own.
	faults map[uint16]error
}

type mxHost struct {
	pref uint16
	host string
}

// NewZone returns an empty zone.
func NewZone() *Zone { return &Zone{nodes: make(map[string]*node)} }

// Canonical returns the form of name the zone keys on: ASCII letters in
// lower case (RFC 4343), no trailing dot. It does not allocate when name is
// already in that form.
func Canonical(name string) string {
	if name != "" && name[len(name)-1] == '.' {
		return canonicalSlow(name)
	}
	for i := 0; i < len(name); i++ {
		if name[i]-'A' < 26 { // an upper-case ASCII letter
			return canonicalSlow(name)
		}
	}
	return name
}

func canonicalSlow(name string) string {
	b := []byte(strings.TrimSuffix(name, "."))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// hostName is a domain name from record data, in presentation form, as
// the resolver returns it: octets, case kept, no trailing dot, the root as
// ".".
func hostName(name string) string {
	if name == "." || name == "" {
		return "."
	}
	return dnstext.Decode(strings.TrimSuffix(name, "."))
}

// node returns the node of name (the octets, not presentation form),
// creating it.
func (z *Zone) node(name string) *node {
	key := Canonical(name)
	n := z.nodes[key]
	if n == nil {
		n = &node{name: key}
		z.nodes[key] = n
	}
	return n
}

// defaultTTL is the TTL of the records the Add methods add.
const defaultTTL = 300

// header is the header of a record of type t owned by name (octets).
func header(name string, t uint16) dns.RR_Header {
	return dns.RR_Header{Name: fqdn(name), Rrtype: t, Class: dns.ClassINET, Ttl: defaultTTL}
}

// fqdn is a name given as octets in the presentation form miekg/dns
// holds, with the trailing dot.
func fqdn(name string) string { return dns.Fqdn(dnstext.EscapeName(name)) }

// AddName makes name exist in the zone, with no records yet: a query for
// it answers NODATA (spf.ErrNoData, RFC 2308 §2.2) rather than NXDOMAIN.
func (z *Zone) AddName(name string) { z.node(name) }

// AddTXT adds a TXT record to name. Each of strs is raw text (any octets)
// that starts a new character-string, split further at 255 octets
// (RFC 1035 §3.3.14); lookups return the strings joined (RFC 7208 §3.3).
func (z *Zone) AddTXT(name string, strs ...string) {
	z.addRR(&dns.TXT{Hdr: header(name, dns.TypeTXT), Txt: splitTXT(strs)})
}

// AddSPF adds a record of the SPF type (99, RFC 7208 §3.1: deprecated,
// served but never looked up by the evaluator); strs as for AddTXT.
func (z *Zone) AddSPF(name string, strs ...string) {
	z.addRR(&dns.SPF{Hdr: header(name, dns.TypeSPF), Txt: splitTXT(strs)})
}

func splitTXT(strs []string) []string {
	out := make([]string, 0, len(strs))
	for _, s := range strs {
		out = append(out, dnstext.SplitTXT(s)...)
	}
	return out
}

// AddAddr adds an A record for an IPv4 address or an AAAA record for an
// IPv6 one (an IPv4-mapped address included). The zero Addr adds nothing.
func (z *Zone) AddAddr(name string, ip netip.Addr) {
	switch {
	case ip.Is4():
		z.addRR(&dns.A{Hdr: header(name, dns.TypeA), A: ip.AsSlice()})
	case ip.Is6():
		z.addRR(&dns.AAAA{Hdr: header(name, dns.TypeAAAA), AAAA: ip.AsSlice()})
	}
}

// AddMX adds an MX record (RFC 1035 §3.3.9); host "" or "." is the null MX
// of RFC 7505.
func (z *Zone) AddMX(name string, pref uint16, host string) {
	z.addRR(&dns.MX{Hdr: header(name, dns.TypeMX), Preference: pref, Mx: fqdn(host)})
}

// AddPTR adds a PTR record (RFC 1035 §3.3.12), usually at a ReverseName.
func (z *Zone) AddPTR(name, host string) {
	z.addRR(&dns.PTR{Hdr: header(name, dns.TypePTR), Ptr: fqdn(host)})
}

// AddCNAME makes name an alias of target (RFC 1034 §3.6.2): lookups of
// name follow it.
func (z *Zone) AddCNAME(name, target string) {
	z.addRR(&dns.CNAME{Hdr: header(name, dns.TypeCNAME), Target: fqdn(target)})
}

// addRR adds a record under its owner name. A, AAAA, MX, TXT, PTR and CNAME
// records answer the lookups of spf.Resolver; every record (NS, SOA, SPF,
// any type) is kept for Records and for Server. Names and TXT
// character-strings are in miekg/dns presentation form (\DDD and \X
// escapes), as the zone file parser returns them. An A or AAAA record
// without a valid address is ignored by the lookups.
func (z *Zone) addRR(rr dns.RR) {
	n := z.node(dnstext.Decode(rr.Header().Name))
	n.rrs = append(n.rrs, rr)
	switch rr := rr.(type) {
	case *dns.TXT:
		n.txt = append(n.txt, dnstext.JoinTXT(rr.Txt))
	case *dns.A:
		if ip, ok := netip.AddrFromSlice(rr.A); ok && ip.Unmap().Is4() {
			n.a = append(n.a, ip.Unmap())
		}
	case *dns.AAAA:
		if ip, ok := netip.AddrFromSlice(rr.AAAA); ok && ip.Is6() {
			n.aaaa = append(n.aaaa, ip)
		}
	case *dns.MX:
		h := mxHost{rr.Preference, hostName(rr.Mx)}
		// After the hosts of the same preference: they keep the order added.
		i := slices.IndexFunc(n.mx, func(m mxHost) bool { return m.pref > h.pref })
		if i < 0 {
			i = len(n.mx)
		}
		n.mx = slices.Insert(n.mx, i, h)
		n.mxNames = n.mxNames[:0]
		for _, m := range n.mx {
			n.mxNames = append(n.mxNames, m.host)
		}
	case *dns.PTR:
		n.ptr = append(n.ptr, hostName(rr.Ptr))
	case *dns.CNAME:
		n.cname = Canonical(dnstext.Decode(rr.Target))
	}
}

// AddTimeout makes queries for name (as the resolver asks it, not in
// presentation form) time out, except those of a type the zone already has
// records of for name: the TIMEOUT entry of the openspf.org suite, which
// times out "unless a record of the queried type is listed before".
// Records of a timed-out type added later are kept for Records but not
// answered.
func (z *Zone) AddTimeout(name string) { z.addFault(name, ErrTimeout) }

// AddServFail is AddTimeout with a server failure (RCODE 2, SERVFAIL,
// RFC 1035 §4.1.1) instead of a timeout.
func (z *Zone) AddServFail(name string) { z.addFault(name, ErrServFail) }

func (z *Zone) addFault(name string, fault error) {
	n := z.node(name)
	if n.faults == nil {
		n.faults = make(map[uint16]error)
	}
	for _, rr := range n.rrs {
		if t := rr.Header().Rrtype; n.faults[t] == nil {
			n.faults[t] = errNoFault
		}
	}
	n.faults[dns.TypeNone] = fault
}

// fault returns the failure of a query of qtype at n, nil for none.
func (n *node) fault(qtype uint16) error {
	f, ok := n.faults[qtype]
	if !ok {
		f = n.faults[dns.TypeNone]
	}
	if f == errNoFault {
		return nil
	}
	return f
}

// Merge adds every record and fault of other to z. Where both zones have a
// fault for the same name and type, other's wins. z keeps its own
// TimeoutErrorNames and OnQuery.
func (z *Zone) Merge(other *Zone) {
	for _, name := range other.Names() {
		z.mergeNode(name, other.nodes[name])
	}
}

// Replace is Merge, except that a name other has loses every record and
// fault it had in z first: other's records of a name replace z's.
func (z *Zone) Replace(other *Zone) {
	for _, name := range other.Names() {
		delete(z.nodes, name)
		z.mergeNode(name, other.nodes[name])
	}
}

func (z *Zone) mergeNode(name string, o *node) {
	n := z.node(name)
	for _, rr := range o.rrs {
		z.addRR(rr)
	}
	if o.faults != nil && n.faults == nil {
		n.faults = make(map[uint16]error, len(o.faults))
	}
	for t, f := range o.faults {
		n.faults[t] = f
	}
}

// Names returns the owner names of the zone in canonical form, sorted.
func (z *Zone) Names() []string {
	names := make([]string, 0, len(z.nodes))
	for name := range z.nodes {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Records returns the records of name in the order they were added, without
// following CNAMEs or applying faults; nil when the zone has no such name.
func (z *Zone) Records(name string) []Record {
	if n := z.nodes[Canonical(name)]; n != nil {
		return records(n.rrs)
	}
	return nil
}

// TXT returns the TXT records of name, each with its character-strings
// joined (RFC 7208 §3.3), without following CNAMEs or applying faults.
// The slice must not be modified.
func (z *Zone) TXT(name string) []string {
	if n := z.nodes[Canonical(name)]; n != nil {
		return n.txt
	}
	return nil
}

// resolve finds the node that answers a query of qtype for name: it follows
// CNAMEs (unless qtype is CNAME) and applies faults. The error is one of
// spf.ErrNoSuchName, ErrTimeout, ErrServFail or errCNAMELoop.
func (z *Zone) resolve(qtype uint16, name string) (*node, error) {
	key := Canonical(name)
	for hop := 0; ; hop++ {
		n := z.nodes[key]
		if n == nil {
			if z.TimeoutErrorNames && strings.HasPrefix(key, "error.") {
				return nil, ErrTimeout
			}
			return nil, spf.ErrNoSuchName
		}
		if n.faults != nil {
			if err := n.fault(qtype); err != nil {
				return nil, err
			}
		}
		if n.cname == "" || qtype == dns.TypeCNAME {
			return n, nil
		}
		if hop == maxCNAMEChain {
			return nil, errCNAMELoop
		}
		key = n.cname
	}
}

// answer runs a lookup for spf.Resolver: the records pick selects from the
// node that answers, or a *spf.DNSError.
func answer[T any](z *Zone, qtype uint16, qname, name string, pick func(*node) []T) ([]T, error) {
	n, err := z.resolve(qtype, name)
	var ans []T
	if err == nil {
		if ans = pick(n); len(ans) == 0 {
			err = spf.ErrNoData
		}
	}
	if err != nil {
		err = &spf.DNSError{QType: qname, Name: name, Err: err}
	}
	if z.OnQuery != nil {
		z.OnQuery(qname, name, err)
	}
	return ans, err
}

// LookupTXT returns the TXT records of name, each with its
// character-strings joined with no separator (RFC 7208 §3.3). The slice
// must not be modified.
func (z *Zone) LookupTXT(_ context.Context, name string) ([]string, error) {
	return answer(z, dns.TypeTXT, "TXT", name, func(n *node) []string { return n.txt })
}

// LookupA returns the IPv4 addresses of name. The slice must not be
// modified.
func (z *Zone) LookupA(_ context.Context, name string) ([]netip.Addr, error) {
	return answer(z, dns.TypeA, "A", name, func(n *node) []netip.Addr { return n.a })
}

// LookupAAAA returns the IPv6 addresses of name. The slice must not be
// modified.
func (z *Zone) LookupAAAA(_ context.Context, name string) ([]netip.Addr, error) {
	return answer(z, dns.TypeAAAA, "AAAA", name, func(n *node) []netip.Addr { return n.aaaa })
}

// LookupMX returns the exchange host names of name's MX records in order of
// preference (RFC 5321 §5.1), the null MX (RFC 7505) as ".". The slice must
// not be modified.
func (z *Zone) LookupMX(_ context.Context, name string) ([]string, error) {
	return answer(z, dns.TypeMX, "MX", name, func(n *node) []string { return n.mxNames })
}

// LookupPTR returns the names of the PTR records at ip's reverse name
// (RFC 1035 §3.5, RFC 3596 §2.5). The slice must not be modified.
func (z *Zone) LookupPTR(_ context.Context, ip netip.Addr) ([]string, error) {
	return answer(z, dns.TypePTR, "PTR", ReverseName(ip), func(n *node) []string { return n.ptr })
}

// ReverseName returns the reverse-mapping name of ip under in-addr.arpa
// (RFC 1035 §3.5) or ip6.arpa (RFC 3596 §2.5), without the trailing dot;
// "" for the zero Addr. It is dns.ReverseAddr with one allocation;
// ParseReverseName is its inverse.
func ReverseName(ip netip.Addr) string {
	const hex = "0123456789abcdef"
	var buf [72]byte
	b := buf[:0]
	switch ip = ip.Unmap(); {
	case ip.Is4():
		a := ip.As4()
		for i := 3; i >= 0; i-- {
			b = strconv.AppendUint(b, uint64(a[i]), 10)
			b = append(b, '.')
		}
		return string(append(b, "in-addr.arpa"...))
	case ip.Is6():
		a := ip.As16()
		for i := 15; i >= 0; i-- {
			b = append(b, hex[a[i]&0xf], '.', hex[a[i]>>4], '.')
		}
		return string(append(b, "ip6.arpa"...))
	}
	return ""
}

// ParseReverseName returns the address a reverse-mapping name stands for:
// "80.2.0.192.in-addr.arpa" is 192.0.2.80 (RFC 1035 §3.5), a name of 32
// hexadecimal nibbles under ip6.arpa an IPv6 address (RFC 3596 §2.5).
// Case and a trailing dot do not matter; false for any other name. It is
// the inverse of ReverseName.
func ParseReverseName(name string) (netip.Addr, bool) {
	name = Canonical(name)
	if rest, ok := strings.CutSuffix(name, ".in-addr.arpa"); ok {
		var b [4]byte
		for i := 3; i >= 0; i-- {
			label, more, dot := strings.Cut(rest, ".")
			// Decimal without leading zeros, as ReverseName writes it;
			// four labels, so a dot after each but the last.
			n, err := strconv.ParseUint(label, 10, 8)
			if err != nil || (len(label) > 1 && label[0] == '0') || dot != (i > 0) {
				return netip.Addr{}, false
			}
			b[i], rest = byte(n), more
		}
		return netip.AddrFrom4(b), true
	}
	if rest, ok := strings.CutSuffix(name, ".ip6.arpa"); ok {
		if len(rest) != 63 {
			return netip.Addr{}, false
		}
		var b [16]byte
		for i := 0; i < 32; i++ {
			n := strings.IndexByte("0123456789abcdef", rest[2*i])
			if n < 0 || (i < 31 && rest[2*i+1] != '.') {
				return netip.Addr{}, false
			}
			pos := 31 - i // the first label is the last nibble
			b[pos/2] |= byte(n) << (4 * (1 - pos%2))
		}
		return netip.AddrFrom16(b), true
	}
	return netip.Addr{}, false
}

// tempError is a failure that check_host() turns into temperror: it wraps
// spf.ErrTemporary.
type tempError string

func (e tempError) Error() string { return string(e) }
func (e tempError) Unwrap() error { return spf.ErrTemporary }

// The failures the zone simulates; each wraps spf.ErrTemporary.
var (
	// ErrTimeout: the query went unanswered (the suite's TIMEOUT).
	ErrTimeout error = tempError("timeout")
	// ErrServFail: the server answered SERVFAIL (RFC 1035 §4.1.1).
	ErrServFail error = tempError("server failure (SERVFAIL)")

	errCNAMELoop error = tempError("CNAME chain too long or looping")
	errNoFault   error = tempError("no fault") // a type listed before the fault
)

var _ spf.Resolver = (*Zone)(nil)
