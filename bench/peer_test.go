// Package bench compares spflab's SPF engine with blitiri.com.ar/go/spf on
// the RFC 7208 suite, the same tests answered from the same in-memory zones.
// It is a module of its own so that the peer stays out of spflab's go.mod.
//
//	cd bench && go test -bench . -count 6 | tee new.txt && benchstat new.txt
package bench

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	blitiri "blitiri.com.ar/go/spf"

	"spflab/fakedns"
	"spflab/spf"
	"spflab/spf/suite"
)

// evals lists every test of the suite with the zone that answers it.
func evals(b *testing.B) (tests []*suite.Test, zones []*fakedns.Zone) {
	path := os.Getenv("SPF_SUITE")
	if path == "" {
		path = filepath.Join("..", "..", "shared", "spf-suites")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "rfc7208-tests.yml")
	}
	s, err := suite.ParseFile(path)
	if err != nil {
		b.Skipf("no suite: %v", err)
	}
	for _, sc := range s.Scenarios {
		for _, t := range sc.Tests {
			tests, zones = append(tests, t), append(zones, sc.Zone)
		}
	}
	return tests, zones
}

func BenchmarkSuite(b *testing.B) {
	tests, zones := evals(b)
	ctx := context.Background()
	perEval := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(tests)), "ns/eval")
	}
	b.Run("engine=spflab", func(b *testing.B) {
		checkers := make([]spf.Checker, len(tests))
		for i := range tests {
			checkers[i] = spf.Checker{Resolver: zones[i], Explanation: "DEFAULT"}
		}
		b.ReportAllocs()
		for b.Loop() {
			for i, t := range tests {
				checkers[i].Check(ctx, t.Host, t.HELO, t.MailFrom)
			}
		}
		perEval(b)
	})
	b.Run("engine=blitiri", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for i, t := range tests {
				from := t.MailFrom
				if from == "" {
					from = "postmaster@" + t.HELO
				}
				blitiri.CheckHostWithSender(t.Host.AsSlice(), t.HELO, from,
					blitiri.WithResolver(peerResolver{zones[i]}), blitiri.WithContext(ctx))
			}
		}
		perEval(b)
	})
}

// TestPeerAgrees guards the comparison: the peer must be answered by the
// same zones, so it must agree with the suite on most tests.
func TestPeerAgrees(t *testing.T) {
	tests, zones := evals(&testing.B{})
	if len(tests) == 0 {
		t.Skip("no suite")
	}
	agree := 0
	for i, tc := range tests {
		from := tc.MailFrom
		if from == "" {
			from = "postmaster@" + tc.HELO
		}
		r, err := blitiri.CheckHostWithSender(tc.Host.AsSlice(), tc.HELO, from, blitiri.WithResolver(peerResolver{zones[i]}))
		if slices.Contains(tc.Results, spf.Result(r)) {
			agree++
		} else {
			t.Logf("peer differs on %s: want %v, got %s (%v)", tc.Name, tc.Results, r, err)
		}
	}
	// The peer is lax about syntax (its own suite run skips those tests):
	// 173 of 203 agree. Far fewer would mean the adapter below is wrong.
	if agree < len(tests)*8/10 {
		t.Errorf("the peer agrees with the suite on %d of %d tests: its resolver adapter is wrong", agree, len(tests))
	}
	t.Logf("peer agrees on %d of %d tests", agree, len(tests))
}

// peerResolver answers blitiri's DNSResolver (net.Resolver's methods) from
// a fakedns zone.
type peerResolver struct{ z *fakedns.Zone }

func netErr(name string, err error) error {
	de := &net.DNSError{Err: err.Error(), Name: name}
	if errors.Is(err, spf.ErrNoSuchName) || errors.Is(err, spf.ErrNoData) {
		de.IsNotFound = true
	} else {
		de.IsTemporary, de.IsTimeout = true, true
	}
	return de
}

func (r peerResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	t, err := r.z.LookupTXT(ctx, name)
	if err != nil {
		return nil, netErr(name, err)
	}
	return t, nil
}

func (r peerResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	hosts, err := r.z.LookupMX(ctx, name)
	if err != nil {
		return nil, netErr(name, err)
	}
	mx := make([]*net.MX, len(hosts))
	for i, h := range hosts {
		mx[i] = &net.MX{Host: h, Pref: uint16(i)}
	}
	return mx, nil
}

func (r peerResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	a, errA := r.z.LookupA(ctx, host)
	aaaa, errAAAA := r.z.LookupAAAA(ctx, host)
	if errA != nil && errAAAA != nil {
		if errors.Is(errA, spf.ErrTemporary) {
			return nil, netErr(host, errA)
		}
		return nil, netErr(host, errAAAA)
	}
	out := make([]net.IPAddr, 0, len(a)+len(aaaa))
	for _, x := range append(a[:len(a):len(a)], aaaa...) {
		out = append(out, net.IPAddr{IP: x.AsSlice()})
	}
	return out, nil
}

func (r peerResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return nil, err
	}
	names, err := r.z.LookupPTR(ctx, ip)
	if err != nil {
		return nil, netErr(addr, err)
	}
	return names, nil
}
