package dkim

import (
	"context"
	"errors"

	"spflab/spf"
)

// Resolver answers the key queries of DKIM verification (RFC 6376 §3.6.2):
// the TXT records at selector._domainkey.domain. It is the TXT half of
// spf.Resolver, so the resolver that serves SPF (an in-memory zone,
// loopback DNS, live DNS) serves DKIM as is.
//
// Errors follow spf.Resolver's contract: a failure that wraps neither
// spf.ErrNoSuchName nor spf.ErrNoData is temporary (RFC 6376 §6.1.2,
// TEMPFAIL).
type Resolver interface {
	// LookupTXT returns the TXT records of name, each with its
	// character-strings joined with no separator (RFC 6376 §3.6.2.2).
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

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

// temporary is a failed key lookup as go-msgauth recognizes a temporary
// one: a net.Error whose Temporary method says so.
type temporary struct{ error }

func (temporary) Timeout() bool   { return false }
func (temporary) Temporary() bool { return true }
