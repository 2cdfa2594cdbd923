package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"spflab/smtpsim"
	"spflab/spf"
)

// builtin loads the built-in lessons from the repository root (package
// main embeds the same file).
func builtin(t testing.TB) *File {
	t.Helper()
	f, err := LoadFile("../scenarios.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestBuiltinLessons runs every built-in lesson against a real server and
// checks that each has expectations and meets them all.
func TestBuiltinLessons(t *testing.T) {
	f := builtin(t)
	for _, sc := range f.Scenarios {
		t.Run(sc.ID, func(t *testing.T) {
			tr, err := Run(context.Background(), sc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(tr.Checks()) == 0 {
				t.Error("no expectations: the lesson tests nothing")
			}
			for _, c := range tr.Failed() {
				t.Error(c)
			}
			if sc.Lesson == "" {
				t.Error("no lesson text")
			}
		})
	}
}

// TestBuiltinLessonsCoverTheIssue checks that the built-in file keeps
// what the lessons are for: the seed's dialogues with its names and
// replies, one lesson per SPF result, and the mechanisms.
func TestBuiltinLessonsCoverTheIssue(t *testing.T) {
	f := builtin(t)
	type want struct {
		id, line, field, expected string
	}
	wants := []want{
		{"seed-honest", "RCPT To:user@example.com", "spf", "pass"},
		{"seed-helo-lie", "HELO mail.euston.net", "rdns", "www.euston.net"},
		{"seed-forged-sender", "MAIL From:honeypot@euston.net", "code", "250"},
		{"seed-forged-sender", "RCPT To:user@example.com", "spf", "none"},
		{"seed-no-such-domain", "MAIL From:buddy@your.friend", "code", "553"},
		{"seed-no-such-domain", "MAIL From:buddy@your.friend", "enhanced", "5.1.8"},
		{"seed-spf-fail", "MAIL From: <honeypot@euston.net>", "code", "250"},
		{"seed-spf-fail", "RCPT To: <user@example.com>", "code", "550"},
		{"seed-spf-fail", "RCPT To: <user@example.com>", "spf", "fail"},
		{"seed-google-include", "RCPT To:user@example.com", "spf", "softfail"},
		{"result-temperror", "RCPT To:user@example.com", "code", "451"},
		{"exp-explanation", "RCPT To:user@example.com", "spf", "fail"},
		{"null-sender-helo", "MAIL FROM:<>", "code", "250"},
		// The article's words, spoken by the sendmail personality.
		{"seed-helo-lie", "HELO mail.euston.net", "text", "Hello www.euston.net [192.0.2.80], pleased to meet you"},
		{"seed-honest", "MAIL From:honeypot@euston.net", "text", "honeypot@euston.net Sender ok"},
		{"seed-honest", "RCPT To:user@example.com", "text", "user@example.com... Recipient ok"},
		{"seed-no-such-domain", "MAIL From:buddy@your.friend", "text", "buddy@your.friend... Domain of sender address buddy@your.friend does not exist"},
		{"seed-spf-fail", "RCPT To: <user@example.com>", "text", "SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net. Command rejected."},
	}
	for _, w := range wants {
		sc := f.Lookup(w.id)
		if sc == nil {
			t.Errorf("no lesson %s", w.id)
			continue
		}
		if !hasExpectation(sc, w.line, w.field, w.expected) {
			t.Errorf("%s: no step %q expecting %s %s", w.id, w.line, w.field, w.expected)
		}
	}
	// The seed's addresses: mail.euston.net is the permitted sender,
	// www.euston.net differs in the last octet.
	for id, client := range map[string]string{"seed-honest": "192.0.2.25", "seed-helo-lie": "192.0.2.80", "seed-spf-fail": "192.0.2.80"} {
		if sc := f.Lookup(id); sc == nil || sc.Client.String() != client {
			t.Errorf("%s: client %v, want %s", id, sc, client)
		}
	}
	results := make(map[spf.Result]bool)
	for _, sc := range f.Scenarios {
		for _, st := range sc.Dialogue {
			results[st.Expect.SPF] = true
		}
	}
	for _, r := range []spf.Result{spf.Pass, spf.Fail, spf.Softfail, spf.Neutral, spf.None, spf.TempError, spf.PermError} {
		if !results[r] {
			t.Errorf("no lesson expects %s", r)
		}
	}
	for _, id := range []string{"result-permerror-syntax", "result-permerror-lookups", "result-permerror-void",
		"mech-a", "mech-mx", "mech-ptr", "mech-ip6", "mech-exists-macros", "include-vs-redirect"} {
		if f.Lookup(id) == nil {
			t.Errorf("no lesson %s", id)
		}
	}
	if sc := f.Lookup("mech-ip6"); sc == nil || !sc.Client.Is6() {
		t.Error("mech-ip6 has no IPv6 client")
	}
}

func hasExpectation(sc *Scenario, line, field, expected string) bool {
	for _, st := range sc.Dialogue {
		if st.Line != line {
			continue
		}
		e := st.Expect
		switch field {
		case "code":
			if e.Code != 0 && expected == strconv.Itoa(e.Code) {
				return true
			}
		case "enhanced":
			if e.Enhanced == expected {
				return true
			}
		case "spf":
			if string(e.SPF) == expected {
				return true
			}
		case "rdns":
			if e.RDNS == expected {
				return true
			}
		case "text":
			if e.Text == expected {
				return true
			}
		}
	}
	return false
}

func runBuiltin(t *testing.T, id string) *Transcript {
	t.Helper()
	sc := builtin(t).Lookup(id)
	if sc == nil {
		t.Fatalf("no lesson %s", id)
	}
	tr, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestWriteText(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, runBuiltin(t, "seed-spf-fail")); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, line := range []string{
		"== seed-spf-fail: SPF -all refuses www.euston.net ==",
		"[lab] C: XCLIENT ADDR=192.0.2.80",
		"S: 220 mail.example.com SMTP Server ready.",
		"-- step 1 --",
		"C: HELO mail.euston.net",
		"    DNS PTR 192.0.2.80 → www.euston.net (reverse)",
		"    HELO mail.euston.net: 192.0.2.80 is www.euston.net (reverse DNS confirmed): the HELO name is a lie",
		"C: RCPT To: <user@example.com>",
		"    spf check_host(192.0.2.80, euston.net, honeypot@euston.net)",
		`    spf DNS TXT euston.net → "v=spf1 ip4:192.0.2.25 -all"`,
		"    spf ip4:192.0.2.25: no match: 192.0.2.80 not in 192.0.2.25/32 [lookups 0/10, void 0/2]",
		"    spf -all: match → fail: all matches every address [lookups 0/10, void 0/2]",
		"    policy: SPF fail for the mailfrom identity → refuse (5xx) at RCPT (550 5.7.23)",
		"S: 550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net. Command rejected.",
		"    ✓ code 550",
		"    ✓ spf fail",
		"    connection closed: QUIT",
	} {
		if !containsLine(out, line) {
			t.Errorf("no line %q in:\n%s", line, out)
		}
	}
	// Steps of an include are indented one level.
	b.Reset()
	WriteText(&b, runBuiltin(t, "seed-google-include"))
	for _, line := range []string{
		"    spf include:_netblocks.google.com: evaluate the record of _netblocks.google.com",
		"    spf   ip4:198.51.100.0/24: match → pass: 198.51.100.27 in 198.51.100.0/24 [lookups 1/10, void 0/2]",
		"    spf include:_netblocks.google.com: match → pass: _netblocks.google.com returned pass [lookups 1/10, void 0/2]",
	} {
		if !containsLine(b.String(), line) {
			t.Errorf("no line %q in:\n%s", line, b.String())
		}
	}
}

func containsLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

func TestWriteMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, runBuiltin(t, "seed-spf-fail")); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, part := range []string{
		"# SPF -all refuses www.euston.net\n",
		"**The setting.** The client is `192.0.2.80`. The server `mail.example.com` checks SPF at RCPT",
		"euston.net  TXT  \"v=spf1 ip4:192.0.2.25 -all\"\n",
		"## Step 3: `RCPT To: <user@example.com>`\n",
		"```text\nC: RCPT To: <user@example.com>\nS: 550 5.7.23 SPF test returned fail for 192.0.2.80:",
		"- SPF evaluation:\n  - check\\_host(192.0.2.80, euston.net, honeypot@euston.net)\n",
		"> **What to notice.** ip4:192.0.2.25 does not match 192.0.2.80;",
	} {
		if !strings.Contains(out, part) {
			t.Errorf("no %q in:\n%s", part, out)
		}
	}
	for _, lab := range []string{"[lab]", "C: XCLIENT", "expected"} {
		if strings.Contains(out, lab) {
			t.Errorf("the handout shows %q", lab)
		}
	}
	if strings.Count(out, "```")%2 != 0 {
		t.Error("a code block is not closed")
	}
}

// TestWriteJSON checks that the JSON lines tell the events apart: the
// run's own kinds by "kind", the server's events by "kind":"smtp" and
// their own kind inside "smtp".
func TestWriteJSON(t *testing.T) {
	tr := runBuiltin(t, "seed-spf-fail")
	var b bytes.Buffer
	if err := WriteJSON(&b, tr); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	evs := tr.Events()
	if len(lines) != len(evs) {
		t.Fatalf("%d lines for %d events", len(lines), len(evs))
	}
	seen := make(map[string]bool)
	for i, l := range lines {
		var e struct {
			Scenario string `json:"scenario"`
			Kind     string `json:"kind"`
			SMTP     *struct {
				Kind  string              `json:"kind"`
				Reply *struct{ Code int } `json:"reply"`
				SPF   *struct{ Reason string }
			} `json:"smtp"`
			Check *Check `json:"check"`
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if e.Scenario != "seed-spf-fail" {
			t.Errorf("scenario %q", e.Scenario)
		}
		kind, want := e.Kind, evs[i].Kind.String()
		if e.SMTP != nil {
			kind += "/" + e.SMTP.Kind
		}
		if evs[i].SMTP != nil {
			want += "/" + evs[i].SMTP.Kind.String()
		}
		if kind != want {
			t.Errorf("line %d is a %s, want %s: %s", i+1, kind, want, l)
		}
		seen[kind] = true
		if e.Kind == "check" && (e.Check == nil || !e.Check.OK) {
			t.Errorf("check %s", l)
		}
	}
	if !strings.HasPrefix(lines[0], `{"scenario":"seed-spf-fail","step":0,"kind":"lesson"`) || !strings.Contains(b.String(), `"reason":"192.0.2.80 not in 192.0.2.25/32"`) {
		t.Errorf("first line %s", lines[0])
	}
	for _, k := range []string{"narration", "smtp/client", "smtp/reply", "smtp/spf", "smtp/policy", "notice", "check"} {
		if !seen[k] {
			t.Errorf("no %s event in %v", k, seen)
		}
	}
}

// replies returns the replies of a lesson's dialogue steps, as they were on
// the wire.
func replies(t *testing.T, tr *Transcript) []string {
	t.Helper()
	var out []string
	for _, st := range tr.Steps {
		if st.Role == RoleDialogue && st.Reply != nil {
			out = append(out, st.Reply.String())
		}
	}
	return out
}

// TestSeedLessonsSpeakLikeTheArticle runs the seed's lessons: with the
// sendmail personality of the file's defaults, each reply the article
// prints reads on the wire as it does there (documentation addresses in
// the blanks the article lost).
func TestSeedLessonsSpeakLikeTheArticle(t *testing.T) {
	f := builtin(t)
	for id, want := range map[string][]string{
		"seed-helo-lie": {
			"250 mail.example.com Hello www.euston.net [192.0.2.80], pleased to meet you",
			"250 2.1.0 honeypot@euston.net Sender ok",
			"250 2.1.5 user@example.com... Recipient ok",
			`354 Enter mail, end with "." on a line by itself`,
			"250 2.0.0 m0000001 Message accepted for delivery",
			"221 2.0.0 mail.example.com closing connection",
		},
		"seed-no-such-domain": {
			"250 mail.example.com Hello www.euston.net [192.0.2.80], pleased to meet you",
			"553 5.1.8 buddy@your.friend... Domain of sender address buddy@your.friend does not exist",
			"250 2.1.0 honeypot@euston.net Sender ok",
			"250 2.1.5 user@example.com... Recipient ok",
			"221 2.0.0 mail.example.com closing connection",
		},
		"seed-spf-fail": {
			"250 mail.example.com Hello www.euston.net [192.0.2.80], pleased to meet you",
			"250 2.1.0 <honeypot@euston.net> Sender ok",
			"550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80 sender=honeypot@euston.net helo=mail.euston.net. Command rejected.",
			"221 2.0.0 mail.example.com closing connection",
		},
	} {
		tr := runBuiltin(t, id)
		if got := replies(t, tr); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s replies:\n%s\nwant:\n%s", id, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// The set-up's replies: the greeting, then the one after XCLIENT.
		var greetings []string
		for _, e := range tr.Steps[0].Events {
			if e.Is(smtpsim.EventReply) {
				greetings = append(greetings, e.SMTP.Reply.String())
			}
		}
		if f.Lookup(id) == nil || len(greetings) != 2 || greetings[1] != "220 mail.example.com SMTP Server ready." {
			t.Errorf("%s: greetings %q", id, greetings)
		}
	}
}

// TestPersonalityLessons: the two lessons that compare personalities send
// the same lines and get the same codes and enhanced codes, in words that
// differ at every step.
func TestPersonalityLessons(t *testing.T) {
	f := builtin(t)
	a, b := f.Lookup("words-sendmail"), f.Lookup("words-postfix")
	if a == nil || b == nil {
		t.Fatal("no lessons words-sendmail and words-postfix")
	}
	if a.Server.Personality.String() != "sendmail" || b.Server.Personality.String() != "postfix" {
		t.Fatalf("personalities %s and %s", a.Server.Personality, b.Server.Personality)
	}
	ta, tb := runBuiltin(t, a.ID), runBuiltin(t, b.ID)
	ra, rb := replies(t, ta), replies(t, tb)
	if len(ra) != len(a.Dialogue) || len(rb) != len(ra) {
		t.Fatalf("%d and %d replies for %d steps", len(ra), len(rb), len(a.Dialogue))
	}
	for i := range a.Dialogue {
		if a.Dialogue[i].Line != b.Dialogue[i].Line {
			t.Errorf("step %d: %q and %q: not the same dialogue", i+1, a.Dialogue[i].Line, b.Dialogue[i].Line)
		}
		x, y := ta.Steps[i+1].Reply, tb.Steps[i+1].Reply
		if x.Code != y.Code || x.Enhanced != y.Enhanced {
			t.Errorf("step %d: %q and %q: the codes differ", i+1, x, y)
		}
		if x.Text() == y.Text() {
			t.Errorf("step %d: both say %q", i+1, x.Text())
		}
	}
	for _, tr := range []*Transcript{ta, tb} {
		for _, c := range tr.Failed() {
			t.Errorf("%s: %s", tr.Scenario.ID, c)
		}
	}
}
