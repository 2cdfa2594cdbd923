package tui

import (
	"context"
	"errors"
	"fmt"
	"io"

	tea "charm.land/bubbletea/v2"

	"spflab/dmarc"
	"spflab/scenarios"
	"spflab/smtpsim"
	"spflab/spf"
)

// action is one thing the learner made a lesson do: the next step, or a
// line of their own. A lesson's position is the list of its actions, so
// going back is running the lesson again with one action fewer: runs are
// deterministic.
type action struct {
	send bool
	line string
}

// lesson is an open lesson: its runner, the steps shown and how they are
// viewed.
type lesson struct {
	sc     *scenarios.Scenario
	runner *scenarios.Runner // touched only by the one command in flight
	gen    int               // the generation of runner; older messages are stale
	busy   bool              // a command holds runner
	queued int               // steps forward asked for while busy

	actions []action
	steps   []scenarios.Step
	tr      transcript
	eof     bool  // the runner has nothing more to run
	err     error // the lab failed (a timeout, a closed server)
	drafts  map[string]string

	selected int // the reply selected, -1 for the newest
	focus    pane
	// Scroll offsets: -1 shows the selected reply in the SMTP pane and
	// what decided it in the SPF pane.
	smtpTop, spfTop, narrTop int

	playing bool
	speed   int // index in speeds
	playSeq int // identifies the auto-play ticks of one start

	guess  *guess        // a prediction being asked for or waiting for its step
	scored map[int]guess // the predictions made, by dialogue step
	edit   *editor
	typing *typer

	narrH narrSize // the narration pane's height, once computed
}

type pane uint8

const (
	paneSMTP pane = iota
	paneSPF
	paneNarration
	panes
)

// stepMsg brings the step a command ran, and the runner, to be closed if
// the lesson has gone meanwhile.
type stepMsg struct {
	gen    int
	runner *scenarios.Runner
	step   scenarios.Step
	eof    bool
	err    error
}

// replayMsg brings a new runner and the steps it replayed.
type replayMsg struct {
	gen    int
	runner *scenarios.Runner
	steps  []scenarios.Step
	eof    bool
	err    error
}

func nextCmd(ctx context.Context, r *scenarios.Runner, gen int, a action) tea.Cmd {
	return func() tea.Msg {
		var st scenarios.Step
		var err error
		if a.send {
			st, err = r.Send(ctx, a.line)
		} else {
			st, err = r.Next(ctx)
		}
		if errors.Is(err, io.EOF) {
			return stepMsg{gen: gen, runner: r, eof: true}
		}
		return stepMsg{gen: gen, runner: r, step: st, err: err}
	}
}

// replayCmd closes old, starts the scenario again with drafts and runs
// actions: opening, restarting, stepping back and rerunning with a draft
// are all this.
func replayCmd(ctx context.Context, old *scenarios.Runner, sc *scenarios.Scenario, drafts map[string]string, actions []action, gen int) tea.Cmd {
	return func() tea.Msg {
		if old != nil {
			old.Close()
		}
		r, err := scenarios.Start(ctx, sc, scenarios.Options{Records: drafts})
		if err != nil {
			return replayMsg{gen: gen, err: err}
		}
		msg := replayMsg{gen: gen, runner: r}
		for _, a := range actions {
			var st scenarios.Step
			if a.send {
				st, err = r.Send(ctx, a.line)
			} else {
				st, err = r.Next(ctx)
			}
			if errors.Is(err, io.EOF) {
				msg.eof = true
				break
			}
			msg.steps = append(msg.steps, st)
			if err != nil {
				msg.err = err
				break
			}
		}
		return msg
	}
}

func closeCmd(r *scenarios.Runner) tea.Cmd {
	if r == nil {
		return nil
	}
	return func() tea.Msg {
		r.Close()
		return nil
	}
}

// addStep appends a step's events to the transcript.
func (l *lesson) addStep(st scenarios.Step) {
	l.steps = append(l.steps, st)
	typed := st.Role == scenarios.RoleTyped
	for _, e := range st.Events {
		switch e.Kind {
		case scenarios.EventNote:
			l.tr.add(entry{note: e.Text, step: st.Number, typed: typed, group: st.Index})
		default:
			if e.SMTP != nil {
				l.tr.add(entry{ev: e.SMTP, lab: e.Lab, step: st.Number, typed: typed, group: st.Index})
			}
		}
	}
}

// reset replaces the steps with those of a replay.
func (l *lesson) reset(steps []scenarios.Step) {
	l.steps, l.tr = nil, transcript{}
	for _, st := range steps {
		l.addStep(st)
	}
	l.smtpTop, l.spfTop, l.narrTop = -1, -1, 0
}

// dialogueDone is how many steps of the dialogue have run.
func (l *lesson) dialogueDone() int {
	n := 0
	for _, st := range l.steps {
		n = max(n, st.Number)
	}
	return n
}

// upcoming returns the next step of the dialogue, or nil at the end.
func (l *lesson) upcoming() *scenarios.DialogueStep {
	n := l.dialogueDone()
	if l.eof || n >= len(l.sc.Dialogue) {
		return nil
	}
	return &l.sc.Dialogue[n]
}

// complete reports whether every step of the dialogue has run.
func (l *lesson) complete() bool { return l.dialogueDone() == len(l.sc.Dialogue) }

// selectedReply is the index of the reply the panes show, -1 for none.
func (l *lesson) selectedReply() int {
	if l.selected >= 0 && l.selected < len(l.tr.replies) {
		return l.selected
	}
	return len(l.tr.replies) - 1
}

// shownStep is the step the narration pane tells: the one of the selected
// reply, else the last.
func (l *lesson) shownStep() *scenarios.Step {
	if len(l.steps) == 0 {
		return nil
	}
	if l.selected >= 0 && l.selected < len(l.tr.replies) {
		g := l.tr.entries[l.tr.replies[l.selected]].group
		for i := range l.steps {
			if l.steps[i].Index == g {
				return &l.steps[i]
			}
		}
	}
	return &l.steps[len(l.steps)-1]
}

// dmarcResult is the DMARC result of the message a step ended, "" for
// none.
func dmarcResult(st *scenarios.Step) dmarc.Result {
	for _, e := range st.Events {
		if e.Is(smtpsim.EventDMARCPolicy) {
			return e.SMTP.DMARCPolicy.Result
		}
	}
	return ""
}

// spfResult returns the result of the last SPF check of a step, "" for
// none.
func spfResult(st *scenarios.Step) spf.Result {
	var r spf.Result
	for _, e := range st.Events {
		if e.Is(smtpsim.EventPolicy) {
			r = e.SMTP.Policy.Outcome.Result
		}
	}
	return r
}

// guess is a prediction: the reply class and, where the step checks SPF
// or DMARC, the result, asked before the step runs and scored after.
type guess struct {
	step     int // the dialogue step, from 1
	askSPF   bool
	askDMARC bool // the step ends a message DMARC is checked for
	class    int  // 2, 4 or 5; 0 before the answer
	result   spf.Result
	dmarc    dmarc.Result
	answered bool // every question answered: the step may run

	// After the step.
	gotClass  int
	gotResult spf.Result
	gotDMARC  dmarc.Result
}

func (g *guess) classRight() bool  { return g.class == g.gotClass }
func (g *guess) resultRight() bool { return !g.askSPF || g.result == g.gotResult }
func (g *guess) dmarcRight() bool  { return !g.askDMARC || g.dmarc == g.gotDMARC }

// wantsSPF and wantsDMARC report whether the next key answers the SPF or
// the DMARC question.
func (g *guess) wantsSPF() bool { return g.class != 0 && g.askSPF && g.result == "" }
func (g *guess) wantsDMARC() bool {
	return g.class != 0 && !g.wantsSPF() && g.askDMARC && g.dmarc == ""
}

// points returns the right guesses and the guesses made.
func (g *guess) points() (right, total int) {
	total = 1
	if g.classRight() {
		right++
	}
	if g.askSPF {
		total++
		if g.resultRight() {
			right++
		}
	}
	if g.askDMARC {
		total++
		if g.dmarcRight() {
			right++
		}
	}
	return right, total
}

// score adds up the predictions of a lesson.
func score(scored map[int]guess) (right, total int) {
	for _, g := range scored {
		r, t := g.points()
		right += r
		total += t
	}
	return right, total
}

// resultKeys maps the keys of a prediction to SPF results.
var resultKeys = map[string]spf.Result{
	"p": spf.Pass, "f": spf.Fail, "s": spf.Softfail, "n": spf.Neutral,
	"o": spf.None, "t": spf.TempError, "e": spf.PermError,
}

// dmarcKeys maps the keys of a prediction to DMARC results (RFC 9989
// §4.8), the same letters as resultKeys.
var dmarcKeys = map[string]dmarc.Result{
	"p": dmarc.Pass, "f": dmarc.Fail, "o": dmarc.None, "t": dmarc.TempError, "e": dmarc.PermError,
}

// replyClass is the class of a reply code: 2, 3, 4 or 5.
func replyClass(r *smtpsim.Reply) int {
	if r == nil {
		return 0
	}
	return r.Code / 100
}

// narration is what the narration pane says about a step.
func (l *lesson) narration(th *theme, st *scenarios.Step, width int) []string {
	return l.tell(th, st, width, l.complete() && st == &l.steps[len(l.steps)-1])
}

// tell is narration, with the end of the lesson told after the step when
// end is set.
func (l *lesson) tell(th *theme, st *scenarios.Step, width int, end bool) []string {
	var out []string
	segs := func(ss ...seg) {
		if len(out) > 0 {
			out = append(out, "")
		}
		for _, line := range wrapSegs(ss, width) {
			out = append(out, renderSegs(line))
		}
	}
	para := func(p paint, s string) {
		if s == "" {
			return
		}
		if len(out) > 0 {
			out = append(out, "")
		}
		out = append(out, wrapText(s, p, width)...)
	}
	var checks []seg
	for _, e := range st.Events {
		switch e.Kind {
		case scenarios.EventLesson, scenarios.EventNarration:
			para(th.text, e.Text)
		case scenarios.EventNotice:
			para(th.notice, e.Text)
		case scenarios.EventCheck:
			c := e.Check
			if c.OK {
				checks = append(checks, seg{" ✓ ", th.match}, seg{c.Field + " " + c.Expected, th.dim})
			} else {
				checks = append(checks, seg{" ✗ ", th.bad}, seg{c.Field + " " + c.Expected + ", got " + c.Got, th.bad})
			}
		}
	}
	switch st.Role {
	case scenarios.RoleSetUp:
		if len(out) == 0 {
			para(th.text, l.sc.Summary)
		}
		para(th.dim, "The lab has connected to the server and set the client's address with XCLIENT (the lines marked lab). Press space for the first step.")
	case scenarios.RoleHangUp:
		para(th.dim, "The lab closed the connection.")
	case scenarios.RoleTyped:
		para(th.dim, "Your own line, sent to the same server. The SPF pane shows what the server did with it.")
	}
	if g, ok := l.scored[st.Number]; ok && st.Role == scenarios.RoleDialogue {
		segs(guessSegs(th, &g)...)
	}
	if len(checks) > 0 {
		segs(append([]seg{{"expected:", th.dim}}, checks...)...)
	}
	if end {
		done := "End of the lesson."
		if r, t := score(l.scored); t > 0 {
			done += fmt.Sprintf(" Predictions: %d/%d right.", r, t)
		}
		para(th.notice, done+" n opens the next lesson, ← steps back, r restarts, e edits a record, esc for the lessons.")
	}
	return out
}

// narrationHeight is the height of the narration pane for a lesson at a
// body of h rows whose narration is width cells wide: enough for the
// longest narration of the lesson's steps, within a share of the screen.
// It depends on the lesson and the size only, so that the panes keep
// their places from step to step.
func (l *lesson) narrationHeight(th *theme, width, h int) int {
	maxB := h * 2 / 5
	if h < 28 { // a small screen: the SPF pane needs the room
		maxB = max(6, h/3)
	}
	if l.narrH.width != width || l.narrH.h != h || l.narrH.th != th {
		need := 0
		samples := l.narrationSamples()
		for i := range samples {
			need = max(need, len(l.tell(th, &samples[i], width, i == len(samples)-1)))
		}
		l.narrH = narrSize{width: width, h: h, th: th, lines: need}
	}
	return min(max(l.narrH.lines+2, 5), maxB)
}

// narrSize is the narration's height as computed for a width and height.
type narrSize struct {
	width, h, lines int
	th              *theme
}

// narrationSamples returns steps that tell what the lesson's steps will
// tell: the set-up, and each step of the dialogue with its narration, its
// notice and its expectations met; the last one ends the lesson.
func (l *lesson) narrationSamples() []scenarios.Step {
	text := func(k scenarios.EventKind, s string) []scenarios.Event {
		if s == "" {
			return nil
		}
		return []scenarios.Event{{Kind: k, Text: s}}
	}
	out := []scenarios.Step{{Role: scenarios.RoleSetUp, Events: text(scenarios.EventLesson, l.sc.Lesson)}}
	for i := range l.sc.Dialogue {
		ds := &l.sc.Dialogue[i]
		st := scenarios.Step{Index: i + 1, Role: scenarios.RoleDialogue, Number: i + 1, Script: ds}
		st.Events = append(text(scenarios.EventNarration, ds.Narration), text(scenarios.EventNotice, ds.Notice)...)
		for _, c := range ds.Expect.Met() {
			st.Events = append(st.Events, scenarios.Event{Kind: scenarios.EventCheck, Check: &c})
		}
		out = append(out, st)
	}
	return out
}

// guessSegs says how a prediction went.
func guessSegs(th *theme, g *guess) []seg {
	mark := func(ok bool) seg {
		if ok {
			return seg{" ✓", th.match}
		}
		return seg{" ✗", th.bad}
	}
	out := []seg{{fmt.Sprintf("You predicted %dxx", g.class), th.text}, mark(g.classRight())}
	if g.askSPF {
		out = append(out, seg{" and SPF " + string(g.result), th.text}, mark(g.resultRight()))
	}
	if g.askDMARC {
		out = append(out, seg{" and DMARC " + string(g.dmarc), th.text}, mark(g.dmarcRight()))
	}
	got := fmt.Sprintf("; the server answered %dxx", g.gotClass)
	if g.askSPF {
		r := string(g.gotResult)
		if r == "" {
			r = "no SPF check"
		}
		got += ", SPF " + r
	}
	if g.askDMARC {
		r := string(g.gotDMARC)
		if r == "" {
			r = "no DMARC check"
		}
		got += ", DMARC " + r
	}
	return append(out, seg{got + ".", th.text})
}
