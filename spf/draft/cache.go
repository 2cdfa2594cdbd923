package draft

import (
	"context"
	"maps"
	"net/netip"
	"sync"
	"sync/atomic"

	"spflab/spf"
)

// DefaultCacheSize is how many answers a Cache keeps when its Size is
// zero: far more than the names a record tree needs, far fewer than the
// per-client questions (PTR, exists with %{i}) of a large senders file.
const DefaultCacheSize = 8192

// Cache is an spf.Resolver that asks Resolver each question once and
// remembers the answer, errors included: a comparison over a million
// senders asks the same few names again and again, from every core at
// once, and should see one snapshot of the DNS. Concurrent askers of the
// same question wait for the first one's answer. It keeps at most Size
// answers and, when full, forgets one not asked lately, so that the
// questions that differ per client (the PTR of each address, an exists
// term with %{i}) cannot grow it without bound; a forgotten question is
// asked again. It ignores TTLs: make a new Cache for each run.
//
// An answer kept is found without a lock and without writing to memory
// that other cores read: on a hit the workers of a comparison do not wait
// for each other.
type Cache struct {
	Resolver spf.Resolver
	// Size bounds the answers kept; 0 means DefaultCacheSize. Set it
	// before the first use.
	Size int

	// read is a copy of kept, made again after as many questions missed
	// it as there are answers kept; it may hold answers forgotten since.
	read atomic.Pointer[map[question]*answer]

	mu     sync.Mutex
	kept   map[question]*answer
	ring   []*answer // the answers kept, in the order the clock's hand visits them
	hand   int
	misses int // questions not found in read since it was made
}

// question is one query: qtype and name, or the address of a PTR query.
type question struct {
	qtype byte
	name  string
	ip    netip.Addr
}

// answer is a question's answer, or the wait for it: done is closed and
// ready set once the fields are.
type answer struct {
	q         question
	done      chan struct{}
	ready     atomic.Bool
	uses      atomic.Int32 // asked since the clock's hand last passed, up to maxUses
	forgotten atomic.Bool  // no longer kept
	strs      []string
	addrs     []netip.Addr
	err       error
}

// Len returns the number of answers kept.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.kept)
}

// get returns the answer to q, asking it with ask unless it is kept or
// being asked.
func (c *Cache) get(q question, ask func(*answer)) *answer {
	if read := c.read.Load(); read != nil {
		if a := (*read)[q]; a != nil && !a.forgotten.Load() {
			return a.use()
		}
	}
	c.mu.Lock()
	c.missed()
	if a := c.kept[q]; a != nil {
		c.mu.Unlock()
		return a.use()
	}
	a := &answer{q: q, done: make(chan struct{})}
	c.keep(a)
	c.mu.Unlock()
	// The askers of an answer still being asked hold it: forgetting it
	// meanwhile only means the next asker asks again.
	ask(a)
	a.ready.Store(true)
	close(a.done)
	return a
}

// maxUses is how many uses an answer counts: how many turns of the
// clock's hand it stays kept without being asked.
const maxUses = 3

// use counts a use of a, and waits for it.
func (a *answer) use() *answer {
	if a.uses.Load() < maxUses { // no write once counted up: every core reads it
		a.uses.Add(1)
	}
	if !a.ready.Load() {
		<-a.done
	}
	return a
}

// missed counts a question that read did not answer, and copies kept into
// read once as many missed as there are answers kept: the copies cost one
// answer per question missed. c.mu is held.
func (c *Cache) missed() {
	c.misses++
	if c.misses >= len(c.kept) {
		read := maps.Clone(c.kept)
		c.read.Store(&read)
		c.misses = 0
	}
}

// keep keeps a, forgetting another answer first when full. c.mu is held.
func (c *Cache) keep(a *answer) {
	if c.kept == nil {
		c.kept = map[question]*answer{}
	}
	c.kept[a.q] = a
	size := c.Size
	if size <= 0 {
		size = DefaultCacheSize
	}
	if len(c.ring) < size {
		c.ring = append(c.ring, a)
		return
	}
	// The clock: the hand takes one use back from each answer it passes
	// and forgets the first without any, so that an answer asked by every
	// row stays while those asked once or twice go. A few turns at most,
	// unless other cores count uses as fast as the hand takes them back.
	for step := 0; ; step++ {
		old := c.ring[c.hand]
		if n := old.uses.Load(); n > 0 && step < (maxUses+1)*len(c.ring) {
			old.uses.Store(n - 1)
			c.hand = (c.hand + 1) % len(c.ring)
			continue
		}
		old.forgotten.Store(true)
		delete(c.kept, old.q)
		c.ring[c.hand] = a
		c.hand = (c.hand + 1) % len(c.ring)
		return
	}
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
