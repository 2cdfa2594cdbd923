package tui

import (
	"errors"
	"fmt"
	"image/color"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// cellStyle is what the SGR sequences of a view (ECMA-48 §8.3.117) set
// for the cells after them; a nil colour is the terminal's own.
type cellStyle struct {
	fg, bg                                          color.Color
	bold, faint, italic, underline, reverse, strike bool
}

// cell is one cell of a screen: its text (a character, with any combining
// marks) and style. A wide character's second cell has no text.
type cell struct {
	text  string
	style cellStyle
}

// sgr applies the parameters of an SGR sequence, "1;38;2;95;0;175", to s.
// It knows what lipgloss and the bubbles write; it ignores the rest.
func (s *cellStyle) sgr(params string) {
	ps := strings.FieldsFunc(params, func(r rune) bool { return r == ';' })
	if len(ps) == 0 {
		ps = []string{"0"}
	}
	num := func(i int) int {
		if i >= len(ps) {
			return -1
		}
		main, _, _ := strings.Cut(ps[i], ":") // "4:3", a curly underline, is an underline
		n, err := strconv.Atoi(main)
		if err != nil {
			return -1
		}
		return n
	}
	// extended reads "5;n" or "2;r;g;b" after a 38 or 48 at i.
	extended := func(i int) (color.Color, int) {
		switch num(i + 1) {
		case 5:
			return ansi.IndexedColor(num(i + 2)), i + 2
		case 2:
			return color.RGBA{uint8(num(i + 2)), uint8(num(i + 3)), uint8(num(i + 4)), 0xff}, i + 4
		}
		return nil, i + 1
	}
	for i := 0; i < len(ps); i++ {
		switch n := num(i); {
		case n == 0:
			*s = cellStyle{}
		case n == 1:
			s.bold = true
		case n == 2:
			s.faint = true
		case n == 3:
			s.italic = true
		case n == 4:
			s.underline = true
		case n == 7:
			s.reverse = true
		case n == 9:
			s.strike = true
		case n == 22:
			s.bold, s.faint = false, false
		case n == 23:
			s.italic = false
		case n == 24:
			s.underline = false
		case n == 27:
			s.reverse = false
		case n == 29:
			s.strike = false
		case n >= 30 && n <= 37:
			s.fg = ansi.BasicColor(n - 30)
		case n >= 90 && n <= 97:
			s.fg = ansi.BasicColor(n - 90 + 8)
		case n == 38:
			s.fg, i = extended(i)
		case n == 39:
			s.fg = nil
		case n >= 40 && n <= 47:
			s.bg = ansi.BasicColor(n - 40)
		case n >= 100 && n <= 107:
			s.bg = ansi.BasicColor(n - 100 + 8)
		case n == 48:
			s.bg, i = extended(i)
		case n == 49:
			s.bg = nil
		}
	}
}

// parseScreen reads a view into lines of cells: SGR sequences style the
// cells after them, other escape sequences are dropped.
func parseScreen(view string) [][]cell {
	var lines [][]cell
	var line []cell
	var st cellStyle
	for i := 0; i < len(view); {
		c := view[i]
		switch {
		case c == '\n':
			lines, line = append(lines, line), nil
			i++
		case c == 0x1b && i+1 < len(view) && view[i+1] == '[':
			j := i + 2
			for j < len(view) && (view[j] < 0x40 || view[j] > 0x7e) {
				j++
			}
			if j < len(view) && view[j] == 'm' {
				st.sgr(view[i+2 : j])
			}
			i = j + 1
		case c == 0x1b && i+1 < len(view) && view[i+1] == ']': // OSC, to BEL or ST
			j := i + 2
			for j < len(view) && view[j] != 0x07 && !(view[j] == 0x1b && j+1 < len(view) && view[j+1] == '\\') {
				j++
			}
			i = j + 1
			if j < len(view) && view[j] == 0x1b {
				i++
			}
		case c < 0x20 || c == 0x7f:
			i++
		case startsBroken(view[i:]):
			line = append(line, cell{string(utf8.RuneError), st})
			i++
		default:
			g, w := ansi.FirstGraphemeCluster(view[i:], ansi.GraphemeWidth)
			if !printable(g) { // broken text around: the first character alone
				_, n := utf8.DecodeRuneInString(view[i:])
				g = view[i : i+n]
				w = textWidth(g)
			}
			if w == 0 && len(line) > 0 {
				line[len(line)-1].text += g
			} else {
				line = append(line, cell{g, st})
				for range w - 1 {
					line = append(line, cell{"", st})
				}
			}
			i += max(len(g), 1)
		}
	}
	return append(lines, line)
}

// printable reports whether s is UTF-8 without control characters.
func printable(s string) bool {
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// startsBroken reports whether s begins with a byte that is not UTF-8.
func startsBroken(s string) bool {
	r, n := utf8.DecodeRuneInString(s)
	return r == utf8.RuneError && n <= 1
}

// Sizes of a cell in the SVG, in pixels: a monospace font of 14px.
const (
	svgCellW, svgCellH, svgFont = 8.4, 17.0, 14
)

// screenSVG draws a view as an SVG image: the theme's background, then
// one <text> per run of cells in the same style, each stretched to its
// cells so that the columns line up whatever the font.
func screenSVG(th *theme, view string) []byte {
	lines := parseScreen(view)
	width := 0
	for _, l := range lines {
		width = max(width, len(l))
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.1f %.1f">`+"\n",
		float64(width)*svgCellW, float64(len(lines))*svgCellH, float64(width)*svgCellW, float64(len(lines))*svgCellH)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="%s"/>`+"\n", hexColor(th.bg))
	fmt.Fprintf(&b, `<g font-family="'DejaVu Sans Mono', Menlo, Consolas, monospace" font-size="%d" xml:space="preserve">`+"\n", svgFont)
	for y, l := range lines {
		for x := 0; x < len(l); {
			end := x + 1
			for end < len(l) && l[end].style == l[x].style {
				end++
			}
			svgRun(&b, th, l[x:end], x, y)
			x = end
		}
	}
	b.WriteString("</g>\n</svg>\n")
	return []byte(b.String())
}

// svgRun draws cells in one style from column x of row y.
func svgRun(b *strings.Builder, th *theme, cells []cell, x, y int) {
	st := cells[0].style
	fg, bg := th.colors(st)
	var text strings.Builder
	for _, c := range cells {
		text.WriteString(c.text)
	}
	px, py, w := float64(x)*svgCellW, float64(y)*svgCellH, float64(len(cells))*svgCellW
	if bg != th.bg {
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", px, py, w, svgCellH, hexColor(bg))
	}
	t := text.String()
	if strings.TrimSpace(t) == "" && !st.underline && !st.strike {
		return
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="%s" textLength="%.1f" lengthAdjust="spacingAndGlyphs"`, px, py+svgCellH*0.78, hexColor(fg), w)
	if st.bold {
		b.WriteString(` font-weight="bold"`)
	}
	if st.italic {
		b.WriteString(` font-style="italic"`)
	}
	if st.faint {
		b.WriteString(` opacity="0.7"`)
	}
	switch {
	case st.underline && st.strike:
		b.WriteString(` text-decoration="underline line-through"`)
	case st.underline:
		b.WriteString(` text-decoration="underline"`)
	case st.strike:
		b.WriteString(` text-decoration="line-through"`)
	}
	b.WriteString(">")
	xmlEscape(b, t)
	b.WriteString("</text>\n")
}

// xmlEscape writes s with &, < and > escaped, and what XML cannot hold
// (XML 1.0 §2.2: control characters, U+FFFE, U+FFFF, broken UTF-8) as
// U+FFFD.
func xmlEscape(b *strings.Builder, s string) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r < 0x20 && r != '\t', r == 0xfffe, r == 0xffff:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r) // utf8.RuneError for broken UTF-8
		}
	}
}

// hexColor is c as #rrggbb.
func hexColor(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

// screenText is a view as plain text: colours gone, trailing spaces cut.
func screenText(view string) []byte {
	lines := strings.Split(ansi.Strip(view), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// savedMsg says where a screenshot went.
type savedMsg struct {
	names []string
	err   error
}

// saveCmd writes view as an SVG image and as plain text into dir, named
// after base ("seed-spf-fail-step-3.svg"); a name taken gets a number
// ("-2") rather than replacing a file.
func saveCmd(th *theme, dir, base, view string) tea.Cmd {
	return func() tea.Msg {
		name, err := freeName(dir, base, ".svg", ".txt")
		if err != nil {
			return savedMsg{err: err}
		}
		svg, txt := filepath.Join(dir, name+".svg"), filepath.Join(dir, name+".txt")
		if err := os.WriteFile(svg, screenSVG(th, view), 0o644); err != nil {
			return savedMsg{err: err}
		}
		if err := os.WriteFile(txt, screenText(view), 0o644); err != nil {
			return savedMsg{err: err}
		}
		return savedMsg{names: []string{svg, txt}}
	}
}

// freeName returns base, or base-2, base-3..., the first for which no file
// with any of exts exists in dir.
func freeName(dir, base string, exts ...string) (string, error) {
	for n := 1; n < 1000; n++ {
		name := base
		if n > 1 {
			name = base + "-" + strconv.Itoa(n)
		}
		free := true
		for _, ext := range exts {
			_, err := os.Stat(filepath.Join(dir, name+ext))
			switch {
			case err == nil:
				free = false
			case !errors.Is(err, fs.ErrNotExist):
				return "", fmt.Errorf("screenshot in %s: %w", dir, err)
			}
		}
		if free {
			return name, nil
		}
	}
	return "", fmt.Errorf("screenshot in %s: %s-2 to -999 are all taken", dir, base)
}
