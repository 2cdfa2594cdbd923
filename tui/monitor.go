package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"spflab/fakedns"
	"spflab/smtpsim"
)

// MonitorOptions change how the monitor looks.
type MonitorOptions struct {
	// Title names what is served, e.g. "seed-spf-fail: SPF -all refuses
	// www.euston.net".
	Title string
	// Hints are lines telling how to connect (a swaks command, an nc line,
	// dig commands), shown until the first session, and on h.
	Hints []string
	// Messages returns the messages the server stored, for the mailbox
	// (m); nil leaves the monitor without one.
	Messages func() []smtpsim.Message
	// Presenter and Theme are as in Options.
	Presenter bool
	Theme     string
	// MaxSessions bounds the sessions kept, oldest dropped first; 0 means
	// 200.
	MaxSessions int
}

// EventMsg delivers an event of an SMTP session to the monitor: from the
// server's OnEvent, p.Send(tui.EventMsg(e)).
type EventMsg smtpsim.Event

// DNSMsg delivers a query the lab's DNS server answered to the monitor:
// from fakedns.Server.OnQuery, p.Send(tui.DNSMsg(q)).
type DNSMsg fakedns.Query

// MonitorFeed is where RunMonitor takes its messages from; a nil channel
// gives nothing.
type MonitorFeed struct {
	SMTP <-chan smtpsim.Event
	DNS  <-chan fakedns.Query
}

const maxQueries = 50 // DNS queries kept for the DNS pane

// session is one SMTP connection the monitor has seen.
type session struct {
	id       uint64
	client   string // the address the server takes the client for
	helo     string // the name the client gave
	from     string // the last MAIL FROM line
	tr       transcript
	spf      string         // the last SPF result
	decision *smtpsim.Reply // the reply that carried it
	deciding bool           // the next reply carries spf
	refusal  *smtpsim.Reply // the last 4xx or 5xx reply, SPF's or not
	closed   bool
}

// monView is what the monitor's body shows.
type monView uint8

const (
	viewSessions monView = iota // the sessions, a dialogue, its SPF side
	viewHints                   // how to connect
	viewMailbox                 // the stored messages
)

// Monitor shows the sessions of a serving lab live: a list of sessions,
// the dialogue of the selected one as on the wire, and what the server
// did behind its selected reply, SPF steps included. It is a tea.Model
// fed with EventMsg and DNSMsg.
type Monitor struct {
	opts MonitorOptions
	th   *theme
	keys keyMap
	help help.Model
	w, h int

	sessions []*session
	byID     map[uint64]*session
	dropped  int // sessions dropped by MaxSessions
	cur      int // the session shown, an index in sessions
	follow   bool
	selected int // the reply selected in the current session, -1 newest
	// Scroll offsets: -1 shows the selected reply and what decided it.
	smtpTop, spfTop int
	smtp, spf       scrolled // the panes as last drawn
	focus           pane     // paneSMTP (sessions and replies) or paneSPF
	keysPg          pager    // the keys (?), when open
	view            monView
	mail            mailbox

	queries []fakedns.Query
	nDNS    int
}

// NewMonitor returns a monitor with no sessions yet.
func NewMonitor(opts MonitorOptions) *Monitor {
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = 200
	}
	mo := &Monitor{opts: opts, keys: newKeyMap(), help: help.New(),
		byID: map[uint64]*session{}, follow: true, selected: -1, smtpTop: -1, spfTop: -1}
	mo.setDark(opts.Theme != "light")
	return mo
}

// RunMonitor runs the monitor until the user quits (q) or ctx ends,
// forwarding what feed delivers. progOpts go to tea.NewProgram.
func RunMonitor(ctx context.Context, feed MonitorFeed, opts MonitorOptions, progOpts ...tea.ProgramOption) error {
	p := tea.NewProgram(NewMonitor(opts), append([]tea.ProgramOption{tea.WithContext(ctx)}, progOpts...)...)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		smtpCh, dnsCh := feed.SMTP, feed.DNS
		for smtpCh != nil || dnsCh != nil {
			select {
			case e, ok := <-smtpCh:
				if !ok {
					smtpCh = nil
					continue
				}
				p.Send(EventMsg(e))
			case q, ok := <-dnsCh:
				if !ok {
					dnsCh = nil
					continue
				}
				p.Send(DNSMsg(q))
			case <-stop:
				return
			}
		}
	}()
	_, err := p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// Init asks the terminal for its background colour.
func (mo *Monitor) Init() tea.Cmd {
	if mo.opts.Theme == "" {
		return tea.RequestBackgroundColor
	}
	return nil
}

// Update handles a message.
func (mo *Monitor) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		mo.w, mo.h = msg.Width, msg.Height
		mo.help.SetWidth(msg.Width)
	case tea.BackgroundColorMsg:
		if mo.opts.Theme == "" {
			mo.setDark(msg.IsDark())
		}
	case EventMsg:
		mo.add(smtpsim.Event(msg))
	case DNSMsg:
		mo.nDNS++
		mo.queries = append(mo.queries, fakedns.Query(msg))
		if len(mo.queries) > maxQueries {
			mo.queries = mo.queries[len(mo.queries)-maxQueries:]
		}
	case tea.KeyPressMsg:
		return mo, mo.onKey(msg)
	}
	return mo, nil
}

// setDark picks the theme for a dark or light background.
func (mo *Monitor) setDark(dark bool) {
	mo.th = newTheme(dark, mo.opts.Presenter)
	mo.help.Styles = mo.th.help
}

// add files an event under its session.
func (mo *Monitor) add(e smtpsim.Event) {
	s := mo.byID[e.Session]
	if s == nil {
		s = &session{id: e.Session}
		mo.byID[e.Session] = s
		mo.sessions = append(mo.sessions, s)
		if len(mo.sessions) > mo.opts.MaxSessions {
			delete(mo.byID, mo.sessions[0].id)
			mo.sessions = mo.sessions[1:]
			mo.dropped++
			mo.cur = max(mo.cur-1, 0)
		}
		if mo.follow {
			mo.cur, mo.selected, mo.smtpTop, mo.spfTop = len(mo.sessions)-1, -1, -1, -1
		}
	}
	switch e.Kind {
	case smtpsim.EventConnect, smtpsim.EventXClient:
		if e.Client.IsValid() {
			s.client = e.Client.String()
		}
	case smtpsim.EventHELO:
		s.helo = e.HELO.Claimed
	case smtpsim.EventClientLine:
		if e.Command == "MAIL" && !e.InData {
			s.from = e.Line
		}
	case smtpsim.EventPolicy:
		s.spf, s.deciding = string(e.Policy.Outcome.Result), true
	case smtpsim.EventReply:
		if s.deciding {
			s.decision, s.deciding = e.Reply, false
		}
		if e.Reply.Code >= 400 {
			s.refusal = e.Reply
		}
	case smtpsim.EventStored:
		if mo.view == viewMailbox && mo.opts.Messages != nil {
			mo.mail.load(mo.opts.Messages())
		}
	case smtpsim.EventClose:
		s.closed = true
	}
	// Every line here is a real client's, its own XCLIENT too (swaks
	// --xclient-addr, nc): nothing is the lab's machinery.
	s.tr.add(entry{ev: &e, group: -1})
	if s == mo.current() && mo.selected < 0 {
		mo.smtpTop, mo.spfTop = -1, -1
	}
}

func (mo *Monitor) current() *session {
	if mo.cur < 0 || mo.cur >= len(mo.sessions) {
		return nil
	}
	return mo.sessions[mo.cur]
}

func (mo *Monitor) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := mo.keys
	if key.Matches(msg, k.Quit) {
		return tea.Quit
	}
	if mo.keysPg.open {
		if !mo.keysPg.scrollKey(msg.String()) {
			mo.keysPg.open = false
		}
		return nil
	}
	if key.Matches(msg, k.Help) {
		mo.keysPg.show()
		return nil
	}
	switch mo.view {
	case viewHints:
		if key.Matches(msg, k.Hints) || msg.String() == "esc" {
			mo.view = viewSessions
		}
		return nil
	case viewMailbox:
		mo.mailKey(msg)
		return nil
	}
	switch s := msg.String(); {
	case key.Matches(msg, k.Hints):
		mo.view = viewHints
	case key.Matches(msg, k.Mailbox):
		if mo.opts.Messages == nil {
			break
		}
		mo.view, mo.mail.open = viewMailbox, false
		mo.mail.load(mo.opts.Messages())
	case key.Matches(msg, k.Focus):
		if mo.focus == paneSMTP {
			mo.focus = paneSPF
		} else {
			mo.focus = paneSMTP
		}
	case s == "[":
		mo.pick(mo.cur - 1)
	case s == "]":
		mo.pick(mo.cur + 1)
	case key.Matches(msg, k.Follow):
		mo.pick(len(mo.sessions) - 1)
	case key.Matches(msg, k.Earlier), key.Matches(msg, k.Later):
		d := 1
		if key.Matches(msg, k.Earlier) {
			d = -1
		}
		if s := mo.current(); s != nil && len(s.tr.replies) > 0 {
			sel := shownReply(&s.tr, mo.selected) + d
			mo.selected, mo.smtpTop, mo.spfTop = min(max(sel, 0), len(s.tr.replies)-1), -1, -1
		}
	case key.Matches(msg, k.Newest):
		mo.selected, mo.smtpTop, mo.spfTop = -1, -1, -1
	case key.Matches(msg, k.LineUp):
		mo.scroll(-1)
	case key.Matches(msg, k.LineDn):
		mo.scroll(1)
	case key.Matches(msg, k.PageUp):
		mo.scroll(-mo.page())
	case key.Matches(msg, k.PageDn):
		mo.scroll(mo.page())
	}
	return nil
}

// mailKey handles a key in the mailbox: ↑ ↓ pick a message, enter opens
// it, j k pgup pgdn scroll it, esc goes back.
func (mo *Monitor) mailKey(msg tea.KeyPressMsg) {
	k, mb := mo.keys, &mo.mail
	switch {
	case msg.String() == "esc" && mb.open:
		mb.open = false
	case msg.String() == "esc", key.Matches(msg, k.Mailbox):
		mo.view = viewSessions
	case key.Matches(msg, k.Earlier):
		mb.cur, mb.open = max(mb.cur-1, 0), false
	case key.Matches(msg, k.Later):
		mb.cur, mb.open = min(mb.cur+1, max(len(mb.msgs)-1, 0)), false
	case msg.String() == "enter" && len(mb.msgs) > 0:
		mb.open = true
		mb.pg.show()
	case mb.open:
		mb.pg.scrollKey(msg.String())
	}
}

// pick shows session i; picking stops following the newest session,
// picking the newest follows it.
func (mo *Monitor) pick(i int) {
	if len(mo.sessions) == 0 {
		return
	}
	mo.cur = min(max(i, 0), len(mo.sessions)-1)
	mo.follow = mo.cur == len(mo.sessions)-1
	mo.selected, mo.smtpTop, mo.spfTop = -1, -1, -1
}

// scroll scrolls the focused pane by d lines from where it stands.
func (mo *Monitor) scroll(d int) {
	if mo.focus == paneSPF {
		mo.spfTop = mo.spf.by(d)
		return
	}
	mo.smtpTop = mo.smtp.by(d)
}

// page is how far pgup and pgdn scroll the focused pane.
func (mo *Monitor) page() int {
	if mo.focus == paneSPF {
		return mo.spf.step()
	}
	return mo.smtp.step()
}

// View draws the monitor.
func (mo *Monitor) View() tea.View {
	v := tea.NewView(mo.render())
	v.AltScreen = true
	v.WindowTitle = "spflab serve"
	return v
}

func (mo *Monitor) render() string {
	w, h, th := mo.w, mo.h, mo.th
	if w == 0 || h == 0 {
		return ""
	}
	if w < minW || h < minH {
		return tooSmall(w, h)
	}
	left := th.accent.on("spflab serve")
	if mo.opts.Title != "" {
		left += th.dim.on(" › ") + th.title.on(clean(mo.opts.Title))
	}
	right := th.dim.on(count(len(mo.sessions)+mo.dropped, "session") + " · " + count(mo.nDNS, "DNS query"))
	header := left
	if gap := w - textWidthANSI(left) - textWidthANSI(right); gap > 0 {
		header += spaces(gap) + right
	}
	status := mo.help.ShortHelpView(mo.keys.monitorHelp(mo.view, mo.mail.open).short)
	bodyH := h - 2
	var body string
	if mo.keysPg.open {
		lines := helpText(th, mo.keys.monitorHelp(mo.view, mo.mail.open), []string{
			"Each connection to the lab's SMTP server is a session; its lines and replies show as on the wire, and the SPF pane shows what the server did behind the selected reply.",
		}, w-3)
		body = mo.keysPg.view(th, "Keys", "? or esc closes", lines, w, bodyH)
	} else {
		switch mo.view {
		case viewHints:
			listH := mo.listHeight(bodyH)
			body = mo.sessionList(w, listH) + "\n" + mo.hints(w, bodyH-listH, "h or esc closes")
		case viewMailbox:
			body = mo.mailboxView(w, bodyH)
		default:
			body = mo.body(w, bodyH)
		}
	}
	return fit(header, w) + "\n" + body + "\n" + fit(status, w)
}

// body draws the sessions, the current dialogue and its server side, and
// the DNS queries (or, before any session, how to connect).
func (mo *Monitor) body(w, h int) string {
	th := mo.th
	listH := mo.listHeight(h)
	bottomH := 0
	var bottom []string
	var bottomTitle string
	if len(mo.sessions) == 0 && len(mo.opts.Hints) > 0 {
		return mo.sessionList(w, listH) + "\n" + mo.hints(w, h-listH, "")
	}
	if len(mo.queries) > 0 {
		bottomTitle = "DNS queries"
		for _, q := range mo.queries {
			bottom = append(bottom, fit(queryLine(th, q), w-2))
		}
		bottom = bottom[max(len(bottom)-4, 0):]
	}
	if len(bottom) > 0 {
		bottomH = min(len(bottom)+2, max(3, h/3))
	}
	midH := h - listH - bottomH
	if midH < 6 {
		bottomH = 0
		midH = h - listH
	}

	out := mo.sessionList(w, listH) + "\n"
	s := mo.current()
	var tr transcript
	if s != nil {
		tr = s.tr
	}
	var smtpW, spfW, smtpH, spfH int
	side := w >= minSideBySide
	if side {
		smtpW, spfW, smtpH, spfH = smtpWidth(w), w-smtpWidth(w), midH, midH
	} else {
		smtpW, spfW, smtpH, spfH = w, w, midH/2, midH-midH/2
	}
	title := "SMTP"
	if s != nil {
		title = fmt.Sprintf("SMTP · session %d · %s", s.id, s.client)
	}
	k := shownReply(&tr, mo.selected)
	smtp, _, smtpAt := dialoguePane(th, &tr, paneView{title: title, w: smtpW, h: smtpH, top: mo.smtpTop, focused: mo.focus == paneSMTP}, k, nil)
	mo.smtp = smtpAt
	spfBox, sc := serverPane(th, &tr, paneView{w: spfW, h: spfH, top: mo.spfTop, focused: mo.focus == paneSPF}, k)
	mo.spf = sc
	if side {
		out += joinColumns(smtp, spfBox)
	} else {
		out += smtp + "\n" + spfBox
	}
	if bottomH > 0 {
		shown, _ := window(bottom, len(bottom), bottomH-2)
		out += "\n" + th.box(bottomTitle, "", shown, w, bottomH, false)
	}
	return out
}

// listHeight is the height of the session list in a body of h rows.
func (mo *Monitor) listHeight(h int) int { return min(max(len(mo.sessions), 1)+2, max(3, h/4)) }

// hints draws how to connect in a w×h box.
func (mo *Monitor) hints(w, h int, note string) string {
	var lines []string
	for _, hnt := range mo.opts.Hints {
		lines = append(lines, wrapText(hnt, mo.th.text, w-3)...)
	}
	if len(lines) == 0 {
		lines = []string{mo.th.dim.on("No hints: connect to the lab's SMTP server with any client.")}
	}
	return mo.th.box("Connect with", note, lines, w, h, note != "")
}

// mailboxView draws the stored messages over the one opened.
func (mo *Monitor) mailboxView(w, h int) string {
	th, mb := mo.th, &mo.mail
	list := mb.listLines(th, w-2)
	listH := min(len(list)+2, max(3, h/3))
	if !mb.open || len(mb.msgs) == 0 {
		listH = h
	}
	shown, _ := window(list, mb.cur-(listH-2)/2, listH-2)
	out := th.box("Mailbox · "+count(len(mb.msgs), "message"), "↑↓ pick · enter opens · esc back", shown, w, listH, !mb.open)
	if listH == h {
		return out
	}
	m := &mb.msgs[min(mb.cur, len(mb.msgs)-1)]
	lines := messageLines(th, m, w-3)
	return out + "\n" + mb.pg.view(th, fmt.Sprintf("Message %d", m.ID), "j k pgup pgdn scroll · esc closes", lines, w, h-listH)
}

// sessionList draws one line per session, the current one marked.
func (mo *Monitor) sessionList(w, h int) string {
	th := mo.th
	inner := h - 2
	var lines []string
	if len(mo.sessions) == 0 {
		lines = append(lines, th.dim.on("Waiting for the first SMTP session…"))
	}
	top := max(0, min(mo.cur-inner/2, len(mo.sessions)-inner))
	for i := top; i < len(mo.sessions) && i < top+inner; i++ {
		s := mo.sessions[i]
		mark := "  "
		if i == mo.cur {
			mark = th.selected.on("▶ ")
		}
		segs := []seg{{fmt.Sprintf("#%-4d %-15s", s.id, s.client), th.text}}
		state := "open"
		if s.closed {
			state = "closed"
		}
		segs = append(segs, seg{fmt.Sprintf(" %-6s", state), th.dim})
		// The SPF result and the reply it gave, else a refusal without SPF
		// (the 553 of a sender domain that does not exist), in one column.
		rep := s.decision
		if s.spf != "" {
			segs = append(segs, seg{" SPF ", th.dim}, seg{fmt.Sprintf("%-9s", s.spf), th.resultPaint(s.spf)})
		} else if rep = s.refusal; rep != nil {
			segs = append(segs, seg{spaces(14), th.dim})
		}
		if rep != nil {
			_, num := th.replyPaints(rep.Code)
			segs = append(segs, seg{" → ", th.dim}, seg{fmt.Sprint(rep.Code), num})
		}
		if s.helo != "" {
			segs = append(segs, seg{"  HELO ", th.dim}, seg{s.helo, th.text})
		}
		if s.from != "" {
			segs = append(segs, seg{"  " + s.from, th.text})
		}
		lines = append(lines, fit(mark+renderSegs(cleanSegs(segs)), w-2))
	}
	note := ""
	if mo.follow {
		note = "following the newest"
	}
	if mo.dropped > 0 {
		note = strings.TrimPrefix(note+fmt.Sprintf(" · %d older dropped", mo.dropped), " · ")
	}
	return th.box("Sessions", note, lines, w, h, mo.focus == paneSMTP)
}

// queryLine describes a DNS query the lab answered in the words of
// fakedns.Query.String, coloured by outcome.
func queryLine(th *theme, q fakedns.Query) string {
	p := th.ok
	if q.Rcode != "NOERROR" {
		p = th.warn
	}
	return renderSegs(cleanSegs([]seg{{q.Net + " " + q.Client + " ", th.dim}, {q.Type + " " + q.Name + " → ", th.text}, {q.Outcome(), p}}))
}

// count says "1 session", "2 sessions", "3 DNS queries".
func count(n int, what string) string {
	switch {
	case n == 1:
		return "1 " + what
	case strings.HasSuffix(what, "y"):
		return fmt.Sprintf("%d %sies", n, what[:len(what)-1])
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// shownReply is the reply the monitor shows: the one selected, else the
// last one SPF decided, else the newest.
func shownReply(tr *transcript, selected int) int {
	if selected >= 0 && selected < len(tr.replies) {
		return selected
	}
	if k := tr.spfReply(); k >= 0 {
		return k
	}
	return len(tr.replies) - 1
}
