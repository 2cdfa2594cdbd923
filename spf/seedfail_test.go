package spf_test

import (
	"context"
	"net/netip"
	"testing"

	"spflab/spf"
)

// BenchmarkSeedFail is the seed's rejected sender: euston.net's record
// checked for www.euston.net's address, without and with a listener.
func BenchmarkSeedFail(b *testing.B) {
	z := zone(b, `
euston.net:
  - TXT: v=spf1 ip4:192.0.2.25 a:mail.euston.net -all
mail.euston.net:
  - A: 192.0.2.25
`)
	ip := netip.MustParseAddr("192.0.2.80")
	for name, l := range map[string]spf.Listener{"plain": nil, "listener": func(*spf.Event) {}} {
		c := spf.Checker{Resolver: z, Listener: l}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.Check(context.Background(), ip, "mail.euston.net", "honeypot@euston.net")
			}
		})
	}
}
