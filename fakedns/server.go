package fakedns

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"spflab/internal/dnstext"
)

// maxUDPSize caps every answer over UDP, whatever EDNS0 size the client
// offers (RFC 6891 §6.2.5 lets a server choose less): 1232 octets fit any
// path without fragmentation (the DNS Flag Day 2020 value), and a larger
// answer sets TC so that the client asks again over TCP, which a spoofed
// source cannot. A 40-octet query thus never draws more than 1232 octets
// towards a forged address.
const maxUDPSize = 1232

// Server serves a Zone over real DNS, UDP and TCP on one port, as an
// authoritative server (RFC 1035 §4.1.1: AA set): NXDOMAIN versus NODATA
// with a SOA in the authority section (RFC 2308 §2), CNAME chains in the
// answer (RFC 1034 §3.6.2), TC over UDP when the answer does not fit 512
// octets or the client's EDNS0 size (RFC 6891 §6.2.5), never more than
// 1232, so that the client retries over TCP. ANY is answered minimally
// (RFC 8482 §4): the CNAME of an alias, else one synthesized HINFO
// "RFC8482" record. A name that times out in the zone gets no answer; one
// that fails answers SERVFAIL. Malformed queries get FORMERR or nothing and
// the server keeps serving.
type Server struct {
	Zone *Zone
	// OnQuery, when set, is called for every query, after the answer is
	// sent (or withheld); concurrently for concurrent queries.
	OnQuery func(Query)
	// RateLimit, when positive, bounds the UDP responses per second to one
	// client address (response rate limiting, for a server reachable from
	// a network): past it, a query gets an empty answer with TC set, so
	// that a real client retries over TCP, where its address cannot be
	// forged, and a forged one amplifies nothing. TCP is not limited.
	RateLimit int

	udp, tcp *dns.Server  // miekg/dns's: TCP, and UDP on an unspecified address
	udpConn  *net.UDPConn // UDP bound to one address, read by readUDP
	readers  sync.WaitGroup
	addr     string
	limiter  rateLimiter
	answered recordCache
}

// Query is one query a Server received, for OnQuery.
type Query struct {
	Net    string // "udp" or "tcp"
	Client string // the client's address
	Name   string // the name asked, as asked
	Type   string // the query type: "TXT", "A", ...
	// Rcode is the answer's RCODE ("NOERROR", "NXDOMAIN", "SERVFAIL", ...),
	// "" when the query went unanswered (a simulated timeout).
	Rcode     string
	Answer    []Record // the answer section before truncation
	Truncated bool     // TC was set: the client should retry over TCP
	// RateLimited: the client was past Server.RateLimit and got an empty
	// answer with TC set.
	RateLimited bool
}

// String is the query's one canonical line, as the serve log and
// monitor show it:
//
//	udp 127.0.0.1:40112 TXT euston.net. → NOERROR: TXT "v=spf1 ip4:192.0.2.25 -all"
func (q Query) String() string {
	return q.Net + " " + q.Client + " " + q.Type + " " + dnstext.Printable(q.Name) + " → " + q.Outcome()
}

// Outcome words what the server did, the part of String after the arrow:
// the RCODE and the answer's records, "NOERROR, no records of that type"
// for NODATA, "no answer (the zone times this name out)", and a note when
// TC was set.
func (q Query) Outcome() string {
	var b strings.Builder
	switch {
	case q.Rcode == "":
		b.WriteString("no answer (the zone times this name out)")
	case len(q.Answer) > 0:
		b.WriteString(q.Rcode + ": ")
		for i, r := range q.Answer {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(r.String())
		}
	case q.Rcode == dns.RcodeToString[dns.RcodeSuccess]:
		b.WriteString("NOERROR, no records of that type")
	default:
		b.WriteString(q.Rcode)
	}
	switch {
	case q.RateLimited:
		b.WriteString(" (rate limited: an empty answer with TC, retry over TCP)")
	case q.Truncated:
		b.WriteString(" (truncated: retry over TCP)")
	}
	return b.String()
}

// Serve starts serving zone on addr (host:port; port 0 picks a free port
// for both UDP and TCP) and returns once both listen.
func Serve(zone *Zone, addr string) (*Server, error) {
	s := &Server{Zone: zone}
	return s, s.Start(addr)
}

// Start listens on addr over UDP and TCP and serves in the background. With
// port 0 the UDP port is chosen by the system and TCP takes the same port,
// trying again with another when TCP finds it taken.
func (s *Server) Start(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("fakedns: serve on %q: %w", addr, err)
	}
	var pc net.PacketConn
	var l net.Listener
	for attempt := 0; ; attempt++ {
		if pc, err = net.ListenPacket("udp", addr); err != nil {
			return fmt.Errorf("fakedns: serve on %s: %w", addr, err)
		}
		tcpAddr := net.JoinHostPort(host, portOf(pc.LocalAddr()))
		if l, err = net.Listen("tcp", tcpAddr); err == nil {
			break
		}
		pc.Close()
		if port != "0" || attempt == 10 || !errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("fakedns: serve on %s: %w", tcpAddr, err)
		}
	}
	s.addr = pc.LocalAddr().String()
	started := make(chan struct{}, 2)
	notify := func() { started <- struct{}{} }
	s.tcp = &dns.Server{Listener: l, Handler: dns.HandlerFunc(s.serveDNS), NotifyStartedFunc: notify}
	servers := []*dns.Server{s.tcp}
	if ip, err := netip.ParseAddr(host); err == nil && !ip.IsUnspecified() {
		// Bound to one address, replies leave from it: the server's own
		// readers serve the socket. On an unspecified address miekg/dns
		// does, reading each packet's destination from its control
		// message to answer from that address.
		s.udpConn = pc.(*net.UDPConn)
		for range runtime.GOMAXPROCS(0) {
			s.readers.Add(1)
			go s.readUDP()
		}
		notify()
	} else {
		s.udp = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.serveDNS), UDPSize: dns.MaxMsgSize, NotifyStartedFunc: notify}
		servers = append(servers, s.udp)
	}
	errc := make(chan error, 2)
	for _, srv := range servers {
		go func() { errc <- srv.ActivateAndServe() }()
	}
	for range 2 {
		select {
		case <-started:
		case err := <-errc:
			s.Close()
			return fmt.Errorf("fakedns: serve on %s: %w", s.addr, err)
		}
	}
	return nil
}

// udpBatch is how many packets a reader takes from the socket, and sends,
// in one system call (recvmmsg and sendmmsg on Linux).
const udpBatch = 32

// batchConn is the socket as golang.org/x/net's ipv4 and ipv6 packages
// read and write it, a batch of packets at a time.
type batchConn interface {
	ReadBatch(ms []ipv4.Message, flags int) (int, error)
	WriteBatch(ms []ipv4.Message, flags int) (int, error)
}

// readUDP answers the queries of the UDP socket until it is closed. The
// server runs one per CPU, each with buffers of its own reused from batch
// to batch: a goroutine started per packet (as dns.Server does) spends
// more on starting it and growing its stack than on the answer, and a
// system call per packet more than on both. Packets are taken as
// dns.Server takes them (dns.DefaultMsgAcceptFunc): fewer than 12 octets
// and responses get no reply; opcodes other than QUERY and NOTIFY get
// NOTIMP; a header promising other than one question, or a message that
// does not unpack, FORMERR. OnQuery hears of a batch's queries once their
// answers are sent.
func (s *Server) readUDP() {
	defer s.readers.Done()
	var conn batchConn = ipv4.NewPacketConn(s.udpConn)
	if s.udpConn.LocalAddr().(*net.UDPAddr).IP.To4() == nil {
		conn = ipv6.NewPacketConn(s.udpConn)
	}
	in, out := make([]ipv4.Message, udpBatch), make([]ipv4.Message, udpBatch)
	for i := range in {
		in[i].Buffers = [][]byte{make([]byte, dns.MaxMsgSize)}
		out[i].Buffers = [][]byte{make([]byte, 0, maxUDPSize)}
	}
	queries := make([]Query, 0, udpBatch)
	for {
		n, err := conn.ReadBatch(in, 0)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		sending := 0
		queries = queries[:0]
		for i := range in[:n] {
			write := func(m *dns.Msg) error {
				b, err := m.PackBuffer(out[sending].Buffers[0][:0])
				if err != nil {
					return err
				}
				out[sending].Buffers[0], out[sending].Addr = b, in[i].Addr
				sending++
				return nil
			}
			req, refusal := readQuery(in[i].Buffers[0][:in[i].N])
			if refusal != nil {
				write(refusal)
			}
			if req == nil {
				continue
			}
			if q, ok := s.respond(req, true, clientAddr(in[i].Addr), write); ok {
				queries = append(queries, q)
			}
		}
		for sent := 0; sent < sending; {
			k, err := conn.WriteBatch(out[sent:sending], 0)
			if err != nil || k == 0 {
				k = 1 // that answer cannot be sent: the others still go
			}
			sent += k
		}
		for _, q := range queries {
			s.OnQuery(q)
		}
	}
}

// readQuery unpacks a query received over UDP, or returns the refusal to
// send for it, or neither when the packet gets no reply.
func readQuery(p []byte) (req, refusal *dns.Msg) {
	if len(p) < 12 {
		return nil, nil
	}
	h := dns.Header{
		Id: binary.BigEndian.Uint16(p), Bits: binary.BigEndian.Uint16(p[2:]),
		Qdcount: binary.BigEndian.Uint16(p[4:]), Ancount: binary.BigEndian.Uint16(p[6:]),
		Nscount: binary.BigEndian.Uint16(p[8:]), Arcount: binary.BigEndian.Uint16(p[10:]),
	}
	action := dns.DefaultMsgAcceptFunc(h)
	if action == dns.MsgAccept {
		req = new(dns.Msg)
		if req.Unpack(p) == nil {
			return req, nil
		}
	}
	if action == dns.MsgIgnore {
		return nil, nil
	}
	// The refusal echoes the header only, as dns.Server's does.
	const rd, cd = 1 << 8, 1 << 4
	q := &dns.Msg{MsgHdr: dns.MsgHdr{Id: h.Id, Opcode: int(h.Bits>>11) & 0xf, RecursionDesired: h.Bits&rd != 0, CheckingDisabled: h.Bits&cd != 0}}
	refusal = new(dns.Msg).SetRcodeFormatError(q)
	if action == dns.MsgRejectNotImplemented {
		refusal.Opcode, refusal.Rcode = q.Opcode, dns.RcodeNotImplemented
	}
	return nil, refusal
}

func portOf(a net.Addr) string {
	_, port, _ := net.SplitHostPort(a.String())
	return port
}

// Addr returns the address the server listens on, UDP and TCP.
func (s *Server) Addr() string { return s.addr }

// Shutdown stops both listeners and waits, until ctx ends, for the queries
// in progress.
func (s *Server) Shutdown(ctx context.Context) error {
	var errs []error
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		if srv != nil {
			errs = append(errs, srv.ShutdownContext(ctx))
		}
	}
	if s.udpConn != nil {
		s.udpConn.Close()
		done := make(chan struct{})
		go func() { s.readers.Wait(); close(done) }()
		select {
		case <-done:
		case <-ctx.Done():
			errs = append(errs, ctx.Err())
		}
	}
	return errors.Join(errs...)
}

// Close stops the server without waiting.
func (s *Server) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Shutdown(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// serveDNS answers a query that miekg/dns received: over TCP, or over UDP
// on an unspecified address.
func (s *Server) serveDNS(w dns.ResponseWriter, req *dns.Msg) {
	_, udp := w.LocalAddr().(*net.UDPAddr)
	if q, ok := s.respond(req, udp, clientAddr(w.RemoteAddr()), w.WriteMsg); ok {
		s.OnQuery(q)
	}
}

// clientAddr is the address and port of a query's client, an IPv4 client
// of a dual-stack socket as IPv4.
func clientAddr(a net.Addr) netip.AddrPort {
	var ap netip.AddrPort
	switch a := a.(type) {
	case *net.UDPAddr:
		ap = a.AddrPort()
	case *net.TCPAddr:
		ap = a.AddrPort()
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// respond answers req, received from a client over UDP or TCP, with write;
// when OnQuery is set it returns the Query to report, and true.
func (s *Server) respond(req *dns.Msg, udp bool, from netip.AddrPort, write func(*dns.Msg) error) (Query, bool) {
	resp, q, answer := s.Zone.reply(req, udp)
	if resp != nil && udp && s.RateLimit > 0 && !s.limiter.allow(from.Addr(), s.RateLimit, time.Now()) {
		slip := new(dns.Msg).SetReply(req)
		slip.Authoritative, slip.Truncated, slip.Rcode = true, true, resp.Rcode
		resp, q.Truncated, q.RateLimited = slip, true, true
	}
	if resp != nil {
		if err := write(resp); err != nil {
			// A record the zone holds does not pack: say so.
			write(new(dns.Msg).SetRcode(req, dns.RcodeServerFailure))
			q.Rcode = dns.RcodeToString[dns.RcodeServerFailure]
		}
	}
	if s.OnQuery == nil {
		return Query{}, false
	}
	q.Net, q.Client, q.Answer = "tcp", from.String(), s.answered.records(answer)
	if udp {
		q.Net = "udp"
	}
	return q, true
}

// reply is the answer of the zone, as an authoritative server, to a query
// received over UDP or TCP. Over UDP it carries at most 512 octets
// (RFC 1035 §4.2.1), or the query's EDNS0 size (RFC 6891 §6.2.5) up to
// maxUDPSize; over TCP a whole message. Answers that do not fit are
// truncated with TC set. reply returns a nil message when the query must
// go unanswered (a simulated timeout). The Query (without Net, Client and
// Answer) and the answer section before truncation describe the exchange
// for Server.OnQuery.
func (z *Zone) reply(req *dns.Msg, udp bool) (*dns.Msg, Query, []dns.RR) {
	resp := new(dns.Msg).SetReply(req)
	resp.Authoritative = true
	resp.RecursionAvailable = false
	var q Query
	switch {
	case req.Opcode != dns.OpcodeQuery:
		resp.Opcode, resp.Rcode, resp.Authoritative = req.Opcode, dns.RcodeNotImplemented, false
	case len(req.Question) != 1:
		resp.Rcode, resp.Authoritative = dns.RcodeFormatError, false
	case req.Question[0].Qclass != dns.ClassINET && req.Question[0].Qclass != dns.ClassANY:
		q.Name, q.Type = req.Question[0].Name, dns.Type(req.Question[0].Qtype).String()
		resp.Rcode, resp.Authoritative = dns.RcodeRefused, false
	default:
		question := req.Question[0]
		q.Name, q.Type = question.Name, dns.Type(question.Qtype).String()
		if !z.answer(resp, question) {
			return nil, q, nil // the zone times this query out
		}
	}
	q.Rcode = dns.RcodeToString[resp.Rcode]
	answer := resp.Answer
	limit := dns.MaxMsgSize
	if udp {
		limit = udpLimit(req)
	}
	if req.IsEdns0() != nil {
		resp.SetEdns0(maxUDPSize, false)
	}
	resp.Truncate(limit)
	q.Truncated = resp.Truncated
	return resp, q, answer
}

// udpLimit is the size of the largest answer to req over UDP.
func udpLimit(req *dns.Msg) int {
	if opt := req.IsEdns0(); opt != nil {
		return min(max(dns.MinMsgSize, int(opt.UDPSize())), maxUDPSize)
	}
	return dns.MinMsgSize
}

// answer fills resp for a query of the zone; false means no answer at all.
func (z *Zone) answer(resp *dns.Msg, question dns.Question) bool {
	qtype := question.Qtype
	key := Canonical(dnstext.Decode(question.Name))
	for hop := 0; ; hop++ {
		n := z.nodes[key]
		if n == nil {
			if z.TimeoutErrorNames && strings.HasPrefix(key, "error.") {
				return false
			}
			resp.Rcode = dns.RcodeNameError
			resp.Ns = []dns.RR{z.soaFor(key, question.Name)}
			return true
		}
		if n.faults != nil {
			switch n.fault(qtype) {
			case ErrTimeout:
				return false
			case nil:
			default:
				resp.Rcode = dns.RcodeServerFailure
				return true
			}
		}
		if qtype == dns.TypeANY {
			resp.Answer = append(resp.Answer, n.anyAnswer(question.Name)...)
			if len(resp.Answer) == 0 {
				resp.Ns = []dns.RR{z.soaFor(key, question.Name)}
			}
			return true
		}
		if n.cname != "" && qtype != dns.TypeCNAME {
			if hop == maxCNAMEChain {
				resp.Rcode = dns.RcodeServerFailure
				return true
			}
			resp.Answer = append(resp.Answer, n.records(dns.TypeCNAME)...)
			key = n.cname
			continue
		}
		rrs := n.records(qtype)
		if len(rrs) == 0 {
			resp.Ns = []dns.RR{z.soaFor(key, question.Name)} // NODATA (RFC 2308 §2.2)
		}
		resp.Answer = append(resp.Answer, rrs...)
		return true
	}
}

// anyAnswer is the minimal answer to ANY (RFC 8482 §4.1): the CNAME of an
// alias, else, when n has records, one HINFO with CPU "RFC8482" and an
// empty OS, owned by qname as asked (§4.2).
func (n *node) anyAnswer(qname string) []dns.RR {
	if n.cname != "" {
		return n.records(dns.TypeCNAME)
	}
	if len(n.records(dns.TypeANY)) == 0 {
		return nil
	}
	hdr := dns.RR_Header{Name: qname, Rrtype: dns.TypeHINFO, Class: dns.ClassINET, Ttl: defaultTTL}
	return []dns.RR{&dns.HINFO{Hdr: hdr, Cpu: "RFC8482", Os: ""}}
}

// records returns n's records of qtype (all for ANY) that the zone answers:
// a type that times out or fails has none.
func (n *node) records(qtype uint16) []dns.RR {
	var rrs []dns.RR
	for _, rr := range n.rrs {
		t := rr.Header().Rrtype
		if (t == qtype || qtype == dns.TypeANY) && (n.faults == nil || n.fault(t) == nil) {
			rrs = append(rrs, rr)
		}
	}
	return rrs
}

// soaFor returns the SOA record for a negative answer about key, asked as
// qname (RFC 2308 §3): the zone's SOA at key or its closest ancestor, else
// one made up for qname's parent domain.
func (z *Zone) soaFor(key, qname string) dns.RR {
	for name := key; ; {
		if n := z.nodes[name]; n != nil {
			for _, rr := range n.rrs {
				if soa, ok := rr.(*dns.SOA); ok {
					return soa
				}
			}
		}
		i := strings.IndexByte(name, '.')
		if i < 0 {
			break
		}
		name = name[i+1:]
	}
	apex := dns.Fqdn(qname)
	if labels := dns.Split(apex); len(labels) > 2 {
		apex = apex[labels[1]:]
	}
	return &dns.SOA{
		Hdr: dns.RR_Header{Name: apex, Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 60},
		Ns:  "ns.fakedns.invalid.", Mbox: "hostmaster.fakedns.invalid.",
		Serial: 1, Refresh: 3600, Retry: 600, Expire: 86400, Minttl: 60,
	}
}

// rateLimiter keeps a token bucket per client address: RateLimit tokens
// a second, a burst of as many. It forgets every address when it holds
// maxLimited of them, so that a flood of forged addresses costs bounded
// memory (and the forged addresses get their answers: with TC, empty
// ones cost no amplification anyway).
type rateLimiter struct {
	mu      sync.Mutex
	buckets map[netip.Addr]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

const maxLimited = 10000

// allow reports whether a response to addr fits its bucket, and takes a
// token when it does.
func (l *rateLimiter) allow(ip netip.Addr, perSecond int, now time.Time) bool {
	ip = ip.Unmap()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil || len(l.buckets) >= maxLimited {
		l.buckets = make(map[netip.Addr]*bucket)
	}
	b := l.buckets[ip]
	if b == nil {
		b = &bucket{tokens: float64(perSecond), last: now}
		l.buckets[ip] = b
	}
	b.tokens = min(float64(perSecond), b.tokens+now.Sub(b.last).Seconds()*float64(perSecond))
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
