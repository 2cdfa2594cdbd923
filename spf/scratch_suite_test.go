package spf_test

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"spflab/fakedns"
	"spflab/spf"
)

func TestScratchSuite(t *testing.T) {
	data, err := os.ReadFile("/work/shared/spf-suites/rfc7208-tests.yml")
	if err != nil {
		t.Skip(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	pass, fail := 0, 0
	for {
		var doc struct {
			Description string
			Tests       map[string]struct {
				Helo, Host, Mailfrom, Explanation string
				Result                            yaml.Node
			}
			Zonedata yaml.Node
		}
		if err := dec.Decode(&doc); err != nil {
			break
		}
		z, err := fakedns.ZoneDataFromNode(&doc.Zonedata, "suite")
		if err != nil {
			t.Fatal(err)
		}
		z.TimeoutErrorNames = true
		for name, tc := range doc.Tests {
			var want []string
			if tc.Result.Kind == yaml.ScalarNode {
				want = []string{tc.Result.Value}
			} else {
				tc.Result.Decode(&want)
			}
			var trace []spf.Event
			c := spf.Checker{Resolver: z, Explanation: "DEFAULT", Listener: func(e spf.Event) { trace = append(trace, e) }}
			o := c.Check(context.Background(), netip.MustParseAddr(tc.Host), tc.Helo, tc.Mailfrom)
			ok := slices.Contains(want, string(o.Result)) && (tc.Explanation == "" || tc.Explanation == o.Explanation)
			if ok {
				pass++
				continue
			}
			fail++
			t.Errorf("%s / %s: want %v exp %q; got %s exp %q err %v", doc.Description, name, want, tc.Explanation, o.Result, o.Explanation, o.Err)
			if os.Getenv("TRACE") != "" {
				for _, e := range trace {
					t.Logf("  %+v", e)
				}
			}
		}
	}
	t.Logf("%d passed, %d failed", pass, fail)
}

type scratchCase struct {
	z          *fakedns.Zone
	ip         netip.Addr
	helo, from string
}

func loadScratch(b *testing.B) []scratchCase {
	data, _ := os.ReadFile("/work/shared/spf-suites/rfc7208-tests.yml")
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var cs []scratchCase
	for {
		var doc struct {
			Tests    map[string]struct{ Helo, Host, Mailfrom string }
			Zonedata yaml.Node
		}
		if err := dec.Decode(&doc); err != nil {
			break
		}
		z, _ := fakedns.ZoneDataFromNode(&doc.Zonedata, "suite")
		z.TimeoutErrorNames = true
		for _, tc := range doc.Tests {
			cs = append(cs, scratchCase{z, netip.MustParseAddr(tc.Host), tc.Helo, tc.Mailfrom})
		}
	}
	return cs
}

func BenchmarkScratch(b *testing.B) {
	cs := loadScratch(b)
	for _, trace := range []bool{false, true} {
		b.Run(fmt.Sprint("trace=", trace), func(b *testing.B) {
			ctx := context.Background()
			var n int
			var l spf.Listener
			if trace {
				l = func(e spf.Event) { n++ }
			}
			b.ReportAllocs()
			for b.Loop() {
				for _, c := range cs {
					ch := spf.Checker{Resolver: c.z, Explanation: "DEFAULT", Listener: l}
					ch.Check(ctx, c.ip, c.helo, c.from)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cs)), "ns/eval")
		})
	}
}
