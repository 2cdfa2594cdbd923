package dmarc

import (
	"context"
	"errors"
	"net/netip"

	"spflab/spf"
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

// isTemporary reports whether a failed lookup is not a plain "no record":
// anything but NXDOMAIN and NODATA counts as temporary, as in spf.
func isTemporary(err error) bool {
	return !errors.Is(err, spf.ErrNoSuchName) && !errors.Is(err, spf.ErrNoData)
}

// dnsFailure names a failed lookup in words: "no such name", "no data",
// "timeout", "server failure (SERVFAIL)".
func dnsFailure(err error) string {
	switch {
	case errors.Is(err, spf.ErrNoSuchName):
		return spf.ErrNoSuchName.Error()
	case errors.Is(err, spf.ErrNoData):
		return spf.ErrNoData.Error()
	}
	if de, ok := errors.AsType[*spf.DNSError](err); ok {
		return de.Err.Error()
	}
	return err.Error()
}
