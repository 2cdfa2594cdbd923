package tui

import (
	"context"
	"strings"
	"testing"

	"spflab/scenarios"
)

// TestPredictDMARC: at the end of a message DMARC is checked for, the lab
// asks for the DMARC result after the reply class, and scores both, as it
// does the SPF result at RCPT.
func TestPredictDMARC(t *testing.T) {
	f, err := scenarios.LoadFile("../scenarios.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		keys         []string
		right, total int
	}{
		{[]string{"space", "5", "f"}, 2, 2},
		{[]string{"space", "5", "p"}, 1, 2},
		{[]string{"space", "2", "o"}, 0, 2},
	} {
		t.Run(strings.Join(tt.keys, " "), func(t *testing.T) {
			m, err := New(context.Background(), f, Options{Theme: "dark"})
			if err != nil {
				t.Fatal(err)
			}
			hs := newHarness(t, m, 100, 30)
			hs.openLesson("dmarc-forged-from")
			hs.steps(4) // HELO, MAIL, RCPT, DATA: the message comes next
			hs.press("p")
			hs.press(tt.keys[:2]...)
			hs.idle()
			hs.lab(func(m *Model) {
				if !strings.Contains(plain(m), "And the DMARC result for the From: domain?") {
					t.Fatalf("no DMARC question after the class:\n%s", plain(m))
				}
			})
			hs.press(tt.keys[2:]...)
			hs.idle()
			hs.lab(func(m *Model) {
				g, ok := m.les.scored[5]
				if !ok {
					t.Fatalf("no prediction scored for the message (%d steps done)", m.les.dialogueDone())
				}
				if r, n := g.points(); r != tt.right || n != tt.total {
					t.Errorf("%d/%d right, want %d/%d (%+v)", r, n, tt.right, tt.total, g)
				}
				if !strings.Contains(plain(m), "DMARC fail") {
					t.Errorf("the narration does not tell the DMARC result:\n%s", plain(m))
				}
			})
		})
	}
}
