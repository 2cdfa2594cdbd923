package dmarc

import (
	"context"
	"net/netip"
)

// Resolver answers the DNS queries of a DMARC evaluation: the TXT records
// at _dmarc names (RFC 9989 §4.10) and, for the np tag, whether the Author
// Domain exists (§3.2.13). It is the part of spf.Resolver that DMARC uses,
// so an spf.Resolver (an in-memory zone, loopback DNS, live DNS) serves
// both as is.
//
// Errors follow spf.Resolver's contract: they wrap spf.ErrNoSuchName
// (NXDOMAIN), spf.ErrNoData or spf.ErrTemporary.
type Resolver interface {
	// LookupTXT returns the TXT records of name, each with its
	// character-strings joined with no separator (RFC 9989 §4.5).
	LookupTXT(ctx context.Context, name string) ([]string, error)
	// LookupA returns the IPv4 addresses of name; DMARC only looks at
	// whether the answer is NXDOMAIN (RFC 9989 Appendix A.4).
	LookupA(ctx context.Context, name string) ([]netip.Addr, error)
}
