package fakedns

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"

	"spflab/spf"
)

// Client is a live stub resolver implementing spf.Resolver with
// miekg/dns: it asks its servers in turn over UDP, retries over TCP when
// an answer is truncated (RFC 7766 §5), and follows CNAMEs (RFC 1034
// §3.6.2). NXDOMAIN is spf.ErrNoSuchName, an answer without records of the
// type spf.ErrNoData, and SERVFAIL, REFUSED, a timeout or an unreachable
// server spf.ErrTemporary, naming the server. A Client is safe for
// concurrent use.
type Client struct {
	Servers []string      // host:port, asked in order until one answers
	Timeout time.Duration // per query and server; 0 means 2s
	// UDPSize is the EDNS0 payload size offered (RFC 6891 §6.2.5); 0 means
	// 1232, and a value of 512 or less sends no EDNS0.
	UDPSize uint16
}

// NewClient returns a client of the given servers ("host:port", or a host
// for port 53).
func NewClient(servers ...string) *Client {
	c := &Client{}
	for _, s := range servers {
		if _, _, err := net.SplitHostPort(s); err != nil {
			s = net.JoinHostPort(s, "53")
		}
		c.Servers = append(c.Servers, s)
	}
	return c
}

// ClientFromResolvConf returns a client of the nameservers of a
// resolv.conf file (usually /etc/resolv.conf), with its timeout.
func ClientFromResolvConf(path string) (*Client, error) {
	cfg, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("fakedns: %s: %w", path, err)
	}
	if len(cfg.Servers) == 0 {
		return nil, fmt.Errorf("fakedns: %s lists no nameserver", path)
	}
	c := &Client{Timeout: time.Duration(cfg.Timeout) * time.Second}
	for _, s := range cfg.Servers {
		c.Servers = append(c.Servers, net.JoinHostPort(s, cfg.Port))
	}
	return c, nil
}

// LookupTXT returns the TXT records of name, each with its
// character-strings joined with no separator (RFC 7208 §3.3).
func (c *Client) LookupTXT(ctx context.Context, name string) ([]string, error) {
	rrs, err := c.lookup(ctx, name, dns.TypeTXT)
	var txts []string
	for _, rr := range rrs {
		txts = append(txts, joinTXT(rr.(*dns.TXT).Txt))
	}
	return txts, err
}

// LookupA returns the IPv4 addresses of name.
func (c *Client) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	rrs, err := c.lookup(ctx, name, dns.TypeA)
	var ips []netip.Addr
	for _, rr := range rrs {
		if ip, ok := netip.AddrFromSlice(rr.(*dns.A).A); ok {
			ips = append(ips, ip.Unmap())
		}
	}
	return ips, err
}

// LookupAAAA returns the IPv6 addresses of name.
func (c *Client) LookupAAAA(ctx context.Context, name string) ([]netip.Addr, error) {
	rrs, err := c.lookup(ctx, name, dns.TypeAAAA)
	var ips []netip.Addr
	for _, rr := range rrs {
		if ip, ok := netip.AddrFromSlice(rr.(*dns.AAAA).AAAA); ok {
			ips = append(ips, ip)
		}
	}
	return ips, err
}

// LookupMX returns the exchange host names of name in order of preference
// (RFC 5321 §5.1), the null MX (RFC 7505) as ".".
func (c *Client) LookupMX(ctx context.Context, name string) ([]string, error) {
	rrs, err := c.lookup(ctx, name, dns.TypeMX)
	slices.SortStableFunc(rrs, func(a, b dns.RR) int {
		return cmp.Compare(a.(*dns.MX).Preference, b.(*dns.MX).Preference)
	})
	var hosts []string
	for _, rr := range rrs {
		hosts = append(hosts, hostName(unescapeName(rr.(*dns.MX).Mx)))
	}
	return hosts, err
}

// LookupPTR returns the names of the PTR records at ip's reverse name.
func (c *Client) LookupPTR(ctx context.Context, ip netip.Addr) ([]string, error) {
	rrs, err := c.lookup(ctx, ReverseName(ip), dns.TypePTR)
	var names []string
	for _, rr := range rrs {
		names = append(names, hostName(unescapeName(rr.(*dns.PTR).Ptr)))
	}
	return names, err
}

// lookup returns the records of qtype at name, following CNAMEs, or a
// *spf.DNSError.
func (c *Client) lookup(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	target := dns.Fqdn(strings.ReplaceAll(name, `\`, `\\`)) // presentation form
	for hop := 0; hop <= maxCNAMEChain; hop++ {
		resp, err := c.exchange(ctx, target, qtype)
		if err != nil {
			return nil, &spf.DNSError{QType: dns.TypeToString[qtype], Name: name, Err: err}
		}
		rrs, next := answers(resp, target, qtype)
		switch {
		case len(rrs) > 0:
			return rrs, nil
		case next != "": // the chain goes on beyond this answer: ask for the rest
			target = next
			continue
		case resp.Rcode == dns.RcodeNameError:
			err = spf.ErrNoSuchName
		default:
			err = spf.ErrNoData
		}
		return nil, &spf.DNSError{QType: dns.TypeToString[qtype], Name: name, Err: err}
	}
	return nil, &spf.DNSError{QType: dns.TypeToString[qtype], Name: name, Err: errCNAMELoop}
}

// answers picks the records of qtype for name from an answer section,
// following the CNAMEs in it; when the chain leaves the section, next is
// the name it ends at.
func answers(resp *dns.Msg, name string, qtype uint16) (rrs []dns.RR, next string) {
	for hop := 0; hop <= maxCNAMEChain; hop++ {
		var cname string
		for _, rr := range resp.Answer {
			h := rr.Header()
			if !strings.EqualFold(unescapeName(h.Name), unescapeName(name)) {
				continue
			}
			if h.Rrtype == qtype {
				rrs = append(rrs, rr)
			} else if c, ok := rr.(*dns.CNAME); ok {
				cname = c.Target
			}
		}
		if len(rrs) > 0 || cname == "" {
			if hop > 0 && len(rrs) == 0 && resp.Rcode == dns.RcodeSuccess && !hasSOA(resp) {
				return nil, name // a CNAME whose target the server did not chase
			}
			return rrs, ""
		}
		name = cname
	}
	return nil, ""
}

// hasSOA reports whether the authority section holds a SOA: the server
// vouches for a negative answer (RFC 2308 §2.2).
func hasSOA(resp *dns.Msg) bool {
	for _, rr := range resp.Ns {
		if rr.Header().Rrtype == dns.TypeSOA {
			return true
		}
	}
	return false
}

// exchange asks the servers in turn, over TCP when UDP is truncated; the
// error wraps spf.ErrTemporary and names the server.
func (c *Client) exchange(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	if len(c.Servers) == 0 {
		return nil, fmt.Errorf("%w: no DNS server configured", spf.ErrTemporary)
	}
	m := new(dns.Msg).SetQuestion(name, qtype)
	size := c.UDPSize
	if size == 0 {
		size = 1232
	}
	if size > dns.MinMsgSize {
		m.SetEdns0(size, false)
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	var errs []error
	for _, server := range c.Servers {
		resp, err := c.exchangeWith(ctx, m, server, timeout)
		if err == nil {
			return resp, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, &serverError{errors.Join(errs...)}
}

func (c *Client) exchangeWith(ctx context.Context, m *dns.Msg, server string, timeout time.Duration) (*dns.Msg, error) {
	cl := &dns.Client{Net: "udp", Timeout: timeout}
	resp, _, err := cl.ExchangeContext(ctx, m, server)
	if err == nil && resp.Truncated {
		cl.Net = "tcp"
		resp, _, err = cl.ExchangeContext(ctx, m, server)
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("no answer from %s over %s: %w", server, cl.Net, unwrapNet(err))
	case resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError:
		return nil, fmt.Errorf("%s from %s", rcodeName(resp.Rcode), server)
	}
	return resp, nil
}

// unwrapNet shortens "read udp 127.0.0.1:1->127.0.0.1:2: i/o timeout" to
// its cause.
func unwrapNet(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

func rcodeName(rcode int) string {
	if s, ok := dns.RcodeToString[rcode]; ok {
		return s
	}
	return "RCODE " + strconv.Itoa(rcode)
}

// serverError is a failure of every server asked: a temperror.
type serverError struct{ err error }

func (e *serverError) Error() string {
	return spf.ErrTemporary.Error() + ": " + strings.ReplaceAll(e.err.Error(), "\n", "; ")
}
func (e *serverError) Unwrap() []error { return []error{spf.ErrTemporary, e.err} }

var _ spf.Resolver = (*Client)(nil)
