package dmarc

import (
	"slices"
	"strings"
	"testing"
)

func TestTreeWalk(t *testing.T) {
	tests := []struct {
		domain string
		want   string // the names queried, space-separated
	}{
		{"com", "com"},
		{"euston.net", "euston.net net"},
		{"a.mail.example.com", "a.mail.example.com mail.example.com example.com com"},
		// Seven labels: one label at a time.
		{"a.b.c.d.e.example.com", "a.b.c.d.e.example.com b.c.d.e.example.com c.d.e.example.com d.e.example.com e.example.com example.com com"},
		// Eight labels: x >= 8 keeps seven, which is one label fewer.
		{"a.b.c.d.e.f.example.com", "a.b.c.d.e.f.example.com b.c.d.e.f.example.com c.d.e.f.example.com d.e.f.example.com e.f.example.com f.example.com example.com com"},
		// RFC 9989 §4.10's example: eight queries for thirteen labels.
		{"a.b.c.d.e.f.g.h.i.j.mail.example.com", "a.b.c.d.e.f.g.h.i.j.mail.example.com g.h.i.j.mail.example.com h.i.j.mail.example.com i.j.mail.example.com j.mail.example.com mail.example.com example.com com"},
		// RFC 9989 §5.1.8's example: the record at b.c.d.e.f.g.example.com is never seen.
		{"mail.a.b.c.d.e.f.g.example.com", "mail.a.b.c.d.e.f.g.example.com c.d.e.f.g.example.com d.e.f.g.example.com e.f.g.example.com f.g.example.com g.example.com example.com com"},
	}
	for _, tt := range tests {
		got := treeWalk(tt.domain)
		if want := strings.Fields(tt.want); !slices.Equal(got, want) {
			t.Errorf("treeWalk(%q) = %q, want %q", tt.domain, got, want)
		}
		if len(got) > maxWalkQueries {
			t.Errorf("treeWalk(%q) makes %d queries, more than %d", tt.domain, len(got), maxWalkQueries)
		}
	}
}

func TestOneBelow(t *testing.T) {
	tests := []struct{ name, parent, want string }{
		{"mail.mega.bank.example", "bank.example", "mega.bank.example"},
		{"giant.bank.example", "bank.example", "giant.bank.example"},
		{"a.mail.example.com", "com", "example.com"},
	}
	for _, tt := range tests {
		if got := oneBelow(tt.name, tt.parent); got != tt.want {
			t.Errorf("oneBelow(%q, %q) = %q, want %q", tt.name, tt.parent, got, tt.want)
		}
	}
}

// The examples of RFC 3492 §7.1 and common ones.
func TestToASCII(t *testing.T) {
	tests := []struct{ in, want string }{
		{"euston.net", "euston.net"},
		{"Bücher.Example", "xn--bcher-kva.example"},
		{"münchen.de", "xn--mnchen-3ya.de"},
		{"ليهمابتكلموشعربي؟", "xn--egbpdaj6bu4bxfgehfvwxn"},
		{"他们为什么不说中文", "xn--ihqwcrb4cv8a8dqg056pqjye"},
		{"почемужеонинеговорятпорусски", "xn--b1abfaaepdrnnbgefbadotcwatmq2g4l"},
	}
	for _, tt := range tests {
		if got, ok := toASCII(tt.in); !ok || got != tt.want {
			t.Errorf("toASCII(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	if _, ok := toASCII("bad\xffname"); ok {
		t.Error("toASCII accepted a name that is not UTF-8")
	}
}
