package spf

import (
	"context"
	"errors"
	"net/netip"
)

// Resolver answers the DNS queries check_host() makes (RFC 7208 §4.4, §5).
//
// Errors must wrap one of ErrNoSuchName, ErrNoData or ErrTemporary so that
// the evaluator can tell a void lookup (RFC 7208 §4.6.4) from a temperror
// (RFC 7208 §2.6.6). An empty answer with a nil error is treated as
// ErrNoData.
type Resolver interface {
	// LookupTXT returns the TXT records of name, each with its
	// character-strings joined with no separator (RFC 7208 §3.3).
	LookupTXT(ctx context.Context, name string) ([]string, error)
	// LookupA returns the IPv4 addresses of name.
	LookupA(ctx context.Context, name string) ([]netip.Addr, error)
	// LookupAAAA returns the IPv6 addresses of name.
	LookupAAAA(ctx context.Context, name string) ([]netip.Addr, error)
	// LookupMX returns the exchange host names of name's MX records,
	// in order of preference.
	LookupMX(ctx context.Context, name string) ([]string, error)
	// LookupPTR returns the names of the PTR records of ip's reverse name
	// (in-addr.arpa or ip6.arpa).
	LookupPTR(ctx context.Context, ip netip.Addr) ([]string, error)
}

// Errors a Resolver wraps to classify a failed lookup.
var (
	// ErrNoSuchName: the name does not exist (RCODE 3, NXDOMAIN).
	ErrNoSuchName = errors.New("no such name")
	// ErrNoData: the name exists but has no record of the queried type.
	ErrNoData = errors.New("no data")
	// ErrTemporary: the query timed out or the server failed (SERVFAIL);
	// check_host() turns it into temperror.
	ErrTemporary = errors.New("timeout or server failure")
)

// DNSError is the error a Resolver returns for a failed lookup: the query
// and the kind of failure (one of ErrNoSuchName, ErrNoData, ErrTemporary).
type DNSError struct {
	QType string // "TXT", "A", "AAAA", "MX", "PTR"
	Name  string // the name queried
	Err   error  // ErrNoSuchName, ErrNoData or ErrTemporary, possibly wrapped
}

func (e *DNSError) Error() string { return e.QType + " " + e.Name + ": " + e.Err.Error() }

// Unwrap returns the kind of failure.
func (e *DNSError) Unwrap() error { return e.Err }

// Temporary reports whether a failed lookup is anything but a plain "no
// record" (NXDOMAIN or NODATA): a timeout, a server failure, a refusal.
// check_host() turns those into temperror (RFC 7208 §2.6.6); DKIM and
// DMARC treat them alike.
func Temporary(err error) bool { return err != nil && isTemporary(err) }

// Failure names a failed lookup in words, without the query: "no such
// name", "no data", or the reason of a temporary failure.
func Failure(err error) string {
	if kind := failureKind(err); kind != nil {
		return kind.Error()
	}
	if de, ok := errors.AsType[*DNSError](err); ok {
		return de.Err.Error()
	}
	return err.Error()
}
