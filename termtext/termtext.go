// Package termtext makes text safe to show on a terminal. What reaches
// spflab's output comes from others — a client on the classroom LAN, a
// domain's DNS, a lesson file from the internet — and may hold control
// characters: an escape sequence that writes the clipboard (OSC 52),
// changes the title or clears the screen, a bare CR that overwrites the
// line. Every text output passes through this one package, which shows
// such characters as visible symbols instead of sending them.
//
// C0 controls and DEL become their Unicode control pictures (ESC is ␛,
// CR is ␍: U+2400 + the code, U+2421 for DEL); C1 controls (U+0080 to
// U+009F, which some terminals obey as 8-bit CSI and OSC) and bytes that
// are not UTF-8 become U+FFFD.
package termtext

import (
	"io"
	"strings"
	"unicode/utf8"
)

// Clean returns s with every control character shown as a visible
// symbol, line breaks and tabs too: for text that must stay on one line.
// It does not allocate when s is clean.
func Clean(s string) string { return clean(s, false) }

// CleanLines is Clean keeping line feeds and tabs, for text of several
// lines.
func CleanLines(s string) string { return clean(s, true) }

func clean(s string, keepLines bool) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && !(keepLines && (c == '\n' || c == '\t')) || c == 0x7f || c >= 0x80 {
			return cleanFrom(s, i, keepLines)
		}
	}
	return s
}

// cleanFrom cleans s from byte i on, the bytes before being clean ASCII.
func cleanFrom(s string, i int, keepLines bool) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	changed := false
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		v := visible(r, n, keepLines)
		if v != r || r == utf8.RuneError && n == 1 {
			changed = true
		}
		b.WriteRune(v)
		i += n
	}
	if !changed {
		return s
	}
	return b.String()
}

// visible is the rune to show for r, which took n bytes.
func visible(r rune, n int, keepLines bool) rune {
	switch {
	case r == utf8.RuneError && n == 1:
		return utf8.RuneError
	case r < 0x20 && keepLines && (r == '\n' || r == '\t'):
		return r
	case r < 0x20:
		return 0x2400 + r
	case r == 0x7f:
		return '␡'
	case r >= 0x80 && r < 0xa0:
		return utf8.RuneError
	}
	return r
}

// A Writer passes what is written to it on with CleanLines applied: line
// feeds and tabs pass, every other control character is shown as a
// symbol. A UTF-8 sequence split across writes is kept until it is whole.
type Writer struct {
	w       io.Writer
	partial []byte // the start of a UTF-8 sequence cut by the last write
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write cleans p and writes it. It reports len(p) when the cleaned text
// was written whole.
func (cw *Writer) Write(p []byte) (int, error) {
	data := p
	if len(cw.partial) > 0 {
		data = append(cw.partial, p...)
		cw.partial = nil
	}
	// Keep an incomplete UTF-8 sequence at the end for the next write.
	if cut := incompleteTail(data); cut > 0 {
		cw.partial = append([]byte(nil), data[len(data)-cut:]...)
		data = data[:len(data)-cut]
	}
	if _, err := io.WriteString(cw.w, CleanLines(string(data))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes a UTF-8 sequence left incomplete by the last write, as
// U+FFFD.
func (cw *Writer) Flush() error {
	if len(cw.partial) == 0 {
		return nil
	}
	cw.partial = nil
	_, err := io.WriteString(cw.w, string(utf8.RuneError))
	return err
}

// incompleteTail returns how many bytes at the end of b start a UTF-8
// sequence that is not complete yet, 0 when none.
func incompleteTail(b []byte) int {
	for n := 1; n <= utf8.UTFMax-1 && n <= len(b); n++ {
		c := b[len(b)-n]
		if c < 0x80 {
			return 0 // ASCII: nothing pending
		}
		if c >= 0xc0 { // a leading byte: is its sequence complete?
			if utf8.FullRune(b[len(b)-n:]) {
				return 0
			}
			return n
		}
	}
	return 0
}
