package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"spflab/smtpsim"
	"spflab/spf"
)

// testFS holds the zone files the loader tests name.
var testFS = fstest.MapFS{
	"euston.net.zone": {Data: []byte(`$ORIGIN euston.net.
@    IN MX  10 mail
@    IN TXT "v=spf1 ip4:192.0.2.25 -all"
mail IN A   192.0.2.25
www  IN A   192.0.2.80
`)},
	"broken.zone": {Data: []byte("$ORIGIN x.example.\n@ IN A 192.0.2.300\n")},
}

// scenario is a valid scenario for the error cases to spoil, 8 lines
// long.
const scenario = `scenarios:
  - id: s
    title: t
    summary: one line
    client: 192.0.2.80
    dialogue:
      - send: HELO mail.euston.net
        expect: {code: 250}
`

// wantErr is one problem the loader must report: its line, a field that
// the report names, and words of its message.
type wantErr struct {
	line  int
	field string
	msg   string
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []wantErr
	}{
		{"yaml syntax", "scenarios:\n  - id: [\n", []wantErr{{2, "yaml", "did not find expected node content"}}},
		{"empty file", "", []wantErr{{0, "scenarios", "empty"}}},
		{"second document", scenario + "---\nscenarios: []\n", []wantErr{{9, "yaml", "second YAML document"}}},
		{"not a mapping", "- a\n- b\n", []wantErr{{1, "file", "want a mapping"}}},
		{"no scenarios", "defaults: {client: 192.0.2.1}\n", []wantErr{{1, "scenarios", "missing"}}},
		{"empty scenarios", "scenarios: []\n", []wantErr{{1, "scenarios", "the list is empty"}}},
		{"unknown top-level key", "lessons: []\n" + scenario, []wantErr{{1, "lessons", "unknown key"}}},
		{"unknown key with suggestion", strings.Replace(scenario, "title:", "tilte:", 1),
			[]wantErr{{3, "s.tilte", `did you mean "title"`}, {2, "s.title", "missing"}}},
		{"duplicate key", strings.Replace(scenario, "    client: 192.0.2.80\n", "    client: 192.0.2.80\n    client: 192.0.2.81\n", 1),
			[]wantErr{{6, "s.client", "given twice (first at line 5)"}}},
		{"merge key", "defaults: &d {client: 192.0.2.1}\nscenarios:\n  - <<: *d\n    id: s\n    title: t\n    summary: s\n    dialogue: [send: QUIT]\n",
			[]wantErr{{3, "s", "merge keys"}}},
		{"wrong type: text", strings.Replace(scenario, "title: t", "title: [a, b]", 1), []wantErr{{3, "s.title", "want text, got a list"}}},
		{"wrong type: number", strings.Replace(scenario, "code: 250", `code: "250"`, 1), []wantErr{{8, "s.dialogue[1].expect.code", `want a whole number, got "250"`}}},
		{"wrong type: bool", "defaults:\n  server: {check_helo: yes}\n" + scenario, []wantErr{{2, "defaults.server.check_helo", "want true or false"}}},
		{"wrong type: dialogue", strings.Replace(scenario, "    dialogue:\n      - send: HELO mail.euston.net\n        expect: {code: 250}\n", "    dialogue: HELO\n", 1),
			[]wantErr{{6, "s.dialogue", "want a list of steps"}}},
		{"null value", strings.Replace(scenario, "summary: one line", "summary:", 1), []wantErr{{4, "s.summary", "no value"}}},
		{"missing id", strings.Replace(scenario, "  - id: s\n    title", "  - title", 1), []wantErr{{2, "scenarios[1].id", "missing"}}},
		{"bad id", strings.Replace(scenario, "id: s", "id: two words", 1), []wantErr{{2, "scenarios[1].id", "is not an id"}}},
		{"duplicate id", scenario + strings.TrimPrefix(scenario, "scenarios:\n"), []wantErr{{9, "scenarios[2].id", `duplicate id "s" (first at line 2)`}}},
		{"missing client", strings.Replace(scenario, "    client: 192.0.2.80\n", "", 1), []wantErr{{2, "s.client", "missing"}}},
		{"missing dialogue", strings.Replace(scenario, "    dialogue:\n      - send: HELO mail.euston.net\n        expect: {code: 250}\n", "", 1),
			[]wantErr{{2, "s.dialogue", "missing"}}},
		{"summary of two lines", strings.Replace(scenario, "summary: one line", "summary: \"one\\ntwo\"", 1), []wantErr{{4, "s.summary", "one line"}}},
		{"bad address", strings.Replace(scenario, "192.0.2.80", "192.0.2.800", 1), []wantErr{{5, "s.client", "not an IPv4 or IPv6 address"}}},
		{"v4-mapped address", strings.Replace(scenario, "192.0.2.80", `"::ffff:192.0.2.80"`, 1), []wantErr{{5, "s.client", "write the IPv4 address 192.0.2.80"}}},
		{"address with zone", strings.Replace(scenario, "192.0.2.80", `"fe80::1%eth0"`, 1), []wantErr{{5, "s.client", "has a zone"}}},
		{"zone name not a name", scenario + "    zones:\n      bad..example:\n        - A: 192.0.2.1\n",
			[]wantErr{{10, "s.zones", `"bad..example" is not a domain name`}}},
		{"zone record", scenario + "    zones:\n      a.example:\n        - A: 2001:db8::1\n",
			[]wantErr{{11, "s.zones", "needs an IPv4 address"}}},
		{"zones not a mapping", scenario + "    zones: [a]\n", []wantErr{{9, "s.zones", "want a mapping of domain names"}}},
		{"zone file missing", scenario + "    zonefile: nowhere.zone\n", []wantErr{{9, "s.zonefile", "nowhere.zone"}}},
		{"zone file outside the folder", scenario + "    zonefile: ../etc/zone\n", []wantErr{{9, "s.zonefile", "inside it"}}},
		{"zone file syntax", scenario + "    zonefile: [euston.net.zone, broken.zone]\n", []wantErr{{9, "s.zonefile[2]", "bad A"}}},
		{"hostname", "defaults:\n  server: {hostname: \"mail example\"}\n" + scenario, []wantErr{{2, "defaults.server.hostname", "not a host name"}}},
		{"check_at", "defaults:\n  server: {check_at: data}\n" + scenario, []wantErr{{2, "defaults.server.check_at", `"data" is not a command`}}},
		{"personality", "defaults:\n  server: {personality: exim}\n" + scenario,
			[]wantErr{{2, "defaults.server.personality", `"exim" is not a server personality (want one of go-smtp, sendmail, postfix)`}}},
		{"policy result", "defaults:\n  server:\n    policy: {failed: reject}\n" + scenario,
			[]wantErr{{3, "defaults.server.policy.failed", `did you mean "fail"`}}},
		{"policy action", "defaults:\n  server:\n    policy: {fail: bounce}\n" + scenario,
			[]wantErr{{3, "defaults.server.policy.fail", `"bounce" is not an action`}}},
		{"policy code class", "defaults:\n  server:\n    policy:\n      fail: {action: reject, code: 451}\n" + scenario,
			[]wantErr{{4, "defaults.server.policy.fail.code", "not a 5xx reply code"}}},
		{"policy enhanced class", "defaults:\n  server:\n    policy:\n      temperror: {action: tempfail, enhanced: 5.4.3}\n" + scenario,
			[]wantErr{{4, "defaults.server.policy.temperror.enhanced", "class must be 4"}}},
		{"policy code on accept", "defaults:\n  server:\n    policy:\n      pass: {action: accept, code: 250}\n" + scenario,
			[]wantErr{{4, "defaults.server.policy.pass.code", "sends no reply of its own"}}},
		{"policy missing action", "defaults:\n  server:\n    policy:\n      fail: {code: 550}\n" + scenario,
			[]wantErr{{4, "defaults.server.policy.fail.action", "missing"}}},
		{"unknown step key", strings.Replace(scenario, "      - send: HELO", "      - say: hi\n        send: HELO", 1),
			[]wantErr{{7, "s.dialogue[1].say", "unknown key"}}},
		{"unknown expect key", strings.Replace(scenario, "{code: 250}", "{code: 250, result: pass}", 1),
			[]wantErr{{8, "s.dialogue[1].expect.result", "unknown key"}}},
		{"empty expect", strings.Replace(scenario, "{code: 250}", "{}", 1), []wantErr{{8, "s.dialogue[1].expect", "is empty"}}},
		{"send and data", strings.Replace(scenario, "      - send: HELO mail.euston.net\n", "      - send: HELO mail.euston.net\n        data: x\n", 1),
			[]wantErr{{8, "s.dialogue[1].data", "not both"}}},
		{"step that does nothing", scenario + "      - notice: \"\"\n", []wantErr{{9, "s.dialogue[2]", "does nothing"}}},
		{"send with a line break", strings.Replace(scenario, "send: HELO mail.euston.net", "send: \"HELO a\\r\\nMAIL FROM:<>\"", 1),
			[]wantErr{{7, "s.dialogue[1].send", "line break"}}},
		{"data without DATA", scenario + "      - data: hello\n", []wantErr{{9, "s.dialogue[2].data", "not DATA"}}},
		{"DATA without data", scenario + "      - send: DATA\n", []wantErr{{9, "s.dialogue[2]", "DATA needs a data: step"}}},
		{"DATA then a command", scenario + "      - send: DATA\n      - send: QUIT\n", []wantErr{{10, "s.dialogue[3].send", "needs a data: step with the message first"}}},
		{"send after QUIT", scenario + "      - send: QUIT\n      - send: NOOP\n", []wantErr{{10, "s.dialogue[3]", "ended with QUIT at line 9"}}},
		{"expect on a narration", scenario + "      - narration: hello\n        expect: {code: 250}\n",
			[]wantErr{{10, "s.dialogue[2].expect.code", "sends nothing"}}},
		{"code out of range", strings.Replace(scenario, "{code: 250}", "{code: 600}", 1), []wantErr{{8, "s.dialogue[1].expect.code", "600 is not a reply code"}}},
		{"enhanced format", strings.Replace(scenario, "{code: 250}", "{code: 550, enhanced: 5.7}", 1),
			[]wantErr{{8, "s.dialogue[1].expect.enhanced", "not an enhanced status code"}}},
		{"enhanced class never matches code", strings.Replace(scenario, "{code: 250}", "{code: 550, enhanced: 4.7.1}", 1),
			[]wantErr{{8, "s.dialogue[1].expect.enhanced", "can never come with a 550 reply"}}},
		{"enhanced on 354", scenario + "      - send: DATA\n        expect: {code: 354, enhanced: 2.0.0}\n      - data: x\n",
			[]wantErr{{10, "s.dialogue[2].expect.enhanced", "never has an enhanced status code"}}},
		{"not an SPF result", strings.Replace(scenario, "{code: 250}", "{spf: passed}", 1),
			[]wantErr{{8, "s.dialogue[1].expect.spf", `"passed" is not an SPF result`}}},
		{"spf at HELO without check_helo", strings.Replace(scenario, "{code: 250}", "{spf: pass}", 1),
			[]wantErr{{8, "s.dialogue[1].expect.spf", "check_helo is false"}}},
		{"spf at MAIL when checked at RCPT", scenario + "      - send: MAIL FROM:<a@b.example>\n        expect: {spf: pass}\n",
			[]wantErr{{10, "s.dialogue[2].expect.spf", "checks SPF at RCPT (server.check_at), so MAIL never"}}},
		{"spf at RCPT when checked at MAIL", "defaults:\n  server: {check_at: mail}\n" + scenario + "      - send: RCPT TO:<a@b.example>\n        expect: {spf: pass}\n",
			[]wantErr{{12, "s.dialogue[2].expect.spf", "checks SPF at MAIL (server.check_at), so RCPT never"}}},
		{"spf on the message", scenario + "      - send: DATA\n      - data: x\n        expect: {spf: pass}\n",
			[]wantErr{{11, "s.dialogue[3].expect.spf", "never triggers an SPF check"}}},
		{"spf on NOOP", scenario + "      - send: NOOP\n        expect: {spf: pass}\n",
			[]wantErr{{10, "s.dialogue[2].expect.spf", "NOOP never triggers"}}},
		{"header on a command", strings.Replace(scenario, "{code: 250}", "{header: Received-SPF}", 1),
			[]wantErr{{8, "s.dialogue[1].expect.header", "only a data: step stores a message"}}},
		{"header with a refusal", scenario + "      - send: DATA\n      - data: x\n        expect: {code: 550, header: Received}\n",
			[]wantErr{{11, "s.dialogue[3].expect.header", "stored only when its reply is 2xx"}}},
		{"header name", scenario + "      - send: DATA\n      - data: x\n        expect: {header: \"Bad Name: x\"}\n",
			[]wantErr{{11, "s.dialogue[3].expect.header", "does not start with a header field name"}}},
		{"rdns on MAIL", scenario + "      - send: MAIL FROM:<a@b.example>\n        expect: {rdns: www.euston.net}\n",
			[]wantErr{{10, "s.dialogue[2].expect.rdns", "not at MAIL"}}},
		{"rdns not a name", strings.Replace(scenario, "{code: 250}", "{rdns: \"www euston\"}", 1),
			[]wantErr{{8, "s.dialogue[1].expect.rdns", "not a host name"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.src), "lesson.yaml", testFS)
			if err == nil {
				t.Fatalf("no error; loaded %d scenarios", len(f.Scenarios))
			}
			if f != nil {
				t.Errorf("a File came back with the error")
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %T, want Errors: %v", err, err)
			}
			for _, w := range tt.want {
				if !hasError(errs, w) {
					t.Errorf("no error at line %d, field %s, saying %q; got:\n%v", w.line, w.field, w.msg, err)
				}
			}
			if len(errs) != len(tt.want) {
				t.Errorf("%d errors, want %d:\n%v", len(errs), len(tt.want), err)
			}
			for _, e := range errs {
				prefix := "lesson.yaml:"
				if e.Line > 0 {
					prefix = fmt.Sprintf("lesson.yaml:%d: %s: ", e.Line, e.Field)
				}
				if !strings.HasPrefix(e.Error(), prefix) {
					t.Errorf("%q does not start with %q", e.Error(), prefix)
				}
			}
		})
	}
}

func hasError(errs Errors, w wantErr) bool {
	for _, e := range errs {
		if e.Line == w.line && e.Field == w.field && strings.Contains(e.Msg, w.msg) {
			return true
		}
	}
	return false
}

// TestParseReportsEveryProblem checks that problems in different places
// are all reported at once, in line order.
func TestParseReportsEveryProblem(t *testing.T) {
	src := `defaults:
  server: {check_at: never}
scenarios:
  - id: a
    title: t
    summary: s
    client: 192.0.2.1.1
    dialogue:
      - send: MAIL FROM:<>
        expect: {spf: pass, rdns: x.example}
  - id: a
    titel: t
    summary: s
    client: 192.0.2.1
    dialogue: []
`
	_, err := Parse([]byte(src), "many.yaml", nil)
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error %v", err)
	}
	var got []string
	for _, e := range errs {
		got = append(got, fmt.Sprintf("%d %s", e.Line, e.Field))
	}
	want := []string{
		"2 defaults.server.check_at",
		"7 a.client",
		"10 a.dialogue[1].expect.spf",
		"10 a.dialogue[1].expect.rdns",
		"11 a.title",
		"11 scenarios[2].id",
		"12 a.titel",
		"15 a.dialogue",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s\nfull:\n%v", strings.Join(got, "\n"), strings.Join(want, "\n"), err)
	}
}

// TestParseDefaults checks how defaults and a scenario's own settings
// combine: server fields one by one, policy rules by result, zones by name.
func TestParseDefaults(t *testing.T) {
	src := `defaults:
  client: 192.0.2.80
  server:
    hostname: mx.school.example
    personality: sendmail
    check_at: mail
    policy:
      fail: {action: reject, code: 554, text: "no"}
      softfail: reject
  zonefile: euston.net.zone
  zones:
    euston.net:
      - MX: [10, mail.euston.net]
    other.example:
      - TXT: "v=spf1 -all"
scenarios:
  - id: inherits
    title: t
    summary: s
    dialogue:
      - send: QUIT
  - id: overrides
    title: t
    summary: s
    client: "2001:db8::25"
    server:
      personality: postfix
      check_at: rcpt
      sender_domain_check: false
      policy:
        softfail: header
    zones:
      euston.net:
        - TXT: "v=spf1 mx -all"
    dialogue:
      - send: QUIT
`
	f, err := Parse([]byte(src), "d.yaml", testFS)
	if err != nil {
		t.Fatal(err)
	}
	a, b := f.Lookup("inherits"), f.Lookup("overrides")
	if a == nil || b == nil || f.Lookup("nope") != nil {
		t.Fatalf("Lookup: %v %v", a, b)
	}
	if got := strings.Join(f.IDs(), ","); got != "inherits,overrides" {
		t.Errorf("IDs %s", got)
	}
	if a.Client.String() != "192.0.2.80" || b.Client.String() != "2001:db8::25" {
		t.Errorf("clients %s %s", a.Client, b.Client)
	}
	if a.Server.Hostname != "mx.school.example" || a.Server.CheckAt != smtpsim.CheckAtMAIL || !a.Server.SenderDomainCheck ||
		a.Server.Personality != smtpsim.PersonalitySendmail || a.Server.Config(nil).Personality != smtpsim.PersonalitySendmail {
		t.Errorf("inherited server %+v", a.Server)
	}
	if b.Server.Hostname != "mx.school.example" || b.Server.CheckAt != smtpsim.CheckAtRCPT || b.Server.SenderDomainCheck ||
		b.Server.Personality != smtpsim.PersonalityPostfix {
		t.Errorf("overridden server %+v", b.Server)
	}
	if r := b.Server.Policy[spf.Fail]; r.Action != smtpsim.ActionReject || r.Code != 554 || r.Text != "no" {
		t.Errorf("inherited fail rule %+v", r)
	}
	if r := b.Server.Policy[spf.Softfail]; r.Action != smtpsim.ActionHeader {
		t.Errorf("overridden softfail rule %+v", r)
	}
	if r := a.Server.Policy[spf.Softfail]; r.Action != smtpsim.ActionReject {
		t.Errorf("default softfail rule %+v", r)
	}
	// The default zones replace the zone file's euston.net (no SPF
	// record); the scenario's replace the default's (no MX).
	records := func(sc *Scenario) string {
		var out []string
		for _, r := range sc.Records() {
			out = append(out, r.Domain+"="+r.Text)
		}
		return strings.Join(out, " ")
	}
	if got := records(a); got != "other.example=v=spf1 -all" {
		t.Errorf("inherits: SPF records %q", got)
	}
	if got := records(b); got != "euston.net=v=spf1 mx -all other.example=v=spf1 -all" {
		t.Errorf("overrides: SPF records %q", got)
	}
	if len(a.Zone.Records("euston.net")) != 1 || len(b.Zone.Records("euston.net")) != 1 {
		t.Errorf("euston.net records: %v / %v", a.Zone.Records("euston.net"), b.Zone.Records("euston.net"))
	}
	if len(a.Zone.Records("www.euston.net")) != 1 {
		t.Errorf("the zone file's other names are kept: %v", a.Zone.Names())
	}
}

// TestParseSteps checks what a loaded dialogue holds.
func TestParseSteps(t *testing.T) {
	src := `scenarios:
  - id: s
    title: t
    summary: s
    client: 192.0.2.80
    lesson: |
      Two lines
      of lesson.
    dialogue:
      - narration: Before.
      - send: "MAIL From: <a@b.example>"
        notice: After.
      - send: RCPT TO:<c@d.example>
        expect: {code: 550, enhanced: 5.7.23, spf: fail, text: "SPF"}
      - send: data
      - narration: Between DATA and the message.
      - data: |
          Subject: x

          y
        expect: {code: 250, header: [Received-SPF, "Received-SPF: fail"]}
`
	f, err := Parse([]byte(src), "s.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := f.Scenarios[0]
	if sc.Lesson != "Two lines\nof lesson." || sc.File != "s.yaml" || sc.Line != 2 {
		t.Errorf("scenario %q %s:%d", sc.Lesson, sc.File, sc.Line)
	}
	d := sc.Dialogue
	if len(d) != 6 {
		t.Fatalf("%d steps", len(d))
	}
	kinds := []StepKind{StepSay, StepSend, StepSend, StepSend, StepSay, StepData}
	for i, k := range kinds {
		if d[i].Kind != k {
			t.Errorf("step %d kind %v, want %v", i+1, d[i].Kind, k)
		}
	}
	if d[1].Line != "MAIL From: <a@b.example>" || d[1].Verb() != "MAIL" || d[1].Notice != "After." || d[3].Verb() != "DATA" {
		t.Errorf("send steps %+v %+v", d[1], d[3])
	}
	e := d[2].Expect
	if e.Code != 550 || e.Enhanced != "5.7.23" || e.SPF != spf.Fail || e.Text != "SPF" || e.Lines["spf"] != 14 {
		t.Errorf("expect %+v", e)
	}
	if d[5].Data != "Subject: x\n\ny\n" || len(d[5].Expect.Headers) != 2 || d[5].SourceLine != 17 {
		t.Errorf("data step %+v", d[5])
	}
}
