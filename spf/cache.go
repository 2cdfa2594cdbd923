package spf

import "sync"

// DefaultRecordCacheSize is how many parsed records a RecordCache keeps
// when its Size is zero.
const DefaultRecordCacheSize = 4096

// RecordCache keeps parsed records by their exact text, so that evaluating
// the same records many times parses each once (RFC 7208 §4.6). It holds at
// most Size records and forgets the oldest first. It is safe for concurrent
// use; the records it shares are never changed after they are parsed.
type RecordCache struct {
	// Size bounds the records kept; zero means DefaultRecordCacheSize. Set
	// it before the first use.
	Size int

	m    sync.Map // text → *cachedRecord
	mu   sync.Mutex
	ring []string // the texts in m, oldest at next once full
	next int
}

// defaultRecords serves the Checkers whose Records is nil.
var defaultRecords RecordCache

type cachedRecord struct {
	rec *Record
	err error
}

// parse returns the parsed record of text, or its *SyntaxError. The record
// is shared: it must not be changed.
func (c *RecordCache) parse(text string) (*Record, error) {
	if c == nil {
		c = &defaultRecords
	}
	if v, ok := c.m.Load(text); ok {
		cr := v.(*cachedRecord)
		return cr.rec, cr.err
	}
	rec, err := Parse(text)
	c.add(text, &cachedRecord{rec, err})
	return rec, err
}

// add stores cr unless another goroutine stored text first, forgetting the
// oldest record when the cache is full.
func (c *RecordCache) add(text string, cr *cachedRecord) {
	size := c.Size
	if size <= 0 {
		size = DefaultRecordCacheSize
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, loaded := c.m.LoadOrStore(text, cr); loaded {
		return
	}
	if len(c.ring) < size {
		c.ring = append(c.ring, text)
		return
	}
	if c.next == len(c.ring) {
		c.next = 0
	}
	c.m.Delete(c.ring[c.next])
	c.ring[c.next] = text
	c.next++
}
