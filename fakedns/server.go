package fakedns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/miekg/dns"
)

// Server serves a Zone over real DNS, UDP and TCP on one port, as an
// authoritative server (RFC 1035 §4.1.1: AA set): NXDOMAIN versus NODATA
// with a SOA in the authority section (RFC 2308 §2), CNAME chains in the
// answer (RFC 1034 §3.6.2), TC over UDP when the answer does not fit 512
// octets or the client's EDNS0 size (RFC 6891 §6.2.5) so that the client
// retries over TCP. A name that times out in the zone gets no answer; one
// that fails answers SERVFAIL. Malformed queries get FORMERR or nothing and
// the server keeps serving.
type Server struct {
	Zone *Zone
	// OnQuery, when set, is called for every query, after the answer is
	// sent (or withheld); concurrently for concurrent queries.
	OnQuery func(Query)

	udp, tcp *dns.Server
	addr     string
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
	Answer    []dns.RR // the answer section before truncation
	Truncated bool     // TC was set: the client should retry over TCP
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
	s.udp = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.serveDNS), UDPSize: dns.MaxMsgSize, NotifyStartedFunc: notify}
	s.tcp = &dns.Server{Listener: l, Handler: dns.HandlerFunc(s.serveDNS), NotifyStartedFunc: notify}
	errc := make(chan error, 2)
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
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

func (s *Server) serveDNS(w dns.ResponseWriter, req *dns.Msg) {
	netw, limit := "tcp", dns.MaxMsgSize
	if _, ok := w.LocalAddr().(*net.UDPAddr); ok {
		netw, limit = "udp", dns.MinMsgSize
	}
	resp, q := s.Zone.Reply(req, limit)
	if resp != nil {
		if err := w.WriteMsg(resp); err != nil {
			// A record the zone holds does not pack: say so.
			fail := new(dns.Msg).SetRcode(req, dns.RcodeServerFailure)
			w.WriteMsg(fail)
			q.Rcode = dns.RcodeToString[dns.RcodeServerFailure]
		}
	}
	if s.OnQuery != nil {
		q.Net, q.Client = netw, w.RemoteAddr().String()
		s.OnQuery(q)
	}
}

// Reply is the answer of the zone, as an authoritative server, to a query
// received over a transport that carries at most limit octets (512 for UDP,
// RFC 1035 §4.2.1; dns.MaxMsgSize for TCP); a larger EDNS0 size in the
// query raises it (RFC 6891 §6.2.5). Answers that do not fit are truncated
// with TC set. Reply returns a nil message when the query must go
// unanswered (a simulated timeout). The Query describes the exchange for
// Server.OnQuery.
func (z *Zone) Reply(req *dns.Msg, limit int) (*dns.Msg, Query) {
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
			return nil, q // the zone times this query out
		}
	}
	q.Rcode = dns.RcodeToString[resp.Rcode]
	q.Answer = resp.Answer
	if opt := req.IsEdns0(); opt != nil {
		limit = max(limit, int(opt.UDPSize()))
		resp.SetEdns0(uint16(min(limit, dns.MaxMsgSize)), false)
	}
	resp.Truncate(limit)
	q.Truncated = resp.Truncated
	return resp, q
}

// answer fills resp for a query of the zone; false means no answer at all.
func (z *Zone) answer(resp *dns.Msg, question dns.Question) bool {
	qtype := question.Qtype
	key := Canonical(unescapeName(question.Name))
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
		if n.cname != "" && qtype != dns.TypeCNAME && qtype != dns.TypeANY {
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

// unescapeName decodes the \X and \DDD escapes of a name in presentation
// form (RFC 1035 §5.1), as the zone keys names by their octets.
func unescapeName(name string) string {
	if !strings.Contains(name, `\`) {
		return name
	}
	var b strings.Builder
	unescapeTXT(&b, name)
	return b.String()
}
