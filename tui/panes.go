package tui

import (
	"fmt"
	"strings"
)

// paneView is where and how a pane is drawn.
type paneView struct {
	title   string
	w, h    int
	y       int // the screen row of the pane's top border, for mouse clicks
	top     int // scroll offset
	focused bool
	hidden  string // shown instead of the content, when set
}

// dialoguePane draws a transcript as on the wire, with extra rows at the
// end. selected is the reply the learner chose, -1 for the newest: then
// the pane shows the end, else it keeps the selected reply in view. It
// returns the pane and the screen rows of the replies shown.
func dialoguePane(th *theme, tr *transcript, pv paneView, selected int, extra []row) (string, map[int]int) {
	inner := pv.w - 2
	if th.presenter {
		inner--
	}
	sel := selected
	if sel < 0 || sel >= len(tr.replies) {
		sel = len(tr.replies) - 1
	}
	rows := append(tr.smtpRows(th, sel), extra...)
	lines, first := layoutRows(rows, inner, smtpGutter)
	top := len(lines)
	if selected >= 0 {
		for i, r := range rows {
			if r.reply == sel {
				top = first[i] - (pv.h-2)/3 // a third from the top
				break
			}
		}
	}
	shown, top := window(lines, top, pv.h-2)
	at := map[int]int{}
	for i, r := range rows {
		if r.reply >= 0 && first[i] >= top && first[i] < top+len(shown) {
			at[pv.y+1+first[i]-top] = r.reply
		}
	}
	note := ""
	if n := len(tr.replies); n > 0 {
		note = fmt.Sprintf("reply %d/%d", sel+1, n)
		if top > 0 {
			note = "↑ " + note
		}
	}
	return th.box(pv.title, note, shown, pv.w, pv.h, pv.focused), at
}

// serverPane draws what the server did behind reply k of a transcript:
// the lookup counters on top, then the trace, scrolled to pv.top. It
// returns the pane, its page height and the largest useful scroll offset.
func serverPane(th *theme, tr *transcript, pv paneView, k int) (string, int, int) {
	inner := pv.w - 2
	if th.presenter {
		inner--
	}
	var rows []row
	var fixed []string
	title := "SPF · the server's side"
	if pv.hidden != "" {
		rows = []row{plainRow(th.dim, pv.hidden)}
	} else {
		r, counters := tr.spfRows(th, k)
		rows = r
		if counters != nil {
			fixed = append(fixed, fit(counterLine(th, *counters), inner))
		}
		if k >= 0 && k < len(tr.replies) {
			rep := tr.entries[tr.replies[k]].ev
			title = fmt.Sprintf("SPF · reply %d", rep.Reply.Code)
			if rep.Command != "" {
				title += " to " + rep.Command
			}
		}
	}
	lines, _ := layoutRows(rows, inner, 0)
	avail := max(pv.h-2-len(fixed), 1)
	maxTop := max(len(lines)-avail, 0)
	shown, top := window(lines, pv.top, avail)
	note := ""
	if rest := len(lines) - top - len(shown); rest > 0 {
		note = fmt.Sprintf("%d more ↓", rest)
	}
	if top > 0 {
		note = strings.TrimSpace(fmt.Sprintf("↑ %d %s", top, note))
	}
	return th.box(title, note, append(fixed, shown...), pv.w, pv.h, pv.focused), avail, maxTop
}
