package fakedns

import (
	"io"

	"github.com/miekg/dns"
)

// LoadZoneFile reads a zone from a master file (RFC 1035 §5) with $ORIGIN
// and $TTL; origin is the origin the file starts with ("" for the root).
// $INCLUDE is refused. file names the source in errors, which give its
// line and column.
func LoadZoneFile(r io.Reader, file, origin string) (*Zone, error) {
	zp := dns.NewZoneParser(r, dns.Fqdn(origin), file)
	z := NewZone()
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		z.addRR(rr)
	}
	if err := zp.Err(); err != nil {
		return nil, err
	}
	return z, nil
}
