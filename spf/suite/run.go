package suite

import (
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

	Want            []spf.Result `json:"want"`
	Got             spf.Result   `json:"got"`
	WantExplanation *string      `json:"want_explanation,omitempty"`
	GotExplanation  string       `json:"got_explanation,omitempty"`
	Err             string       `json:"error,omitempty"` // the Outcome's Err
}

// Report is the outcome of a whole suite, the tests in file order.
type Report struct {
	File    string   `json:"file"`
	Passed  int      `json:"passed"`
	Failed  int      `json:"failed"`
	Results []Result `json:"tests"`
}

// Failures returns the results of the tests that failed.
func (r *Report) Failures() []Result {
	var fs []Result
	for _, res := range r.Results {
		if !res.Pass {
			fs = append(fs, res)
		}
	}
	return fs
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
			if res.Pass {
				rep.Passed++
			} else {
				rep.Failed++
			}
			rep.Results = append(rep.Results, res)
		}
	}
	return rep
}

// Run checks the test's identity with c: it passes when the result is one
// of the acceptable ones and, where the test gives one, the explanation is
// the expected text.
func (t *Test) Run(ctx context.Context, c *spf.Checker) Result {
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
	return res
}
