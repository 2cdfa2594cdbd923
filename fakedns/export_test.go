package fakedns

import "github.com/miekg/dns"

// Reply is the zone's answer to req as the server sends it over UDP or
// TCP, for the external tests.
func Reply(z *Zone, req *dns.Msg, udp bool) *dns.Msg {
	resp, _, _ := z.reply(req, udp)
	return resp
}

// MaxUDPSize is the cap on answers over UDP.
const MaxUDPSize = maxUDPSize

// ReadQuery is how the server reads a packet received over UDP.
func ReadQuery(p []byte) (req, refusal *dns.Msg) { return readQuery(p) }
