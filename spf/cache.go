package spf

import "sync"

// RecordCache keeps parsed records by their text, so that evaluating the
// same records many times parses each once. It is safe for concurrent use.
// A nil *RecordCache parses every time.
type RecordCache struct {
	m sync.Map // text → cachedRecord
}

type cachedRecord struct {
	rec *Record
	err error
}

// recordPool holds the records of evaluations without a cache: each is
// parsed into a pooled Record, returned by release when done.
var recordPool = sync.Pool{New: func() any { return new(Record) }}

// parse returns the parsed record of text. Without a cache the record is
// pooled: the caller passes it to release once done with it.
func (c *RecordCache) parse(text string) (*Record, error) {
	if c == nil {
		r := recordPool.Get().(*Record)
		if err := r.parse(text); err != nil {
			recordPool.Put(r)
			return nil, err
		}
		return r, nil
	}
	if v, ok := c.m.Load(text); ok {
		cr := v.(cachedRecord)
		return cr.rec, cr.err
	}
	rec, err := Parse(text)
	c.m.Store(text, cachedRecord{rec, err})
	return rec, err
}

// release gives back a record parse returned.
func (c *RecordCache) release(r *Record) {
	if c == nil {
		recordPool.Put(r)
	}
}
