package suite

import (
	"cmp"
	"context"
	"slices"

	"spflab/spf"
)

// defaultExplanation is the Checker's Explanation while a suite runs: the
// suite writes "explanation: DEFAULT" for the checker's own default text,
// so the literal text DEFAULT makes the two compare equal.
const defaultExplanation = "DEFAULT"

// Result is the outcome of one test.
type Result struct {
	Scenario string      `json:"scenario"`
	Test     *Test       `json:"-"`
	Name     string      `json:"test"`
	File     string      `json:"file"`
	Line     int         `json:"line"`
	Pass     bool        `json:"pass"`
	Outcome  spf.Outcome `json:"-"`

	// OtherMode is set for a test that did not pass and was written for
	// another mode of pyspf's driver than RFC 7208 (Test.Strict): it is
	// not counted as a failure.
	OtherMode bool `json:"other_mode,omitempty"`

	Want            []spf.Result `json:"want"`
	Got             spf.Result   `json:"got"`
	WantExplanation *string      `json:"want_explanation,omitempty"`
	GotExplanation  string       `json:"got_explanation,omitempty"`
	Err             string       `json:"error,omitempty"` // the Outcome's Err
	// WantHeader and GotHeader are the Received-SPF field values expected
	// and added, for a test that gives one; HeaderDiff says how they
	// differ where RFC 7208 §9.1 fixes them, "" when they agree.
	WantHeader string `json:"want_header,omitempty"`
	GotHeader  string `json:"got_header,omitempty"`
	HeaderDiff string `json:"header_diff,omitempty"`
}

// Report is the outcome of a whole suite, the tests in file order.
type Report struct {
	File   string `json:"file"`
	Passed int    `json:"passed"`
	Failed int    `json:"failed"`
	// OtherMode counts the tests that did not pass and were written for
	// another mode of pyspf's driver (Result.OtherMode).
	OtherMode int      `json:"other_mode"`
	Results   []Result `json:"tests"`
}

// Failures returns the results of the tests that failed.
func (r *Report) Failures() []Result {
	return r.filter(func(res *Result) bool { return !res.Pass && !res.OtherMode })
}

// OtherModes returns the results of the tests that did not pass and were
// written for another mode than RFC 7208.
func (r *Report) OtherModes() []Result {
	return r.filter(func(res *Result) bool { return res.OtherMode })
}

func (r *Report) filter(keep func(*Result) bool) []Result {
	var rs []Result
	for i := range r.Results {
		if keep(&r.Results[i]) {
			rs = append(rs, r.Results[i])
		}
	}
	return rs
}

// Run runs every test of the suite. c is the template of the Checker each
// test runs with (Listener, Receiver, limits): Run sets its Resolver to the
// scenario's zone and its Explanation to "DEFAULT".
func (s *Suite) Run(ctx context.Context, c spf.Checker) *Report {
	rep := &Report{File: s.File, Results: make([]Result, 0, s.Count())}
	c.Explanation = defaultExplanation
	for _, sc := range s.Scenarios {
		c.Resolver = sc.Zone
		for _, t := range sc.Tests {
			res := t.Run(ctx, &c)
			res.Scenario, res.File = sc.Description, s.File
			switch {
			case res.Pass:
				rep.Passed++
			case res.OtherMode:
				rep.OtherMode++
			default:
				rep.Failed++
			}
			rep.Results = append(rep.Results, res)
		}
	}
	return rep
}

// Run checks the test's identity with c (with the test's receiver, when
// it names one): it passes when the result is one of the acceptable ones
// and, where the test gives them, the explanation is the expected text and
// the Received-SPF field agrees with the expected one.
func (t *Test) Run(ctx context.Context, c *spf.Checker) Result {
	if t.Receiver != "" && t.Receiver != c.Receiver {
		cc := *c
		cc.Receiver = t.Receiver
		c = &cc
	}
	o := c.Check(ctx, t.Host, t.HELO, t.MailFrom)
	res := Result{
		Test: t, Name: t.Name, Line: t.Line, Outcome: o,
		Want: t.Results, Got: o.Result, GotExplanation: o.Explanation,
		Pass: slices.Contains(t.Results, o.Result) && (!t.HasExplanation || o.Explanation == t.Explanation),
	}
	if t.HasExplanation {
		res.WantExplanation = &t.Explanation
	}
	if o.Err != nil {
		res.Err = o.Err.Error()
	}
	if t.Header != "" {
		res.WantHeader, res.GotHeader = t.Header, spf.ReceivedSPF(o, cmp.Or(c.Receiver, "unknown"))
		if res.HeaderDiff = compareReceivedSPF(res.WantHeader, res.GotHeader); res.HeaderDiff != "" {
			res.Pass = false
		}
	}
	res.OtherMode = !res.Pass && t.Strict != StrictRFC
	return res
}
