package spf_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"spflab/spf"
	"spflab/spf/suite"
)

// loadSuite reads the RFC 7208 suite for benchmarks: $SPF_SUITE, else the
// shared copy beside the checkout.
func loadSuite(b *testing.B) *suite.Suite {
	path := os.Getenv("SPF_SUITE")
	if path == "" {
		path = filepath.Join("..", "..", "shared", "spf-suites", "rfc7208-tests.yml")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "rfc7208-tests.yml")
	}
	s, err := suite.ParseFile(path)
	if err != nil {
		b.Skipf("no suite to benchmark: %v", err)
	}
	return s
}

// processCPU is the CPU time the process has used, in nanoseconds: on a
// shared machine it measures the work, where wall time also counts the
// waits for a core.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkSuite evaluates every test of the RFC 7208 suite against its
// in-memory zone with a default Checker (only the Resolver set: records
// parsed once, in the shared cache) and with a listener. ns/eval is the
// time of one check_host() with its recursion; the zone's own error
// values count in allocs/op.
func BenchmarkSuite(b *testing.B) {
	s := loadSuite(b)
	type eval struct {
		c *spf.Checker
		t *suite.Test
	}
	run := func(b *testing.B, template spf.Checker) {
		var evals []eval
		for _, sc := range s.Scenarios {
			c := template
			c.Resolver = sc.Zone
			for _, t := range sc.Tests {
				evals = append(evals, eval{&c, t})
			}
		}
		ctx := context.Background()
		b.ReportAllocs()
		cpu := processCPU()
		for b.Loop() {
			for _, ev := range evals {
				ev.c.Check(ctx, ev.t.Host, ev.t.HELO, ev.t.MailFrom)
			}
		}
		n := float64(b.N * len(evals))
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/eval")
		b.ReportMetric(float64(processCPU()-cpu)/n, "cpu-ns/eval")
	}
	b.Run("plain", func(b *testing.B) { run(b, spf.Checker{}) })
	b.Run("listener", func(b *testing.B) {
		events := 0
		run(b, spf.Checker{Listener: func(*spf.Event) { events++ }})
	})
}

// parsed keeps BenchmarkParse's records on the heap, as a cache would.
var parsed *spf.Record

// BenchmarkParse parses every SPF record of the suite's zones, without a
// cache: what a record costs the first time a Checker meets it.
func BenchmarkParse(b *testing.B) {
	s := loadSuite(b)
	var records []string
	for _, sc := range s.Scenarios {
		for _, name := range sc.Zone.Names() {
			for _, txt := range sc.Zone.TXT(name) {
				if spf.IsSPFRecord(txt) {
					records = append(records, txt)
				}
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range records {
			parsed, _ = spf.Parse(r)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(records)), "ns/record")
}

// eventSink is called through a variable, as a Checker calls its Listener.
var eventSink spf.Listener

// BenchmarkEventCall is the floor of a listener's cost per step, done as a
// Checker does it: the fields of one step stored into an Event kept for
// that kind of step, never cleared nor copied, and the Event handed to a
// Listener by pointer.
func BenchmarkEventCall(b *testing.B) {
	events := 0
	eventSink = func(*spf.Event) { events++ }
	ev := new(spf.Event)
	for b.Loop() {
		ev.Kind, ev.Depth, ev.Domain, ev.Counters = spf.EventTerm, 0, "example.com", spf.Counters{DNSTerms: 1}
		ev.Term, ev.Column, ev.Target = "a:x.example", 8, "x.example"
		eventSink(ev)
	}
	if events != b.N {
		b.Fatalf("%d events for %d calls", events, b.N)
	}
}
