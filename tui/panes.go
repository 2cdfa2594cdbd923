package tui

import (
	"fmt"
	"strings"

	"spflab/spf"
)

// paneView is where and how a pane is drawn.
type paneView struct {
	title   string
	w, h    int
	y       int // the screen row of the pane's top border, for mouse clicks
	top     int // scroll offset
	focused bool
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
	return th.box(pv.title, note, paintLines(shown), pv.w, pv.h, pv.focused), at
}

// serverPane draws what the server did behind reply k of a transcript:
// the lookup counters on top, then the trace, scrolled to pv.top. It
// returns the pane, its page height and the largest useful scroll offset.
func serverPane(th *theme, tr *transcript, pv paneView, k int) (string, int, int) {
	inner := pv.w - 2
	if th.presenter {
		inner--
	}
	rows, end := tr.spfRows(th, k)
	title := "SPF · the server's side"
	if k >= 0 && k < len(tr.replies) {
		rep := tr.entries[tr.replies[k]].ev
		title = fmt.Sprintf("SPF · reply %d", rep.Reply.Code)
		if rep.Command != "" {
			title += " to " + rep.Command
		}
	}
	lines, first := layoutRows(rows, inner, 0)
	var fixed []string
	if end != nil {
		fixed = append(fixed, "") // the counters, once the window is known
	}
	avail := max(pv.h-2-len(fixed), 1)
	maxTop := max(len(lines)-avail, 0)
	shown, top := window(lines, pv.top, avail)
	here := end
	if end != nil {
		// The counters after the last step in view: scrolling through the
		// trace, they count up as the evaluation did.
		for i, r := range rows {
			if first[i] >= top+len(shown) {
				break
			}
			if r.at != nil {
				here = r.at
			}
		}
		if top+len(shown) >= len(lines) {
			here = end
		}
		fixed[0] = fit(counterLine(th, *here), inner)
	}
	var note []string
	if top > 0 {
		note = append(note, fmt.Sprintf("↑ %d", top))
	}
	if rest := len(lines) - top - len(shown); rest > 0 {
		if end != nil && *end != *here {
			note = append(note, fmt.Sprintf("at the end %d/%d, void %d/%d ·", end.DNSTerms, spf.DefaultMaxDNSTerms, end.VoidLookups, spf.DefaultMaxVoidLookups))
		}
		note = append(note, fmt.Sprintf("%d more ↓", rest))
	}
	return th.box(title, strings.Join(note, " "), append(fixed, paintLines(shown)...), pv.w, pv.h, pv.focused), avail, maxTop
}
