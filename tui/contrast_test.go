package tui

import (
	"fmt"
	"image/color"
	"math"
	"reflect"
	"testing"

	"charm.land/lipgloss/v2"
)

// luminance is the relative luminance of c (WCAG 2.2, "relative
// luminance").
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the WCAG contrast ratio of two colours, 1 to 21.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// themePaints returns every style a theme draws text with, by name: its
// paints, and the styles of the keys and of the text inputs.
func themePaints(th *theme) map[string]paint {
	out := map[string]paint{}
	v := reflect.ValueOf(th).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Type() == reflect.TypeFor[paint]() {
			out[v.Type().Field(i).Name] = paint{f.Field(0).String(), f.Field(1).String()}
		}
	}
	styles := map[string]lipgloss.Style{
		"help.ShortKey": th.help.ShortKey, "help.ShortDesc": th.help.ShortDesc, "help.ShortSeparator": th.help.ShortSeparator,
		"help.FullKey": th.help.FullKey, "help.FullDesc": th.help.FullDesc, "help.FullSeparator": th.help.FullSeparator,
		"help.Ellipsis": th.help.Ellipsis,
		"input.Prompt":  th.input.Focused.Prompt, "input.Text": th.input.Focused.Text, "input.Placeholder": th.input.Focused.Placeholder,
	}
	for name, s := range styles {
		out[name] = newPaint(s)
	}
	return out
}

// TestThemeContrast computes, from the themes' colours, the contrast of
// every foreground with its background, in both themes, in presenter mode
// or not: each reaches WCAG AA, 4.5:1.
func TestThemeContrast(t *testing.T) {
	for _, dark := range []bool{true, false} {
		for _, presenter := range []bool{false, true} {
			th := newTheme(dark, presenter)
			paints := themePaints(th)
			if len(paints) < 30 {
				t.Fatalf("only %d paints found", len(paints))
			}
			for name, p := range paints {
				st := parseScreen(p.on("X"))[0][0].style
				fg, bg := th.colors(st)
				if r := contrast(fg, bg); r < 4.5 {
					t.Errorf("dark %v presenter %v: %s is %s on %s, %.2f:1", dark, presenter, name, hexColor(fg), hexColor(bg), r)
				}
			}
		}
	}
}

// TestContrastFormula checks the formula on known pairs.
func TestContrastFormula(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want float64
	}{{"#000000", "#ffffff", 21}, {"#767676", "#ffffff", 4.54}, {"#ffffff", "#ffffff", 1}} {
		a, b := lipgloss.Color(tt.a), lipgloss.Color(tt.b)
		if got := contrast(a, b); fmt.Sprintf("%.2f", got) != fmt.Sprintf("%.2f", tt.want) {
			t.Errorf("%s on %s: %.2f, want %.2f", tt.a, tt.b, got, tt.want)
		}
	}
}
