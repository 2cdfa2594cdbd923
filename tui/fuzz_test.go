package tui

import (
	"encoding/xml"
	"net/netip"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"spflab/smtpsim"
	"spflab/spf"
)

// FuzzWrap wraps any text to any width: no line is wider than the width
// (but for a single character wider than it), no line after the first
// begins with a space, and no character but the spaces broken at is lost
// or added.
//
//	go test -run '^$' -fuzz FuzzWrap -fuzztime 20s ./tui
func FuzzWrap(f *testing.F) {
	f.Add("C: MAIL From:<honeypot@euston.net>", 12, 3)
	f.Add("550 5.7.23 SPF test returned fail for 192.0.2.80: ip=192.0.2.80", 20, 4)
	f.Add("averyveryverylongwordwithoutanyspace", 7, 0)
	f.Add("日本語のテキスト mixed with ascii", 5, 2)
	f.Add("  leading  and   double spaces  ", 4, 1)
	f.Add("exactly fills", 7, 0) // a word that exactly fills a line
	f.Add("lookups: ten DNS-querying terms", 12, 4)
	f.Fuzz(func(t *testing.T, text string, width, hang int) {
		width, hang = width%200, hang%50
		if width < 1 || hang < 0 {
			return
		}
		half := len(text) / 2
		for half > 0 && !utf8.RuneStart(text[half]) {
			half--
		}
		p := paint{"<", ">"}
		lines := wrapHang([]seg{{text[:half], p}, {text[half:], paint{}}}, width, hang)
		var got strings.Builder
		for i, l := range lines {
			w, runes := 0, 0
			for _, s := range l {
				w += textWidth(s.text)
				runes += len([]rune(s.text))
				got.WriteString(s.text)
			}
			limit := width
			if i > 0 && hang < width {
				limit = width - hang
			}
			if w > limit && runes > 1 {
				t.Fatalf("line %d is %d cells wide, over %d: %q", i, w, limit, l)
			}
			if i > 0 && len(l) > 0 && strings.HasPrefix(l[0].text, " ") {
				t.Fatalf("line %d begins with a space: %q", i, lines)
			}
		}
		want := strings.ReplaceAll(clean(text), " ", "")
		if g := strings.ReplaceAll(got.String(), " ", ""); g != want {
			t.Fatalf("wrapping changed the text:\n%q\n%q", g, want)
		}
	})
}

// FuzzPanes draws a dialogue whose client line, reply and SPF record are
// any text, as a student's nc could send and a zone could hold: the panes
// are exactly their size and nothing but the views' own styles reaches
// the terminal (no escape sequence, no control character).
//
//	go test -run '^$' -fuzz FuzzPanes -fuzztime 20s ./tui
func FuzzPanes(f *testing.F) {
	f.Add("HELO mail.euston.net", "Hello mail.euston.net", "v=spf1 ip4:192.0.2.25 -all", 80, 24)
	f.Add("MAIL FROM:<\x1b[2J\x1b[H@x>", "Roger \x1b]0;owned\x07", "v=spf1 \t-all", 41, 12)
	f.Add("RCPT TO:<\xff\xfe>", "\u202eevil", "v=spf1 a:\u00e9\u0301.example -all", 120, 40)
	f.Fuzz(func(t *testing.T, line, replyText, record string, w, h int) {
		w, h = 40+abs(w)%160, 12+abs(h)%50
		th := newTheme(true, false)
		var tr transcript
		ev := func(e smtpsim.Event) { tr.add(entry{ev: &e, group: -1}) }
		ev(smtpsim.Event{Kind: smtpsim.EventClientLine, Line: line, Command: "RCPT"})
		ev(smtpsim.Event{Kind: smtpsim.EventSPF, SPF: &spf.Event{Kind: spf.EventRecord, Domain: "euston.net", Record: record}})
		ev(smtpsim.Event{Kind: smtpsim.EventSPF, SPF: &spf.Event{Kind: spf.EventTerm, Term: record, Depth: 1, Match: true, Result: spf.Fail, IP: netip.MustParseAddr("192.0.2.80")}})
		ev(smtpsim.Event{Kind: smtpsim.EventHELO, HELO: &smtpsim.HELOCheck{Claimed: line, Name: replyText}})
		ev(smtpsim.Event{Kind: smtpsim.EventHeader, Field: &smtpsim.Field{Name: "Received-SPF", Value: record}})
		ev(smtpsim.Event{Kind: smtpsim.EventReply, Command: line, Reply: &smtpsim.Reply{Code: 550, Enhanced: "5.7.23", Lines: []string{replyText, replyText}}})
		smtp, _, _ := dialoguePane(th, &tr, paneView{title: line, w: w, h: h, top: -1}, -1, nil)
		server, _ := serverPane(th, &tr, paneView{w: w, h: h, top: -1}, 0)
		for _, pane := range []string{smtp, server} {
			checkFrame(t, pane, w, h)
			for _, r := range ansi.Strip(pane) {
				if r != '\n' && (unicode.IsControl(r) || r == 0x1b) {
					t.Fatalf("control character %U reaches the terminal:\n%q", r, pane)
				}
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// FuzzScreenSVG reads any text as a screen, raw and in the theme's
// paints: reading never panics, every cell holds printable text, and the
// SVG drawn from it is XML whose text runs hold the screen's text.
//
//	go test -run '^$' -fuzz FuzzScreenSVG -fuzztime 20s ./tui
func FuzzScreenSVG(f *testing.F) {
	f.Add("550 5.7.23 SPF test returned fail")
	f.Add("\x1b[1;4;38;2;255;215;95;4m451\x1b[m <tag> & \"q\"")
	f.Add("\x1b[38;5;300m\x1b[48;2;1m\x1b]8;;x\x07日本\u0301\xff\ufffe")
	f.Fuzz(func(t *testing.T, text string) {
		th := newTheme(false, true)
		for _, view := range []string{text, th.badCode.on(clean(text)) + "\n" + th.lab.on(clean(text))} {
			for _, line := range parseScreen(view) {
				for _, c := range line {
					for _, r := range c.text {
						if r < 0x20 || r == 0x7f || r == 0x1b {
							t.Fatalf("control character %U in a cell of %q", r, view)
						}
					}
				}
			}
			var doc struct {
				Texts []string `xml:"g>text"`
			}
			if err := xml.Unmarshal(screenSVG(th, view), &doc); err != nil {
				t.Fatalf("the SVG of %q is not XML: %v", view, err)
			}
		}
		// The painted text comes back from the SVG's runs.
		want := strings.ReplaceAll(clean(text), " ", "")
		var doc struct {
			Texts []string `xml:"g>text"`
		}
		if err := xml.Unmarshal(screenSVG(th, th.badCode.on(clean(text))), &doc); err != nil {
			t.Fatal(err)
		}
		if got := strings.ReplaceAll(strings.Join(doc.Texts, ""), " ", ""); utf8.ValidString(want) && !strings.ContainsRune(want, 0xfffe) && !strings.ContainsRune(want, 0xffff) && got != want {
			t.Fatalf("the SVG holds %q, want %q", got, want)
		}
	})
}
