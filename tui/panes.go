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
	// fields names header fields the SPF pane keeps in view (see
	// transcript.spfRows).
	fields []string
}

// dialoguePane draws a transcript as on the wire, with extra rows at the
// end. selected is the reply the learner chose, -1 for the newest. With a
// negative pv.top the pane shows the end for the newest reply, else the
// selected reply a third from the top; else it is scrolled to pv.top. It
// returns the pane, the screen rows of the replies shown and where it
// stands.
func dialoguePane(th *theme, tr *transcript, pv paneView, selected int, extra []row) (string, map[int]int, scrolled) {
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
	top := pv.top
	if top < 0 {
		top = len(lines)
		if selected >= 0 {
			for i, r := range rows {
				if r.reply == sel {
					top = first[i] - (pv.h-2)/3 // a third from the top
					break
				}
			}
		}
	}
	avail := max(pv.h-2, 1)
	shown, top := window(lines, top, avail)
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
	return th.box(pv.title, note, paintLines(shown), pv.w, pv.h, pv.focused), at, scrolled{avail, top, max(len(lines)-avail, 0)}
}

// scrolled is where a scrolling pane stands after a view: the lines it
// shows, the offset of the first and the largest useful offset.
type scrolled struct{ page, top, max int }

// by is the offset d lines from where the pane stands, within its range.
func (s scrolled) by(d int) int { return min(max(s.top+d, 0), s.max) }

// step is how far pgup and pgdn scroll the pane: its height less a line.
func (s scrolled) step() int { return max(s.page-1, 1) }

// serverPane draws what the server did behind reply k of a transcript:
// the lookup counters on top, then the trace, scrolled to pv.top, or with
// a negative pv.top so that the term that decided and the result are in
// view (inViewTop).
func serverPane(th *theme, tr *transcript, pv paneView, k int) (string, scrolled) {
	inner := pv.w - 2
	if th.presenter {
		inner--
	}
	rows, end := tr.spfRows(th, k, pv.fields)
	title := "SPF · the server's side"
	if k >= 0 && k < len(tr.replies) {
		rep := tr.entries[tr.replies[k]].ev
		title = fmt.Sprintf("SPF · reply %d", rep.Reply.Code)
		if rep.Command != "" {
			title += " to " + rep.Command
		}
	}
	lines, first := layoutRows(rows, inner, 0)
	from, to, nice := inViewSpan(rows, first, len(lines))
	// The counters take the first row; when the rows that must be in view
	// need it, they go into the bottom border.
	counters := end != nil && (from < 0 || to-from+1 <= pv.h-3)
	avail := pv.h - 2
	if counters {
		avail--
	}
	avail = max(avail, 1)
	maxTop := max(len(lines)-avail, 0)
	top := pv.top
	if top < 0 {
		top = inViewTop(from, to, nice, avail)
	}
	shown, top := window(lines, top, avail)
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
	}
	var fixed, note []string
	if counters {
		fixed = []string{fit(counterLine(th, *here), inner)}
	}
	if top > 0 {
		note = append(note, fmt.Sprintf("↑ %d ·", top))
	}
	if end != nil && !counters {
		note = append(note, here.String()+" ·")
	}
	if rest := len(lines) - top - len(shown); rest > 0 {
		if end != nil && *end != *here {
			note = append(note, fmt.Sprintf("at the end %d/%d, void %d/%d ·", end.DNSTerms, spf.DefaultMaxDNSTerms, end.VoidLookups, spf.DefaultMaxVoidLookups))
		}
		note = append(note, fmt.Sprintf("%d more ↓", rest))
	}
	n := strings.TrimSuffix(strings.Join(note, " "), " ·")
	return th.box(title, n, append(fixed, paintLines(shown)...), pv.w, pv.h, pv.focused), scrolled{avail, top, maxTop}
}

// inViewSpan returns the lines of rows (first holds the first line of
// each, of n lines in all) that a pane shows when it opens: from the
// first line of the first row that must be in view to the last line of
// the last (-1, -1 for none), and the last line of the rows nice to see.
func inViewSpan(rows []row, first []int, n int) (from, to, nice int) {
	from, to, nice = -1, -1, -1
	end := func(i int) int { // the last line of row i
		if i+1 < len(first) {
			return first[i+1] - 1
		}
		return n - 1
	}
	for i, r := range rows {
		switch r.inView {
		case viewMust:
			if from < 0 {
				from = first[i]
			}
			to = end(i)
		case viewNice:
			nice = end(i)
		}
	}
	return from, to, nice
}

// inViewTop is the smallest scroll offset of a window of h lines that
// shows the lines from to to and, if it can as well, those up to nice.
// With nothing to show it is 0; with more than fits, from is at the top.
func inViewTop(from, to, nice, h int) int {
	if from < 0 {
		return 0
	}
	if nice > to && nice-from < h {
		to = nice
	}
	return max(min(to-h+1, from), 0)
}
