package suite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"spflab/spf"
)

// pyspfSuite uses what pyspf's own suites add to the format: a scenario
// with an id or only a comment, receiver, header, strict, the result
// ambiguous, a CNAME to the root, and a document of zone data only.
const pyspfSuite = `
comment: |
  headers and receivers
  (a second line)
tests:
  header-pass:
    helo: mail.example.net
    host: 192.0.2.5
    mailfrom: fred@example.org
    result: pass
    receiver: rcv.example
    header: >-
      Pass (rcv.example: the comment is the receiver's own words)
      client-ip=192.0.2.5; envelope-from="fred@example.org";
      helo=MAIL.example.net; receiver=rcv.example;
      mechanism="exists:%{i}.ok.example.org"; identity=mailfrom
  header-wrong:
    helo: mail.example.net
    host: 192.0.2.5
    mailfrom: fred@example.org
    result: pass
    receiver: rcv.example
    header: Fail client-ip=192.0.2.6; mechanism=-all; identity=mailfrom
  problem-any-text:
    helo: mail.example.net
    host: 192.0.2.5
    mailfrom: fred@broken.example.org
    result: permerror
    header: PermError (x) client-ip=192.0.2.5; problem="pyspf's words"; receiver=spflab.invalid
  receiver-macro:
    helo: mail.example.net
    host: 192.0.2.9
    mailfrom: fred@example.org
    result: fail
    receiver: rcv.example
    explanation: rcv.example refuses 192.0.2.9
zonedata:
  example.org:
    - SPF: v=spf1 exists:%{i}.ok.example.org -all exp=exp.example.org
  192.0.2.5.ok.example.org:
    - A: 127.0.0.2
  exp.example.org:
    - TXT: "%{r} refuses %{i}"
  broken.example.org:
    - SPF: v=spf1 ip4:192.0.2.300 -all
---
id: modes
tests:
  lax:
    helo: mail.example.com
    host: 192.0.2.1
    mailfrom: a@old.example.com
    result: fail
    strict: 0
  harsh:
    helo: mail.example.com
    host: 192.0.2.1
    mailfrom: a@old.example.com
    result: ambiguous
    strict: 2
  harsh-agrees:
    helo: mail.example.com
    host: 192.0.2.1
    mailfrom: a@old.example.com
    result: [ambiguous, neutral]
    strict: true
  null-cname:
    helo: mail.example.com
    host: 192.0.2.1
    mailfrom: a@e3.example.com
    result: softfail
zonedata:
  old.example.com:
    - SPF: v=spf1 default=-
  mx1.example.com:
    - CNAME: ''
  e3.example.com:
    - SPF: v=spf1 a:mx1.example.com mx:mx1.example.com ~all
---
# zone data for something else: no tests
zonedata:
  example.net:
    - A: 192.0.2.10
`

func TestPyspfFormat(t *testing.T) {
	s, err := Parse(strings.NewReader(pyspfSuite), "pyspf.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Scenarios) != 3 || s.Count() != 8 || s.Scenarios[0].Description != "headers and receivers" || s.Scenarios[1].Description != "modes" {
		t.Fatalf("%d scenarios (%q, %q), %d tests", len(s.Scenarios), s.Scenarios[0].Description, s.Scenarios[1].Description, s.Count())
	}
	rep := s.Run(context.Background(), spf.Checker{Receiver: "spflab.invalid"})
	byName := map[string]Result{}
	for _, r := range rep.Results {
		byName[r.Name] = r
	}
	for name, want := range map[string]struct {
		pass, otherMode bool
		diff            string // in HeaderDiff
	}{
		"header-pass":      {pass: true},
		"header-wrong":     {diff: `result pass, want Fail; client-ip="192.0.2.5", want "192.0.2.6"; mechanism="exists:%{i}.ok.example.org", want "-all"`},
		"problem-any-text": {pass: true},
		"receiver-macro":   {pass: true},
		// RFC 7208 §6: an unknown modifier (default=) is ignored, and no
		// match is neutral (§4.7): not pyspf's lax fail, nor its harsh
		// ambiguous.
		"lax":          {otherMode: true},
		"harsh":        {otherMode: true},
		"harsh-agrees": {pass: true},
		"null-cname":   {pass: true},
	} {
		r := byName[name]
		if r.Pass != want.pass || r.OtherMode != want.otherMode || r.HeaderDiff != want.diff {
			t.Errorf("%s: pass %v, other mode %v, header diff %q; want %v, %v, %q (got %s, error %s, header %s)",
				name, r.Pass, r.OtherMode, r.HeaderDiff, want.pass, want.otherMode, want.diff, r.Got, r.Err, r.GotHeader)
		}
	}
	if rep.Passed != 5 || rep.Failed != 1 || rep.OtherMode != 2 || len(rep.Failures()) != 1 || len(rep.OtherModes()) != 2 {
		t.Errorf("%d passed, %d failed, %d other mode", rep.Passed, rep.Failed, rep.OtherMode)
	}
}

func TestParsePyspfErrors(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"tests:\n  t:\n    helo: h\n    host: 192.0.2.1\n    mailfrom: a@b.example\n    result: pass\n    strict: 3\n", `p.yml:7: test t: strict "3": want 0 (lax), 1 (RFC 7208) or 2 (harsh)`},
		{"tests:\n  t:\n    helo: h\n    host: 192.0.2.1\n    mailfrom: a@b.example\n    result: [pass, maybe]\n", `p.yml:6: test t: unknown result "maybe": want none, neutral, pass, fail, softfail, temperror, permerror or ambiguous`},
		{"tests:\n  t:\n    helo: h\n    host: 192.0.2.1\n    mailfrom: a@b.example\n    result: pass\n    header: [x]\n", "p.yml:7: header must be text"},
		{"comment: nothing\n", `p.yml:1: scenario "nothing" has neither tests nor zonedata`},
	} {
		_, err := Parse(strings.NewReader(tt.yaml), "p.yml")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.yaml, err, tt.want)
		}
	}
}

func TestCompareReceivedSPF(t *testing.T) {
	const got = `fail (spflab.invalid: domain of a@example.com does not designate 192.0.2.9 as permitted sender) client-ip=192.0.2.9; envelope-from="a@example.com"; helo=mail.example.com; mechanism=-all; identity=mailfrom; receiver=spflab.invalid`
	for _, tt := range []struct{ want, diff string }{
		{"Received-SPF: FAIL (other (nested) words) client-ip=192.0.2.9;\r\n envelope-from=\"a@example.com\"; identity=MailFrom;", ""},
		{"Fail client-ip=::ffff:192.0.2.9; mechanism=\"-all\"", ""},
		{"Fail helo=other.example.com; problem=x", `helo="mail.example.com", want "other.example.com"; no problem (want "x")`},
		{"Fail (unclosed comment", "the expected header: column 6: a comment that is not closed"},
		{"Fail client-ip=\"192.0.2.9", "the expected header: column 16: a quoted string that is not closed"},
		{"Fail client-ip 192.0.2.9", "the expected header: column 16: want = after client-ip"},
		{"Fail helo=a; helo=b", "the expected header: column 20: helo given twice"},
		{"Fail helo=a x=y", "the expected header: column 13: want ; after the value of helo"},
		{"", "the expected header: column 1: no result"},
	} {
		if diff := compareReceivedSPF(tt.want, got); diff != tt.diff {
			t.Errorf("%q:\n got %q\nwant %q", tt.want, diff, tt.diff)
		}
	}
}

// TestDebianPyspfSuites runs the suites Debian's python3-spf ships in
// /usr/share/doc/python3-spf (apt-get install python3-spf): every file
// loads, and no test written for RFC 7208 fails.
func TestDebianPyspfSuites(t *testing.T) {
	files, _ := filepath.Glob("/usr/share/doc/python3-spf/*.yml*")
	if len(files) == 0 {
		msg := "python3-spf's suites are not in /usr/share/doc/python3-spf (apt-get install python3-spf)"
		if os.Getenv("SPFLAB_REQUIRE_INTEROP") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			s, err := ParseFile(file)
			if filepath.Base(file) == "doctest.yml" {
				// Zone data for pyspf's doctests, no test: a gate that ran
				// nothing must not pass.
				if err == nil || !strings.HasSuffix(err.Error(), "no tests: 1 scenario of zone data only") {
					t.Fatalf("got %v, want the no-tests error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rep := s.Run(context.Background(), spf.Checker{})
			for _, f := range rep.Failures() {
				t.Errorf("%s:%d: %s: want %v, got %s (%s) %s", f.File, f.Line, f.Name, f.Want, f.Got, f.Err, f.HeaderDiff)
			}
			for _, f := range rep.OtherModes() {
				if f.Test.Strict == StrictRFC {
					t.Errorf("%s: counted as another mode, but written for RFC 7208", f.Name)
				}
				t.Logf("%s:%d: %s (strict: %d): want %v, got %s", f.File, f.Line, f.Name, f.Test.Strict, f.Want, f.Got)
			}
			t.Logf("%d passed, %d failed, %d of another mode", rep.Passed, rep.Failed, rep.OtherMode)
		})
	}
}
