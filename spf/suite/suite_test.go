package suite

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"spflab/spf"
)

// rfc7208Tests is the number of tests in the RFC 7208 suite.
const rfc7208Tests = 203

// suitePath finds the RFC 7208 suite: $SPF_SUITE (a file, or a directory
// holding rfc7208-tests.yml or .yml.gz), else /work/shared/spf-suites beside
// the checkout. Missing, it skips, or fails when SPFLAB_REQUIRE_INTEROP=1.
func suitePath(t testing.TB) string {
	path := os.Getenv("SPF_SUITE")
	if path == "" {
		path = filepath.Join("..", "..", "..", "shared", "spf-suites")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		for _, name := range []string{"rfc7208-tests.yml", "rfc7208-tests.yml.gz"} {
			if _, err := os.Stat(filepath.Join(path, name)); err == nil {
				path = filepath.Join(path, name)
				break
			}
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.IsDir() {
		msg := "the RFC 7208 suite is not at " + path + " (set SPF_SUITE to the file or its directory)"
		if os.Getenv("SPFLAB_REQUIRE_INTEROP") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

func TestRFC7208Suite(t *testing.T) {
	s, err := ParseFile(suitePath(t))
	if err != nil {
		t.Fatal(err)
	}
	if n := s.Count(); n != rfc7208Tests {
		t.Errorf("the suite has %d tests, want %d", n, rfc7208Tests)
	}
	rep := s.Run(context.Background(), spf.Checker{Receiver: "receiver.example.net"})
	for _, f := range rep.Failures() {
		t.Errorf("%s:%d: %s / %s: want %v, got %s (explanation want %v, got %q; error %v)",
			f.File, f.Line, f.Scenario, f.Name, f.Want, f.Got, deref(f.WantExplanation), f.GotExplanation, f.Outcome.Err)
	}
	if rep.Passed != rfc7208Tests || rep.Failed != 0 {
		t.Errorf("%d passed, %d failed; want %d passed", rep.Passed, rep.Failed, rfc7208Tests)
	}
}

// TestEventsDoNotDependOnHistory guards how a Checker reports to its
// Listener: it fills its Events in place, step after step, and hands them
// over by pointer (spf.Listener). Whatever came before, an event must say
// the same: every test of the suite, with its MAIL FROM and its HELO
// checked, reports the same events when the tests run in file order and
// in the reverse order.
func TestEventsDoNotDependOnHistory(t *testing.T) {
	s, err := ParseFile(suitePath(t))
	if err != nil {
		t.Fatal(err)
	}
	type check struct {
		sc *Scenario
		t  *Test
	}
	var checks []check
	for _, sc := range s.Scenarios {
		for _, tc := range sc.Tests {
			checks = append(checks, check{sc, tc})
		}
	}
	ctx := context.Background()
	events := func(c check) []spf.Event {
		var evs []spf.Event
		ck := spf.Checker{Resolver: c.sc.Zone, Listener: func(e *spf.Event) { evs = append(evs, *e) }}
		ck.Check(ctx, c.t.Host, c.t.HELO, c.t.MailFrom)
		ck.CheckHELO(ctx, c.t.Host, c.t.HELO)
		return evs
	}
	forward := make([][]spf.Event, len(checks))
	for i, c := range checks {
		forward[i] = events(c)
	}
	differ := 0
	for i := len(checks) - 1; i >= 0; i-- {
		c := checks[i]
		if got := events(c); !reflect.DeepEqual(got, forward[i]) {
			differ++
			for j := range min(len(got), len(forward[i])) {
				if !reflect.DeepEqual(got[j], forward[i][j]) {
					t.Errorf("%s / %s: event %d differs with other steps before it:\n%+v\n%+v", c.sc.Description, c.t.Name, j, forward[i][j], got[j])
					break
				}
			}
		}
	}
	if len(checks) == 0 || differ > 0 {
		t.Errorf("%d checks, %d report other events in the reverse order", len(checks), differ)
	}
}

func deref(s *string) string {
	if s == nil {
		return "(none)"
	}
	return *s
}

const smallSuite = `# comments before the first document
---
description: Small
tests:
  pass-ip4:
    spec: 5.6/1
    description: a plain ip4 match
    helo: mail.example.com
    host: 192.0.2.1
    mailfrom: alice@example.com
    result: pass
  fail-default-exp:
    helo: mail.example.com
    host: 192.0.2.99
    mailfrom: alice@example.com
    result: fail
    explanation: DEFAULT
  either:
    comment: more than one result is acceptable
    helo: mail.example.com
    host: 2001:db8::1
    mailfrom: bob@example.com
    result: [permerror, fail]
  helo-identity:
    helo: Example.COM
    host: 192.0.2.1
    mailfrom: ""
    result: pass
  timeout:
    helo: mail.example.com
    host: 192.0.2.1
    mailfrom: x@error.example.com
    result: temperror
zonedata:
  example.com:
    - SPF: v=spf1 ip4:192.0.2.1 -all
---
description: Explanations
tests:
  exp:
    helo: mail.example.org
    host: 192.0.2.9
    mailfrom: carol@example.org
    result: fail
    explanation: carol is not welcome from 192.0.2.9
zonedata:
  example.org:
    - TXT: v=spf1 -all exp=exp.example.org
  exp.example.org:
    - TXT: "%{l} is not welcome from %{i}"
`

func TestParse(t *testing.T) {
	s, err := Parse(strings.NewReader(smallSuite), "small.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Scenarios) != 2 || s.Count() != 6 {
		t.Fatalf("%d scenarios, %d tests; want 2, 6", len(s.Scenarios), s.Count())
	}
	sc := s.Scenarios[0]
	if sc.Description != "Small" || sc.Line != 3 {
		t.Errorf("scenario %q at line %d, want Small at 3", sc.Description, sc.Line)
	}
	var names []string
	for _, tt := range sc.Tests {
		names = append(names, tt.Name)
	}
	if want := []string{"pass-ip4", "fail-default-exp", "either", "helo-identity", "timeout"}; !slices.Equal(names, want) {
		t.Errorf("tests %q, want %q in file order", names, want)
	}
	first := sc.Tests[0]
	if first.Line != 5 || first.HELO != "mail.example.com" || first.Host.String() != "192.0.2.1" ||
		first.MailFrom != "alice@example.com" || !slices.Equal(first.Results, []spf.Result{spf.Pass}) ||
		first.HasExplanation || first.Description != "a plain ip4 match" {
		t.Errorf("first test = %+v", first)
	}
	if tt := sc.Tests[1]; !tt.HasExplanation || tt.Explanation != "DEFAULT" {
		t.Errorf("fail-default-exp: explanation %q (%v)", tt.Explanation, tt.HasExplanation)
	}
	if tt := sc.Tests[2]; !slices.Equal(tt.Results, []spf.Result{spf.PermError, spf.Fail}) || tt.Host.String() != "2001:db8::1" {
		t.Errorf("either: results %v host %v", tt.Results, tt.Host)
	}
	if txt := sc.Zone.TXT("example.com"); !slices.Equal(txt, []string{"v=spf1 ip4:192.0.2.1 -all"}) {
		t.Errorf("SPF record not served as TXT: %q", txt)
	}
	if !sc.Zone.TimeoutErrorNames {
		t.Error("the suite's zone does not time out error. names")
	}
}

func TestParseGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(smallSuite))
	zw.Close()
	s, err := Parse(&buf, "small.yml.gz")
	if err != nil {
		t.Fatal(err)
	}
	if s.Count() != 6 {
		t.Errorf("%d tests from gzip, want 6", s.Count())
	}
	if _, err := Parse(bytes.NewReader([]byte{0x1f, 0x8b, 1, 2, 3}), "broken.gz"); err == nil || !strings.HasPrefix(err.Error(), "broken.gz: ") {
		t.Errorf("broken gzip: error %v, want one naming the file", err)
	}
}

func TestRun(t *testing.T) {
	s, err := Parse(strings.NewReader(smallSuite), "small.yml")
	if err != nil {
		t.Fatal(err)
	}
	rep := s.Run(context.Background(), spf.Checker{})
	for _, f := range rep.Failures() {
		t.Errorf("%s:%d %s: want %v, got %s, explanation %q, error %v", f.File, f.Line, f.Name, f.Want, f.Got, f.GotExplanation, f.Outcome.Err)
	}
	if rep.Passed != 6 || rep.Failed != 0 || len(rep.Results) != 6 {
		t.Errorf("%d passed, %d failed, %d results; want 6, 0, 6", rep.Passed, rep.Failed, len(rep.Results))
	}
}

// TestRunReportsFailures checks that a wrong result and a wrong explanation
// each fail their test, with what was expected and what came.
func TestRunReportsFailures(t *testing.T) {
	const wrong = `
description: Wrong expectations
tests:
  wrong-result:
    helo: mail.example.com
    host: 192.0.2.99
    mailfrom: a@example.com
    result: [pass, softfail]
  wrong-explanation:
    helo: mail.example.com
    host: 192.0.2.99
    mailfrom: a@example.com
    result: fail
    explanation: something else
zonedata:
  example.com:
    - SPF: v=spf1 ip4:192.0.2.1 -all
`
	s, err := Parse(strings.NewReader(wrong), "wrong.yml")
	if err != nil {
		t.Fatal(err)
	}
	rep := s.Run(context.Background(), spf.Checker{})
	if rep.Passed != 0 || rep.Failed != 2 {
		t.Fatalf("%d passed, %d failed; want 0, 2", rep.Passed, rep.Failed)
	}
	f := rep.Failures()
	if f[0].Name != "wrong-result" || f[0].Line != 4 || f[0].Got != spf.Fail || !slices.Equal(f[0].Want, []spf.Result{spf.Pass, spf.Softfail}) {
		t.Errorf("first failure %+v", f[0])
	}
	if f[1].Name != "wrong-explanation" || f[1].Got != spf.Fail || *f[1].WantExplanation != "something else" || f[1].GotExplanation != "DEFAULT" {
		t.Errorf("second failure %+v", f[1])
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, data string
		want       []string // each error's start, in order
	}{
		{"test keys", `description: d
tests:
  t1:
    helo: h
    host: 192.0.2.300
    mailfrom: a@b
    result: pass
    reslut: fail
  t2:
    helo: h
    host: 192.0.2.1
    result: maybe
  t3:
    helo: h
    host: 192.0.2.1
    mailfrom: ""
    result: [pass, {x: y}]
  t4: just text
`, []string{
			`s.yml:5: test t1: host "192.0.2.300" is not an IP address`,
			`s.yml:8: test t1: unknown key "reslut"`,
			`s.yml:12: test t2: unknown result "maybe"`,
			`s.yml:10: test t2 has no mailfrom`,
			`s.yml:17: test t3: result must be a result name or a list of them`,
			`s.yml:18: test t4 must be a mapping`,
		}},
		{"scenario keys", `description: d
test:
  t1: {}
`, []string{
			`s.yml:2: unknown key "test" in a scenario`,
			`s.yml:1: scenario "d" has neither tests nor zonedata`,
		}},
		{"zonedata", `description: d
tests:
  t1: {helo: h, host: 192.0.2.1, mailfrom: "", result: pass}
zonedata:
  example.com:
    - MX: mail.example.com
    - AA: 192.0.2.1
---
description: second
tests: {}
zonedata:
  bad..name: []
`, []string{
			`s.yml:6: MX record of example.com must be [priority, host]`,
			`s.yml:7: unknown record type "AA"`,
			`s.yml:12: "bad..name" is not a domain name`,
		}},
		{"yaml syntax", "description: d\ntests:\n  t1: [\n", []string{`s.yml:3: did not find expected node content`}},
		{"not a mapping", "- a\n- b\n", []string{`s.yml:1: a scenario must be a mapping`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.data), "s.yml")
			if err == nil {
				t.Fatal("no error")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Errorf("%d errors, want %d:\n%v", len(lines), len(tt.want), err)
			}
			for i, w := range tt.want {
				if i >= len(lines) || !strings.HasPrefix(lines[i], w) {
					t.Errorf("error %d: want prefix %q\n%v", i, w, err)
				}
			}
		})
	}
}

func TestParseFileMissing(t *testing.T) {
	if _, err := ParseFile("testdata/no-such-suite.yml"); err == nil || !strings.Contains(err.Error(), "no-such-suite.yml") {
		t.Errorf("missing file: error %v, want one naming it", err)
	}
}

// BenchmarkRFC7208Suite evaluates every test of the suite in memory, with
// and without a trace listener, reporting ns/eval (one Check per test).
func BenchmarkRFC7208Suite(b *testing.B) {
	s, err := ParseFile(suitePath(b))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	events := 0
	for _, bc := range []struct {
		name     string
		listener spf.Listener
	}{
		{"no-listener", nil},
		{"listener", func(*spf.Event) { events++ }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, sc := range s.Scenarios {
					c := spf.Checker{Resolver: sc.Zone, Listener: bc.listener, Explanation: defaultExplanation}
					for _, t := range sc.Tests {
						c.Check(ctx, t.Host, t.HELO, t.MailFrom)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*s.Count()), "ns/eval")
		})
	}
}
