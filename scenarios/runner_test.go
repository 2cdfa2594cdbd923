package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"spflab/smtpsim"
)

// seedFile is the seed's forged sender from www.euston.net, against the
// euston.net zone file of testFS.
const seedFile = `defaults:
  zonefile: euston.net.zone
  zones:
    80.2.0.192.in-addr.arpa:
      - PTR: www.euston.net
scenarios:
  - id: fail
    title: SPF -all refuses www.euston.net
    summary: the seed's 550 after RCPT
    lesson: The lesson text.
    client: 192.0.2.80
    dialogue:
      - narration: We lie.
        send: HELO mail.euston.net
        notice: Reverse DNS knows.
        expect: {code: 250, rdns: www.euston.net}
      - send: "MAIL From: <honeypot@euston.net>"
        expect: {code: 250}
      - send: "RCPT To: <user@example.com>"
        expect: {code: 550, enhanced: 5.7.23, spf: fail, text: "sender=honeypot@euston.net"}
      - send: QUIT
        expect: {code: 221}
  - id: open
    title: no QUIT, a message, a refused DATA
    summary: s
    client: 192.0.2.25
    dialogue:
      - send: HELO mail.euston.net
      - send: MAIL FROM:<honeypot@euston.net>
      - send: DATA
        expect: {code: 354}
      - data: |
          Subject: never sent
        expect: {code: 250, header: Received-SPF}
`

func loadSeed(t testing.TB) *File {
	t.Helper()
	f, err := Parse([]byte(seedFile), "seed.yaml", testFS)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func kinds(evs []Event) string {
	var out []string
	for _, e := range evs {
		k := e.Kind.String()
		if e.SMTP != nil {
			k = e.SMTP.Kind.String()
		}
		if e.Lab {
			k = "lab:" + k
		}
		out = append(out, k)
	}
	return strings.Join(out, " ")
}

// TestRunnerSteps drives the seed's dialogue step by step over TCP and
// checks each step's events, reply and expectations.
func TestRunnerSteps(t *testing.T) {
	ctx := context.Background()
	sc := loadSeed(t).Lookup("fail")
	r, err := Start(ctx, sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	want := []struct {
		kinds string
		reply int
	}{
		{"lesson lab:connect lab:reply lab:client lab:xclient reply", 0},
		{"narration client dns dns helo reply notice check check", 250},
		{"client dns reply check", 250},
		{"client spf spf spf spf spf spf policy reply check check check check", 550},
		{"client reply close check", 221},
	}
	for i, w := range want {
		if r.Done() {
			t.Fatalf("Done before step %d", i)
		}
		if up := r.Upcoming(); (i == 0) != (up == nil) || up != nil && up != &sc.Dialogue[i-1] {
			t.Errorf("before step %d: Upcoming %v", i, up)
		}
		st, err := r.Next(ctx)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if st.Index != i || st.Number != i || (i > 0) != (st.Script != nil) {
			t.Errorf("step %d: Index %d Number %d Script %v", i, st.Index, st.Number, st.Script)
		}
		if got := kinds(st.Events); got != w.kinds {
			t.Errorf("step %d events:\n got %s\nwant %s", i, got, w.kinds)
		}
		if (st.Reply == nil) != (w.reply == 0) || st.Reply != nil && st.Reply.Code != w.reply {
			t.Errorf("step %d reply %v, want %d", i, st.Reply, w.reply)
		}
		for _, c := range st.Checks {
			if !c.OK {
				t.Errorf("step %d: %v", i, c)
			}
		}
		for _, e := range st.Events {
			if e.Step != i || e.Scenario != "fail" {
				t.Errorf("step %d: event %v says step %d of %q", i, e.Kind, e.Step, e.Scenario)
			}
		}
	}
	if !r.Done() {
		t.Error("not Done after the last step")
	}
	for range 2 {
		if _, err := r.Next(ctx); !errors.Is(err, io.EOF) {
			t.Fatalf("after the end: %v, want io.EOF", err)
		}
	}
	evs := r.Events()
	if evs[0].Text != "The lesson text." || evs[len(evs)-1].Kind != EventCheck {
		t.Errorf("first %+v, last %+v", evs[0], evs[len(evs)-1])
	}
	if n := len(r.Checks()); n != 8 {
		t.Errorf("%d checks, want 8", n)
	}
	// The setup's last greeting is the lesson's; the server has the
	// client it was told to assume.
	for _, e := range evs {
		if e.Is(smtpsim.EventXClient) && e.SMTP.Client.String() != "192.0.2.80" {
			t.Errorf("XCLIENT event %+v", e.SMTP)
		}
		if e.SMTP != nil && strings.Contains(e.SMTP.Remote+e.SMTP.Local, ":") {
			t.Errorf("a port is left in %q / %q", e.SMTP.Remote, e.SMTP.Local)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := r.Next(ctx); err == nil {
		t.Error("Next after Close did not fail")
	}
}

// TestRunnerChecksFailures checks that an expectation not met says what
// was expected and what came, where.
func TestRunnerChecksFailures(t *testing.T) {
	ctx := context.Background()
	tr, err := Run(ctx, loadSeed(t).Lookup("open"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	failed := tr.Failed()
	var got []string
	for _, c := range failed {
		got = append(got, c.String())
	}
	want := []string{
		"FAIL open step 3 (line 31): code: expected 354, got 502",
		`FAIL open step 4 (line 34): code: expected 250, got not sent: DATA was answered 502, not 354, so there is no message to send`,
		`FAIL open step 4 (line 34): header: expected "Received-SPF", got not sent: DATA was answered 502, not 354, so there is no message to send`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The dialogue left the connection open: the lab closes it last.
	last := tr.Steps[len(tr.Steps)-1]
	if last.Role != RoleHangUp || last.Number != 0 || last.Index != 5 || kinds(last.Events) != "lab:close" ||
		last.Events[0].SMTP.Reason != "the client closed the connection" {
		t.Errorf("last step %d/%d: %s %+v", last.Index, last.Number, kinds(last.Events), last.Events)
	}
}

// TestRunnerDeterministic runs a scenario several times at once and
// checks that every run tells the same story: rewinding is running again.
func TestRunnerDeterministic(t *testing.T) {
	sc := loadSeed(t).Lookup("fail")
	const n = 4
	out := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr, err := Run(context.Background(), sc, Options{})
			if err != nil {
				t.Error(err)
				return
			}
			var b bytes.Buffer
			if err := WriteJSON(&b, tr); err != nil {
				t.Error(err)
			}
			out[i] = b.Bytes()
		}()
	}
	wg.Wait()
	for i := 1; i < n; i++ {
		if !bytes.Equal(out[0], out[i]) {
			t.Fatalf("run %d differs from run 0:\n%s\n---\n%s", i, out[i], out[0])
		}
	}
	if !bytes.Contains(out[0], []byte(`"time":"2008-01-08T00:00:00Z"`)) {
		t.Error("events do not carry LessonTime")
	}
}

// TestRunnerDraftRecord reruns the dialogue with a draft record that
// permits www.euston.net: "what happens if I publish this?".
func TestRunnerDraftRecord(t *testing.T) {
	tr, err := Run(context.Background(), loadSeed(t).Lookup("fail"), Options{
		Records: map[string]string{"EUSTON.NET.": "v=spf1 ip4:192.0.2.25 ip4:192.0.2.80 -all"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range tr.Failed() {
		got = append(got, c.Field+": "+c.Got)
	}
	want := "code: 250\nenhanced: 2.0.0\ntext: \"I'll make sure <user@example.com> gets this\"\nspf: pass"
	if strings.Join(got, "\n") != want {
		t.Errorf("failures with the draft:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}

// TestRunnerSend types lines by hand on the lesson's session, a message
// line by line included, and again after QUIT.
func TestRunnerSend(t *testing.T) {
	ctx := context.Background()
	r, err := Start(ctx, loadSeed(t).Lookup("fail"), Options{Clock: func() time.Time { return time.Unix(0, 0).UTC() }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Next(ctx); err != nil { // the setup
		t.Fatal(err)
	}
	type typed struct {
		line  string
		kinds string
		reply int
	}
	lines := []typed{
		{"HELO mail.euston.net", "client dns dns helo reply", 250},
		{"MAIL FROM:<honeypot@euston.net>", "client dns reply", 250},
		{"RCPT TO:<a@example.com>", "client spf spf spf spf spf spf policy reply", 550},
		{"DATA", "client reply", 502},
		{"RSET", "client reply", 250},
		{"MAIL FROM:<>", "client reply", 250},
		{"RCPT TO:<a@example.com>", "client spf spf spf spf policy reply", 250},
		{"DATA", "client reply", 354},
		{"Subject: typed", "client", 0},
		{"", "client", 0},
		{"..a line with a dot", "client", 0},
		{".", "client header header header stored reply", 250},
		{"QUIT", "client reply close", 221},
		{"NOOP", "lab:connect lab:reply lab:client lab:xclient reply client reply", 250},
	}
	for i, l := range lines {
		st, err := r.Send(ctx, l.line)
		if err != nil {
			t.Fatalf("%q: %v", l.line, err)
		}
		if st.Role != RoleTyped || st.Number != 0 || st.Script != nil || st.Index != i+1 {
			t.Errorf("%q: %s step, Index %d Number %d", l.line, st.Role, st.Index, st.Number)
		}
		if got := kinds(st.Events); got != l.kinds {
			t.Errorf("%q events:\n got %s\nwant %s", l.line, got, l.kinds)
		}
		if (st.Reply == nil) != (l.reply == 0) || st.Reply != nil && st.Reply.Code != l.reply {
			t.Errorf("%q reply %v, want %d", l.line, st.Reply, l.reply)
		}
	}
	msgs := r.Messages()
	if len(msgs) != 1 || !bytes.Contains(msgs[0].Data, []byte("Subject: typed\r\n\r\n.a line with a dot\r\n")) ||
		!bytes.Contains(msgs[0].Data, []byte("identity=helo")) || msgs[0].Time != time.Unix(0, 0).UTC() {
		t.Errorf("stored: %+v", msgs)
	}
	if _, err := r.Send(ctx, "NOOP\r\nQUIT"); err == nil {
		t.Error("a line with a line break was sent")
	}
	// The scripted steps go on, on the new session.
	st, err := r.Next(ctx)
	if err != nil || st.Role != RoleDialogue || st.Number != 1 || st.Reply == nil || st.Reply.Code != 250 {
		t.Fatalf("scripted step after typing: %+v %v", st, err)
	}
}

// TestRunnerServerCloses checks a step whose line the server answers by
// closing the connection, and that the dialogue goes on without it.
func TestRunnerServerCloses(t *testing.T) {
	long := strings.Repeat("x", 3000)
	src := `scenarios:
  - id: long
    title: t
    summary: s
    client: 192.0.2.80
    dialogue:
      - send: HELO ` + long + `
        expect: {code: 500, enhanced: 5.4.0}
      - send: NOOP
        expect: {code: 250}
`
	f, err := Parse([]byte(src), "long.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Run(context.Background(), f.Scenarios[0], Options{StepTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Steps) != 3 {
		t.Fatalf("%d steps", len(tr.Steps))
	}
	if got := kinds(tr.Steps[1].Events); got != "client reply close check check" {
		t.Errorf("the long line: %s", got)
	}
	if got := kinds(tr.Steps[2].Events); got != "note check" || tr.Steps[2].Checks[0].Got != "not sent: the server has closed the connection" {
		t.Errorf("after the close: %s %+v", got, tr.Steps[2].Checks)
	}
}

// TestStartErrors checks what Start refuses.
func TestStartErrors(t *testing.T) {
	if _, err := Start(context.Background(), nil, Options{}); err == nil {
		t.Error("Start(nil) did not fail")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Start(ctx, loadSeed(t).Lookup("fail"), Options{}); err == nil {
		t.Error("Start with a cancelled context did not fail")
	}
}

// roles names the role of each step of a run: "set-up", "dialogue 1",
// "dialogue 2", ..., "hang-up".
func roles(steps []Step) []string {
	var out []string
	for _, st := range steps {
		r := st.Role.String()
		if st.Number > 0 {
			r += " " + strconv.Itoa(st.Number)
		}
		out = append(out, r)
	}
	return out
}

// scriptRoles is the roles a run of a dialogue of n steps has: the set-up,
// the steps in order, and the hang-up when the dialogue leaves the
// connection open.
func scriptRoles(n int, hangUp bool) []string {
	out := []string{"set-up"}
	for i := 1; i <= n; i++ {
		out = append(out, "dialogue "+strconv.Itoa(i))
	}
	if hangUp {
		out = append(out, "hang-up")
	}
	return out
}

// TestStepRoles runs the seed's two dialogues and every built-in lesson
// and checks the role of each step: the set-up first, each step of the
// dialogue with its number and script, the hang-up last when the dialogue
// does not end the session with QUIT.
func TestStepRoles(t *testing.T) {
	seed := loadSeed(t)
	tests := []struct {
		sc   *Scenario
		want []string
	}{
		{seed.Lookup("fail"), []string{"set-up", "dialogue 1", "dialogue 2", "dialogue 3", "dialogue 4"}},
		{seed.Lookup("open"), []string{"set-up", "dialogue 1", "dialogue 2", "dialogue 3", "dialogue 4", "hang-up"}},
	}
	for _, sc := range builtin(t).Scenarios {
		last := sc.Dialogue[len(sc.Dialogue)-1]
		tests = append(tests, struct {
			sc   *Scenario
			want []string
		}{sc, scriptRoles(len(sc.Dialogue), last.Verb() != "QUIT")})
	}
	for _, tt := range tests {
		t.Run(tt.sc.ID, func(t *testing.T) {
			tr, err := Run(context.Background(), tt.sc, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := roles(tr.Steps); !slices.Equal(got, tt.want) {
				t.Errorf("roles\n got %q\nwant %q", got, tt.want)
			}
			for i, st := range tr.Steps {
				var script *DialogueStep
				if st.Number > 0 && st.Number <= len(tt.sc.Dialogue) {
					script = &tt.sc.Dialogue[st.Number-1]
				}
				if st.Index != i || st.Script != script || (st.Role == RoleDialogue) != (st.Number > 0) {
					t.Errorf("step %d (%s): Index %d Number %d Script %p", i, st.Role, st.Index, st.Number, st.Script)
				}
			}
		})
	}
}

// TestStepRoleNames checks the names of the roles, in text and in JSON.
func TestStepRoleNames(t *testing.T) {
	tests := []struct {
		role StepRole
		want string
	}{
		{RoleSetUp, "set-up"},
		{RoleDialogue, "dialogue"},
		{RoleTyped, "typed"},
		{RoleHangUp, "hang-up"},
		{0, "unknown"},
		{RoleHangUp + 1, "unknown"},
	}
	for _, tt := range tests {
		if got := tt.role.String(); got != tt.want {
			t.Errorf("StepRole(%d).String() = %q, want %q", tt.role, got, tt.want)
		}
		if b, err := json.Marshal(tt.role); err != nil || string(b) != strconv.Quote(tt.want) {
			t.Errorf("json.Marshal(StepRole(%d)) = %s, %v", tt.role, b, err)
		}
	}
}
