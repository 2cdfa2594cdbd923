package dkim_test

import (
	"context"
	"strings"
	"testing"

	"spflab/dkim"
	"spflab/spf"
)

// TestEventWords checks the parts of every kind of event a verification
// reports: no empty part, the verdict's result word in a part of its own
// with RoleResult, the body hash verdict as a match or as bad, and
// String being the parts joined.
func TestEventWords(t *testing.T) {
	key := parseKey(t, ed25519PEM(3))
	z := zoneWith(t, map[string]string{"lab._domainkey.euston.net": key.Record()})
	good := sign(t, message, key, "euston.net", "lab")
	tampered := []byte(strings.Replace(string(good), "The figures", "Tho figures", 1))
	tests := []struct {
		name  string
		msg   []byte
		kinds string // the kinds of events, in order
		body  spf.Role
	}{
		{"signed", good, "signature key-query body-hash verdict", spf.RoleMatch},
		{"tampered", tampered, "signature key-query body-hash verdict", spf.RoleBad},
		{"unsigned", []byte(message), "verdict", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var events []dkim.Event
			v := &dkim.Verifier{Resolver: z, Listener: func(e dkim.Event) { events = append(events, e) }}
			sigs, err := v.Verify(context.Background(), tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, e := range events {
				kinds = append(kinds, e.Kind.String())
				w := e.Words()
				if w.String() != e.String() {
					t.Errorf("%s: Words %q, String %q", e.Kind, w.String(), e.String())
				}
				for _, p := range w {
					if p.Text == "" {
						t.Errorf("%s: an empty part in %q", e.Kind, e.String())
					}
				}
				switch e.Kind {
				case dkim.EventVerdict:
					if n := countRole(w, spf.RoleResult); n != 1 || !hasPart(w, string(sigs[0].Result), spf.RoleResult) {
						t.Errorf("verdict %q: want the result %q as its one RoleResult part, got %+v", e.String(), sigs[0].Result, w)
					}
				case dkim.EventBodyHash:
					if countRole(w, tt.body) != 1 {
						t.Errorf("body hash %q: want one part with role %d, got %+v", e.String(), tt.body, w)
					}
				case dkim.EventSignature:
					if !hasPart(w, "d=euston.net s=lab", spf.RoleSubject) {
						t.Errorf("signature %q: the tags are not its subject: %+v", e.String(), w)
					}
				}
			}
			if got := strings.Join(kinds, " "); got != tt.kinds {
				t.Errorf("events %q, want %q", got, tt.kinds)
			}
		})
	}
}

func countRole(w spf.Words, r spf.Role) int {
	n := 0
	for _, p := range w {
		if p.Role == r {
			n++
		}
	}
	return n
}

func hasPart(w spf.Words, text string, r spf.Role) bool {
	for _, p := range w {
		if p.Text == text && p.Role == r {
			return true
		}
	}
	return false
}
