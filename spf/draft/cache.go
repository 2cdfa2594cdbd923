package draft

import (
	"context"
	"net/netip"
	"sync"

	"spflab/spf"
)

// DefaultCacheSize is how many answers a Cache keeps when its Size is
// zero: far more than the names a record tree needs, far fewer than the
// per-client questions (PTR, exists with %{i}) of a large senders file.
const DefaultCacheSize = 8192

// Cache is an spf.Resolver that asks Resolver each question once and
// remembers the answer, errors included: a comparison over a million
// senders asks the same few names again and again, and should see one
// snapshot of the DNS. Concurrent askers of the same question wait for the
// first one's answer. It keeps at most Size answers and forgets the least
// recently used first, so that the questions that differ per client (the
// PTR of each address, an exists term with %{i}) cannot grow it without
// bound; a forgotten question is asked again. It ignores TTLs: make a new
// Cache for each run.
type Cache struct {
	Resolver spf.Resolver
	// Size bounds the answers kept; 0 means DefaultCacheSize. Set it
	// before the first use.
	Size int

	mu         sync.Mutex
	m          map[question]*answer
	head, tail *answer // most recently used first
}

// question is one query: qtype and name, or the address of a PTR query.
type question struct {
	qtype byte
	name  string
	ip    netip.Addr
}

// answer is a question's answer, or the wait for it: done is closed once
// the fields are set.
type answer struct {
	q          question
	prev, next *answer
	done       chan struct{}
	strs       []string
	addrs      []netip.Addr
	err        error
}

// Len returns the number of answers kept.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// get returns the answer to q, asking it with ask unless it is kept or
// being asked.
func (c *Cache) get(q question, ask func(*answer)) *answer {
	c.mu.Lock()
	if a := c.m[q]; a != nil {
		c.unlink(a)
		c.push(a)
		c.mu.Unlock()
		<-a.done
		return a
	}
	if c.m == nil {
		c.m = map[question]*answer{}
	}
	a := &answer{q: q, done: make(chan struct{})}
	c.m[q] = a
	c.push(a)
	size := c.Size
	if size <= 0 {
		size = DefaultCacheSize
	}
	for len(c.m) > size {
		// The askers of an answer still being asked hold it: forgetting
		// it here only means the next asker asks again.
		old := c.tail
		c.unlink(old)
		delete(c.m, old.q)
	}
	c.mu.Unlock()
	ask(a)
	close(a.done)
	return a
}

// push puts a at the front of the list.
func (c *Cache) push(a *answer) {
	a.prev, a.next = nil, c.head
	if c.head != nil {
		c.head.prev = a
	}
	c.head = a
	if c.tail == nil {
		c.tail = a
	}
}

// unlink takes a out of the list.
func (c *Cache) unlink(a *answer) {
	if a.prev != nil {
		a.prev.next = a.next
	} else {
		c.head = a.next
	}
	if a.next != nil {
		a.next.prev = a.prev
	} else {
		c.tail = a.prev
	}
	a.prev, a.next = nil, nil
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
