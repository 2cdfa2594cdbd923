package spf

import (
	"context"
	"net/netip"
	"time"
)

// DefaultExplanation is the explanation of a fail when the record has no
// exp= modifier and the Checker sets none (RFC 7208 §6.2 leaves it to the
// receiver). It is a macro-string.
const DefaultExplanation = "DEFAULT"

// Default limits of RFC 7208 §4.6.4.
const (
	DefaultMaxDNSTerms    = 10
	DefaultMaxVoidLookups = 2
	DefaultMaxNames       = 10 // names looked at per mx or ptr term
)

// A Checker evaluates SPF with a Resolver. Its zero value with a Resolver
// set is ready to use; a Checker is safe for concurrent use.
type Checker struct {
	Resolver Resolver
	// Listener, when set, receives every step of every evaluation.
	Listener Listener
	// Explanation is the macro-string used for a fail when the record has
	// no usable exp= (RFC 7208 §6.2); "" means DefaultExplanation.
	Explanation string
	// Receiver is the %{r} macro: the receiving host's domain name
	// (RFC 7208 §7.3); "" means "unknown".
	Receiver string
	// Now gives the %{t} macro; nil means time.Now.
	Now func() time.Time
	// Limits of RFC 7208 §4.6.4; zero means the RFC's default.
	MaxDNSTerms, MaxVoidLookups, MaxNames int
}

// Check checks the MAIL FROM identity (RFC 7208 §2.4): the domain of
// mailFrom, or for the null sender ("" or "<>") the HELO identity with the
// sender postmaster@helo (RFC 7208 §2.3, §4.3).
func (c *Checker) Check(ctx context.Context, ip netip.Addr, helo, mailFrom string) Outcome {
	return Outcome{Result: None}
}

// CheckHELO checks the HELO identity (RFC 7208 §2.3) with the sender
// postmaster@helo.
func (c *Checker) CheckHELO(ctx context.Context, ip netip.Addr, helo string) Outcome {
	return Outcome{Result: None}
}

// CheckHost runs check_host(ip, domain, sender) of RFC 7208 §4.
func (c *Checker) CheckHost(ctx context.Context, ip netip.Addr, domain, sender, helo string) Outcome {
	return Outcome{Result: None}
}
