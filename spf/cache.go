package spf

import (
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// DefaultRecordCacheSize is how many parsed records a RecordCache keeps
// when its Size is zero.
const DefaultRecordCacheSize = 4096

// RecordCache keeps parsed records by their exact text, so that evaluating
// the same records many times parses each once (RFC 7208 §4.6). It holds at
// most Size records: a new record takes the place of one whose text hashes
// alike when there is no room. A record longer than 1,024 bytes or of more
// than 64 terms, far beyond real ones, is parsed each time, so that a full
// cache stays bounded (under 50 MB at the default size) whatever DNS answers.
// It is safe for concurrent use, and a hit takes no lock; the records it
// shares are never changed after they are parsed.
type RecordCache struct {
	// Size bounds the records kept, rounded up to a power of two; zero
	// means DefaultRecordCacheSize. Set it before the first use.
	Size int

	once  sync.Once
	seed  maphash.Seed
	slots []atomic.Pointer[cachedRecord] // sets of ways: a text may sit in any slot of its set
}

// defaultRecords serves the Checkers whose Records is nil.
var defaultRecords RecordCache

// ways is how many slots a text may sit in: the size of a set.
const ways = 4

// The largest record a RecordCache keeps.
const (
	maxCachedText  = 1024
	maxCachedTerms = 64
)

type cachedRecord struct {
	text string
	rec  *Record
	err  error // a *SyntaxError
	// domainErr is the last *RecordError made of err: evaluations that
	// meet the same broken record of the same domain share one error value.
	domainErr atomic.Pointer[RecordError]
}

// recordError returns err as the error of domain's record.
func (cr *cachedRecord) recordError(domain string) *RecordError {
	if re := cr.domainErr.Load(); re != nil && re.Domain == domain {
		return re
	}
	re := &RecordError{domain, cr.err}
	cr.domainErr.Store(re)
	return re
}

func (c *RecordCache) init() {
	size := c.Size
	if size <= 0 {
		size = DefaultRecordCacheSize
	}
	size = max(ways, 1<<bits.Len(uint(size-1)))
	c.seed, c.slots = maphash.MakeSeed(), make([]atomic.Pointer[cachedRecord], size)
}

// lookup returns the entry of text, parsing it if it has none: the record
// or its *SyntaxError. The record is shared: it must not be changed.
func (c *RecordCache) lookup(text string) *cachedRecord {
	if c == nil {
		c = &defaultRecords
	}
	c.once.Do(c.init)
	set := c.slots[maphash.String(c.seed, text)&uint64(len(c.slots)-ways):][:ways]
	for i := range set {
		if cr := set[i].Load(); cr != nil && cr.text == text {
			return cr
		}
	}
	rec, err := Parse(text)
	cr := &cachedRecord{text: text, rec: rec, err: err}
	if len(text) > maxCachedText || rec != nil && len(rec.Terms) > maxCachedTerms {
		return cr
	}
	// An empty slot of the set, else any: texts whose hashes meet share
	// the set rather than evict each other in turn.
	slot := &set[rand.N(ways)]
	for i := range set {
		if set[i].Load() == nil {
			slot = &set[i]
			break
		}
	}
	slot.Store(cr)
	return cr
}
