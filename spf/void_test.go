package spf_test

import (
	"context"
	"net/netip"
	"testing"

	"spflab/spf"
)

// TestVoidMarksTermLookupsOnly: a DNS event is marked void only when the
// lookup counts against the void limit, which only terms' lookups do (RFC
// 7208 §4.6.4): a domain without a TXT record, or an exp= target without
// one, is not a void lookup, while a:missing is.
func TestVoidMarksTermLookupsOnly(t *testing.T) {
	z := zone(t, `
norecord.example:
  - A: 192.0.2.1
example.com:
  - TXT: v=spf1 a:missing.example.com -all exp=noexp.example.com
noexp.example.com:
  - A: 192.0.2.1
`)
	tests := []struct {
		domain   string
		wantVoid []string // the names of the DNS events marked void
		counted  int
	}{
		{"norecord.example", nil, 0},
		{"example.com", []string{"missing.example.com"}, 1},
	}
	for _, tt := range tests {
		var void []string
		c := spf.Checker{Resolver: z, Listener: func(e *spf.Event) {
			if e.Kind == spf.EventDNS && e.Void {
				void = append(void, e.Name)
			}
		}}
		o := c.CheckHost(context.Background(), netip.MustParseAddr("192.0.2.80"), tt.domain, "joe@"+tt.domain, "h")
		if len(void) != len(tt.wantVoid) || len(void) > 0 && void[0] != tt.wantVoid[0] {
			t.Errorf("%s: void lookups marked %v, want %v", tt.domain, void, tt.wantVoid)
		}
		if o.Counters.VoidLookups != tt.counted {
			t.Errorf("%s: void counter %d, want %d", tt.domain, o.Counters.VoidLookups, tt.counted)
		}
	}
}
