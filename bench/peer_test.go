// Package bench compares spflab's SPF engine with blitiri.com.ar/go/spf on
// the RFC 7208 suite, the same tests answered with the same records. It is
// a module of its own so that the peer stays out of spflab's go.mod.
//
//	cd bench && go test -run XXX -bench Paired
//
// BenchmarkPaired reports x-faster: the median over passes of blitiri's
// time for a whole pass of the suite divided by spflab's for the pass next
// to it. On a shared machine only such paired ratios are comparable.
package bench

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	blitiri "blitiri.com.ar/go/spf"

	"spflab/spf"
	"spflab/spf/suite"
)

// eval is one test of the suite with everything both engines need,
// prepared before timing starts.
type eval struct {
	t *suite.Test
	// plain is a default spf.Checker (only its Resolver set); traced has
	// a Listener as well.
	plain, traced *spf.Checker
	// blitiri's arguments and options.
	ip     net.IP
	sender string
	opts   []blitiri.Option
}

// fixture is the suite ready to be timed.
type fixture struct {
	evals  []eval
	maps   []*mapResolver
	peers  []*peerMapResolver
	events int // what the traced Checkers' listener counts
}

// misses counts lookups the recorded maps could not answer.
func (f *fixture) misses() int {
	n := 0
	for _, m := range f.maps {
		n += m.misses
	}
	for _, p := range f.peers {
		n += p.misses
	}
	return n
}

func suitePath() string {
	path := os.Getenv("SPF_SUITE")
	if path == "" {
		path = filepath.Join("..", "..", "shared", "spf-suites")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "rfc7208-tests.yml")
	}
	return path
}

// load reads the suite and records, per scenario, every answer each engine
// asks for into its map resolver.
func load(tb testing.TB) *fixture {
	s, err := suite.ParseFile(suitePath())
	if err != nil {
		tb.Skipf("no suite (set SPF_SUITE): %v", err)
	}
	ctx := context.Background()
	f := new(fixture)
	listener := func(*spf.Event) { f.events++ }
	for _, sc := range s.Scenarios {
		m, p := newMapResolver(), newPeerMapResolver()
		f.maps, f.peers = append(f.maps, m), append(f.peers, p)
		plain, traced := &spf.Checker{Resolver: m}, &spf.Checker{Resolver: m, Listener: listener}
		opts := []blitiri.Option{blitiri.WithResolver(p), blitiri.WithContext(ctx)}
		rec := &spf.Checker{Resolver: recorder{sc.Zone, m}}
		peerOpts := []blitiri.Option{blitiri.WithResolver(peerRecorder{sc.Zone, p})}
		for _, t := range sc.Tests {
			ev := eval{t: t, plain: plain, traced: traced, ip: t.Host.AsSlice(), sender: t.MailFrom, opts: opts}
			if ev.sender == "" {
				ev.sender = "postmaster@" + t.HELO
			}
			rec.Check(ctx, t.Host, t.HELO, t.MailFrom)
			blitiri.CheckHostWithSender(ev.ip, t.HELO, ev.sender, peerOpts...)
			f.evals = append(f.evals, ev)
		}
	}
	return f
}

// Results of the passes, kept so that the calls are not optimised away.
var (
	sinkResult spf.Result
	sinkPeer   blitiri.Result
)

func (f *fixture) spflabPass(checker func(*eval) *spf.Checker) func() {
	ctx := context.Background()
	return func() {
		for i := range f.evals {
			ev := &f.evals[i]
			sinkResult = checker(ev).Check(ctx, ev.t.Host, ev.t.HELO, ev.t.MailFrom).Result
		}
	}
}

func (f *fixture) blitiriPass() {
	for i := range f.evals {
		ev := &f.evals[i]
		sinkPeer, _ = blitiri.CheckHostWithSender(ev.ip, ev.t.HELO, ev.sender, ev.opts...)
	}
}

func plain(ev *eval) *spf.Checker  { return ev.plain }
func traced(ev *eval) *spf.Checker { return ev.traced }

// BenchmarkPaired times whole passes of the suite, alternating the engines
// pass by pass (the first engine of a round rotates), and reports medians:
// x-faster is blitiri's time over spflab's for the passes of one round,
// and each engine's ns/eval. spflab-allocs/eval counts allocations of one
// spflab pass per evaluation. With a listener, listener-% is the traced
// Checker's extra time over a default Checker's in the same round.
func BenchmarkPaired(b *testing.B) {
	f := load(b)
	b.Run("checker=default", func(b *testing.B) {
		d := paired(b, f, f.spflabPass(plain), f.blitiriPass)
		b.ReportMetric(median(ratios(d[1], d[0])), "x-faster")
	})
	b.Run("checker=listener", func(b *testing.B) {
		d := paired(b, f, f.spflabPass(traced), f.blitiriPass, f.spflabPass(plain))
		b.ReportMetric(median(ratios(d[1], d[0])), "x-faster")
		extra := ratios(d[0], d[2])
		for i := range extra {
			extra[i] = 100 * (extra[i] - 1)
		}
		b.ReportMetric(median(extra), "listener-%")
	})
	if n := f.misses(); n > 0 {
		b.Fatalf("%d lookups were not recorded: the maps do not answer as the zones do", n)
	}
}

// paired runs the passes in turn, rotating which goes first, and returns
// the time of each pass in each round. passes[0] is spflab's, passes[1]
// blitiri's: it reports their median ns/eval and spflab's allocations.
func paired(b *testing.B, f *fixture, passes ...func()) [][]float64 {
	n := float64(len(f.evals))
	allocs := testing.AllocsPerRun(5, passes[0]) / n
	d := make([][]float64, len(passes))
	round := 0
	for b.Loop() {
		for k := range passes {
			i := (round + k) % len(passes)
			start := time.Now()
			passes[i]()
			d[i] = append(d[i], float64(time.Since(start).Nanoseconds()))
		}
		round++
	}
	b.ReportMetric(median(d[0])/n, "spflab-ns/eval")
	b.ReportMetric(median(d[1])/n, "blitiri-ns/eval")
	b.ReportMetric(allocs, "spflab-allocs/eval")
	return d
}

// ratios returns num[i]/den[i].
func ratios(num, den []float64) []float64 {
	r := make([]float64, len(num))
	for i := range num {
		r[i] = num[i] / den[i]
	}
	return r
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// TestPeerAgrees guards the comparison: the peer must be answered with the
// zones' records, so it must agree with the suite on most tests.
func TestPeerAgrees(t *testing.T) {
	f := load(t)
	agree := 0
	for _, ev := range f.evals {
		r, err := blitiri.CheckHostWithSender(ev.ip, ev.t.HELO, ev.sender, ev.opts...)
		if slices.Contains(ev.t.Results, spf.Result(r)) {
			agree++
		} else {
			t.Logf("peer differs on %s: want %v, got %s (%v)", ev.t.Name, ev.t.Results, r, err)
		}
	}
	// The peer is lax about syntax (its own suite run skips those tests):
	// 173 of 203 agree. Far fewer would mean the adapter is wrong.
	if agree < len(f.evals)*8/10 {
		t.Errorf("the peer agrees with the suite on %d of %d tests: its resolver adapter is wrong", agree, len(f.evals))
	}
	if n := f.misses(); n > 0 {
		t.Errorf("%d lookups were not recorded", n)
	}
	t.Logf("peer agrees on %d of %d tests", agree, len(f.evals))
}

// TestMapsAnswerAsZones guards the recorded maps: spflab on them gives
// the outcome it gives on the scenario's zone, for every test.
func TestMapsAnswerAsZones(t *testing.T) {
	s, err := suite.ParseFile(suitePath())
	if err != nil {
		t.Skipf("no suite (set SPF_SUITE): %v", err)
	}
	f := load(t)
	ctx := context.Background()
	i := 0
	for _, sc := range s.Scenarios {
		zone := &spf.Checker{Resolver: sc.Zone}
		for _, tc := range sc.Tests {
			ev := f.evals[i]
			i++
			want := zone.Check(ctx, tc.Host, tc.HELO, tc.MailFrom)
			got := ev.plain.Check(ctx, tc.Host, tc.HELO, tc.MailFrom)
			if got.Result != want.Result || got.Explanation != want.Explanation || errText(got.Err) != errText(want.Err) {
				t.Errorf("%s: on the maps %s %q (%v), on the zone %s %q (%v)", tc.Name,
					got.Result, got.Explanation, got.Err, want.Result, want.Explanation, want.Err)
			}
		}
	}
	if n := f.misses(); n > 0 {
		t.Errorf("%d lookups were not recorded", n)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
