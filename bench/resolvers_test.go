package bench

import (
	"context"
	"errors"
	"net"
	"net/netip"

	"spflab/fakedns"
	"spflab/spf"
)

// The benchmark answers both engines from maps filled before it starts:
// every lookup is one map access returning an answer and an error built
// once, so neither engine pays for the other's resolver adapter. The maps
// are filled by running each engine once over the suite against the
// scenario's fakedns zone and recording what it asked.

// answer is a recorded lookup: the records or the error, built once.
type answer[T any] struct {
	v   T
	err error
}

// errMiss answers a lookup that was not recorded; mapResolver.misses
// counts them so that a benchmark can refuse results made of them.
var errMiss = &spf.DNSError{QType: "?", Name: "not recorded", Err: spf.ErrTemporary}

// mapResolver answers spf.Resolver from recorded answers.
type mapResolver struct {
	txt, mx map[string]answer[[]string]
	a, aaaa map[string]answer[[]netip.Addr]
	ptr     map[netip.Addr]answer[[]string]
	misses  int
}

func newMapResolver() *mapResolver {
	return &mapResolver{
		txt: map[string]answer[[]string]{}, mx: map[string]answer[[]string]{},
		a: map[string]answer[[]netip.Addr]{}, aaaa: map[string]answer[[]netip.Addr]{},
		ptr: map[netip.Addr]answer[[]string]{},
	}
}

func lookup[K comparable, T any](r *mapResolver, m map[K]answer[T], name K) (T, error) {
	a, ok := m[name]
	if !ok {
		r.misses++
		return a.v, errMiss
	}
	return a.v, a.err
}

func (r *mapResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	return lookup(r, r.txt, name)
}

func (r *mapResolver) LookupA(_ context.Context, name string) ([]netip.Addr, error) {
	return lookup(r, r.a, name)
}

func (r *mapResolver) LookupAAAA(_ context.Context, name string) ([]netip.Addr, error) {
	return lookup(r, r.aaaa, name)
}

func (r *mapResolver) LookupMX(_ context.Context, name string) ([]string, error) {
	return lookup(r, r.mx, name)
}

func (r *mapResolver) LookupPTR(_ context.Context, ip netip.Addr) ([]string, error) {
	return lookup(r, r.ptr, ip)
}

// recorder answers from a zone and records every answer into a mapResolver.
type recorder struct {
	z   *fakedns.Zone
	rec *mapResolver
}

func record[K comparable, T any](m map[K]answer[T], name K, v T, err error) (T, error) {
	m[name] = answer[T]{v, err}
	return v, err
}

func (r recorder) LookupTXT(ctx context.Context, name string) ([]string, error) {
	v, err := r.z.LookupTXT(ctx, name)
	return record(r.rec.txt, name, v, err)
}

func (r recorder) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	v, err := r.z.LookupA(ctx, name)
	return record(r.rec.a, name, v, err)
}

func (r recorder) LookupAAAA(ctx context.Context, name string) ([]netip.Addr, error) {
	v, err := r.z.LookupAAAA(ctx, name)
	return record(r.rec.aaaa, name, v, err)
}

func (r recorder) LookupMX(ctx context.Context, name string) ([]string, error) {
	v, err := r.z.LookupMX(ctx, name)
	return record(r.rec.mx, name, v, err)
}

func (r recorder) LookupPTR(ctx context.Context, ip netip.Addr) ([]string, error) {
	v, err := r.z.LookupPTR(ctx, ip)
	return record(r.rec.ptr, ip, v, err)
}

// peerMapResolver answers blitiri's DNSResolver (net.Resolver's methods)
// from recorded net-style answers: []*net.MX, []net.IPAddr, *net.DNSError.
type peerMapResolver struct {
	txt, ptr map[string]answer[[]string]
	mx       map[string]answer[[]*net.MX]
	ip       map[string]answer[[]net.IPAddr]
	misses   int
}

var errPeerMiss = &net.DNSError{Err: "not recorded", Name: "?", IsTemporary: true}

func newPeerMapResolver() *peerMapResolver {
	return &peerMapResolver{
		txt: map[string]answer[[]string]{}, ptr: map[string]answer[[]string]{},
		mx: map[string]answer[[]*net.MX]{}, ip: map[string]answer[[]net.IPAddr]{},
	}
}

func peerLookup[T any](r *peerMapResolver, m map[string]answer[T], name string) (T, error) {
	a, ok := m[name]
	if !ok {
		r.misses++
		return a.v, errPeerMiss
	}
	return a.v, a.err
}

func (r *peerMapResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	return peerLookup(r, r.txt, name)
}

func (r *peerMapResolver) LookupMX(_ context.Context, name string) ([]*net.MX, error) {
	return peerLookup(r, r.mx, name)
}

func (r *peerMapResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	return peerLookup(r, r.ip, host)
}

func (r *peerMapResolver) LookupAddr(_ context.Context, addr string) ([]string, error) {
	return peerLookup(r, r.ptr, addr)
}

// peerRecorder answers blitiri from a zone, converting to net's types as
// net.Resolver would, and records every answer into a peerMapResolver.
type peerRecorder struct {
	z   *fakedns.Zone
	rec *peerMapResolver
}

// netErr is the *net.DNSError net.Resolver returns for a failed lookup.
func netErr(name string, err error) error {
	de := &net.DNSError{Err: err.Error(), Name: name}
	if errors.Is(err, spf.ErrNoSuchName) || errors.Is(err, spf.ErrNoData) {
		de.IsNotFound = true
	} else {
		de.IsTemporary, de.IsTimeout = true, true
	}
	return de
}

func (r peerRecorder) LookupTXT(ctx context.Context, name string) ([]string, error) {
	t, err := r.z.LookupTXT(ctx, name)
	if err != nil {
		err = netErr(name, err)
	}
	return record(r.rec.txt, name, t, err)
}

func (r peerRecorder) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	hosts, err := r.z.LookupMX(ctx, name)
	if err != nil {
		return record[string, []*net.MX](r.rec.mx, name, nil, netErr(name, err))
	}
	mx := make([]*net.MX, len(hosts))
	for i, h := range hosts {
		mx[i] = &net.MX{Host: h, Pref: uint16(i)}
	}
	return record(r.rec.mx, name, mx, nil)
}

func (r peerRecorder) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	a, errA := r.z.LookupA(ctx, host)
	aaaa, errAAAA := r.z.LookupAAAA(ctx, host)
	if errA != nil && errAAAA != nil {
		err := errAAAA
		if errors.Is(errA, spf.ErrTemporary) {
			err = errA
		}
		return record[string, []net.IPAddr](r.rec.ip, host, nil, netErr(host, err))
	}
	out := make([]net.IPAddr, 0, len(a)+len(aaaa))
	for _, x := range append(a[:len(a):len(a)], aaaa...) {
		out = append(out, net.IPAddr{IP: x.AsSlice()})
	}
	return record(r.rec.ip, host, out, nil)
}

func (r peerRecorder) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return record[string, []string](r.rec.ptr, addr, nil, &net.DNSError{Err: err.Error(), Name: addr, IsNotFound: true})
	}
	names, err := r.z.LookupPTR(ctx, ip)
	if err != nil {
		err = netErr(addr, err)
	}
	return record(r.rec.ptr, addr, names, err)
}
