package tui

import (
	"encoding/xml"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestSaveScreen saves the 550 of spf-fail with s, twice: an SVG and a
// text file named after the lesson and step, then the same with -2.
func TestSaveScreen(t *testing.T) {
	dir := t.TempDir()
	m := startLab(t, Options{ScreenDir: dir, Lesson: "spf-fail"}, 80, 24)
	press(m, "space", "space", "space")
	screen := m.render()
	press(m, "s")
	base := filepath.Join(dir, "spf-fail-step-3")
	if m.status != "Saved "+base+".svg and "+base+".txt." {
		t.Fatalf("status %q", m.status)
	}
	txt, err := os.ReadFile(base + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	if want := string(screenText(screen)); string(txt) != want || !strings.Contains(want, "550 5.7.23") || strings.Contains(want, " \n") {
		t.Errorf("the text:\n%s\nwant:\n%s", txt, want)
	}
	svg, err := os.ReadFile(base + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	checkSVG(t, m.th, svg, screen)

	press(m, "s")
	for _, ext := range []string{".svg", ".txt"} {
		if _, err := os.Stat(base + "-2" + ext); err != nil {
			t.Errorf("the second save: %v", err)
		}
	}
}

// checkSVG parses an SVG of screen: it is XML, its text runs put back the
// screen's text in its cells, and the 550's code is in the theme's red on
// reversed cells.
func checkSVG(t *testing.T, th *theme, svg []byte, screen string) {
	t.Helper()
	var doc struct {
		Rects []struct {
			Fill string `xml:"fill,attr"`
		} `xml:"rect"`
		G struct {
			Font  string `xml:"font-family,attr"`
			Rects []struct {
				Fill string `xml:"fill,attr"`
			} `xml:"rect"`
			Texts []struct {
				X      float64 `xml:"x,attr"`
				Y      float64 `xml:"y,attr"`
				Fill   string  `xml:"fill,attr"`
				Length float64 `xml:"textLength,attr"`
				Text   string  `xml:",chardata"`
			} `xml:"text"`
		} `xml:"g"`
	}
	if err := xml.Unmarshal(svg, &doc); err != nil {
		t.Fatalf("the SVG is not XML: %v\n%s", err, svg)
	}
	if len(doc.Rects) != 1 || doc.Rects[0].Fill != hexColor(th.bg) || !strings.Contains(doc.G.Font, "monospace") {
		t.Errorf("background %+v, font %q", doc.Rects, doc.G.Font)
	}
	// Put the runs back on a grid of the screen's size.
	lines := strings.Split(ansi.Strip(screen), "\n")
	grid := make([][]rune, len(lines))
	for i := range grid {
		grid[i] = []rune(strings.Repeat(" ", ansi.StringWidth(lines[0])))
	}
	red := hexColor(th.bg) // the reversed 5xx code's text is the background
	found550 := false
	for _, tx := range doc.G.Texts {
		x, y := int(tx.X/svgCellW+0.5), int(tx.Y/svgCellH)
		cells := int(tx.Length/svgCellW + 0.5)
		if textWidth(tx.Text) != cells {
			t.Errorf("%q is stretched over %d cells", tx.Text, cells)
		}
		copy(grid[y][x:], []rune(tx.Text))
		if tx.Text == "550" && tx.Fill == red {
			found550 = true
		}
	}
	for i, l := range lines {
		if got := string(grid[i]); got != l {
			t.Errorf("row %d:\n%q\nwant\n%q", i, got, l)
		}
	}
	var badRed color.Color
	badRed, _ = th.colors(parseScreen(th.bad.on("X"))[0][0].style)
	haveRedBox := false
	for _, r := range doc.G.Rects {
		haveRedBox = haveRedBox || r.Fill == hexColor(badRed)
	}
	if !found550 || !haveRedBox {
		t.Errorf("no reversed red 550 (text %v, box %v)", found550, haveRedBox)
	}
}

// TestParseScreen reads the SGR sequences the paints write.
func TestParseScreen(t *testing.T) {
	th := newTheme(false, false)
	lines := parseScreen("a" + th.badCode.on("5") + "\x1b[48;5;21mb\x1b[0m日\x1b]8;;http://x\x07c\n\x1b[1;3;4;9;38;5;196md")
	if len(lines) != 2 || len(lines[0]) != 6 || lines[0][5].text != "c" || len(lines[1]) != 1 {
		t.Fatalf("lines %+v", lines)
	}
	st := lines[0][1].style
	if fg, bg := th.colors(st); !st.bold || !st.reverse || hexColor(bg) != "#b00020" || fg != th.bg {
		t.Errorf("the 5xx code: %+v", st)
	}
	if hexColor(lines[0][2].style.bg) != "#0000ff" {
		t.Errorf("48;5;21: %+v", lines[0][2].style)
	}
	if lines[0][3].text != "日" || lines[0][4].text != "" || lines[0][3].style != (cellStyle{}) {
		t.Errorf("a wide character: %+v", lines[0][3:])
	}
	if c := lines[1][0]; !c.style.bold || !c.style.italic || !c.style.underline || !c.style.strike || hexColor(c.style.fg) != "#ff0000" {
		t.Errorf("attributes: %+v", c)
	}
}
