package tui

import "fmt"

// pager shows long text in a box that scrolls: the keys (?) and, in the
// monitor, a stored message.
type pager struct {
	open bool
	top  int
	last scrolled // as last drawn
}

// show opens the pager at its top.
func (p *pager) show() { p.open, p.top = true, 0 }

// scrollKey scrolls by the key s and reports whether it was one of the
// pager's: ↑ ↓ j k a line, pgup pgdn b f space a page, home end.
func (p *pager) scrollKey(s string) bool {
	page := p.last.step()
	switch s {
	case "up", "k":
		p.top--
	case "down", "j":
		p.top++
	case "pgup", "b":
		p.top -= page
	case "pgdown", "f", "space":
		p.top += page
	case "home", "g":
		p.top = 0
	case "end", "G":
		p.top = p.last.max
	default:
		return false
	}
	p.top = min(max(p.top, 0), p.last.max)
	return true
}

// view draws lines in a w×h box titled title, scrolled to the pager's
// place; close says how to close it.
func (p *pager) view(th *theme, title, close string, lines []string, w, h int) string {
	avail := max(h-2, 1)
	shown, top := window(lines, p.top, avail)
	p.top, p.last = top, scrolled{page: avail, top: top, max: max(len(lines)-avail, 0)}
	note := close
	if rest := len(lines) - top - len(shown); rest > 0 {
		note = fmt.Sprintf("%d more ↓ · %s", rest, close)
	} else if top > 0 {
		note = "↑ · " + close
	}
	return th.box(title, note, shown, w, h, true)
}

// helpText is the keys of a state, then what the screen shows.
func helpText(th *theme, kh keyHelp, about []string, width int) []string {
	lines := helpLines(th, kh.full)
	for _, p := range about {
		lines = append(lines, "")
		lines = append(lines, wrapText(p, th.dim, width)...)
	}
	return lines
}
