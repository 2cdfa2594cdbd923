package dmarc_test

import (
	"context"
	"testing"

	"spflab/dmarc"
	"spflab/spf"
)

// TestEventWords checks the parts of the events of evaluations that
// reach every kind: no empty part, String being the parts joined, the
// result word as the one RoleResult part of a result, the verdict of an
// alignment as a match or not, and the disposition coloured by how much
// it does.
func TestEventWords(t *testing.T) {
	z := zone(t, world)
	c := &dmarc.Checker{Resolver: z}
	seen := map[dmarc.EventKind]bool{}
	c.Listener = func(e dmarc.Event) {
		seen[e.Kind] = true
		w := e.Words()
		if w.String() != e.String() {
			t.Errorf("%s: Words %q, String %q", e.Kind, w.String(), e.String())
		}
		for _, p := range w {
			if p.Text == "" {
				t.Errorf("%s: an empty part in %q", e.Kind, e.String())
			}
		}
		last := w[len(w)-1]
		switch e.Kind {
		case dmarc.EventResult:
			n := 0
			for _, p := range w {
				if p.Role == spf.RoleResult {
					n++
					if p.Text != string(e.Result) {
						t.Errorf("result %q: the RoleResult part is %q", e.String(), p.Text)
					}
				}
			}
			if n != 1 {
				t.Errorf("result %q: %d RoleResult parts, want 1", e.String(), n)
			}
		case dmarc.EventAlign:
			want := spf.RoleNoMatch
			if e.Aligned {
				want = spf.RoleMatch
			}
			if last.Role != want {
				t.Errorf("align %q: the verdict %q has role %d, want %d", e.String(), last.Text, last.Role, want)
			}
		case dmarc.EventPolicy:
			want := map[dmarc.Policy]spf.Role{dmarc.PolicyReject: spf.RoleBad, dmarc.PolicyQuarantine: spf.RoleWarn, dmarc.PolicyNone: spf.RoleText}[e.Disposition]
			if last.Text != string(e.Disposition) || last.Role != want {
				t.Errorf("policy %q: the disposition part is %+v, want %q with role %d", e.String(), last, e.Disposition, want)
			}
		}
	}
	for _, m := range []dmarc.Message{
		{From: []string{"ceo@euston.net"}, SPF: dmarc.SPF{Domain: "bounce.euston.net", Result: "pass"}},
		{From: []string{"ceo@ghost.euston.net"}, SPF: dmarc.SPF{Domain: "forger.example", Result: "pass"}},
		{From: []string{"ceo@sub.euston.net"}, SPF: dmarc.SPF{Domain: "mail.euston.net", Result: "pass"}},
		{From: []string{"x@strict.example"}, DKIM: []dmarc.DKIM{{Domain: "mail.strict.example", Selector: "s", Result: "pass"}, {Domain: "strict.example", Selector: "t", Result: "fail"}}},
		{From: []string{"x@testing.example", "y@nobody.example"}},
		{From: []string{"x@badreported.example"}},
		{From: nil},
	} {
		c.Check(context.Background(), m)
	}
	for k := dmarc.EventAuthor; k <= dmarc.EventResult; k++ {
		if !seen[k] {
			t.Errorf("no %s event: the evaluations above should reach every kind", k)
		}
	}
}
