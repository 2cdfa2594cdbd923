package fakedns_test

import (
	"testing"

	"github.com/miekg/dns"

	"spflab/fakedns"
)

// FuzzServerPacket feeds raw packets to the server's answering code as
// miekg/dns hands them over: no panic, and every answer packs, keeps the
// query's ID and fits the transport: over UDP 512 octets, or the query's
// EDNS0 size up to 1232.
func FuzzServerPacket(f *testing.F) {
	z := mustZone(f, liveZoneData)
	z.TimeoutErrorNames = true
	for _, q := range []struct {
		name  string
		qtype uint16
	}{{"example.com.", dns.TypeTXT}, {"big.example.com.", dns.TypeTXT}, {"www.example.com.", dns.TypeA}, {"nowhere.example.com.", dns.TypeMX}} {
		m := new(dns.Msg).SetQuestion(q.name, q.qtype)
		b, _ := m.Pack()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req := new(dns.Msg)
		if req.Unpack(data) != nil {
			return // miekg/dns drops it or answers FORMERR itself
		}
		for _, udp := range []bool{true, false} {
			resp := fakedns.Reply(z, req, udp)
			if resp == nil {
				continue
			}
			b, err := resp.Pack()
			if err != nil {
				t.Fatalf("answer to %v does not pack: %v", req.Question, err)
			}
			limit := dns.MaxMsgSize
			if udp {
				limit = dns.MinMsgSize
				if opt := req.IsEdns0(); opt != nil {
					limit = min(max(limit, int(opt.UDPSize())), fakedns.MaxUDPSize)
				}
			}
			if resp.Id != req.Id || len(b) > limit {
				t.Fatalf("answer id %d (query %d), %d octets for a limit of %d", resp.Id, req.Id, len(b), limit)
			}
		}
	})
}
