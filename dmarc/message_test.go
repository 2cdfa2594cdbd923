package dmarc_test

import (
	"slices"
	"testing"

	"spflab/dkim"
	"spflab/dmarc"
)

// TestNewMessage: the From: fields as the message has them, and the DKIM
// verdicts of the signatures found.
func TestNewMessage(t *testing.T) {
	spfPass := dmarc.SPF{Domain: "bounce.euston.net", Result: "pass"}
	signed := []dkim.Signature{
		{Result: dkim.Pass, Domain: "euston.net", Selector: "lab"},
		{Result: dkim.Fail, Domain: "list.example.org", Selector: "s1"},
	}
	tests := []struct {
		name    string
		message string
		sigs    []dkim.Signature
		from    []string
		dkim    []dmarc.DKIM
	}{
		{"one From, two signatures", "From: CEO <ceo@euston.net>\r\nTo: a@example.com\r\n\r\nbody\r\n", signed,
			[]string{"CEO <ceo@euston.net>"},
			[]dmarc.DKIM{{Domain: "euston.net", Selector: "lab", Result: "pass"}, {Domain: "list.example.org", Selector: "s1", Result: "fail"}}},
		{"two From fields, unsigned", "From: a@euston.net\nFrom: b@example.org\n\nbody\n", []dkim.Signature{{Result: dkim.None}},
			[]string{"a@euston.net", "b@example.org"}, nil},
		{"no From field", "To: a@example.com\n\nbody\n", nil, nil, nil},
		{"a header that cannot be read", "From ceo@euston.net without a colon\n\nbody\n", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := dmarc.NewMessage([]byte(tt.message), spfPass, tt.sigs)
			if !slices.Equal(m.From, tt.from) || !slices.Equal(m.DKIM, tt.dkim) || m.SPF != spfPass {
				t.Errorf("got %+v, want From %q, DKIM %+v", m, tt.from, tt.dkim)
			}
		})
	}
}
