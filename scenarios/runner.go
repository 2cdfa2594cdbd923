package scenarios

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"spflab/fakedns"
	"spflab/smtpsim"
)

// LessonTime is the time every run's clock shows, so that a run gives the
// same events, header fields and %{t} expansions every time: the serial
// 2008010800 of the seed article's euston.net zone.
var LessonTime = time.Date(2008, time.January, 8, 0, 0, 0, 0, time.UTC)

// DefaultStepTimeout bounds one step of a run.
const DefaultStepTimeout = 10 * time.Second

// Options change how a scenario runs.
type Options struct {
	// Records replaces the published SPF record of a domain with a draft
	// (fakedns.WithDrafts): "what happens if I publish this?". Keys are
	// domain names in any case, with or without the trailing dot.
	Records map[string]string
	// Clock gives the time of events, Received fields and %{t}; nil means
	// the fixed LessonTime.
	Clock func() time.Time
	// StepTimeout bounds one step; zero means DefaultStepTimeout.
	StepTimeout time.Duration
}

// StepRole says what a Step of a run is for.
type StepRole uint8

// The roles of the steps of a run, in the order a run has them.
const (
	// RoleSetUp: the first step (Index 0), where the lab connects its
	// client and sets the client address with XCLIENT.
	RoleSetUp StepRole = iota + 1
	// RoleDialogue: a step of the scenario's dialogue (Number and Script).
	RoleDialogue
	// RoleTyped: a line the learner typed, sent with Runner.Send.
	RoleTyped
	// RoleHangUp: the last step, where the lab closes the connection the
	// dialogue left open.
	RoleHangUp
)

var stepRoleNames = [...]string{"", "set-up", "dialogue", "typed", "hang-up"}

// String names the role: "set-up", "dialogue", "typed" or "hang-up".
func (r StepRole) String() string {
	if int(r) < len(stepRoleNames) && r > 0 {
		return stepRoleNames[r]
	}
	return "unknown"
}

// MarshalText names the role in JSON.
func (r StepRole) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Step is what one step of a run did: the events it caused, in order, and
// the outcome of its expectations. Role says which kind of step it is.
type Step struct {
	Index int      // position in the run: 0 for the set-up, then 1, 2, ...
	Role  StepRole // set-up, dialogue, typed or hang-up
	// Number is the dialogue step this is, from 1; 0 unless Role is
	// RoleDialogue.
	Number int
	Script *DialogueStep // the dialogue step, nil unless Role is RoleDialogue
	Events []Event
	Reply  *smtpsim.Reply // the reply the client read, nil when none
	Checks []Check
}

// Failed returns the expectations of the step that were not met.
func (s *Step) Failed() []Check {
	var out []Check
	for _, c := range s.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// Runner runs one scenario against its own smtpsim server on 127.0.0.1,
// over real TCP, one step at a time: a viewer paces it with Next and lets
// the learner type lines of their own with Send. A Runner is used by one
// goroutine at a time. Running a scenario again gives the same events
// (rewinding is running again up to a step).
type Runner struct {
	sc      *Scenario
	srv     *smtpsim.Server
	col     *collector
	c       *smtpsim.Client
	timeout time.Duration

	setup   *Step // returned by the first Next
	next    int   // the next dialogue step, 0-based
	index   int   // the Index of the next step
	ended   bool  // the closing step has been returned
	closed  bool
	lastRep *smtpsim.Reply

	// What the client did, against which the server's events are awaited.
	mark     int // server events taken into steps
	replies  int // replies the client read
	lines    int // lines the client sent
	sessions int // connections opened
	inData   bool
	open     bool

	events []Event
	checks []Check
}

// Start starts a server for the scenario, connects the lab's client, sets
// the client address with XCLIENT and returns the runner; the first Next
// returns that setup. Close the runner when done.
func Start(ctx context.Context, sc *Scenario, opts Options) (*Runner, error) {
	if sc == nil || sc.Zone == nil {
		return nil, errors.New("scenarios: Start needs a loaded scenario")
	}
	res := fakedns.WithDrafts(sc.Zone, opts.Records)
	clock := opts.Clock
	if clock == nil {
		clock = func() time.Time { return LessonTime }
	}
	r := &Runner{sc: sc, col: newCollector(), timeout: opts.StepTimeout}
	if r.timeout <= 0 {
		r.timeout = DefaultStepTimeout
	}
	cfg := sc.Server.Config(res)
	cfg.Clock = clock
	cfg.OnEvent = r.col.add
	srv, err := smtpsim.NewServer(cfg)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.ID, err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.ID, err)
	}
	r.srv = srv
	st := r.newStep(RoleSetUp)
	if sc.Lesson != "" {
		st.Events = append(st.Events, r.text(st.Index, EventLesson, sc.Lesson))
	}
	if err := r.connect(ctx, &st); err != nil {
		r.Close()
		return nil, fmt.Errorf("scenario %s: %w", sc.ID, err)
	}
	r.setup = &st
	return r, nil
}

// Scenario returns the scenario being run.
func (r *Runner) Scenario() *Scenario { return r.sc }

// Next runs the next step and returns it: the setup first, then each
// dialogue step, then, when the dialogue leaves the connection open, a
// last step where the lab closes it. After that it returns io.EOF.
// Expectations that are not met are in Step.Checks, not errors; an error
// means the lab itself failed (a timeout, a closed runner).
func (r *Runner) Next(ctx context.Context) (Step, error) {
	if r.closed {
		return Step{}, errors.New("scenarios: the runner is closed")
	}
	if r.setup != nil {
		st := *r.setup
		r.setup = nil
		r.keep(&st)
		return st, nil
	}
	if r.next < len(r.sc.Dialogue) {
		r.next++
		st, err := r.scripted(ctx, &r.sc.Dialogue[r.next-1], r.next)
		r.keep(&st)
		return st, err
	}
	if !r.ended {
		r.ended = true
		if r.open {
			st := r.newStep(RoleHangUp)
			err := r.hangUp(ctx, &st)
			r.keep(&st)
			return st, err
		}
	}
	return Step{}, io.EOF
}

// Upcoming returns the dialogue step the next Next runs, nil when the
// dialogue is over: a viewer shows its narration and line before the
// reply, so that the learner can predict it.
func (r *Runner) Upcoming() *DialogueStep {
	if r.setup != nil || r.next >= len(r.sc.Dialogue) {
		return nil
	}
	return &r.sc.Dialogue[r.next]
}

// Done reports whether every step of the dialogue has run.
func (r *Runner) Done() bool { return r.setup == nil && r.next == len(r.sc.Dialogue) }

// Send sends a line of the learner's own on the same session, exactly as
// typed, like the seed article's nc: a command (the step holds its reply
// and what the server did), or inside a message after a 354 reply, a line
// of the message (the reply comes after the line "."). When the server
// has closed the connection, the lab connects again first.
func (r *Runner) Send(ctx context.Context, line string) (Step, error) {
	if r.closed {
		return Step{}, errors.New("scenarios: the runner is closed")
	}
	if strings.ContainsAny(line, "\r\n") {
		return Step{}, fmt.Errorf("scenarios: send %q: one line at a time", line)
	}
	st := r.newStep(RoleTyped)
	var err error
	if !r.open {
		err = r.connect(ctx, &st)
	}
	switch {
	case err != nil:
	case r.inData && line != ".":
		r.lines++
		if err = r.c.WriteRaw([]byte(line + "\r\n")); err == nil {
			ctx, cancel := context.WithTimeout(ctx, r.timeout)
			err = r.collect(ctx, &st, r.lineSeen)
			cancel()
		}
	case r.inData:
		err = r.exchange(ctx, &st, 1, func() (smtpsim.Reply, error) {
			if err := r.c.WriteRaw([]byte(".\r\n")); err != nil {
				return smtpsim.Reply{}, err
			}
			return r.c.ReadReply()
		})
	default:
		err = r.exchange(ctx, &st, 1, func() (smtpsim.Reply, error) { return r.c.Send(line) })
	}
	r.keep(&st)
	return st, err
}

// Events returns every event of the run so far.
func (r *Runner) Events() []Event { return append([]Event(nil), r.events...) }

// Checks returns the outcome of every expectation checked so far.
func (r *Runner) Checks() []Check { return append([]Check(nil), r.checks...) }

// Messages returns the messages the server stored.
func (r *Runner) Messages() []smtpsim.Message { return r.srv.Mailbox().Messages() }

// Close closes the connection and the server.
func (r *Runner) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.c != nil {
		r.c.Close()
	}
	if r.srv != nil {
		return r.srv.Close()
	}
	return nil
}

func (r *Runner) newStep(role StepRole) Step {
	st := Step{Index: r.index, Role: role}
	r.index++
	return st
}

func (r *Runner) keep(st *Step) {
	r.events = append(r.events, st.Events...)
	r.checks = append(r.checks, st.Checks...)
}

func (r *Runner) text(step int, kind EventKind, text string) Event {
	return Event{Scenario: r.sc.ID, Step: step, Kind: kind, Text: text}
}

// connect opens a session and sets the client address with XCLIENT: lab
// machinery, all but the new greeting the client then gets.
func (r *Runner) connect(ctx context.Context, st *Step) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	from := len(st.Events)
	// A session that ended without a reply may have left lines unseen:
	// count from what the server reported.
	r.replies, r.lines = r.col.counts()
	c, err := smtpsim.Dial(ctx, r.srv.Addr().String())
	if err != nil {
		return err
	}
	c.Timeout = r.timeout
	r.c, r.open, r.inData = c, true, false
	r.sessions++
	r.replies++ // the greeting
	r.lines++
	rep, err := c.XClient(r.sc.Client.String(), "", "")
	if err != nil {
		return err
	}
	r.replies++
	if rep.Code != 220 {
		return fmt.Errorf("XCLIENT ADDR=%s refused: %s", r.sc.Client, rep)
	}
	r.lastRep = &rep
	if err := r.collect(ctx, st, r.replySeen); err != nil {
		return err
	}
	for i := from; i < len(st.Events)-1; i++ {
		st.Events[i].Lab = true
	}
	return nil
}

// hangUp closes the connection at the end of a dialogue that did not.
func (r *Runner) hangUp(ctx context.Context, st *Step) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	r.c.Close()
	from := len(st.Events)
	err := r.collect(ctx, st, r.closeSeen)
	for i := from; i < len(st.Events); i++ {
		st.Events[i].Lab = true
	}
	return err
}

// scripted runs a dialogue step.
func (r *Runner) scripted(ctx context.Context, ds *DialogueStep, number int) (Step, error) {
	st := r.newStep(RoleDialogue)
	st.Number, st.Script = number, ds
	if ds.Narration != "" {
		st.Events = append(st.Events, r.text(st.Index, EventNarration, ds.Narration))
	}
	var note string
	var err error
	switch {
	case ds.Kind == StepSay:
	case !r.open:
		note = "not sent: the server has closed the connection"
	case ds.Kind == StepSend && r.inData:
		note = "not sent: the session is inside a message; a line holding only \".\" ends it"
	case ds.Kind == StepSend:
		err = r.exchange(ctx, &st, 1, func() (smtpsim.Reply, error) { return r.c.Send(ds.Line) })
	case !r.inData:
		note = "not sent: DATA got no 354 reply, so there is no message to send"
		if r.lastRep != nil {
			note = fmt.Sprintf("not sent: DATA was answered %d, not 354, so there is no message to send", r.lastRep.Code)
		}
	default:
		for _, d := range ds.Sign {
			if sg := r.sc.Signer(d); sg != nil {
				st.Events = append(st.Events, r.text(st.Index, EventNote, fmt.Sprintf("the lab signed the message: d=%s, selector %s, %s; the public half is at %s", sg.Domain, sg.Selector, sg.Key, sg.KeyName())))
			}
		}
		if ds.Tampered != "" {
			st.Events = append(st.Events, r.text(st.Index, EventNote, ds.Tampered))
		}
		msg := ds.Message()
		err = r.exchange(ctx, &st, bodyLines(msg), func() (smtpsim.Reply, error) { return r.c.SendBody(msg) })
	}
	if note != "" {
		st.Events = append(st.Events, r.text(st.Index, EventNote, note))
	}
	if err != nil {
		return st, err
	}
	if ds.Notice != "" {
		st.Events = append(st.Events, r.text(st.Index, EventNotice, ds.Notice))
	}
	st.Checks = r.check(&st, ds, note)
	for i := range st.Checks {
		st.Events = append(st.Events, Event{Scenario: r.sc.ID, Step: st.Index, Kind: EventCheck, Check: &st.Checks[i]})
	}
	return st, nil
}

// bodyLines is how many lines Client.SendBody sends for body, "." included.
func bodyLines(body string) int {
	body = strings.TrimSuffix(strings.ReplaceAll(body, "\r\n", "\n"), "\n")
	if body == "" {
		return 1
	}
	return strings.Count(body, "\n") + 2
}

// exchange sends lines with do, reads the reply, and collects the events
// the server reported up to its reply, and its close when the reply
// announces one.
func (r *Runner) exchange(ctx context.Context, st *Step, lines int, do func() (smtpsim.Reply, error)) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	r.lines += lines
	rep, err := do()
	if err != nil {
		// No reply: the server closed the connection, or stalled.
		st.Events = append(st.Events, r.text(st.Index, EventNote, "no reply: "+err.Error()))
		if cerr := r.collect(ctx, st, r.closeSeen); cerr != nil {
			return fmt.Errorf("%w (and the server did not close the connection: %v)", err, cerr)
		}
		return nil
	}
	r.replies++
	r.inData = rep.Code == 354
	st.Reply, r.lastRep = &rep, &rep
	cond := r.replySeen
	if closes(rep) {
		cond = r.closeSeen
	}
	return r.collect(ctx, st, cond)
}

// closes reports whether the server closes the connection after a reply:
// QUIT's 221, a 421 (RFC 5321 §3.8), go-smtp's 500 5.4.0 for a line too
// long.
func closes(rep smtpsim.Reply) bool {
	return rep.Code == 221 || rep.Code == 421 || rep.Code == 500 && rep.Enhanced == "5.4.0"
}

// Conditions on the server's events, given what the client did.
func (r *Runner) replySeen(c *collector) bool {
	return c.replies >= r.replies
}

func (r *Runner) lineSeen(c *collector) bool { return c.lines >= r.lines }

func (r *Runner) closeSeen(c *collector) bool { return c.closes >= r.sessions }

// collect waits until cond holds and moves the server's new events into
// st.
func (r *Runner) collect(ctx context.Context, st *Step, cond func(*collector) bool) error {
	evs, closes, err := r.col.wait(ctx, r.mark, cond)
	r.mark += len(evs)
	for _, e := range evs {
		st.Events = append(st.Events, r.labelled(fromSMTP(r.sc.ID, st.Index, e)))
	}
	if closes >= r.sessions && r.open {
		r.open = false
		r.c.Close()
	}
	if err != nil {
		return fmt.Errorf("waiting for the server's events: %w", err)
	}
	return nil
}

// labelled marks XCLIENT lines and their effect as lab machinery.
func (r *Runner) labelled(e Event) Event {
	switch {
	case e.Is(smtpsim.EventXClient):
		e.Lab = true
	case e.Is(smtpsim.EventClientLine) && !e.SMTP.InData && e.SMTP.Command == "XCLIENT":
		e.Lab = true
	}
	return e
}

// collector receives the server's events (smtpsim.Config.OnEvent) on the
// session goroutines and lets the runner wait for them.
type collector struct {
	mu                     sync.Mutex
	evs                    []smtpsim.Event
	replies, lines, closes int
	changed                chan struct{} // closed and replaced at every event
}

func newCollector() *collector { return &collector{changed: make(chan struct{})} }

func (c *collector) add(e smtpsim.Event) {
	c.mu.Lock()
	c.evs = append(c.evs, e)
	switch e.Kind {
	case smtpsim.EventReply:
		c.replies++
	case smtpsim.EventClientLine:
		c.lines++
	case smtpsim.EventClose:
		c.closes++
	}
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

// counts returns the replies and client lines reported so far.
func (c *collector) counts() (replies, lines int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.replies, c.lines
}

// wait waits until cond holds or ctx ends, and returns the events from
// index from on and the number of closes.
func (c *collector) wait(ctx context.Context, from int, cond func(*collector) bool) ([]smtpsim.Event, int, error) {
	for {
		c.mu.Lock()
		ok, ch := cond(c), c.changed
		if ok || ctx.Err() != nil {
			evs := append([]smtpsim.Event(nil), c.evs[from:]...)
			closes := c.closes
			c.mu.Unlock()
			if !ok {
				return evs, closes, ctx.Err()
			}
			return evs, closes, nil
		}
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
	}
}
