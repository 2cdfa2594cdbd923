package draft

import (
	"context"
	"net/netip"
	"sync"

	"spflab/spf"
)

// Cache is an spf.Resolver that asks Resolver each question once and
// remembers the answer, errors included, for as long as it lives: a
// comparison over a million senders asks the same few names again and
// again, and should see one snapshot of the DNS. Concurrent askers of the
// same question wait for the first one's answer. It ignores TTLs: make a
// new Cache for each run.
type Cache struct {
	Resolver spf.Resolver
	m        sync.Map // question → *answer
}

// question is one query: qtype and name, or the address of a PTR query.
type question struct {
	qtype byte
	name  string
	ip    netip.Addr
}

type answer struct {
	once  sync.Once
	strs  []string
	addrs []netip.Addr
	err   error
}

func (c *Cache) get(q question, ask func(*answer)) *answer {
	v, ok := c.m.Load(q)
	if !ok {
		v, _ = c.m.LoadOrStore(q, new(answer))
	}
	a := v.(*answer)
	a.once.Do(func() { ask(a) })
	return a
}

// LookupTXT returns Resolver's TXT records of name.
func (c *Cache) LookupTXT(ctx context.Context, name string) ([]string, error) {
	a := c.get(question{qtype: 'T', name: name}, func(a *answer) { a.strs, a.err = c.Resolver.LookupTXT(ctx, name) })
	return a.strs, a.err
}

// LookupA returns Resolver's A records of name.
func (c *Cache) LookupA(ctx context.Context, name string) ([]netip.Addr, error) {
	a := c.get(question{qtype: 'A', name: name}, func(a *answer) { a.addrs, a.err = c.Resolver.LookupA(ctx, name) })
	return a.addrs, a.err
}

// LookupAAAA returns Resolver's AAAA records of name.
func (c *Cache) LookupAAAA(ctx context.Context, name string) ([]netip.Addr, error) {
	a := c.get(question{qtype: '6', name: name}, func(a *answer) { a.addrs, a.err = c.Resolver.LookupAAAA(ctx, name) })
	return a.addrs, a.err
}

// LookupMX returns Resolver's MX hosts of name.
func (c *Cache) LookupMX(ctx context.Context, name string) ([]string, error) {
	a := c.get(question{qtype: 'M', name: name}, func(a *answer) { a.strs, a.err = c.Resolver.LookupMX(ctx, name) })
	return a.strs, a.err
}

// LookupPTR returns Resolver's PTR names of ip.
func (c *Cache) LookupPTR(ctx context.Context, ip netip.Addr) ([]string, error) {
	a := c.get(question{qtype: 'P', ip: ip}, func(a *answer) { a.strs, a.err = c.Resolver.LookupPTR(ctx, ip) })
	return a.strs, a.err
}

var _ spf.Resolver = (*Cache)(nil)
