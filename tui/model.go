package tui

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"spflab/scenarios"
)

// Options change how the lab looks and starts.
type Options struct {
	// Presenter is for a projector: larger spacing, thicker borders, high
	// contrast colours.
	Presenter bool
	// Lesson is the id of a lesson to open at start; "" opens the list.
	Lesson string
	// Predict starts with predict mode on.
	Predict bool
	// Mouse turns mouse support on at start (m toggles it).
	Mouse bool
	// Theme is "dark" or "light" to skip asking the terminal for its
	// background colour; "" asks.
	Theme string
	// StateDir is where the lab remembers the lessons done and the
	// prediction scores between runs (DefaultStateDir); "" remembers
	// nothing.
	StateDir string
	// ScreenDir is where s saves the screen, as SVG and as text; "" is
	// the current directory.
	ScreenDir string
}

// endOfLesson is what the status line says at the end of a lesson.
const endOfLesson = "End of the lesson: n for the next one, ← to step back, r to restart, esc: all."

// speeds are the auto-play intervals, slowest last.
var speeds = []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 3 * time.Second, 5 * time.Second}

const defaultSpeed = 2

type screen uint8

const (
	screenList screen = iota
	screenLesson
)

// Model is the lab: the lesson list and an open lesson. It is a
// tea.Model; New makes one and Run runs it.
type Model struct {
	ctx  context.Context
	file *scenarios.File
	opts Options

	th    *theme
	keys  keyMap
	help  help.Model
	w, h  int
	mouse bool

	screen screen
	keysPg pager  // the keys (?), when open
	status string // a message for the status line until the next key

	cursor  int // the lesson list
	listTop int
	done    map[string]bool   // lessons completed
	scores  map[string][2]int // predictions right and made, by lesson

	progress *progress    // where done and scores are kept between runs
	kept     progressData // as last kept, other files' lessons included
	failed   bool         // keeping them failed once: said once, not again

	predict bool
	gen     int // numbers runners: a message of an older one is stale
	les     *lesson

	hit hitMap // where the last view put things, for the mouse
}

// hitMap records the panes of the last view for mouse clicks.
type hitMap struct {
	panes          [panes]rect
	replyAt        map[int]int // screen row in the SMTP pane → reply
	smtp, spf, nar scrolled    // where the panes stand
}

type rect struct{ x, y, w, h int }

func (r rect) has(x, y int) bool { return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h }

// tickMsg is an auto-play tick.
type tickMsg struct{ gen, seq int }

// New returns the lab on the lessons of file. ctx bounds the lessons'
// runs.
func New(ctx context.Context, file *scenarios.File, opts Options) (*Model, error) {
	if file == nil || len(file.Scenarios) == 0 {
		return nil, errors.New("tui: no lessons to show")
	}
	m := &Model{
		ctx: ctx, file: file, opts: opts,
		keys: newKeyMap(), help: help.New(),
		mouse: opts.Mouse, predict: opts.Predict,
		done: map[string]bool{}, scores: map[string][2]int{},
	}
	m.setDark(opts.Theme != "light")
	p, kept, err := loadProgress(opts.StateDir)
	m.progress, m.kept = p, kept
	if err != nil {
		m.status, m.failed = "The lab goes on without the progress of earlier runs: "+err.Error(), true
	}
	for id, lp := range kept.Files[file.Name] {
		m.done[id] = lp.Done
		if lp.Predicted[1] > 0 {
			m.scores[id] = lp.Predicted
		}
	}
	if opts.Lesson != "" {
		m.cursor = slices.Index(file.IDs(), opts.Lesson)
		if m.cursor < 0 {
			return nil, fmt.Errorf("tui: no lesson %q in %s", opts.Lesson, file.Name)
		}
	}
	return m, nil
}

// Init asks the terminal for its background colour and opens the lesson
// of Options.Lesson.
func (m *Model) Init() tea.Cmd {
	var cmds []tea.Cmd
	if m.opts.Theme == "" {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	if m.opts.Lesson != "" {
		cmds = append(cmds, m.open(m.file.Scenarios[m.cursor]))
	}
	return tea.Batch(cmds...)
}

// Close writes the progress not written yet and closes the open lesson's
// server, unless a command still uses it (the process is ending then
// anyway).
func (m *Model) Close() {
	m.progress.flush(m.kept) // the lab is closing: the next run says if the file is unreadable
	if m.les != nil && !m.les.busy && m.les.runner != nil {
		m.les.runner.Close()
		m.les.runner = nil
	}
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
	case tea.BackgroundColorMsg:
		if m.opts.Theme == "" {
			m.setDark(msg.IsDark())
		}
	case tea.KeyPressMsg:
		m.status = ""
		return m, tea.Batch(m.onKey(msg), m.keep())
	case tea.PasteMsg:
		return m, m.onPaste(msg)
	case tea.MouseWheelMsg:
		m.onWheel(msg.Mouse())
	case tea.MouseClickMsg:
		m.onClick(msg.Mouse())
	case stepMsg:
		return m, tea.Batch(m.onStep(msg), m.keep())
	case replayMsg:
		return m, tea.Batch(m.onReplay(msg), m.keep())
	case tickMsg:
		return m, m.onTick(msg)
	case progressMsg:
		if msg.err != nil && !m.failed {
			m.status, m.failed = "The lab could not keep your progress: "+msg.err.Error(), true
		}
	case savedMsg:
		if msg.err != nil {
			m.status = "The screen was not saved: " + msg.err.Error()
		} else {
			m.status = "Saved " + strings.Join(msg.names, " and ") + "."
		}
	case lintMsg:
		if l := m.les; l != nil && l.edit != nil && msg.seq == l.edit.seq {
			l.edit.verdict, l.edit.lint, l.edit.lintErr, l.edit.lintFor = msg.verdict, msg.report, msg.err, msg.key
		}
	}
	return m, nil
}

// keep saves the lessons done and the prediction scores of this file of
// lessons, when they changed since they were last kept.
func (m *Model) keep() tea.Cmd {
	now := map[string]lessonProgress{}
	for id, done := range m.done {
		if done {
			now[id] = lessonProgress{Done: true}
		}
	}
	for id, s := range m.scores {
		lp := now[id]
		lp.Predicted = s
		now[id] = lp
	}
	if maps.Equal(now, m.kept.Files[m.file.Name]) {
		return nil
	}
	files := maps.Clone(m.kept.Files)
	if files == nil {
		files = map[string]map[string]lessonProgress{}
	}
	files[m.file.Name] = now
	m.kept = progressData{Files: files}
	return m.progress.saveCmd(m.kept)
}

// setDark picks the theme for a dark or light background.
func (m *Model) setDark(dark bool) {
	m.th = newTheme(dark, m.opts.Presenter)
	m.help.Styles = m.th.help
	if l := m.les; l != nil && l.edit != nil {
		l.edit.input.SetStyles(m.th.input)
	}
	if l := m.les; l != nil && l.typing != nil {
		l.typing.input.SetStyles(m.th.input)
	}
}

// open starts a lesson.
func (m *Model) open(sc *scenarios.Scenario) tea.Cmd {
	m.gen++
	m.les = &lesson{
		sc: sc, gen: m.gen, busy: true, selected: -1, smtpTop: -1, spfTop: -1, speed: defaultSpeed,
		actions: []action{{}}, scored: map[int]guess{},
	}
	m.screen = screenLesson
	return replayCmd(m.ctx, nil, sc, nil, m.les.actions, m.gen)
}

// leave closes the lesson and shows the list.
func (m *Model) leave() tea.Cmd {
	l := m.les
	m.les, m.screen = nil, screenList
	if l == nil || l.busy {
		return nil // the runner is closed when its command returns
	}
	return closeCmd(l.runner)
}

// replay runs the lesson again with its actions (and drafts).
func (m *Model) replay() tea.Cmd {
	l := m.les
	if l.busy {
		m.status = "Busy: wait for the step to finish."
		return nil
	}
	m.gen++
	l.gen, l.busy, l.eof, l.err = m.gen, true, false, nil
	l.guess = nil
	old := l.runner
	l.runner = nil
	return replayCmd(m.ctx, old, l.sc, l.drafts, l.actions, l.gen)
}

// run makes the lesson do a.
func (m *Model) run(a action) tea.Cmd {
	l := m.les
	l.busy = true
	l.actions = append(l.actions, a)
	return nextCmd(m.ctx, l.runner, l.gen, a)
}

// forward is the next step, or the prediction before it.
func (m *Model) forward() tea.Cmd {
	l := m.les
	switch {
	case l.busy && !m.predict:
		l.queued++
		return nil
	case l.busy:
		return nil
	case l.runner == nil:
		m.status = "The lesson is not running: r restarts it."
		l.playing = false
		return nil
	case l.eof:
		m.status = endOfLesson
		l.playing = false
		return nil
	}
	if m.predict && l.guess == nil {
		if ds := l.upcoming(); ds != nil && ds.Kind != scenarios.StepSay {
			l.guess = &guess{step: l.dialogueDone() + 1, askSPF: ds.Expect.SPF != "", askDMARC: ds.Expect.DMARC != ""}
			return nil
		}
	}
	return m.run(action{})
}

func (m *Model) onStep(msg stepMsg) tea.Cmd {
	l := m.les
	if l == nil || msg.gen != l.gen {
		return closeCmd(msg.runner) // the learner left the lesson meanwhile
	}
	l.busy = false
	if msg.eof {
		l.actions = l.actions[:len(l.actions)-1]
		l.eof, l.queued, l.playing = true, 0, false
		m.status = endOfLesson
		return nil
	}
	l.addStep(msg.step)
	l.selected, l.smtpTop, l.spfTop, l.narrTop = -1, -1, -1, 0
	if msg.err != nil {
		l.err = msg.err
		m.status = "The lab failed: " + msg.err.Error()
		l.queued, l.playing = 0, false
	}
	if g := l.guess; g != nil && g.answered && g.step == msg.step.Number {
		g.gotClass, g.gotResult, g.gotDMARC = replyClass(msg.step.Reply), spfResult(&msg.step), dmarcResult(&msg.step)
		l.scored[g.step] = *g
		l.guess = nil
		r, t := score(l.scored)
		m.scores[l.sc.ID] = [2]int{r, t}
	}
	if l.complete() {
		m.done[l.sc.ID] = true
	}
	if l.queued > 0 && l.err == nil {
		l.queued--
		return m.forward()
	}
	return nil
}

func (m *Model) onReplay(msg replayMsg) tea.Cmd {
	l := m.les
	if l == nil || msg.gen != l.gen {
		return closeCmd(msg.runner)
	}
	l.busy, l.runner = false, msg.runner
	l.reset(msg.steps)
	l.selected = -1
	if msg.eof {
		l.actions = l.actions[:len(msg.steps)]
		l.eof = true
	}
	if msg.err != nil {
		l.err = msg.err
		m.status = "The lab failed: " + msg.err.Error()
	}
	if l.complete() {
		m.done[l.sc.ID] = true
	}
	if l.queued > 0 && l.err == nil {
		l.queued--
		return m.forward()
	}
	return nil
}

func tick(d time.Duration, gen, seq int) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return tickMsg{gen, seq} })
}

func (m *Model) onTick(msg tickMsg) tea.Cmd {
	l := m.les
	if l == nil || !l.playing || msg.gen != l.gen || msg.seq != l.playSeq {
		return nil
	}
	next := tick(speeds[l.speed], l.gen, l.playSeq)
	if l.busy || l.guess != nil || l.edit != nil || l.typing != nil {
		return next // wait for the step, the guess, the editor
	}
	if l.eof {
		l.playing = false
		return nil
	}
	return tea.Batch(m.forward(), next)
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	if m.keysPg.open {
		switch {
		case key.Matches(msg, k.Help), msg.String() == "esc":
			m.keysPg.open = false
		case key.Matches(msg, k.Quit):
			return tea.Quit
		default:
			m.keysPg.scrollKey(msg.String())
		}
		return nil
	}
	if m.screen == screenList || m.les == nil {
		return m.listKey(msg)
	}
	l := m.les
	switch {
	case l.edit != nil:
		return m.editKey(msg)
	case l.typing != nil:
		return m.typeKey(msg)
	case l.guess != nil && !l.guess.answered:
		return m.guessKey(msg)
	}
	return m.lessonKey(msg)
}

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	n := len(m.file.Scenarios)
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.keysPg.show()
	case key.Matches(msg, k.Up):
		m.cursor = (m.cursor - 1 + n) % n
	case key.Matches(msg, k.Down):
		m.cursor = (m.cursor + 1) % n
	case key.Matches(msg, k.Top):
		m.cursor = 0
	case key.Matches(msg, k.Bottom):
		m.cursor = n - 1
	case key.Matches(msg, k.Open):
		return m.open(m.file.Scenarios[m.cursor])
	case key.Matches(msg, k.Predict):
		m.togglePredict()
	case key.Matches(msg, k.Save):
		return m.saveScreen()
	case key.Matches(msg, k.Mouse):
		m.mouse = !m.mouse
	}
	return nil
}

// nextLesson opens the lesson after this one, once this one is done.
func (m *Model) nextLesson() tea.Cmd {
	l := m.les
	i := slices.Index(m.file.Scenarios, l.sc) + 1
	switch {
	case !l.complete():
		m.status = "n opens the next lesson at the end of this one; space goes on."
		return nil
	case i >= len(m.file.Scenarios):
		m.status = "This was the last lesson: esc shows them all."
		return nil
	}
	m.cursor = i
	return tea.Batch(m.leave(), m.open(m.file.Scenarios[i]))
}

// saveScreen saves the screen as it is, as SVG and as text, named after
// the lesson and its step: for a teacher's slides and handouts.
func (m *Model) saveScreen() tea.Cmd {
	name := "spflab-lessons"
	if l := m.les; l != nil && m.screen == screenLesson {
		name = fmt.Sprintf("%s-step-%d", l.sc.ID, l.dialogueDone())
	}
	return saveCmd(m.th, m.opts.ScreenDir, name, m.render())
}

func (m *Model) togglePredict() {
	m.predict = !m.predict
	if m.predict {
		m.status = "Predict mode on: before each reply, guess its class and the SPF result."
	} else {
		m.status = "Predict mode off."
		if m.les != nil && m.les.guess != nil && !m.les.guess.answered {
			m.les.guess = nil
		}
	}
}

func (m *Model) lessonKey(msg tea.KeyPressMsg) tea.Cmd {
	k, l := m.keys, m.les
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.keysPg.show()
	case key.Matches(msg, k.Lessons):
		return m.leave()
	case key.Matches(msg, k.Next):
		return m.forward()
	case key.Matches(msg, k.Back):
		if len(l.actions) <= 1 {
			m.status = "This is the start of the lesson."
			return nil
		}
		if l.busy {
			m.status = "Busy: wait for the step to finish."
			return nil
		}
		l.actions = l.actions[:len(l.actions)-1]
		return m.replay()
	case key.Matches(msg, k.Restart):
		if l.busy {
			m.status = "Busy: wait for the step to finish."
			return nil
		}
		l.actions, l.scored, l.playing = []action{{}}, map[int]guess{}, false
		delete(m.scores, l.sc.ID)
		return m.replay()
	case key.Matches(msg, k.Play):
		l.playing = !l.playing
		l.playSeq++
		if !l.playing {
			m.status = "Auto-play stopped."
			return nil
		}
		m.status = "Auto-play every " + speeds[l.speed].String() + ": + faster, - slower, a stops."
		return tea.Batch(m.forward(), tick(speeds[l.speed], l.gen, l.playSeq))
	case key.Matches(msg, k.Faster):
		l.speed = max(l.speed-1, 0)
		m.status = "Auto-play every " + speeds[l.speed].String() + "."
	case key.Matches(msg, k.Slower):
		l.speed = min(l.speed+1, len(speeds)-1)
		m.status = "Auto-play every " + speeds[l.speed].String() + "."
	case key.Matches(msg, k.Focus):
		if msg.String() == "shift+tab" {
			l.focus = (l.focus + panes - 1) % panes
		} else {
			l.focus = (l.focus + 1) % panes
		}
	case key.Matches(msg, k.Earlier):
		m.selectReply(l.selectedReply() - 1)
	case key.Matches(msg, k.Later):
		m.selectReply(l.selectedReply() + 1)
	case key.Matches(msg, k.First):
		m.selectReply(0)
	case key.Matches(msg, k.Newest):
		m.selectReply(len(l.tr.replies) - 1)
	case key.Matches(msg, k.LineUp):
		m.scroll(l.focus, -1)
	case key.Matches(msg, k.LineDn):
		m.scroll(l.focus, 1)
	case key.Matches(msg, k.PageUp):
		m.scroll(l.focus, -m.page(l.focus))
	case key.Matches(msg, k.PageDn):
		m.scroll(l.focus, m.page(l.focus))
	case key.Matches(msg, k.Predict):
		m.togglePredict()
	case key.Matches(msg, k.NextLesson):
		return m.nextLesson()
	case key.Matches(msg, k.Save):
		return m.saveScreen()
	case key.Matches(msg, k.Edit):
		l.edit = newEditor(m.th, l.sc, l.drafts)
		l.playing = false
		return l.edit.lintCmd(m.ctx, l.sc)
	case key.Matches(msg, k.Type):
		l.typing = newTyper(m.th)
		l.playing = false
	case key.Matches(msg, k.Mouse):
		m.mouse = !m.mouse
	}
	return nil
}

// selectReply selects reply k, the newest from the last one on, and shows
// it: the panes follow the selection.
func (m *Model) selectReply(k int) {
	l := m.les
	n := len(l.tr.replies)
	if n == 0 {
		return
	}
	k = max(k, 0)
	if k >= n-1 {
		k = -1
	}
	l.selected, l.smtpTop, l.spfTop, l.narrTop = k, -1, -1, 0
}

// scroll scrolls pane p by d lines from where it stands as drawn.
func (m *Model) scroll(p pane, d int) {
	l := m.les
	switch p {
	case paneSMTP:
		l.smtpTop = m.hit.smtp.by(d)
	case paneSPF:
		l.spfTop = m.hit.spf.by(d)
	case paneNarration:
		l.narrTop = m.hit.nar.by(d)
	}
}

// page is how far pgup and pgdn scroll pane p: its height less a line.
func (m *Model) page(p pane) int {
	return [...]scrolled{m.hit.smtp, m.hit.spf, m.hit.nar}[p].step()
}

func (m *Model) guessKey(msg tea.KeyPressMsg) tea.Cmd {
	l, g := m.les, m.les.guess
	s := msg.String()
	switch {
	case s == "esc":
		l.guess = nil
		l.playing = false
		m.status = "Prediction cancelled."
	case key.Matches(msg, m.keys.Reveal):
		l.guess = nil
		return m.run(action{})
	case s == "?":
		m.keysPg.show()
	case s == "q":
		return tea.Quit
	case g.class == 0 && len(s) == 1 && s >= "2" && s <= "5":
		g.class = int(s[0] - '0')
	case g.wantsSPF():
		if r, ok := resultKeys[s]; ok {
			g.result = r
		}
	case g.wantsDMARC():
		if r, ok := dmarcKeys[s]; ok {
			g.dmarc = r
		}
	}
	if g.class != 0 && !g.wantsSPF() && !g.wantsDMARC() {
		g.answered = true
		return m.run(action{})
	}
	return nil
}

func (m *Model) editKey(msg tea.KeyPressMsg) tea.Cmd {
	l, ed := m.les, m.les.edit
	switch msg.String() {
	case "esc":
		l.edit = nil
		return nil
	case "enter":
		if l.busy {
			m.status = "Busy: wait for the step to finish."
			return nil
		}
		l.drafts = ed.drafts()
		l.edit = nil
		if len(l.drafts) == 0 {
			m.status = "Rerun with the published records."
		} else {
			m.status = fmt.Sprintf("Rerun with %d draft record(s).", len(l.drafts))
		}
		return m.replay()
	case "tab":
		ed.switchTo(ed.idx + 1)
	case "shift+tab":
		ed.switchTo(ed.idx - 1)
	case "ctrl+r":
		ed.input.SetValue(ed.published[ed.domain()])
		ed.input.CursorEnd()
		ed.check()
	default:
		var cmd tea.Cmd
		ed.input, cmd = ed.input.Update(msg)
		ed.check()
		return tea.Batch(cmd, ed.lintCmd(m.ctx, l.sc))
	}
	return ed.lintCmd(m.ctx, l.sc)
}

func (m *Model) typeKey(msg tea.KeyPressMsg) tea.Cmd {
	l, ty := m.les, m.les.typing
	switch msg.String() {
	case "esc":
		l.typing = nil
	case "enter":
		if l.busy {
			m.status = "Busy: wait for the reply."
			return nil
		}
		if l.runner == nil {
			m.status = "The lesson is not running: r restarts it."
			return nil
		}
		return m.run(action{send: true, line: ty.take()})
	case "up":
		ty.browse(-1)
	case "down":
		ty.browse(1)
	default:
		var cmd tea.Cmd
		ty.input, cmd = ty.input.Update(msg)
		return cmd
	}
	return nil
}

func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	l := m.les
	var cmd tea.Cmd
	switch {
	case l == nil:
	case l.edit != nil:
		l.edit.input, cmd = l.edit.input.Update(msg)
		l.edit.check()
		return tea.Batch(cmd, l.edit.lintCmd(m.ctx, l.sc))
	case l.typing != nil:
		l.typing.input, cmd = l.typing.input.Update(msg)
	}
	return cmd
}

func (m *Model) onWheel(ms tea.Mouse) {
	l := m.les
	if l == nil || m.screen != screenLesson {
		d := 1
		if ms.Button == tea.MouseWheelUp {
			d = -1
		}
		n := len(m.file.Scenarios)
		m.cursor = min(max(m.cursor+d, 0), n-1)
		return
	}
	for p := range panes {
		if m.hit.panes[p].has(ms.X, ms.Y) {
			l.focus = pane(p)
		}
	}
	switch ms.Button {
	case tea.MouseWheelUp:
		m.scroll(l.focus, -1)
	case tea.MouseWheelDown:
		m.scroll(l.focus, 1)
	}
}

func (m *Model) onClick(ms tea.Mouse) {
	l := m.les
	if l == nil || m.screen != screenLesson || ms.Button != tea.MouseLeft {
		return
	}
	for p := range panes {
		if m.hit.panes[p].has(ms.X, ms.Y) {
			l.focus = pane(p)
		}
	}
	if k, ok := m.hit.replyAt[ms.Y]; ok && l.focus == paneSMTP {
		top := m.hit.smtp.top
		m.selectReply(k)
		l.smtpTop = top // the dialogue stays where it was clicked
	}
}
