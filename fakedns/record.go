package fakedns

import (
	"strings"
	"sync"

	"github.com/miekg/dns"

	"spflab/internal/dnstext"
)

// Record is one resource record (RFC 1035 §3.2.1) of a zone or of an
// answer, as plain text.
type Record struct {
	// Name is the owner name in presentation form, without the trailing
	// dot.
	Name string
	// Type is the type's mnemonic: "TXT", "A", "MX", ...; "TYPE65280" for a
	// type without one (RFC 3597 §5).
	Type string
	TTL  uint32
	// Data is the RDATA in presentation form (RFC 1035 §5.1), the domain
	// names in it without their trailing dot: `"v=spf1 -all"` (each
	// character-string quoted), `192.0.2.25`, `10 mail.euston.net`,
	// `www.euston.net`. Every octet outside printable ASCII is written
	// \DDD, so the text is safe to print to a terminal whatever the zone
	// holds.
	Data string
}

// String is the record's one canonical text, its type and data:
//
//	TXT "v=spf1 ip4:192.0.2.25 -all"
//	MX 10 mail.euston.net
//	PTR www.euston.net
func (r Record) String() string { return r.Type + " " + r.Data }

// records converts records of miekg/dns to Records.
func records(rrs []dns.RR) []Record {
	if len(rrs) == 0 {
		return nil
	}
	out := make([]Record, len(rrs))
	for i, rr := range rrs {
		out[i] = record(rr)
	}
	return out
}

func record(rr dns.RR) Record {
	h := rr.Header()
	data := strings.TrimPrefix(rr.String(), h.String())
	if !strings.Contains(data, `"`) {
		// Names in the data end in a dot; a quoted string may end in
		// anything, so data with quotes is left as it is.
		fields := strings.Fields(data)
		for i, f := range fields {
			if len(f) > 1 && strings.HasSuffix(f, ".") {
				fields[i] = f[:len(f)-1]
			}
		}
		data = strings.Join(fields, " ")
	}
	return Record{
		Name: presentName(h.Name),
		Type: dns.Type(h.Rrtype).String(),
		TTL:  h.Ttl,
		// miekg/dns escapes what it prints already; this makes sure.
		Data: dnstext.Printable(data),
	}
}

// presentName is a name of miekg/dns in the presentation form of Record:
// escaped, no trailing dot, the root as ".".
func presentName(name string) string {
	if name == "." || name == "" {
		return "."
	}
	return dnstext.EscapeName(dnstext.Decode(strings.TrimSuffix(name, ".")))
}

// maxCachedRecords bounds a recordCache.
const maxCachedRecords = 100000

// recordCache holds the Record of each record a Server has answered with:
// the answers are the zone's own records, shared from query to query, so
// each is converted once rather than on every query. Past
// maxCachedRecords (answers made up per query, as ANY's HINFO, are new
// every time) the cache is emptied and starts again.
type recordCache struct {
	mu    sync.RWMutex
	cache map[dns.RR]Record
}

// records returns the Records of rrs.
func (c *recordCache) records(rrs []dns.RR) []Record {
	if len(rrs) == 0 {
		return nil
	}
	out := make([]Record, len(rrs))
	c.mu.RLock()
	missed := false
	for i, rr := range rrs {
		r, ok := c.cache[rr]
		out[i], missed = r, missed || !ok
	}
	c.mu.RUnlock()
	if !missed {
		return out
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cache == nil || len(c.cache) >= maxCachedRecords {
		c.cache = make(map[dns.RR]Record)
	}
	for i, rr := range rrs {
		if out[i].Type == "" {
			out[i] = record(rr)
			c.cache[rr] = out[i]
		}
	}
	return out
}
