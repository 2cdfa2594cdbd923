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

func (c *RecordCache) parse(text string) (*Record, error) {
	if c == nil {
		return Parse(text)
	}
	if v, ok := c.m.Load(text); ok {
		cr := v.(cachedRecord)
		return cr.rec, cr.err
	}
	rec, err := Parse(text)
	c.m.Store(text, cachedRecord{rec, err})
	return rec, err
}
