// Package suite reads and runs SPF conformance suites in the openspf.org
// format: a YAML stream of scenarios, each with tests (an identity, a client
// address and the acceptable results) and the DNS zone they run against.
// The RFC 7208 suite of the pyspf project is one such file; users write
// their own as unit tests of their DNS.
//
// Every test and record knows its line, so a mistake in a suite file is
// reported as file:line and what is wrong.
//
// It also reads what pyspf's own suites add to the format: a scenario's
// id, a test's receiver and header (the Received-SPF field expected,
// compared as far as RFC 7208 §9.1 fixes it), strict (the mode of pyspf's
// driver: tests of a mode other than RFC 7208 that do not pass are
// reported apart), the result ambiguous, and a CNAME to the root (an empty
// target).
package suite

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"spflab/fakedns"
	"spflab/fakedns/zonedata"
	"spflab/internal/budget"
	"spflab/spf"
)

// Suite is a parsed suite file.
type Suite struct {
	File      string // the name errors and reports use
	Scenarios []*Scenario
}

// Scenario is one document of the stream: tests and the zone they share.
type Scenario struct {
	Description string
	Line        int
	Tests       []*Test // in file order
	// Zone answers the scenario's DNS queries, with the suite's driver
	// conventions: SPF records served as TXT, TIMEOUT, and unlisted
	// names under "error." timing out (Zone.TimeoutErrorNames).
	Zone *fakedns.Zone
}

// Test is one test of a scenario.
type Test struct {
	Name        string
	Line        int
	Description string
	HELO        string
	Host        netip.Addr // the client address
	MailFrom    string     // "" for the null sender: the HELO identity is checked
	// Results are the acceptable results, the preferred first.
	Results []spf.Result
	// Explanation is the expected explanation of a fail when HasExplanation
	// is set; "DEFAULT" is the checker's default text.
	Explanation    string
	HasExplanation bool
	// Receiver is the receiving host's name for this test (%{r} and the
	// Received-SPF field), "" for the Checker's.
	Receiver string
	// Header is the Received-SPF field value the test expects, "" for
	// none: compared with the one spflab adds as far as RFC 7208 §9.1
	// fixes it (the result and the key-value pairs; not the comment).
	Header string
	// Strict is the mode of pyspf's driver the test was written for:
	// StrictRFC (the default), StrictLax or StrictHarsh. spflab evaluates
	// RFC 7208 in every mode; a test of another mode whose outcome differs
	// is reported apart (Result.OtherMode), not as a failure.
	Strict int
}

// The modes of pyspf's driver, a test's "strict:".
const (
	// StrictLax (strict: 0, false) honours extensions beyond RFC 7208,
	// such as the obsolete default= modifier.
	StrictLax = 0
	// StrictRFC (strict: 1, true, the default) is RFC 7208.
	StrictRFC = 1
	// StrictHarsh (strict: 2) is a record validator's mode: where a
	// record is dubious, the result is Ambiguous.
	StrictHarsh = 2
)

// Ambiguous is pyspf's result in harsh mode for a record whose results
// may vary between receivers. It is not a result of RFC 7208 (§2.6): a
// suite may list it, spflab never gives it.
const Ambiguous spf.Result = "ambiguous"

// Count returns the number of tests in the suite.
func (s *Suite) Count() int {
	n := 0
	for _, sc := range s.Scenarios {
		n += len(sc.Tests)
	}
	return n
}

// ParseFile reads a suite file, plain or gzip-compressed.
func ParseFile(path string) (*Suite, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, path)
}

// Parse reads a suite, plain or gzip-compressed (told by its magic bytes,
// RFC 1952 §2.3.1); file names it in errors. Every problem of the file is
// reported, each as file:line and what is wrong, joined with errors.Join.
// A suite without a test is an error.
//
// Reading stays within budgets (package internal/budget), each error
// naming the line where the suite went over: the size of a suite file,
// decompressed, and the nesting and alias expansion of each document.
func Parse(r io.Reader, file string) (*Suite, error) {
	data, err := read(r, file)
	if err != nil {
		return nil, err
	}
	p := parser{file: file, s: &Suite{File: file}}
	dec := budget.NewYAMLDecoder(data, file)
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			p.errs = append(p.errs, err)
			break // the decoder cannot go on after a syntax error
		}
		p.scenario(&doc)
	}
	if err := errors.Join(p.errs...); err != nil {
		return nil, err
	}
	if p.s.Count() == 0 { // a CI gate that ran nothing must not pass
		if n := len(p.s.Scenarios); n == 1 {
			return nil, fmt.Errorf("%s: no tests: 1 scenario of zone data only", file)
		} else if n > 1 {
			return nil, fmt.Errorf("%s: no tests: %d scenarios of zone data only", file, n)
		}
		return nil, fmt.Errorf("%s: no tests: the suite holds no scenario", file)
	}
	return p.s, nil
}

// read reads a suite within the budget of a suite file: its text, and as
// many bytes before decompression when it is gzip-compressed.
func read(r io.Reader, file string) ([]byte, error) {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) != 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		return budget.ReadAll(br, file, budget.SuiteFile)
	}
	zr, err := gzip.NewReader(budget.NewRawReader(br, file, budget.SuiteFile))
	if err == nil {
		defer zr.Close()
		var data []byte
		if data, err = budget.ReadAll(zr, file, budget.SuiteFile); err == nil {
			return data, nil
		}
	}
	if be := (*budget.Error)(nil); errors.As(err, &be) {
		return nil, err
	}
	return nil, fmt.Errorf("%s: %w", file, err)
}

type parser struct {
	file string
	s    *Suite
	errs []error
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s:%d: %s", p.file, n.Line, fmt.Sprintf(format, args...)))
}

// mapping calls f for each key of a mapping node, in order.
func mapping(n *yaml.Node, f func(k, v *yaml.Node)) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		f(n.Content[i], n.Content[i+1])
	}
}

func (p *parser) scenario(doc *yaml.Node) {
	if len(doc.Content) == 0 {
		return // an empty document: only comments
	}
	n := doc.Content[0]
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "a scenario must be a mapping with description, tests and zonedata")
		return
	}
	sc := &Scenario{Line: n.Line}
	var tests, zones *yaml.Node
	var comment string
	mapping(n, func(k, v *yaml.Node) {
		switch k.Value {
		case "description":
			sc.Description = p.text(v, "description")
		case "id": // pyspf's name for a scenario
			if sc.Description == "" {
				sc.Description = p.text(v, "id")
			}
		case "tests":
			tests = v
		case "zonedata":
			zones = v
		case "comment":
			comment = p.text(v, "comment")
		default:
			p.errorf(k, "unknown key %q in a scenario: want description, tests, zonedata, comment or id", k.Value)
		}
	})
	if sc.Description == "" { // pyspf's scenarios have only a comment
		sc.Description, _, _ = strings.Cut(strings.TrimSpace(comment), "\n")
	}
	switch {
	case tests == nil && zones == nil:
		p.errorf(n, "scenario %q has neither tests nor zonedata", sc.Description)
	case tests == nil: // zone data only, as in pyspf's doctest.yml
	case tests.Kind != yaml.MappingNode:
		p.errorf(tests, "tests must be a mapping of test names to tests")
	default:
		mapping(tests, func(k, v *yaml.Node) {
			if t := p.test(k, v); t != nil {
				sc.Tests = append(sc.Tests, t)
			}
		})
	}
	zone, err := fakedns.NewZone(), error(nil)
	if zones != nil {
		zone, err = zonedata.FromNode(zones, p.file)
	}
	if err != nil {
		p.errs = append(p.errs, err)
		return
	}
	zone.TimeoutErrorNames = true
	sc.Zone = zone
	p.s.Scenarios = append(p.s.Scenarios, sc)
}

// text returns a scalar's text, reporting anything else.
func (p *parser) text(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "%s must be text", what)
		return ""
	}
	if n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

func (p *parser) test(k, n *yaml.Node) *Test {
	t := &Test{Name: k.Value, Line: k.Line, Strict: StrictRFC}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "test %s must be a mapping of helo, host, mailfrom, result", t.Name)
		return nil
	}
	errs := len(p.errs)
	var seen []string
	mapping(n, func(k, v *yaml.Node) {
		seen = append(seen, k.Value)
		switch k.Value {
		case "helo":
			t.HELO = p.text(v, "helo")
		case "host":
			ip, err := netip.ParseAddr(p.text(v, "host"))
			if err != nil {
				p.errorf(v, "test %s: host %q is not an IP address", t.Name, v.Value)
			}
			t.Host = ip
		case "mailfrom":
			t.MailFrom = p.text(v, "mailfrom")
		case "result":
			t.Results = p.results(t.Name, v)
		case "explanation":
			t.Explanation, t.HasExplanation = p.text(v, "explanation"), true
		case "description":
			t.Description = p.text(v, "description")
		case "receiver":
			t.Receiver = p.text(v, "receiver")
		case "header":
			t.Header = p.text(v, "header")
		case "strict":
			t.Strict = p.strict(t.Name, v)
		case "spec", "comment":
		default:
			p.errorf(k, "test %s: unknown key %q: want helo, host, mailfrom, result, explanation, receiver, header, strict, spec, description or comment", t.Name, k.Value)
		}
	})
	for _, key := range []string{"helo", "host", "mailfrom", "result"} {
		if !slices.Contains(seen, key) {
			p.errorf(n, "test %s has no %s", t.Name, key)
		}
	}
	if len(p.errs) > errs {
		return nil
	}
	return t
}

// results reads a result name or a list of acceptable ones.
func (p *parser) results(test string, n *yaml.Node) []spf.Result {
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var rs []spf.Result
	for _, item := range items {
		switch r := spf.Result(item.Value); {
		case item.Kind != yaml.ScalarNode:
			p.errorf(item, "test %s: result must be a result name or a list of them", test)
		case validResult(r):
			rs = append(rs, r)
		default:
			p.errorf(item, "test %s: unknown result %q: want none, neutral, pass, fail, softfail, temperror, permerror or ambiguous", test, item.Value)
		}
	}
	if len(rs) == 0 && len(items) == 0 {
		p.errorf(n, "test %s: the list of results is empty", test)
	}
	return rs
}

// strict reads pyspf's mode: a boolean, or 0, 1 or 2.
func (p *parser) strict(test string, n *yaml.Node) int {
	switch strings.ToLower(p.text(n, "strict")) {
	case "0", "false":
		return StrictLax
	case "1", "true":
		return StrictRFC
	case "2":
		return StrictHarsh
	}
	p.errorf(n, "test %s: strict %q: want 0 (lax), 1 (RFC 7208) or 2 (harsh), or true or false", test, n.Value)
	return StrictRFC
}

func validResult(r spf.Result) bool {
	switch r {
	case spf.None, spf.Neutral, spf.Pass, spf.Fail, spf.Softfail, spf.TempError, spf.PermError, Ambiguous:
		return true
	}
	return false
}
