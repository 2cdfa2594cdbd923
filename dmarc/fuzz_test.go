package dmarc_test

import (
	"errors"
	"strings"
	"testing"

	"spflab/dmarc"
)

// FuzzParse checks that any text is either not a DMARC record, with a
// *SyntaxError whose column is inside it, or a record whose tags and
// problems point into it; never a panic.
func FuzzParse(f *testing.F) {
	f.Add("v=DMARC1; p=reject")
	f.Add("v=DMARC1; p=quarantine; sp=none; np=reject; psd=n; t=y; adkim=s; aspf=r; rua=mailto:a@example.com!10m, mailto:b@example.com; ruf=mailto:f@example.com; fo=0:d")
	f.Fuzz(func(t *testing.T, text string) {
		r, err := dmarc.Parse(text)
		if err != nil {
			var se *dmarc.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): %v is not a *SyntaxError", text, err)
			}
			if se.Column < 1 || se.Column > len(text)+1 {
				t.Fatalf("Parse(%q): column %d outside the text", text, se.Column)
			}
			if dmarc.IsRecord(text) {
				t.Fatalf("IsRecord(%q) is true but Parse fails", text)
			}
			return
		}
		if !dmarc.IsRecord(text) {
			t.Fatalf("Parse(%q) succeeds but IsRecord is false", text)
		}
		for _, tag := range r.Tags {
			if tag.Column < 1 || !strings.EqualFold(text[tag.Column-1:min(len(text), tag.Column-1+len(tag.Name))], tag.Name) {
				t.Fatalf("Parse(%q): tag %q does not sit at column %d", text, tag.Name, tag.Column)
			}
			if !strings.Contains(text[tag.Column-1:], tag.Value) {
				t.Fatalf("Parse(%q): the value %q of %q is not after its column", text, tag.Value, tag.Name)
			}
		}
		for _, p := range r.Problems {
			if p.Column < 1 || p.Column > len(text)+1 {
				t.Fatalf("Parse(%q): problem %v outside the text", text, p)
			}
		}
		for _, p := range []dmarc.Policy{r.Policy, r.SubdomainPolicy, r.NonExistentPolicy} {
			if p != "" && p != dmarc.PolicyNone && p != dmarc.PolicyQuarantine && p != dmarc.PolicyReject {
				t.Fatalf("Parse(%q): policy %q", text, p)
			}
		}
	})
}
