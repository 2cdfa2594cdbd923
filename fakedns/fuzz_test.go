package fakedns_test

import (
	"encoding/binary"
	"testing"

	"github.com/miekg/dns"

	"spflab/fakedns"
)

// FuzzServerPacket feeds raw packets to the server as it reads them over
// UDP: no panic; a packet is a query, a refusal or ignored (shorter than a
// header, or a response); every refusal and answer packs and keeps the
// query's ID, and every answer fits the transport: over UDP 512 octets, or
// the query's EDNS0 size up to 1232.
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
	query, _ := new(dns.Msg).SetQuestion("example.com.", dns.TypeTXT).Pack()
	for _, bits := range []uint16{0x8000 /* a response */, 5 << 11 /* UPDATE */, 4 << 11 /* NOTIFY */} {
		p := append([]byte(nil), query...)
		binary.BigEndian.PutUint16(p[2:], bits)
		f.Add(p)
	}
	f.Add(query[:11])
	f.Add(query[:len(query)-3])
	f.Fuzz(func(t *testing.T, data []byte) {
		req, refusal := fakedns.ReadQuery(data)
		switch {
		case req != nil && refusal != nil:
			t.Fatal("both a query and a refusal")
		case refusal != nil:
			if _, err := refusal.Pack(); err != nil || !refusal.Response || refusal.Rcode == dns.RcodeSuccess || refusal.Id != binary.BigEndian.Uint16(data) {
				t.Fatalf("refusal %v (pack: %v)", refusal, err)
			}
			return
		case req == nil:
			if len(data) >= 12 && data[2]&0x80 == 0 {
				t.Fatalf("a %d-octet query was ignored", len(data))
			}
			return
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
