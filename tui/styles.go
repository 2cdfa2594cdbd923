package tui

import (
	"image/color"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
)

// paint is a style reduced to the escape sequences around its text:
// rendering a 500-event trace with lipgloss.Style.Render per piece costs
// too much, concatenating these does not.
type paint struct{ open, close string }

func newPaint(s lipgloss.Style) paint {
	// A printable mark: lipgloss leaves a control character unstyled when
	// it underlines.
	const mark = "X"
	open, close, _ := strings.Cut(s.Render(mark), mark)
	return paint{open, close}
}

// on paints s.
func (p paint) on(s string) string {
	if p.open == "" || s == "" {
		return s
	}
	return p.open + s + p.close
}

// theme is every style the views use. Colours differ for light and dark
// backgrounds; the distinctions that matter (reply classes, match or no
// match, the lab's lines, focus) are also made with symbols and text
// attributes, so that they survive NO_COLOR.
type theme struct {
	presenter bool
	border    lipgloss.Border
	// fg and bg are the terminal's own colours as the theme takes them:
	// every paint reaches WCAG AA contrast (4.5:1) with them, and a
	// screenshot is drawn with them.
	fg, bg color.Color

	text, dim, lab, accent, notice, title, focusTitle paint
	borderPaint, focusBorder                          paint
	ok, info, warn, bad                               paint // reply classes 2xx, 3xx, 4xx, 5xx
	okCode, infoCode, warnCode, badCode               paint // the codes themselves
	match, nomatch, result, counter, over             paint
	selected, key, errText, warnText                  paint

	help  help.Styles
	input textinput.Styles // for the record editor and free typing
}

// newTheme returns the theme for a dark or light background, in presenter
// mode or not.
func newTheme(dark, presenter bool) *theme {
	ld := lipgloss.LightDark(dark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }
	fg := lipgloss.NewStyle().Foreground
	var (
		green  = c("#00703c", "#5fd787")
		blue   = c("#0b55a8", "#5fafff")
		yellow = c("#8a5300", "#ffd75f")
		red    = c("#b00020", "#ff6b6b")
		violet = c("#5f00af", "#af87ff")
		grey   = c("#5f5f5f", "#9e9e9e")
		labCol = c("#00707a", "#87afaf")
		edge   = c("#707070", "#8a8a8a")
	)
	if presenter {
		green, blue, yellow, red = c("#005a00", "#00ff87"), c("#0000c0", "#87d7ff"), c("#6a4000", "#ffff00"), c("#c00000", "#ff3030")
		violet, grey, labCol, edge = c("#4b0082", "#ffffff"), c("#303030", "#d0d0d0"), c("#005f5f", "#87ffff"), c("#303030", "#d0d0d0")
	}
	t := &theme{presenter: presenter, border: lipgloss.RoundedBorder(), fg: c("#1c1c1c", "#d0d0d0"), bg: c("#fafafa", "#1c1c1c")}
	if presenter {
		t.border = lipgloss.ThickBorder()
	}
	bold := lipgloss.NewStyle().Bold(true)
	t.text = newPaint(lipgloss.NewStyle().Bold(presenter))
	t.dim = newPaint(fg(grey))
	t.lab = newPaint(fg(labCol).Italic(!presenter))
	t.accent = newPaint(fg(violet).Bold(true))
	t.notice = newPaint(fg(violet).Bold(presenter))
	t.title = newPaint(bold.Foreground(violet))
	t.focusTitle = newPaint(bold.Reverse(true).Foreground(violet))
	t.borderPaint = newPaint(fg(edge))
	t.focusBorder = newPaint(fg(violet).Bold(true))
	t.ok = newPaint(fg(green).Bold(presenter))
	t.info = newPaint(fg(blue).Bold(presenter))
	t.warn = newPaint(fg(yellow).Bold(presenter))
	t.bad = newPaint(fg(red).Bold(presenter))
	// The codes: 2xx bold, 3xx bold, 4xx bold and underlined, 5xx bold and
	// reversed, so the class shows without colour too.
	t.okCode = newPaint(bold.Foreground(green))
	t.infoCode = newPaint(bold.Foreground(blue))
	t.warnCode = newPaint(bold.Underline(true).Foreground(yellow))
	t.badCode = newPaint(bold.Reverse(true).Foreground(red))
	t.match = newPaint(bold.Foreground(green))
	t.nomatch = newPaint(fg(grey))
	t.result = newPaint(bold)
	t.counter = newPaint(fg(blue))
	t.over = newPaint(bold.Reverse(true).Foreground(red))
	t.selected = newPaint(bold.Foreground(violet))
	t.key = newPaint(bold.Foreground(violet))
	t.errText = newPaint(fg(red).Bold(true))
	t.warnText = newPaint(fg(yellow))

	t.input = textinput.DefaultStyles(dark)
	t.input.Cursor.Blink = false // a still cursor: no ticks, stable tests
	t.input.Cursor.Color = violet
	t.input.Focused.Prompt = lipgloss.NewStyle().Foreground(violet).Bold(true)
	t.input.Focused.Placeholder = lipgloss.NewStyle().Foreground(grey)

	// The key bar in the theme's colours: the bubbles' own greys are too
	// faint to read (WCAG AA asks 4.5:1).
	t.help = help.DefaultStyles(dark)
	for _, s := range []*lipgloss.Style{&t.help.ShortKey, &t.help.FullKey} {
		*s = s.Foreground(violet).Bold(true)
	}
	for _, s := range []*lipgloss.Style{&t.help.ShortDesc, &t.help.FullDesc, &t.help.ShortSeparator, &t.help.FullSeparator, &t.help.Ellipsis} {
		*s = s.Foreground(grey)
	}
	return t
}

// replyPaints returns the paints of a reply of code: its text and its code.
func (t *theme) replyPaints(code int) (text, num paint) {
	switch code / 100 {
	case 2:
		return t.ok, t.okCode
	case 3:
		return t.info, t.infoCode
	case 4:
		return t.warn, t.warnCode
	}
	return t.bad, t.badCode
}

// resultPaint colours an SPF result: pass green, fail and permerror red,
// softfail and temperror yellow, neutral and none plain.
func (t *theme) resultPaint(r string) paint {
	switch r {
	case "pass":
		return t.ok
	case "fail", "permerror":
		return t.bad
	case "softfail", "temperror":
		return t.warn
	}
	return t.text
}

// colors returns the colours a cell of style st shows in: its own, else
// the terminal's, swapped when reversed.
func (t *theme) colors(st cellStyle) (fg, bg color.Color) {
	fg, bg = t.fg, t.bg
	if st.fg != nil {
		fg = st.fg
	}
	if st.bg != nil {
		bg = st.bg
	}
	if st.reverse {
		fg, bg = bg, fg
	}
	return fg, bg
}
