package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"spflab/scenarios"
)

// The smallest screen the lab draws on, and the smallest width where the
// SMTP and SPF panes stand side by side rather than stacked.
const (
	minW, minH    = 40, 12
	minSideBySide = 72
)

// View draws the lab.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "spflab"
	if m.mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

// render draws the screen as a string of exactly m.h lines of m.w cells.
func (m *Model) render() string {
	w, h := m.w, m.h
	if w == 0 || h == 0 {
		return ""
	}
	if w < minW || h < minH {
		return tooSmall(w, h)
	}
	var header, body, status string
	bodyH := h - 2
	switch {
	case m.keysPg.open:
		header = m.header()
		body = m.helpView(w, bodyH)
	case m.screen == screenLesson && m.les != nil:
		header = m.header()
		body = m.lessonView(w, bodyH)
	default:
		header = m.header()
		body = m.listView(w, bodyH)
	}
	status = m.statusLine(w)
	return fit(header, w) + "\n" + body + "\n" + fit(status, w)
}

func tooSmall(w, h int) string {
	lines := make([]string, h)
	msg := fmt.Sprintf("spflab needs %d×%d, this is %d×%d", minW, minH, w, h)
	for i := range lines {
		lines[i] = strings.Repeat(" ", w)
	}
	lines[h/2] = fit(msg, w)
	return strings.Join(lines, "\n")
}

// header is the top line: where we are and what is on.
func (m *Model) header() string {
	th := m.th
	left := th.accent.on("spflab")
	var right []string
	if m.screen == screenLesson && m.les != nil {
		l := m.les
		idx := 0
		for i, sc := range m.file.Scenarios {
			if sc == l.sc {
				idx = i + 1
			}
		}
		left += th.dim.on(fmt.Sprintf(" › %d/%d ", idx, len(m.file.Scenarios))) + th.title.on(clean(l.sc.Title))
		right = append(right, fmt.Sprintf("step %d/%d", l.dialogueDone(), len(l.sc.Dialogue)))
		if l.playing {
			right = append(right, "▶ auto "+speeds[l.speed].String())
		}
		if len(l.drafts) > 0 {
			right = append(right, th.warn.on("draft records"))
		}
		if m.predict {
			r, t := score(l.scored)
			right = append(right, fmt.Sprintf("predicted %d/%d", r, t))
		}
		if l.busy {
			right = append(right, "…")
		}
	} else {
		left += th.dim.on(" — SMTP and SPF (RFC 7208), step by step")
		if m.predict {
			right = append(right, "predict mode")
		}
		right = append(right, m.file.Name)
	}
	r := th.dim.on(strings.Join(right, " · "))
	gap := m.w - textWidthANSI(left) - textWidthANSI(r)
	if gap < 1 {
		return left
	}
	return left + strings.Repeat(" ", gap) + r
}

// statusLine is the status message, else the keys of the current state.
func (m *Model) statusLine(w int) string {
	if m.status != "" {
		p := m.th.accent
		if strings.HasPrefix(m.status, "The lab failed") {
			p = m.th.errText
		}
		return p.on(m.status)
	}
	return m.help.ShortHelpView(m.keyHelp().short)
}

// keyHelp returns the keys of the current state.
func (m *Model) keyHelp() keyHelp {
	l := m.les
	switch {
	case m.screen != screenLesson || l == nil:
		return m.keys.listHelp()
	case l.edit != nil:
		return m.keys.editHelp()
	case l.typing != nil:
		return m.keys.typeHelp()
	case l.guess != nil && !l.guess.answered:
		return m.keys.predictHelp(l.guess.class != 0)
	}
	return m.keys.lessonHelp()
}

func (m *Model) helpView(w, h int) string {
	lines := helpText(m.th, m.keyHelp(), []string{
		"↑ and ↓ select a reply, whatever pane has the focus: the SMTP pane marks it ▶ and the SPF pane shows what the server did behind it. j, k, pgup, pgdn and the mouse wheel scroll the pane with the focus (tab moves it).",
		"Predict (p): before each reply, guess its class: 2, 3, 4 or 5; where the step checks SPF, then its result: p pass, f fail, s softfail, n neutral, o none, t temperror, e permerror. Space reveals without a guess.",
		"The SMTP pane shows the dialogue as on the wire: C: is the client, S: the server. Lines marked lab are the lab's own machinery (the loopback connection, XCLIENT), not part of the lesson.",
		"Replies: 2xx accepted, 3xx go on, 4xx try again later, 5xx refused; the class shows in colour and in the code's style (4xx underlined, 5xx reversed).",
		"The SPF pane shows what the server did behind the selected reply: its DNS lookups, the HELO check, each step of check_host() (✓ match, · no match, ↳ include or redirect), the lookup counters, the result and the header fields it added. It opens on the term that decided and the result.",
		"Edit (e): change a domain's SPF record, see what the engine makes of it and its lint as you type, and rerun the lesson with it. Type (t): send your own SMTP lines to the same server.",
	}, w-3)
	return m.keysPg.view(m.th, "Keys", "↑↓ scroll · ? or esc closes", lines, w, h)
}

// listView draws the lesson list.
func (m *Model) listView(w, h int) string {
	th := m.th
	per := 2
	if th.presenter {
		per = 3
	}
	inner := h - 2
	visible := max(inner/per, 1)
	if m.cursor < m.listTop {
		m.listTop = m.cursor
	}
	if m.cursor >= m.listTop+visible {
		m.listTop = m.cursor - visible + 1
	}
	m.listTop = min(max(m.listTop, 0), max(len(m.file.Scenarios)-visible, 0))
	var lines []string
	iw := w - 2
	if th.presenter {
		iw--
	}
	for i := m.listTop; i < len(m.file.Scenarios) && i < m.listTop+visible; i++ {
		sc := m.file.Scenarios[i]
		mark, tp := "  ", th.text
		if m.done[sc.ID] {
			mark = th.match.on("✓ ")
		}
		sel := "   "
		if i == m.cursor {
			sel, tp = th.selected.on(" ▶ "), th.selected
		}
		title := fmt.Sprintf("%2d. %s", i+1, clean(sc.Title))
		right := ""
		if s, ok := m.scores[sc.ID]; ok && s[1] > 0 {
			right = th.dim.on(fmt.Sprintf(" %d/%d predicted ", s[0], s[1]))
		}
		rw := textWidthANSI(right)
		lines = append(lines, sel+mark+fit(tp.on(title), iw-5-rw)+right)
		lines = append(lines, spaces(9)+th.dim.on(truncate(clean(sc.Summary), iw-10)))
		if per == 3 {
			lines = append(lines, "")
		}
	}
	done := 0
	for _, sc := range m.file.Scenarios {
		if m.done[sc.ID] {
			done++
		}
	}
	note := fmt.Sprintf("%d/%d done", done, len(m.file.Scenarios))
	if m.listTop > 0 || m.listTop+visible < len(m.file.Scenarios) {
		note = fmt.Sprintf("%d–%d of %d · ", m.listTop+1, min(m.listTop+visible, len(m.file.Scenarios)), len(m.file.Scenarios)) + note
	}
	return th.box("Lessons", note, lines, w, h, true)
}

// lessonView draws the SMTP and SPF panes over the narration pane.
func (m *Model) lessonView(w, h int) string {
	th, l := m.th, m.les
	m.hit = hitMap{replyAt: map[int]int{}}
	pad := 0
	if th.presenter {
		pad = 1
	}

	// The bottom pane: narration, prediction, editor or typing.
	bw := w - 2 - 2*pad
	title, note, bottom := m.bottomPane(bw)
	bh := l.narrationHeight(th, bw, h)
	if l.edit != nil || l.typing != nil {
		bh = max(8, h/2)
	}
	if h-bh < 8 {
		bh = max(h-8, 3)
	}
	topH := h - bh
	narrLines := max(bh-2, 1)
	top := l.narrTop
	if l.edit != nil || l.typing != nil || (l.guess != nil && !l.guess.answered) {
		top = 0
	}
	shown, top := window(bottom, top, narrLines)
	m.hit.nar = scrolled{narrLines, top, max(len(bottom)-narrLines, 0)}
	if rest := len(bottom) - top - len(shown); rest > 0 && note == "" {
		note = fmt.Sprintf("%d more ↓", rest)
		if l.focus != paneNarration {
			note += " (tab here, then j)"
		}
	}

	// The SMTP and SPF panes, side by side or stacked.
	var smtpW, smtpH, spfW, spfH int
	side := w >= minSideBySide
	if side {
		smtpW, smtpH = smtpWidth(w), topH
		spfW, spfH = w-smtpW, topH
	} else {
		smtpW, smtpH = w, topH/2
		spfW, spfH = w, topH-topH/2
	}
	smtp := m.smtpPane(smtpW, smtpH)
	spfBox := m.spfPane(spfW, spfH)
	var upper string
	if side {
		upper = joinColumns(smtp, spfBox)
		m.hit.panes[paneSMTP] = rect{0, 1, smtpW, smtpH}
		m.hit.panes[paneSPF] = rect{smtpW, 1, spfW, spfH}
	} else {
		upper = smtp + "\n" + spfBox
		m.hit.panes[paneSMTP] = rect{0, 1, smtpW, smtpH}
		m.hit.panes[paneSPF] = rect{0, 1 + smtpH, spfW, spfH}
	}
	m.hit.panes[paneNarration] = rect{0, 1 + topH, w, bh}
	lower := th.box(title, note, shown, w, bh, l.focus == paneNarration || l.edit != nil || l.typing != nil)
	return upper + "\n" + lower
}

// smtpWidth is the width of the SMTP pane beside the SPF pane on a screen
// w cells wide: the SPF pane gets the larger part, for its longer lines.
func smtpWidth(w int) int { return max(34, w*2/5) }

// smtpPane draws the dialogue.
func (m *Model) smtpPane(w, h int) string {
	th, l := m.th, m.les
	var extra []row
	if l.guess != nil && !l.guess.answered {
		if ds := l.upcoming(); ds != nil {
			extra = upcomingRows(th, ds)
		}
	}
	title := "SMTP"
	if l.sc.Server.Hostname != "" {
		title += " · " + l.sc.Server.Hostname
	}
	out, at, sc := dialoguePane(th, &l.tr, paneView{title: title, w: w, h: h, y: 1, top: l.smtpTop, focused: l.focus == paneSMTP}, l.selected, extra)
	m.hit.replyAt, m.hit.smtp = at, sc
	return out
}

// upcomingRows shows the line a prediction is about, not yet sent.
func upcomingRows(th *theme, ds *scenarios.DialogueStep) []row {
	line := ds.Line
	if ds.Kind == scenarios.StepData {
		line = "(the message, then \".\")"
	}
	return []row{{gutter: seg{"  ?", th.accent}, segs: []seg{{"C: ", th.dim}, {line, th.accent}}, reply: -1},
		{gutter: seg{"  ?", th.accent}, segs: []seg{{"S: ", th.dim}, {"???", th.accent}}, reply: -1}}
}

// spfPane draws the server's side of the selected reply.
func (m *Model) spfPane(w, h int) string {
	th, l := m.th, m.les
	pv := paneView{w: w, h: h, top: l.spfTop, focused: l.focus == paneSPF}
	if st := l.shownStep(); st != nil && st.Script != nil {
		pv.fields = st.Script.Expect.Headers // what the lesson points at
	}
	out, sc := serverPane(th, &l.tr, pv, l.selectedReply())
	m.hit.spf = sc
	return out
}

// bottomPane returns the title, note and lines of the bottom pane.
func (m *Model) bottomPane(width int) (title, note string, lines []string) {
	th, l := m.th, m.les
	switch {
	case l.edit != nil:
		return "Edit an SPF record, then enter to rerun the lesson with it", "", l.edit.view(th, width)
	case l.typing != nil:
		lines = wrapText("Type SMTP lines to "+l.sc.Server.Hostname+" on the lesson's session, like the article's nc. The server sees the client as "+l.sc.Client.String()+".", th.dim, width)
		l.typing.input.SetWidth(max(width-4, 8))
		lines = append(lines, l.typing.input.View())
		return "Type SMTP", "", lines
	case l.guess != nil && !l.guess.answered:
		return "Predict", "", m.predictLines(width)
	}
	st := l.shownStep()
	if st == nil {
		return "Lesson", "", []string{th.dim.on("Starting the lesson…")}
	}
	switch st.Role {
	case scenarios.RoleSetUp:
		title = "Lesson: " + l.sc.Title
	case scenarios.RoleDialogue:
		title = fmt.Sprintf("Step %d of %d", st.Number, len(l.sc.Dialogue))
	case scenarios.RoleHangUp:
		title = "End of the dialogue"
	default:
		title = "Your line"
	}
	if l.err != nil {
		lines = append(lines, wrapText("The lab failed: "+l.err.Error(), th.errText, width)...)
	}
	if len(l.drafts) > 0 {
		var ds []string
		for d := range l.drafts {
			ds = append(ds, d)
		}
		slices.Sort(ds)
		lines = append(lines, wrapText("Running with your draft record for "+strings.Join(ds, ", ")+" (e edits it; the lesson's text is about the published one).", th.warnText, width)...)
		lines = append(lines, "")
	}
	return title, "", append(lines, l.narration(th, st, width)...)
}

// predictLines asks for the guess.
func (m *Model) predictLines(width int) []string {
	th, l, g := m.th, m.les, m.les.guess
	var out []string
	ds := l.upcoming()
	if ds != nil && ds.Narration != "" {
		out = append(out, wrapText(ds.Narration, th.text, width)...)
		out = append(out, "")
	}
	switch {
	case g.class == 0:
		out = append(out, wrapText("What will the server answer? 2 accepted (2xx) · 3 go on (3xx) · 4 try again later (4xx) · 5 refused (5xx)", th.accent, width)...)
	case g.wantsSPF():
		out = append(out, wrapText(fmt.Sprintf("You said %dxx. And the SPF result? p pass · f fail · s softfail · n neutral · o none · t temperror · e permerror", g.class), th.accent, width)...)
	default:
		out = append(out, wrapText(fmt.Sprintf("You said %dxx. And the DMARC result for the From: domain? p pass · f fail · o none · t temperror · e permerror", g.class), th.accent, width)...)
	}
	out = append(out, th.dim.on("space reveals without a guess · esc cancels"))
	return out
}

// textWidthANSI is the width of a painted string.
func textWidthANSI(s string) int { return ansi.StringWidth(s) }

func truncate(s string, w int) string { return ansi.Truncate(s, max(w, 0), "…") }
