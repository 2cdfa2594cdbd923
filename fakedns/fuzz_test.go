package fakedns

import (
	"regexp"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// errLine is how every error of ParseZoneData starts: the file and a line.
var errLine = regexp.MustCompile(`^fuzz\.yml:[0-9]+: `)

// FuzzParseZoneData checks that no input panics and that every error names
// the file and a line.
func FuzzParseZoneData(f *testing.F) {
	f.Add([]byte(testZoneData))
	f.Fuzz(func(t *testing.T, data []byte) {
		z, err := ParseZoneData(data, "fuzz.yml")
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !errLine.MatchString(line) && !strings.HasPrefix(line, "fuzz.yml: ") {
					t.Fatalf("error line %q does not name the file and line", line)
				}
			}
			return
		}
		for _, name := range z.Names() {
			lookup(z, "TXT", name)
			lookup(z, "MX", name)
			lookup(z, "A", name)
		}
	})
}

// FuzzServerPacket feeds raw packets to the server's answering code as
// miekg/dns hands them over: no panic, and every answer packs, keeps the
// query's ID and fits the transport.
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
		for _, limit := range []int{dns.MinMsgSize, dns.MaxMsgSize} {
			resp, _ := z.Reply(req, limit)
			if resp == nil {
				continue
			}
			b, err := resp.Pack()
			if err != nil {
				t.Fatalf("answer to %v does not pack: %v", req.Question, err)
			}
			if opt := req.IsEdns0(); opt != nil {
				limit = max(limit, int(opt.UDPSize()))
			}
			if resp.Id != req.Id || len(b) > limit {
				t.Fatalf("answer id %d (query %d), %d octets for a limit of %d", resp.Id, req.Id, len(b), limit)
			}
		}
	})
}
