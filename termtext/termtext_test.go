package termtext

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct{ in, want, lines string }{
		{"plain text", "plain text", "plain text"},
		{"HELO \x1b]52;c;aGk=\x07", "HELO ␛]52;c;aGk=␇", "HELO ␛]52;c;aGk=␇"},
		{"250-Hello x\rMAIL", "250-Hello x␍MAIL", "250-Hello x␍MAIL"},
		{"two\nlines\tand tab", "two␊lines␉and tab", "two\nlines\tand tab"},
		{"c1 \u009b2J csi", "c1 \uFFFD2J csi", "c1 \uFFFD2J csi"},
		{"bad \xff utf8", "bad \uFFFD utf8", "bad \uFFFD utf8"},
		{"del \x7f", "del ␡", "del ␡"},
		{"ünïcode → ok", "ünïcode → ok", "ünïcode → ok"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := CleanLines(tt.in); got != tt.lines {
			t.Errorf("CleanLines(%q) = %q, want %q", tt.in, got, tt.lines)
		}
	}
}

// TestWriterSplitRunes: a rune cut between two writes comes out whole.
func TestWriterSplitRunes(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	in := "→ é \x1b[2J ok"
	for i := 0; i < len(in); i++ {
		if n, err := w.Write([]byte{in[i]}); n != 1 || err != nil {
			t.Fatalf("Write: %d, %v", n, err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := "→ é ␛[2J ok"; out.String() != want {
		t.Errorf("wrote %q, want %q", out.String(), want)
	}
}

// FuzzClean: the output never holds a control character but line feeds
// and tabs (CleanLines), is valid UTF-8, and clean text passes unchanged.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b]52;c;aGk=\x07", "a\rb", "\u009b", "\xff\xfe", "é\n\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, got := range []string{Clean(s), CleanLines(s)} {
			if !utf8.ValidString(got) {
				t.Fatalf("not UTF-8: %q", got)
			}
			for _, r := range got {
				if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 {
					t.Fatalf("control %U left in %q", r, got)
				}
			}
		}
		if strings.ContainsAny(Clean(s), "\n\t") {
			t.Fatalf("Clean left a line break or tab: %q", Clean(s))
		}
		if c := CleanLines(s); CleanLines(c) != c {
			t.Fatalf("CleanLines is not idempotent on %q", s)
		}
	})
}
