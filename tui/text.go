package tui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"spflab/spf"
	"spflab/termtext"
)

// seg is a piece of a line in one paint.
type seg struct {
	text  string
	paint paint
}

// row is one logical line of a pane before wrapping: a gutter (a step
// number, "lab", a selection mark) and its text in segments.
type row struct {
	gutter seg
	segs   []seg
	// reply is the index of the reply this row shows in its transcript,
	// -1 for other rows: the SMTP pane scrolls to the selected one.
	reply int
	// hang indents the lines the row wraps onto; cont, when set, is what
	// they begin with (hang cells wide: the tree of an include).
	hang int
	cont string
	// at is the SPF lookup counters after the step the row shows, nil
	// for rows that show none: the counters follow the scrolling.
	at *spf.Counters
	// inView says whether a pane scrolls to the row when it opens.
	inView inView
	// short, when set, is how many segments make the row's shorter form:
	// where the row would wrap, it shows its first segments, as many as
	// fit on one line and never fewer than short. The words stay the
	// event's own; only the last details go.
	short int
}

// inView is how much a pane wants a row in view when it opens.
type inView uint8

const (
	viewAny  inView = iota
	viewMust        // the SPF term that decided, and the result
	viewNice        // the policy's decision after them, if it fits
)

func plainRow(p paint, s string) row { return row{segs: []seg{{s, p}}, reply: -1} }

// runeWidth is the width of a rune in cells: 1 for the ASCII and the
// symbols the views use, what ansi says for the rest.
func runeWidth(r rune) int {
	if r < utf8.RuneSelf {
		return 1
	}
	return ansi.StringWidth(string(r))
}

// textWidth is the width of plain text in cells.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

// wrapSegs breaks segs into lines of at most width cells, at spaces where
// it can, inside a word where it must; the paints follow their text.
func wrapSegs(segs []seg, width int) [][]seg { return wrapHang(segs, width, 0) }

// wrapHang is wrapSegs with lines after the first hang cells narrower, for
// a hanging indent.
func wrapHang(segs []seg, width, hang int) [][]seg {
	if width < 1 {
		width = 1
	}
	for i := range segs {
		if c := clean(segs[i].text); c != segs[i].text {
			segs = append([]seg(nil), segs...)
			for j := i; j < len(segs); j++ {
				segs[j].text = clean(segs[j].text)
			}
			break
		}
	}
	if hang >= width {
		hang = 0
	}
	var plain strings.Builder
	for _, s := range segs {
		plain.WriteString(s.text)
	}
	text := plain.String()
	if textWidth(text) <= width {
		return [][]seg{segs}
	}
	// Break points: byte offsets where each line starts and ends.
	type span struct{ from, to int }
	var spans []span
	start, w := 0, 0
	lastSpace := -1 // byte offset of the last space on the line
	limit := width
	for i, r := range text {
		rw := runeWidth(r)
		if r == ' ' && len(spans) > 0 && i == start {
			start++ // a line after a break begins with a word
			continue
		}
		if r == ' ' && w+rw > limit && i > start {
			// The line is full up to this space: break at it, so that
			// a word that exactly fills the line stays on it.
			spans = append(spans, span{start, i})
			start, w, lastSpace, limit = i+1, 0, -1, width-hang
			continue
		}
		// Break until the rune fits: the text carried over to a line
		// with a hanging indent may itself be too long for it.
		for w+rw > limit && i > start {
			limit = width - hang
			if lastSpace > start {
				spans = append(spans, span{start, lastSpace})
				start = lastSpace + 1
			} else {
				k := fitPrefix(text, start, i, limit)
				spans = append(spans, span{start, k})
				start = k
			}
			w = textWidth(text[start:i])
			lastSpace = -1
			if j := strings.LastIndexByte(text[start:i], ' '); j >= 0 {
				lastSpace = start + j
			}
		}
		if r == ' ' {
			lastSpace = i
		}
		w += rw
	}
	spans = append(spans, span{start, len(text)})

	lines := make([][]seg, 0, len(spans))
	for _, sp := range spans {
		var line []seg
		off := 0
		for _, s := range segs {
			from, to := max(sp.from, off), min(sp.to, off+len(s.text))
			if from < to {
				line = append(line, seg{s.text[from-off : to-off], s.paint})
			}
			off += len(s.text)
		}
		lines = append(lines, line)
	}
	return lines
}

// fitPrefix returns the end of the longest run of text[from:to] from
// from that is at most limit cells wide, and at least one rune long.
func fitPrefix(text string, from, to, limit int) int {
	w := 0
	for i, r := range text[from:to] {
		w += runeWidth(r)
		if w > limit && i > 0 {
			return from + i
		}
	}
	return to
}

// renderSegs paints segs into one string. The text must be clean, as
// wrapSegs leaves it; cleanSegs cleans text from elsewhere.
func renderSegs(segs []seg) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.paint.on(s.text))
	}
	return b.String()
}

// cleanSegs returns segs with their text cleaned.
func cleanSegs(segs []seg) []seg {
	out := make([]seg, len(segs))
	for i, s := range segs {
		out[i] = seg{clean(s.text), s.paint}
	}
	return out
}

// clean makes text safe to draw: what a client, a zone or a lesson
// sends may hold control characters (an escape sequence typed into nc,
// a tab, a NUL) that would move the cursor or break the layout; see
// termtext.Clean.
func clean(s string) string { return termtext.Clean(s) }

// textLine is a row's line after wrapping: its painted start (the gutter, or
// the indent of a wrapped line) and its text. Panes wrap every row, to
// know how far they scroll, but paint only the lines in view.
type textLine struct {
	prefix string
	segs   []seg
}

func (l textLine) String() string { return l.prefix + renderSegs(l.segs) }

// paintLines paints lines.
func paintLines(lines []textLine) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.String()
	}
	return out
}

// layoutRows wraps rows to width cells, gutter included, and returns the
// lines and, for each row, the index of its first line.
func layoutRows(rows []row, width, gutter int) (lines []textLine, first []int) {
	first = make([]int, len(rows))
	lines = make([]textLine, 0, len(rows)+len(rows)/2)
	pad := spaces(gutter)
	for i, r := range rows {
		first[i] = len(lines)
		g := r.gutter.text
		if gw := textWidth(g); gw < gutter {
			g += pad[:gutter-gw]
		}
		for j, l := range wrapHang(r.shortest(width-gutter), width-gutter, r.hang) {
			switch {
			case j == 0:
				lines = append(lines, textLine{r.gutter.paint.on(g), l})
			case r.cont != "":
				lines = append(lines, textLine{pad + r.cont, l})
			default:
				lines = append(lines, textLine{pad + spaces(r.hang), l})
			}
		}
	}
	return lines, first
}

// shortest returns the segments of the row to lay out in width cells: all
// of them, or its shorter form where they do not fit on one line.
func (r *row) shortest(width int) []seg {
	if r.short <= 0 || r.short >= len(r.segs) {
		return r.segs
	}
	w := 0
	for i, s := range r.segs {
		w += textWidth(clean(s.text))
		if w > width {
			return r.segs[:max(i, r.short)]
		}
	}
	return r.segs
}

// wrapText wraps plain text to width cells. Lines of a paragraph are
// joined first (the lessons' text is broken for a 72-column editor); a
// blank line separates paragraphs and an indented line is kept as it is,
// like a code block.
func wrapText(s string, p paint, width int) []string {
	var out []string
	for _, para := range reflow(s) {
		if para == "" {
			out = append(out, "")
			continue
		}
		hang := 0
		if para[0] == ' ' {
			hang = len(para) - len(strings.TrimLeft(para, " "))
		}
		out = appendHang(out, []seg{{para, p}}, width, hang)
	}
	return out
}

// appendHang wraps segs to width cells with a hanging indent of hang
// (wrapHang) and appends the lines to out, those after the first
// indented.
func appendHang(out []string, segs []seg, width, hang int) []string {
	for i, l := range wrapHang(segs, width, hang) {
		if i > 0 {
			out = append(out, spaces(hang)+renderSegs(l))
			continue
		}
		out = append(out, renderSegs(l))
	}
	return out
}

// reflow joins the lines of each paragraph of s, keeping blank lines and
// indented lines.
func reflow(s string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		switch {
		case strings.TrimSpace(line) == "":
			flush()
			out = append(out, "")
		case line[0] == ' ' || line[0] == '\t':
			flush()
			out = append(out, strings.ReplaceAll(line, "\t", "    "))
		default:
			if cur.Len() > 0 {
				cur.WriteByte(' ')
			}
			cur.WriteString(strings.TrimRight(line, " "))
		}
	}
	flush()
	return out
}

// box draws lines in a bordered box of w×h cells with a title in the top
// border and a note in the bottom one. Lines are cut to fit, and missing
// lines are blank, so the box is always exactly w×h: borders never break.
func (t *theme) box(title, note string, lines []string, w, h int, focused bool) string {
	if w < 4 || h < 2 {
		return strings.Repeat(strings.Repeat(" ", max(w, 0))+"\n", max(h-1, 0)) + strings.Repeat(" ", max(w, 0))
	}
	bp, tp := t.borderPaint, t.title
	if focused {
		bp, tp = t.focusBorder, t.focusTitle
	}
	b := t.border
	inner := w - 2
	pad := 0
	if t.presenter && inner > 10 {
		pad = 1
	}
	var sb strings.Builder
	sb.Grow((w + 20) * h)

	// ╭─ Title ───────╮
	sb.WriteString(bp.on(b.TopLeft + b.Top))
	title = ansi.Truncate(clean(title), inner-3, "…")
	used := 1
	if title != "" {
		sb.WriteString(tp.on(" " + title + " "))
		used += textWidth(title) + 2
	}
	sb.WriteString(bp.on(strings.Repeat(b.Top, max(inner-used, 0)) + b.TopRight))
	sb.WriteByte('\n')

	blank := strings.Repeat(" ", inner)
	for i := 0; i < h-2; i++ {
		sb.WriteString(bp.on(b.Left))
		if i < len(lines) {
			l := lines[i]
			if pad > 0 {
				l = " " + l
			}
			lw := ansi.StringWidth(l)
			if lw > inner {
				l = ansi.Truncate(l, inner, "…")
				lw = ansi.StringWidth(l)
			}
			sb.WriteString(l)
			sb.WriteString(blank[:inner-lw])
		} else {
			sb.WriteString(blank)
		}
		sb.WriteString(bp.on(b.Right))
		sb.WriteByte('\n')
	}

	// ╰──────── note ─╯
	note = ansi.Truncate(clean(note), inner-3, "…")
	nw := 0
	if note != "" {
		nw = textWidth(note) + 2
	}
	sb.WriteString(bp.on(b.BottomLeft + strings.Repeat(b.Bottom, max(inner-nw-1, 0))))
	if note != "" {
		sb.WriteString(t.dim.on(" " + note + " "))
	}
	sb.WriteString(bp.on(strings.Repeat(b.Bottom, min(1, inner-nw)) + b.BottomRight))
	return sb.String()
}

// window returns the h lines of lines starting at top, clamping top so the
// window stays inside, and the top used.
func window[T any](lines []T, top, h int) ([]T, int) {
	top = max(0, min(top, len(lines)-h))
	end := min(len(lines), top+h)
	return lines[top:end], top
}

// fit cuts or pads a one-line string to exactly w cells.
func fit(s string, w int) string {
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	return s + strings.Repeat(" ", max(w-sw, 0))
}

// joinColumns puts blocks of lines side by side.
func joinColumns(blocks ...string) string {
	cols := make([][]string, len(blocks))
	n := 0
	for i, b := range blocks {
		cols[i] = strings.Split(b, "\n")
		n = max(n, len(cols[i]))
	}
	var sb strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte('\n')
		}
		for _, c := range cols {
			if i < len(c) {
				sb.WriteString(c[i])
			}
		}
	}
	return sb.String()
}

const blanks = "                                                                                "

// spaces returns n spaces.
func spaces(n int) string {
	if n <= len(blanks) {
		return blanks[:max(n, 0)]
	}
	return strings.Repeat(" ", n)
}
