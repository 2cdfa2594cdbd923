package livedns

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

	"spflab/internal/dnstext"
	"spflab/spf"
)

// maxCNAMEChain bounds how many CNAME records one lookup follows; a longer
// chain is treated as a loop (RFC 1034 §3.6.2).
const maxCNAMEChain = 8

// Client is a stub resolver implementing spf.Resolver with
// miekg/dns: it asks its servers in turn over UDP, retries over TCP when
// an answer is truncated (RFC 7766 §5), and follows CNAMEs (RFC 1034
// §3.6.2). NXDOMAIN is spf.ErrNoSuchName, an answer without records of the
// type spf.ErrNoData. SERVFAIL, REFUSED, a timeout, an unreachable server,
// an answer still truncated over TCP and a CNAME chain that loops are
// spf.ErrTemporary (temperror, RFC 7208 §5), naming the server and the
// reason. A Client is safe for concurrent use.
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
		return nil, fmt.Errorf("livedns: %s: %w", path, err)
	}
	if len(cfg.Servers) == 0 {
		return nil, fmt.Errorf("livedns: %s lists no nameserver", path)
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
		txts = append(txts, dnstext.JoinTXT(rr.(*dns.TXT).Txt))
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
		hosts = append(hosts, hostName(rr.(*dns.MX).Mx))
	}
	return hosts, err
}

// LookupPTR returns the names of the PTR records at ip's reverse name.
func (c *Client) LookupPTR(ctx context.Context, ip netip.Addr) ([]string, error) {
	arpa, err := dns.ReverseAddr(ip.Unmap().String())
	if err != nil {
		return nil, &spf.DNSError{QType: "PTR", Name: ip.String(), Err: fmt.Errorf("%w: no reverse name for %q", spf.ErrTemporary, ip)}
	}
	rrs, err := c.lookup(ctx, strings.TrimSuffix(arpa, "."), dns.TypePTR)
	var names []string
	for _, rr := range rrs {
		names = append(names, hostName(rr.(*dns.PTR).Ptr))
	}
	return names, err
}

// lookup returns the records of qtype at name, following CNAMEs, or a
// *spf.DNSError.
func (c *Client) lookup(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	fail := func(err error) error { return &spf.DNSError{QType: dns.TypeToString[qtype], Name: name, Err: err} }
	target := fqdn(name)
	seen := map[string]bool{}
	for range maxCNAMEChain + 1 {
		seen[key(target)] = true
		resp, err := c.exchange(ctx, c.query(target, qtype), usable)
		if err != nil {
			return nil, fail(err)
		}
		rrs, next, err := answers(resp, target, qtype)
		switch {
		case err != nil:
			return nil, fail(err)
		case len(rrs) > 0:
			return rrs, nil
		case next != "" && seen[key(next)]:
			return nil, fail(cnameLoop(next))
		case next != "": // the chain goes on beyond this answer: ask for the rest
			target = next
			continue
		case resp.Rcode == dns.RcodeNameError:
			return nil, fail(spf.ErrNoSuchName)
		}
		return nil, fail(spf.ErrNoData)
	}
	return nil, fail(errCNAMEChain)
}

// key is the form of a name in presentation form that compares: octets,
// ASCII in lower case (RFC 4343), no trailing dot.
func key(name string) string {
	return strings.ToLower(strings.TrimSuffix(dnstext.Decode(name), "."))
}

// answers picks the records of qtype for name from an answer section,
// following the CNAMEs in it; when the chain leaves the section, next is
// the name it ends at. A chain that comes back to a name is an error.
func answers(resp *dns.Msg, name string, qtype uint16) (rrs []dns.RR, next string, err error) {
	seen := map[string]bool{}
	for hop := 0; ; hop++ {
		k := key(name)
		if seen[k] {
			return nil, "", cnameLoop(name)
		}
		seen[k] = true
		var cname string
		for _, rr := range resp.Answer {
			h := rr.Header()
			if key(h.Name) != k {
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
				return nil, name, nil // a CNAME whose target the server did not chase
			}
			return rrs, "", nil
		}
		if hop == maxCNAMEChain {
			return nil, "", errCNAMEChain
		}
		name = cname
	}
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

// cnameLoop is the temporary error of a CNAME chain that comes back to
// name: no answer exists (RFC 1034 §3.6.2), and a resolver treats it as a
// server failure.
func cnameLoop(name string) error {
	return fmt.Errorf("%w: CNAME chain loops back to %s", spf.ErrTemporary, dnstext.Printable(strings.TrimSuffix(name, ".")))
}

// errCNAMEChain is a chain longer than a resolver follows.
var errCNAMEChain = fmt.Errorf("%w: CNAME chain longer than %d", spf.ErrTemporary, maxCNAMEChain)

// hostName is a domain name from record data, in presentation form, as
// the resolver returns it: octets, case kept, no trailing dot, the root as
// ".".
func hostName(name string) string {
	if name == "." || name == "" {
		return "."
	}
	return dnstext.Decode(strings.TrimSuffix(name, "."))
}

// query is the question for name (in presentation form) and qtype, with
// the EDNS0 size the client offers.
func (c *Client) query(name string, qtype uint16) *dns.Msg {
	m := new(dns.Msg).SetQuestion(name, qtype)
	size := c.UDPSize
	if size == 0 {
		size = 1232
	}
	if size > dns.MinMsgSize {
		m.SetEdns0(size, false)
	}
	return m
}

// fqdn is a name given as octets in presentation form, with the trailing
// dot.
func fqdn(name string) string { return dns.Fqdn(dnstext.EscapeName(name)) }

// exchange asks the servers in turn, each over UDP and then over TCP when
// the answer is truncated, until one gives an answer that check accepts
// (nil: any DNS answer). The error wraps spf.ErrTemporary and names each
// server with what went wrong.
func (c *Client) exchange(ctx context.Context, m *dns.Msg, check func(resp *dns.Msg, netw, server string) error) (*dns.Msg, error) {
	if len(c.Servers) == 0 {
		return nil, fmt.Errorf("%w: no DNS server configured", spf.ErrTemporary)
	}
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	if ctx.Err() != nil {
		return nil, &serverError{fmt.Errorf("%v before the query was sent", context.Cause(ctx))}
	}
	var errs []error
	for _, server := range c.Servers {
		cl := &dns.Client{Net: "udp", Timeout: timeout}
		resp, _, err := cl.ExchangeContext(ctx, m, server)
		if err == nil && resp.Truncated {
			cl.Net = "tcp"
			resp, _, err = cl.ExchangeContext(ctx, m, server)
		}
		switch {
		case err != nil && ended(ctx): // the context ended the wait, not the server
			err = fmt.Errorf("%v while waiting for %s over %s", context.Cause(ctx), server, cl.Net)
		case err != nil:
			err = fmt.Errorf("no answer from %s over %s: %w", server, cl.Net, unwrapNet(err))
		case check != nil:
			err = check(resp, cl.Net, server)
		}
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

// ended reports whether ctx has ended. A read stopped by the context's
// deadline (the connection's deadline too) may return a moment before the
// context's timer fires: past the deadline, it waits for that.
func ended(ctx context.Context) bool {
	if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
		<-ctx.Done()
	}
	return ctx.Err() != nil
}

// usable accepts an answer that says something about the name: records,
// NODATA or NXDOMAIN.
func usable(resp *dns.Msg, netw, server string) error {
	switch {
	case resp.Truncated && netw == "tcp":
		// TCP carries any answer whole (RFC 7766 §6.2): a truncated one
		// there is broken, not just large.
		return fmt.Errorf("a truncated answer over tcp from %s", server)
	case resp.Rcode == dns.RcodeRefused:
		return fmt.Errorf("REFUSED from %s: it neither serves this name nor resolves it for us", server)
	case resp.Rcode != dns.RcodeSuccess && resp.Rcode != dns.RcodeNameError:
		return fmt.Errorf("%s from %s", rcodeName(resp.Rcode), server)
	}
	return nil
}

// Ping asks the servers in turn for the TXT records of name until one
// answers. Any DNS answer shows that a server is there, whatever its
// RCODE: an authoritative server answers REFUSED for names outside its
// zones (RFC 1035 §4.1.1), and the lookup that needs such a name reports
// it then, with the name. The error, when no server answers, wraps
// spf.ErrTemporary and names each server.
func (c *Client) Ping(ctx context.Context, name string) error {
	_, err := c.exchange(ctx, c.query(fqdn(name), dns.TypeTXT), nil)
	return err
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

// DeadlineError is the cause of a context WithDeadline ended: the time
// the whole of a check or a lint may take over live DNS ran out.
type DeadlineError struct {
	Limit time.Duration
}

func (e *DeadlineError) Error() string { return "deadline " + e.Limit.String() + " reached" }

// WithDeadline bounds ctx to limit from now, for a whole check rather than
// one query (Client.Timeout bounds each query). A lookup the deadline
// stops, or that starts after it, is a temperror (RFC 7208 §5) that says
// so: "TXT example.com: timeout or server failure: deadline 30s reached
// while waiting for 192.0.2.53:53 over udp".
func WithDeadline(ctx context.Context, limit time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, limit, &DeadlineError{Limit: limit})
}

// serverError is a failure of every server asked: a temperror.
type serverError struct{ err error }

func (e *serverError) Error() string {
	return spf.ErrTemporary.Error() + ": " + strings.ReplaceAll(e.err.Error(), "\n", "; ")
}
func (e *serverError) Unwrap() []error { return []error{spf.ErrTemporary, e.err} }

var _ spf.Resolver = (*Client)(nil)
